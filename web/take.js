/* /a/{token}: a candidate answers an assessment. Answers save as they type
   (debounced PUT, plus on blur) and a copy is kept in localStorage so a failed
   save never loses text. Candidates never see scores. */
"use strict";

(function () {
  const A = window.Assay;
  const $ = (id) => document.getElementById(id);
  const token = A.lastPathSegment();
  const base = `/v1/take/${encodeURIComponent(token)}`;
  const form = $("assessment-form");
  const submitBtn = $("submit-assessment");
  const dialog = $("confirm-submit");
  const states = [];  // one per question: {n, ta, lastSaved, timer, inflight, failed, saved}
  let locked = false; // true once submitted or expired: no more saves
  let submitting = false;

  /* ---------- local copies ---------- */

  const localKey = (n) => `assay.take.${token}.${n}`;
  function readLocal(n) {
    try {
      const v = JSON.parse(localStorage.getItem(localKey(n)) || "null");
      return v && typeof v.text === "string" ? v : null;
    } catch (_) { return null; }
  }
  function writeLocal(n, text, saved) {
    try { localStorage.setItem(localKey(n), JSON.stringify({ text, edited_at: Date.now(), saved })); } catch (_) { /* ignore */ }
  }
  function clearLocal() {
    for (const st of states) { try { localStorage.removeItem(localKey(st.n)); } catch (_) { /* ignore */ } }
  }

  /* ---------- page states ---------- */

  function showError(message) {
    $("error").textContent = message;
  }

  function showDone(message) {
    locked = true;
    states.forEach((st) => clearTimeout(st.timer));
    form.hidden = true;
    const done = $("done");
    done.textContent = message;
    done.hidden = false;
    done.focus();
  }

  function showExpired(moveFocus) {
    locked = true;
    states.forEach((st) => { clearTimeout(st.timer); st.ta.readOnly = true; });
    $("submit-bar").hidden = true;
    $("expired").hidden = false;
    if (moveFocus) $("expired").focus();
  }

  /* Map API errors on load or submit to the right page state. */
  function handleStateError(err) {
    if (err.code === "assessment_not_found" || err.status === 404) { showError("This link is not valid."); return true; }
    if (err.code === "assessment_submitted" || err.status === 409) { clearLocal(); showDone("These answers were already submitted."); return true; }
    if (err.code === "assessment_expired" || err.status === 410) { showExpired(states.length > 0); return true; }
    return false;
  }

  /* ---------- saving ---------- */

  function setSaved(st, text, isError) {
    st.saved.textContent = text;
    st.saved.classList.toggle("is-error", !!isError);
  }

  function onInput(st) {
    st.words.textContent = A.wordsText(A.wordCount(st.ta.value));
    writeLocal(st.n, st.ta.value, false);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => flush(st), 800);
  }

  /* Save now if the text differs from the last saved copy. Resolves true when saved. */
  async function flush(st) {
    clearTimeout(st.timer);
    st.timer = null;
    while (st.inflight) await st.inflight; // one request at a time per question
    if (st.ta.value === st.lastSaved && !st.failed) return true;
    if (locked) return false;
    st.inflight = save(st);
    const ok = await st.inflight;
    st.inflight = null;
    return ok && st.ta.value === st.lastSaved;
  }

  async function save(st) {
    const text = st.ta.value;
    setSaved(st, "Saving…");
    try {
      const res = await A.api("PUT", `${base}/answers/${st.n}`, { answer: text });
      st.lastSaved = text;
      st.failed = false;
      if (st.ta.value === text) writeLocal(st.n, text, true);
      setSaved(st, `Saved ${A.formatTime(res && res.saved_at)}`);
      return true;
    } catch (err) {
      st.failed = true; // keep the text; the next input or blur retries
      setSaved(st, `Not saved: ${err.message}`, true);
      if (err.status === 409 || err.status === 410) handleStateError(err);
      return false;
    }
  }

  const unsaved = () => states.some((st) => st.ta.value !== st.lastSaved || st.failed);

  /* ---------- building the form ---------- */

  function buildQuestion(q, editable) {
    const n = q.position;
    const server = q.answer || "";
    let text = server;
    let restore = false;
    const local = editable ? readLocal(n) : null;
    if (local && local.text !== server) {
      // Prefer the server copy when it is newer than an unsaved local edit.
      const serverTime = q.saved_at ? Date.parse(q.saved_at) : 0;
      if (!local.saved && !(serverTime > local.edited_at)) { text = local.text; restore = true; }
    }

    const ta = A.el("textarea", {
      id: `answer-${n}`, rows: "8", readonly: !editable,
      "aria-describedby": `question-${n} words-${n}`,
    });
    ta.value = text;
    const st = {
      n, ta, lastSaved: server, timer: null, inflight: null, failed: false,
      words: A.el("span", { id: `words-${n}`, class: "word-count" }, A.wordsText(A.wordCount(text))),
      saved: A.el("span", { id: `saved-${n}`, class: "save-status", "aria-live": "polite" }),
    };
    if (q.saved_at && !restore) setSaved(st, `Saved ${A.formatTime(q.saved_at)}`);

    const section = A.el("section", { class: "question", "data-position": n, "aria-labelledby": `question-heading-${n}` },
      A.el("h2", { id: `question-heading-${n}` }, `Question ${n + 1}`),
      A.el("p", { class: "question-wording", id: `question-${n}` }, q.question),
      A.el("label", { for: `answer-${n}` }, `Your answer to question ${n + 1}`),
      ta,
      A.el("div", { class: "answer-meta" }, st.words, st.saved));

    if (editable) {
      ta.addEventListener("input", () => onInput(st));
      ta.addEventListener("blur", () => { if (st.timer || st.ta.value !== st.lastSaved || st.failed) flush(st); });
      if (restore) {
        setSaved(st, "Restored unsaved text from this browser; saving…");
        flush(st);
      }
    }
    states.push(st);
    return section;
  }

  function render(data) {
    const setName = (data.question_set && data.question_set.name) || "Assessment";
    $("set-name").textContent = setName;
    document.title = `${setName} — Assay`;
    $("candidate").textContent = data.candidate_name ? `Candidate: ${data.candidate_name}` : "";
    $("candidate").hidden = !data.candidate_name;
    renderDeadline(data.deadline);
    setInterval(() => renderDeadline(data.deadline), 60000);
    $("intro").hidden = false;

    if (data.status === "completed") { showDone("These answers were already submitted."); return; }
    const editable = data.status !== "expired";
    const questions = (data.questions || []).slice().sort((a, b) => a.position - b.position);
    $("questions").replaceChildren(...questions.map((q) => buildQuestion(q, editable)));
    form.hidden = false;
    if (!editable) showExpired();
  }

  function renderDeadline(iso) {
    const p = $("deadline");
    if (!iso) { p.hidden = true; return; }
    p.replaceChildren("Deadline: ", A.el("time", { datetime: iso }, A.formatDateTime(iso)), ` (${A.dueText(iso)})`);
  }

  /* ---------- submitting ---------- */

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (submitting || locked) return;
    submitting = true;
    submitBtn.disabled = true;
    setSubmitStatus("Saving your answers…");
    states.forEach((st) => { st.ta.readOnly = true; }); // hold the text still while flushing
    const results = await Promise.all(states.map(flush));
    submitting = false;
    submitBtn.disabled = false;
    if (locked) return;
    states.forEach((st) => { st.ta.readOnly = false; });
    if (results.some((ok) => !ok)) {
      setSubmitStatus("Some answers are not saved yet, so nothing was submitted. Check the messages above and try again.", true);
      return;
    }
    setSubmitStatus("");
    const blank = states.filter((st) => !st.ta.value.trim());
    $("unanswered-list").replaceChildren(...blank.map((st) => A.el("li", null, `Question ${st.n + 1}`)));
    $("confirm-unanswered").hidden = blank.length === 0;
    if (typeof dialog.showModal !== "function") { // very old browsers
      if (window.confirm("Submit your answers? You cannot change them afterwards.")) doSubmit();
      return;
    }
    dialog.returnValue = "";
    dialog.showModal();
  });

  // Escape or Cancel leave returnValue other than "submit".
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "submit") doSubmit();
    else submitBtn.focus();
  });

  function setSubmitStatus(text, isError) {
    const p = $("submit-status");
    p.textContent = text;
    p.classList.toggle("is-error", !!isError);
    if (isError) p.setAttribute("role", "alert"); else p.removeAttribute("role");
  }

  async function doSubmit() {
    submitting = true;
    submitBtn.disabled = true;
    states.forEach((st) => { st.ta.readOnly = true; });
    setSubmitStatus("Submitting…");
    try {
      await A.api("POST", `${base}/submit`);
    } catch (err) {
      submitting = false;
      if (handleStateError(err)) return;
      states.forEach((st) => { st.ta.readOnly = false; });
      submitBtn.disabled = false;
      setSubmitStatus(`Not submitted: ${err.message}`, true);
      submitBtn.focus();
      return;
    }
    clearLocal();
    showDone("Your answers were submitted. You can close this page.");
  }

  /* ---------- start ---------- */

  window.addEventListener("beforeunload", (e) => {
    if (!locked && unsaved()) { e.preventDefault(); e.returnValue = ""; }
  });
  window.addEventListener("online", () => { if (!locked) states.filter((st) => st.failed).forEach(flush); });

  (async function init() {
    if (!token) { $("loading").hidden = true; showError("This link is not valid."); return; }
    try {
      const data = await A.api("GET", base);
      $("loading").hidden = true;
      render(data);
    } catch (err) {
      $("loading").hidden = true;
      if (!handleStateError(err)) showError(err.message);
    }
  })();
})();
