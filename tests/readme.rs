//! The README's `curl` examples, run against a real server: each must
//! answer, with JSON that is a problem only where the example says which
//! status it shows (`# 404`).

use serde_json::Value;

use crate::app::spawn_app;
use crate::util::{read, root};

/// The `curl` commands in the README's HTTP API section, continuation lines joined.
fn curl_examples() -> Vec<String> {
    let readme = read(&root().join("README.md"));
    let section = readme
        .split("## The HTTP API")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has an HTTP API section");
    let mut commands = Vec::new();
    let mut current = String::new();
    let mut in_block = false;
    for line in section.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if !current.is_empty() || line.starts_with("curl ") {
            match line.strip_suffix('\\') {
                Some(start) => current.push_str(start),
                None => {
                    current.push_str(line);
                    commands.push(std::mem::take(&mut current));
                }
            }
        }
    }
    commands
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_curl_example_in_the_readme_works() {
    let app = spawn_app().await;
    let examples = curl_examples();
    assert!(examples.len() >= 10, "{examples:#?}");
    for example in examples {
        let (command, expected) = match example.split_once(" # ") {
            Some((command, comment)) => (command.to_owned(), comment.trim().parse::<u16>().ok()),
            None => (example.clone(), None),
        };
        let command = command.replace("localhost:8080", &app.addr.to_string());
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("sh").arg("-c").arg(&command).output()
        })
        .await
        .expect("the command finishes")
        .expect("sh and curl run");
        assert!(output.status.success(), "{example}: {output:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.trim().is_empty(), "{example}: no output");
        let json: Option<Value> = serde_json::from_str(&text).ok();
        let is_problem = json
            .as_ref()
            .is_some_and(|j| j.get("type").is_some() && j.get("code").is_some() && j.get("status").is_some());
        match expected {
            Some(status) => {
                assert!(is_problem, "{example}: expected a problem, got {text}");
                assert_eq!(
                    json.as_ref().map(|j| j["status"].clone()),
                    Some(status.into()),
                    "{example}"
                );
            }
            None => assert!(!is_problem, "{example}: {text}"),
        }
    }
}
