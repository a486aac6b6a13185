//! `assay check`: corpus diagnostics and the model-answer verification.

use crate::util::{assay, corpus_copy, read, stderr, stdout};

#[test]
fn the_shipped_corpus_passes() {
    let out = assay(&["check", "corpus"], None);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("every model answer scores >= 85"));
}

#[test]
fn a_broken_file_is_reported_with_file_line_and_column() {
    let dir = corpus_copy();
    let path = dir.path().join("caching.toml");
    let text = read(&path);
    let broken = text.replacen("weight = ", "weight = -", 1);
    std::fs::write(&path, &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("weight = -")).unwrap() + 1;
    let out = assay(&["check", dir.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let expected = format!("caching.toml:{line}:10: weight must be a positive number");
    assert!(stdout(&out).contains(&expected), "{}", stdout(&out));
}

#[test]
fn a_model_answer_that_raises_a_red_flag_fails_the_check() {
    let dir = corpus_copy();
    let path = dir.path().join("caching.toml");
    let poisoned = format!(
        "{}\n[[model_answers]]\nkind = \"full\"\ntext = \"We hardcode the API key in the repo and cache reads in Redis.\"\n",
        read(&path)
    );
    std::fs::write(&path, poisoned).unwrap();
    let out = assay(&["check", dir.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("raises red flag `hardcoded-secrets`"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_missing_directory_is_a_clear_error() {
    let out = assay(&["check", "no/such/dir"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no/such/dir"), "{}", stdout(&out));
}
