//! `assay rubric derive`: a question file derived from reference answers.

use crate::util::{assay, read, root, stderr, stdout};

const QUESTION: &str = "What is the height of a tree?";
const FULL: &str = "The height of a tree is the number of edges on the longest path from the root to a leaf.";
const CONCISE: &str = "The number of edges on the longest downward path between the root and a leaf.";

fn derive(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["rubric", "derive", "-q", QUESTION, "-r", FULL, "-r", CONCISE];
    args.extend_from_slice(extra);
    assay(&args, None)
}

#[test]
fn a_derived_question_file_passes_assay_check_once_it_has_wordings() {
    let out = derive(&[
        "--id",
        "tree-height",
        "-w",
        "How tall is a tree, formally?",
        "-w",
        "Define the height of a rooted tree.",
        "-w",
        "What does the height of a tree measure?",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = stdout(&out);
    let file: toml::Value = toml::from_str(&toml).expect("the output is TOML");
    assert_eq!(file["id"].as_str(), Some("tree-height"));
    let concepts = file["concepts"].as_array().expect("concepts");
    assert!(!concepts.is_empty());
    let labels: Vec<&str> = concepts.iter().filter_map(|c| c["label"].as_str()).collect();
    assert!(labels.iter().any(|l| l.contains("path")), "{labels:?}");
    assert!(
        !labels.contains(&"height") && !labels.contains(&"tree"),
        "{labels:?}"
    );

    // Saved beside the common red flags, it is a valid corpus whose model
    // answers (the references) score as expert answers.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tree-height.toml"), &toml).unwrap();
    std::fs::write(
        dir.path().join("_common.toml"),
        read(&root().join("corpus/_common.toml")),
    )
    .unwrap();
    let check = assay(&["check", dir.path().to_str().unwrap()], None);
    assert!(check.status.success(), "{}{}", stdout(&check), stderr(&check));
}

#[test]
fn json_lists_the_same_concepts() {
    let toml_out = derive(&[]);
    let json_out = derive(&["--json"]);
    assert!(json_out.status.success(), "{}", stderr(&json_out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&json_out)).expect("JSON");
    let file: toml::Value = toml::from_str(&stdout(&toml_out)).expect("TOML");
    let from_json: Vec<&str> = json
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    let from_toml: Vec<&str> = file["concepts"]
        .as_array()
        .expect("concepts")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(from_json, from_toml);
}

#[test]
fn an_oversized_or_empty_reference_is_refused_with_a_clear_message() {
    let huge = "word ".repeat(20_000);
    let out = assay(&["rubric", "derive", "-q", QUESTION, "-r", &huge], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--reference 1 is 100000 bytes; the limit is 65536"),
        "{}",
        stderr(&out)
    );
    let out = assay(
        &["rubric", "derive", "-q", QUESTION, "-r", FULL, "-r", "  "],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--reference 2 is empty"),
        "{}",
        stderr(&out)
    );
    let out = assay(&["rubric", "derive", "-q", QUESTION], None);
    assert!(!out.status.success(), "a reference is required");
}
