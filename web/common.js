/* Assay shared helpers (global `Assay`): API calls, small DOM builder,
   formatting, and rendering of an evaluation with highlighted evidence.
   Answers and questions are untrusted: everything is inserted as text nodes
   or textContent, never as HTML. */
"use strict";

(function () {
  const RATINGS = {
    definitely_not: "Definitely not",
    no: "No",
    yes: "Yes",
    strong_yes: "Strong yes",
  };

  /* ---------- DOM ---------- */

  /* el("p", {class: "x", id: "y"}, "text", node, [more]) builds an element.
     Strings become text nodes; attribute values are set with setAttribute. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /* ---------- API ---------- */

  /* Fetch JSON from the same origin. On a non-2xx answer the server sends
     RFC 9457 problem+json; throw an Error carrying its detail, status and code. */
  async function api(method, path, body) {
    const init = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json, application/problem+json" },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (_) {
      throw apiError("Could not reach the server. Check your connection and try again.", 0, "network_error", null);
    }
    const raw = await res.text().catch(() => "");
    let data = null;
    if (raw) {
      try { data = JSON.parse(raw); } catch (_) { data = null; }
    }
    if (!res.ok) {
      const problem = data && typeof data === "object" ? data : null;
      const message = (problem && (problem.detail || problem.title)) ||
        `The server answered ${res.status}${res.statusText ? " " + res.statusText : ""}.`;
      throw apiError(message, res.status, problem && problem.code ? problem.code : null, problem);
    }
    return data;
  }

  function apiError(message, status, code, problem) {
    const err = new Error(message);
    err.status = status;
    err.code = code;
    err.problem = problem;
    err.errors = problem && Array.isArray(problem.errors) ? problem.errors : [];
    return err;
  }

  /* ---------- Formatting ---------- */

  function ratingText(rating) {
    if (!rating) return "—";
    return RATINGS[rating] || String(rating).replace(/_/g, " ");
  }

  function formatScore(score) {
    return typeof score === "number" && isFinite(score) ? score.toFixed(1) : "—";
  }

  /* Words are whitespace-separated tokens. */
  function wordCount(text) {
    const t = String(text || "").trim();
    return t ? t.split(/\s+/).length : 0;
  }

  function wordsText(n) {
    return `${n} ${n === 1 ? "word" : "words"}`;
  }

  function formatDateTime(iso) {
    const d = new Date(iso);
    if (!iso || isNaN(d)) return "—";
    return d.toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
  }

  function formatTime(iso) {
    const d = iso ? new Date(iso) : new Date();
    return (isNaN(d) ? new Date() : d).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }

  /* "due in 3 days", "due tomorrow", "due in 5 hours"; floors so it never overstates time left. */
  function dueText(iso) {
    const ms = Date.parse(iso) - Date.now();
    if (isNaN(ms)) return "";
    if (ms <= 0) return "the deadline has passed";
    const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
    const minutes = ms / 60000;
    if (minutes < 60) return "due " + rtf.format(Math.max(1, Math.ceil(minutes)), "minute");
    const hours = minutes / 60;
    if (hours < 24) return "due " + rtf.format(Math.floor(hours), "hour");
    return "due " + rtf.format(Math.floor(hours / 24), "day");
  }

  /* The last non-empty segment of the page path (the token or report id). */
  function lastPathSegment() {
    const parts = location.pathname.split("/").filter(Boolean);
    const raw = parts.length ? parts[parts.length - 1] : "";
    try { return decodeURIComponent(raw); } catch (_) { return raw; }
  }

  /* ---------- Evidence highlighting ---------- */

  /* Map UTF-8 byte offsets to UTF-16 string indices. map[b] is the index of the
     character containing byte b (so a stray mid-character offset rounds down). */
  function byteIndexMap(text) {
    const total = new TextEncoder().encode(text).length;
    const map = new Uint32Array(total + 1);
    let b = 0;
    for (let i = 0; i < text.length;) {
      const cp = text.codePointAt(i);
      const units = cp > 0xffff ? 2 : 1;
      // Lone surrogates encode as U+FFFD (3 bytes), like TextEncoder.
      const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let k = 0; k < bytes && b + k < total; k++) map[b + k] = i;
      b += bytes;
      i += units;
    }
    map[total] = text.length;
    return map;
  }

  function unique(list) { return [...new Set(list)]; }

  /* Render the answer with evidence marked. Spans may overlap: the text is cut at
     every span boundary and each piece lists every concept/flag covering it. */
  function renderAnswer(container, answerText, evaluation) {
    const text = String(answerText || "");
    const map = byteIndexMap(text);
    const maxByte = map.length - 1;
    const toIndex = (b) => map[Math.min(Math.max(0, Number(b) || 0), maxByte)];
    const spans = [];
    const collect = (kind, items) => {
      for (const item of items || []) {
        for (const ev of item.evidence || []) {
          const s = toIndex(ev.start);
          const e = toIndex(ev.end);
          if (e > s) spans.push({ kind, id: item.id, label: item.label || item.id, s, e });
        }
      }
    };
    collect("covered", evaluation && evaluation.covered);
    collect("flag", evaluation && evaluation.red_flags);
    collect("dismissed", evaluation && evaluation.dismissed);

    const cuts = new Set([0, text.length]);
    for (const sp of spans) { cuts.add(sp.s); cuts.add(sp.e); }
    const points = [...cuts].sort((a, b) => a - b);

    container.replaceChildren();
    container.classList.add("answer-highlighted");
    if (!container.dataset.tips) { // position the CSS tooltip once per container
      container.dataset.tips = "1";
      container.addEventListener("focusin", placeTip);
      container.addEventListener("mouseover", placeTip);
    }
    let prevKey = null;
    let prevMark = null;
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i];
      const b = points[i + 1];
      const piece = text.slice(a, b);
      const cover = spans.filter((sp) => sp.s <= a && sp.e >= b);
      if (!cover.length) {
        container.append(piece);
        prevKey = null;
        continue;
      }
      const of = (kind) => cover.filter((sp) => sp.kind === kind);
      const ids = (kind) => unique(of(kind).map((sp) => sp.id));
      const labels = (kind) => unique(of(kind).map((sp) => sp.label));
      const key = ["covered", "flag", "dismissed"].map((k) => ids(k).join(" ")).join("|");
      if (key === prevKey && prevMark) { // same concepts as the previous piece: extend it
        prevMark.append(piece);
        continue;
      }
      const parts = [];
      if (labels("covered").length) parts.push("Covers: " + labels("covered").join(", "));
      if (labels("flag").length) parts.push("Red flag: " + labels("flag").join(", "));
      if (labels("dismissed").length) parts.push("Dismissed: " + labels("dismissed").join(", "));
      const label = parts.join("; ");
      const cls = ["evidence"];
      if (ids("flag").length) cls.push("flag");
      if (ids("dismissed").length) cls.push("dismissed");
      const mark = el("mark", {
        class: cls.join(" "),
        tabindex: "0",
        "data-concepts": ids("covered").join(" ") || null,
        "data-flags": ids("flag").join(" ") || null,
        "data-dismissed": ids("dismissed").join(" ") || null,
        "data-label": label,
        title: label,
        "aria-label": label,
      }, piece);
      container.append(mark);
      prevKey = key;
      prevMark = mark;
    }
    return container;
  }

  /* Shift a mark's ::after tooltip left (via --tip-x) so it stays inside the
     answer box instead of running off the right edge on narrow screens. */
  function placeTip(e) {
    const mark = e.target instanceof Element ? e.target.closest("mark.evidence") : null;
    if (!mark) return;
    const first = mark.getClientRects()[0];
    const box = e.currentTarget.getBoundingClientRect();
    if (!first) return;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const pad = 0.75 * rem;
    const tipWidth = Math.min(18 * rem, box.width - 2 * pad);
    const overflow = first.left + tipWidth - (box.right - pad);
    const shift = overflow > 0 ? Math.max(-overflow, box.left + pad - first.left) : 0;
    mark.style.setProperty("--tip-x", `${Math.round(shift)}px`);
  }

  /* ---------- Evaluation block ---------- */

  /* Plain-English lines for the answer-level signals: [[name, text], ...]. */
  function signalItems(s) {
    const out = [];
    if (!s) return out;
    if (s.too_short) {
      out.push(["too_short", `Too short: ${s.too_short.words} words; at least ${s.too_short.minimum} are needed to judge.`]);
    }
    if (s.keyword_stuffing) out.push(["keyword_stuffing", "Reads as a list of keywords rather than explanation."]);
    if (s.vague) out.push(["vague", "Says little that is concrete."]);
    if (s.dismissive_terms) out.push(["dismissive_terms", "Names some concepts only to dismiss them."]);
    if (s.off_topic) {
      let t = "Looks like an answer to another question";
      if (s.off_topic.closest_question) t += ` (closest: ${s.off_topic.closest_question})`;
      out.push(["off_topic", t]);
    }
    if (Array.isArray(s.misspellings) && s.misspellings.length) {
      const pairs = unique(s.misspellings.map((m) => `${m.written} → ${m.read_as}`));
      out.push(["misspellings", "Misspellings understood: " + pairs.join(", ")]);
    }
    if (Array.isArray(s.contradictions)) {
      for (const c of s.contradictions) {
        out.push(["contradiction", `Says the opposite of the reference: “${c.text}” where it says “${c.reference}”.`]);
      }
    }
    return out;
  }

  /* Render a full result into `container` (its children are replaced).
     opts.idPrefix prefixes every id (the report renders several evaluations);
     opts.level is the heading level of the sub-sections (default 3);
     opts.live=false drops aria-live on the score region; opts.compact shrinks the score. */
  function renderEvaluation(container, answerText, evaluation, opts) {
    const o = opts || {};
    const id = (name) => (o.idPrefix || "") + name;
    const h = `h${Math.min(6, Math.max(2, o.level || 3))}`;
    const ev = evaluation || {};
    const rating = ev.rating || "";

    const root = el("div", { class: "evaluation" + (o.compact ? " compact" : "") });

    // Score and rating, announced politely when they change.
    root.append(el("div", { class: "score-summary", "aria-live": o.live === false ? null : "polite", "aria-atomic": "true" },
      el("p", null,
        el("span", { class: "score-label" }, "Score"),
        el("span", { id: id("score"), class: "score", "data-score": ev.score },
          formatScore(ev.score), el("span", { class: "out-of" }, "/100"))),
      el("p", null,
        el("span", { class: "score-label" }, "Rating"),
        el("span", { id: id("rating"), class: `rating rating-${rating}`, "data-rating": rating }, ratingText(rating)))));

    // The answer, highlighted, with a legend that does not rely on colour.
    const answerBox = el("div", { class: "answer-highlighted", id: id("answer-highlighted") });
    renderAnswer(answerBox, answerText, ev);
    const stats = ev.stats ? `${wordsText(ev.stats.words)}, ${ev.stats.sentences} ${ev.stats.sentences === 1 ? "sentence" : "sentences"}.` : null;
    root.append(el("section", { class: "eval-section answer-section" },
      el(h, null, o.answerHeading || "The answer, with evidence marked"),
      el("ul", { class: "legend" },
        el("li", null, el("span", { class: "sample" }, "Dotted underline"), ": covers a concept"),
        el("li", null, el("span", { class: "sample flag" }, "Wavy underline"), ": red flag"),
        el("li", null, el("span", { class: "sample dismissed" }, "Struck through"), ": named only to dismiss")),
      el("p", { class: "field-note" }, "Hover over a marked phrase or move to it with Tab to see what it shows."),
      answerBox,
      stats && el("p", { class: "stats" }, stats)));

    // Covered concepts.
    const covered = ev.covered || [];
    root.append(el("section", { class: "eval-section covered-section" },
      el(h, null, `Covered (${covered.length})`),
      covered.length ? null : el("p", { class: "no-answer" }, "No concepts covered yet."),
      el("ul", { id: id("covered"), class: "concept-list" }, covered.map((c) =>
        el("li", {
          "data-concept": c.id,
          class: c.credit < 1 ? "partial" : null,
          title: c.credit < 1 ? "Half credit: the evidence repeats the question's own words." : null,
        }, c.label)))));

    // Missing concepts as an unchecked checklist with hints.
    const missing = ev.missing || [];
    root.append(el("section", { class: "eval-section missing-section" },
      el(h, null, `Not covered (${missing.length})`),
      missing.length ? null : el("p", null, "Nothing missing: every concept is covered."),
      el("ul", { id: id("missing"), class: "checklist" }, missing.map((c) =>
        el("li", { "data-concept": c.id },
          el("span", { class: "box", "aria-hidden": "true" }, "☐"),
          el("span", { class: "concept-label" }, el("span", { class: "visually-hidden" }, "Not covered: "), c.label),
          el("p", { class: "hint" }, c.hint || ""))))));

    // Dismissed concepts, only when there are some.
    const dismissed = ev.dismissed || [];
    root.append(hideable(dismissed.length, el("section", { class: "eval-section dismissed-section" },
      el(h, null, "Named only to dismiss"),
      el("p", null, "The answer names these only to dismiss them, so they earn no credit."),
      el("ul", { id: id("dismissed"), class: "dismissed-list" }, dismissed.map((c) =>
        el("li", { "data-concept": c.id },
          el("span", { class: "concept-label" }, c.label),
          el("p", { class: "hint" }, c.hint || "")))))));

    // Red flags, only when there are some.
    const flags = ev.red_flags || [];
    root.append(hideable(flags.length, el("section", { class: "eval-section flags-section" },
      el(h, null, `Red flags (${flags.length})`),
      el("ul", { id: id("red-flags"), class: "flag-list" }, flags.map((f) =>
        el("li", { "data-flag": f.id, "data-severity": f.severity, class: `severity-${f.severity}` },
          el("span", { class: "flag-label" }, f.label),
          el("span", { class: "severity" }, `${f.severity} severity`),
          el("p", { class: "why" }, f.why || "")))))));

    // Signals, only when any is present.
    const signals = signalItems(ev.signals);
    root.append(hideable(signals.length, el("section", { class: "eval-section signals-section" },
      el(h, null, "Notes on the answer"),
      el("ul", { id: id("signals"), class: "signal-list" }, signals.map(([name, text]) =>
        el("li", { "data-signal": name }, text))))));

    container.replaceChildren(root);
    return root;
  }

  /* Hide a section (and its list) when it has nothing to show. */
  function hideable(count, section) {
    if (!count) {
      section.hidden = true;
      const list = section.querySelector("ul[id]");
      if (list) list.hidden = true;
    }
    return section;
  }

  window.Assay = Object.freeze({
    api, el, ratingText, formatScore, wordCount, wordsText,
    formatDateTime, formatTime, dueText, lastPathSegment,
    byteIndexMap, renderAnswer, renderEvaluation, signalItems,
  });
})();
