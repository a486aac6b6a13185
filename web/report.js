/* /r/{id}?expires=…&signature=…: the recruiter's report for one assessment.
   The signed query string is passed through to the API unchanged. */
"use strict";

(function () {
  const A = window.Assay;
  const $ = (id) => document.getElementById(id);
  const id = A.lastPathSegment();

  function showError(err) {
    let message = err.message;
    if (err.code === "link_invalid" || err.status === 403) message = "This report link is not valid.";
    else if (err.code === "link_expired" || err.status === 410) message = "This report link has expired; ask for a new one.";
    else if (err.status === 404) message = "This report was not found.";
    $("error").textContent = message;
  }

  /* Greenhouse takes a rating word; Lever 1–4; Workable 0–4 stars. */
  function renderRecommendation(rec) {
    $("recommendation").hidden = !rec;
    if (!rec) return;
    $("recommendation-summary").textContent = rec.summary || "";
    $("rec-greenhouse").textContent = A.ratingText(rec.greenhouse);
    $("rec-lever").textContent = rec.lever == null ? "—" : `${rec.lever} of 4`;
    const w = Number(rec.workable);
    const cell = $("rec-workable");
    if (rec.workable == null || !isFinite(w)) { cell.textContent = "—"; return; }
    const n = Math.max(0, Math.min(4, Math.round(w)));
    cell.replaceChildren(
      A.el("span", { class: "stars", "aria-hidden": "true" }, "★".repeat(n) + "☆".repeat(4 - n)), " ",
      `${rec.workable} of 4 stars`);
  }

  function renderQuestion(q) {
    const n = q.position;
    const section = A.el("section", { class: "report-question", "data-position": n, "aria-labelledby": `rq-heading-${n}` },
      A.el("h2", { id: `rq-heading-${n}` }, `Question ${n + 1}`),
      A.el("p", { class: "question-wording" }, q.question));
    const hasAnswer = typeof q.answer === "string" && q.answer.trim() !== "";
    if (!hasAnswer) {
      section.append(A.el("p", { class: "no-answer" }, "No answer"));
    } else if (!q.evaluation) {
      section.append(A.el("p", { class: "no-answer" }, "Not scored yet."),
        A.el("div", { class: "answer-highlighted" }, q.answer));
    } else {
      const box = A.el("div");
      A.renderEvaluation(box, q.answer, q.evaluation,
        { idPrefix: `q${n}-`, level: 3, live: false, compact: true, answerHeading: "Answer, with evidence marked" });
      section.append(box);
    }
    return section;
  }

  function render(r) {
    const name = r.candidate_name || "";
    const ref = r.candidate_ref ? `reference ${r.candidate_ref}` : "";
    $("candidate").textContent = name && ref ? `${name} (${ref})` : (name || ref || "Not named");
    $("question-set").textContent = (r.question_set && r.question_set.name) || "—";
    $("created-at").textContent = A.formatDateTime(r.created_at);
    $("deadline").textContent = A.formatDateTime(r.deadline);
    $("submitted-at").textContent = r.submitted_at ? A.formatDateTime(r.submitted_at) : "Not submitted";
    if (r.status !== "completed") {
      $("status-note").textContent = `Not submitted yet (status: ${r.status})`;
      $("status-note").hidden = false;
    }

    const score = $("overall-score");
    score.replaceChildren(A.formatScore(r.score), r.score == null ? "" : A.el("span", { class: "out-of" }, "/100"));
    $("overall-rating").textContent = A.ratingText(r.rating);
    if (r.rating) $("overall-rating").classList.add(`rating-${r.rating}`);
    renderRecommendation(r.recommendation);

    const questions = (r.questions || []).slice().sort((a, b) => a.position - b.position);
    const flags = questions.reduce((sum, q) => sum + ((q.evaluation && q.evaluation.red_flags) || []).length, 0);
    const flagged = questions.filter((q) => q.evaluation && (q.evaluation.red_flags || []).length).length;
    const flagCount = $("flag-count");
    flagCount.dataset.count = String(flags);
    flagCount.textContent = flags === 0 ? "No red flags"
      : `${flags} red ${flags === 1 ? "flag" : "flags"} in ${flagged} ${flagged === 1 ? "question" : "questions"}`;

    $("link-expires").textContent = r.link_expires_at ? `This report link works until ${A.formatDateTime(r.link_expires_at)}.` : "";
    $("questions").replaceChildren(...questions.map(renderQuestion));
    $("report").hidden = false;
  }

  $("print").addEventListener("click", () => window.print());

  (async function init() {
    try {
      if (!id) throw Object.assign(new Error("This report link is not valid."), { status: 403, code: "link_invalid" });
      const data = await A.api("GET", `/v1/reports/${encodeURIComponent(id)}${location.search}`);
      render(data);
    } catch (err) {
      showError(err);
    } finally {
      $("loading").hidden = true;
    }
  })();
})();
