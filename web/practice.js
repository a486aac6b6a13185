/* /practice: pick a question, write an answer, score it, compare attempts.
   Attempts are kept in sessionStorage only (never sent anywhere). */
"use strict";

(function () {
  const A = window.Assay;
  const $ = (id) => document.getElementById(id);
  const ui = {
    search: $("question-search"), searchStatus: $("search-status"), select: $("question-select"),
    questionText: $("question-text"), answer: $("answer"), words: $("word-count"),
    submit: $("submit"), status: $("status"), result: $("result"), heading: $("result-heading"),
    evaluation: $("evaluation"), compare: $("compare"), retry: $("retry"),
  };
  const known = new Map(); // question id -> {id, question, group, tags}
  let current = idFromHash(); // the chosen question id
  let listSeq = 0;            // ignores stale search responses
  let searchTimer = null;
  let busy = false;

  /* ---------- question picker ---------- */

  function idFromHash() {
    const m = /^#q=(.+)$/.exec(location.hash);
    if (!m) return null;
    try { return decodeURIComponent(m[1]); } catch (_) { return m[1]; }
  }

  async function fetchQuestions(q) {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    params.set("limit", "50");
    const data = await A.api("GET", `/v1/practice/questions?${params}`);
    const list = (data && Array.isArray(data.questions)) ? data.questions : [];
    list.forEach((item) => known.set(item.id, item));
    return list;
  }

  async function loadQuestions(q) {
    const seq = ++listSeq;
    let list;
    try {
      list = await fetchQuestions(q);
      // A question named in the hash may lie beyond the first 50: look it up once.
      if (!q && current && !known.has(current)) await fetchQuestions(current).catch(() => []);
    } catch (err) {
      if (seq === listSeq) ui.searchStatus.textContent = `Could not load questions: ${err.message}`;
      return;
    }
    if (seq !== listSeq) return;
    fillSelect(list, q);
  }

  function fillSelect(list, q) {
    const options = list.slice();
    // Keep the current choice listed even when the search does not match it.
    if (current && known.has(current) && !options.some((x) => x.id === current)) {
      options.unshift(known.get(current));
    }
    ui.select.replaceChildren(...options.map((x) => A.el("option", { value: x.id }, x.question)));
    if (q) {
      ui.searchStatus.textContent = list.length
        ? `${list.length} ${list.length === 1 ? "question matches" : "questions match"}.`
        : "No questions match that search.";
    } else {
      ui.searchStatus.textContent = "";
    }
    if (current && !known.has(current)) {
      ui.searchStatus.textContent = "The question in the link was not found; choose another.";
      current = null;
    }
    if (current) choose(current);
    else if (options.length) choose(options[0].id);
  }

  /* Make `id` the chosen question; clear any result that belonged to another one. */
  function choose(id) {
    const changed = id !== current;
    current = id;
    const item = known.get(id);
    ui.questionText.textContent = item ? item.question : "";
    if (ui.select.value !== id) ui.select.value = id;
    history.replaceState(null, "", `#q=${encodeURIComponent(id)}`);
    if (changed) {
      ui.result.hidden = true;
      ui.compare.hidden = true;
      setStatus("");
    }
  }

  /* ---------- answer and scoring ---------- */

  function setStatus(text, isError) {
    ui.status.textContent = text;
    ui.status.classList.toggle("is-error", !!isError);
    if (isError) ui.status.setAttribute("role", "alert");
    else ui.status.removeAttribute("role");
  }

  function updateWords() {
    ui.words.textContent = A.wordsText(A.wordCount(ui.answer.value));
  }

  async function submit() {
    if (busy) return;
    const text = ui.answer.value;
    if (!current) { setStatus("Choose a question first.", true); ui.select.focus(); return; }
    if (!text.trim()) { setStatus("Write an answer first.", true); ui.answer.focus(); return; }
    const qid = current;
    busy = true;
    ui.submit.disabled = true;
    setStatus("Scoring…");
    try {
      const ev = await A.api("POST", "/v1/practice/evaluate", { question_id: qid, answer: text });
      if (qid !== current) { setStatus(""); return; } // the user switched question meanwhile
      showResult(qid, ev, text);
    } catch (err) {
      const extra = err.errors.map((e) => e.detail).filter((d) => d && d !== err.message);
      setStatus(err.message + (extra.length ? ` (${extra.join("; ")})` : ""), true);
      if (document.activeElement === document.body || !document.activeElement) ui.submit.focus();
    } finally {
      busy = false;
      ui.submit.disabled = false;
    }
  }

  function showResult(qid, ev, text) {
    if (ev.question) ui.questionText.textContent = ev.question;
    A.renderEvaluation(ui.evaluation, text, ev, { level: 3 });
    ui.result.hidden = false;
    renderCompare(recordAttempt(qid, ev, text));
    setStatus(`Scored ${A.formatScore(ev.score)}/100: ${A.ratingText(ev.rating)}.`);
    ui.heading.focus();
  }

  /* ---------- attempts (sessionStorage) ---------- */

  const storageKey = (qid) => `assay.practice.${qid}`;

  function readAttempts(qid) {
    try {
      const list = JSON.parse(sessionStorage.getItem(storageKey(qid)) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (_) { return []; }
  }

  function recordAttempt(qid, ev, text) {
    const covered = ev.covered || [];
    const labels = {};
    for (const c of [...covered, ...(ev.missing || []), ...(ev.dismissed || [])]) labels[c.id] = c.label;
    const attempts = readAttempts(qid);
    attempts.push({
      score: ev.score,
      rating: ev.rating,
      covered: covered.map((c) => c.id),
      labels,
      words: ev.stats && typeof ev.stats.words === "number" ? ev.stats.words : A.wordCount(text),
      time: new Date().toISOString(),
    });
    const kept = attempts.slice(-20);
    try { sessionStorage.setItem(storageKey(qid), JSON.stringify(kept)); } catch (_) { /* storage full or off */ }
    return kept;
  }

  function renderCompare(attempts) {
    if (attempts.length < 2) { ui.compare.hidden = true; return; }
    const prev = attempts[attempts.length - 2];
    const now = attempts[attempts.length - 1];
    const delta = Math.round((Number(now.score) - Number(prev.score)) * 10) / 10;
    const sign = delta > 0 ? "+" : delta < 0 ? "-" : "±";
    $("compare-summary").textContent =
      `Previous attempt: ${A.formatScore(prev.score)} → now ${A.formatScore(now.score)} (${sign}${Math.abs(delta).toFixed(1)})`;
    $("compare-rating").textContent = prev.rating === now.rating
      ? `Rating unchanged: ${A.ratingText(now.rating)}. This is attempt ${attempts.length} in this tab.`
      : `Rating: ${A.ratingText(prev.rating)} → ${A.ratingText(now.rating)}. This is attempt ${attempts.length} in this tab.`;
    const label = (id) => (now.labels && now.labels[id]) || (prev.labels && prev.labels[id]) || id;
    fillList($("compare-gained"), now.covered.filter((id) => !prev.covered.includes(id)), label);
    fillList($("compare-lost"), prev.covered.filter((id) => !now.covered.includes(id)), label);
    ui.compare.hidden = false;
  }

  function fillList(ul, ids, label) {
    ul.replaceChildren(...(ids.length
      ? ids.map((id) => A.el("li", { "data-concept": id }, label(id)))
      : [A.el("li", { class: "none" }, "None")]));
  }

  /* ---------- wiring ---------- */

  ui.search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadQuestions(ui.search.value.trim()), 250);
  });
  ui.select.addEventListener("change", () => { if (ui.select.value) choose(ui.select.value); });
  ui.answer.addEventListener("input", updateWords);
  ui.answer.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); }
  });
  ui.submit.addEventListener("click", submit);
  ui.retry.addEventListener("click", () => ui.answer.focus());
  window.addEventListener("hashchange", () => {
    const id = idFromHash();
    if (!id || id === current) return;
    if (known.has(id)) { choose(id); return; }
    ui.result.hidden = true;
    ui.compare.hidden = true;
    setStatus("");
    current = id;
    ui.search.value = "";
    loadQuestions("");
  });

  updateWords();
  loadQuestions("");
})();
