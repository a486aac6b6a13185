//! Assay's integration tests: one binary, one module per feature.

// Shared helpers: the embedded evaluator, running the CLI.
mod util;
// Shared helpers for the HTTP tests: a real server on 127.0.0.1:0 and a client.
mod app;
// The stores tests run on: SQLite, and PostgreSQL when configured.
mod backends;

// Scoring against a caller's own question and reference answers.
mod ad_hoc;
// The accuracy harness as a regression guard on the held-out half.
mod accuracy;
// Assessments: question sets, candidates' answers, submission, reports.
mod assessments;
// openapi.yaml against the routes served and their real responses.
mod api_contract;
// API keys, roles, rate limits and tenants over HTTP.
mod api_auth;
// `POST /v1/evaluate` with the caller's own rubric.
mod api_rubric;
// `/v1/webhooks` and the events it sends.
mod api_webhooks;
// `POST /v1/evaluate`, `/evaluate` and the batch route.
mod api_evaluate;
// Every error and hostile input over HTTP, as problem+json.
mod api_errors;
// Concurrency, the in-flight limit, timeouts and graceful shutdown.
mod api_limits;
// Idempotency-Key: replay, refusal, in-flight conflicts.
mod api_idempotency;
// The question API, health, readiness, request ids and CORS.
mod api_questions;
// Evaluation records: read, listed, erased.
mod api_records;
// A tenant's own questions.
mod api_tenant_questions;
// The pages in headless Chromium over WebDriver.
mod browser;
// `assay check`: corpus diagnostics and the model-answer verification.
mod cli_check;
// `assay evaluate`, `assay match` and `assay questions`.
mod cli_evaluate;
// `assay grade`: batch evaluation and agreement.
mod cli_grade;
// `assay rubric derive`: question files derived from reference answers.
mod cli_rubric;
// The evaluator's behaviour on each kind of answer.
mod evaluate;
// Hostile and unusual input: nothing panics, spans stay valid.
mod hostile;
// Properties over arbitrary input (proptest).
mod properties;
// The README's curl examples against a real server.
mod readme;
// Two instances on one PostgreSQL: shared records, keys and questions.
mod scale_out;
// The Greenhouse Assessment Partner API against a fake Greenhouse.
mod greenhouse;
// The store on each backend.
mod store;
// Signed webhook delivery to a real local receiver.
mod webhooks;
