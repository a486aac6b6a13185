//! Assay's integration tests: one binary, one module per feature.

// Shared helpers: the embedded evaluator, running the CLI.
mod util;

// The accuracy harness as a regression guard on the held-out half.
mod accuracy;
// `assay check`: corpus diagnostics and the model-answer verification.
mod cli_check;
// `assay evaluate`, `assay match` and `assay questions`.
mod cli_evaluate;
// `assay grade`: batch evaluation and agreement.
mod cli_grade;
// The evaluator's behaviour on each kind of answer.
mod evaluate;
// Hostile and unusual input: nothing panics, spans stay valid.
mod hostile;
// Properties over arbitrary input (proptest).
mod properties;
