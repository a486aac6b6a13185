//! The pages in a real browser: headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`, which `.ci/run` installs).
//! Screenshots land in `target/screenshots/` for review.
//!
//! Without chromedriver on the machine these tests say so and pass, unless
//! `ASSAY_REQUIRE_BROWSER` is set (as CI sets it), when they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::app::{json_ok, spawn_app, TestApp, GOOD_ANSWER};
use crate::assessments::{put_set, send_set};
use crate::util::shared_evaluator;

/// How long any one thing may take to appear.
const PATIENCE: Duration = Duration::from_secs(20);

/// A chromedriver process and a session on it; both end when dropped.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The first of `candidates` that exists, or one named by `env`.
fn program(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// A headless Chromium session, or `None` (with a note) when the machine
/// has no chromedriver and the browser is not required.
async fn browser() -> Option<Browser> {
    let driver = program(
        "ASSAY_CHROMEDRIVER",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
    );
    let chromium = program(
        "ASSAY_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        assert!(
            std::env::var_os("ASSAY_REQUIRE_BROWSER").is_none(),
            "ASSAY_REQUIRE_BROWSER is set but chromium or chromedriver is missing"
        );
        eprintln!(
            "skipping: chromium and chromedriver are not installed (apt install chromium chromium-driver)"
        );
        return None;
    };
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address").port()
    };
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().expect("a profile directory");
    let mut browser_guard = Some(child);
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while reqwest::get(format!("{url}/status")).await.is_err() {
        assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&url)
        .await
        .expect("a Chromium session");
    Some(Browser {
        client,
        driver: browser_guard.take().expect("the driver"),
        _profile: profile,
    })
}

/// Fails unless every control on the page has a name a screen reader reads
/// (a label, `aria-label` or its text), and the page declares its language.
async fn assert_controls_labelled(client: &Client, page: &str) {
    let unnamed = client
        .execute(
            "return [...document.querySelectorAll('input, textarea, select, button')]
               .filter((e) => !e.closest('[hidden]'))
               .filter((e) => !((e.labels && [...e.labels].some((l) => l.textContent.trim()))
                                || (e.getAttribute('aria-label') || '').trim()
                                || (e.tagName === 'BUTTON' && e.textContent.trim())))
               .map((e) => e.id || e.outerHTML.slice(0, 80));",
            vec![],
        )
        .await
        .expect("the script runs");
    assert_eq!(unnamed, json!([]), "{page}: controls without an accessible name");
    let lang = client
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("the script runs");
    assert_eq!(lang, "en", "{page}");
}

/// Saves a screenshot as `target/screenshots/{name}.png`.
async fn screenshot(client: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is written");
}

/// Waits until `script` (a function body returning a value) returns something truthy.
async fn wait_for(client: &Client, what: &str, script: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.expect("the script runs");
        if !(value.is_null() || value == json!(false) || value == json!("")) {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "waited too long for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The highlighted answer as pieces of text, each with the concepts its
/// mark covers (empty outside marks).
async fn highlighted(client: &Client, root: &str) -> Vec<(String, Vec<String>)> {
    let script = format!(
        "const root = document.querySelector({root:?});
         const out = [];
         const walk = (node, concepts) => {{
           for (const child of node.childNodes) {{
             if (child.nodeType === 3) out.push([child.textContent, concepts]);
             else if (child.nodeType === 1) walk(child, child.matches('mark.evidence') ? (child.dataset.concepts || '') : concepts);
           }}
         }};
         walk(root, '');
         return out;"
    );
    let value = client.execute(&script, vec![]).await.expect("the script runs");
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|piece| {
            let text = piece[0].as_str().unwrap_or_default().to_owned();
            let concepts = piece[1]
                .as_str()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            (text, concepts)
        })
        .collect()
}

/// Checks that the marks in `pieces` are exactly the evidence of `evaluation`:
/// the text is the answer, every byte of a concept's evidence is marked
/// with that concept, and no byte is marked with a concept it is not evidence of.
fn assert_marks_match(pieces: &[(String, Vec<String>)], answer: &str, evaluation: &Value) {
    let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(text, answer, "the highlighted answer is the answer");
    let mut marked: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut at = 0;
    for (piece, concepts) in pieces {
        for concept in concepts {
            marked
                .entry(concept.clone())
                .or_default()
                .extend(at..at + piece.len());
        }
        at += piece.len();
    }
    let mut evidence: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for concept in evaluation["covered"].as_array().expect("covered") {
        let id = concept["id"].as_str().expect("an id").to_owned();
        for span in concept["evidence"].as_array().expect("evidence") {
            let (start, end) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            evidence.entry(id.clone()).or_default().extend(start..end);
        }
    }
    assert!(!evidence.is_empty(), "the answer covers something");
    assert_eq!(marked, evidence, "marks per concept, as byte offsets");
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} is on the page"))
        .text()
        .await
        .expect("its text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn practice_scores_an_answer_and_highlights_its_evidence() {
    let Some(browser) = browser().await else { return };
    let client = &browser.client;
    let app = spawn_app().await;
    client.goto(&app.url("/practice#q=explain-plans")).await.unwrap();
    let wording = shared_evaluator()
        .bank()
        .get("explain-plans")
        .unwrap()
        .question
        .to_string();
    wait_for(
        client,
        "the question",
        "return document.querySelector('#question-text')?.textContent",
    )
    .await;
    assert_eq!(text_of(client, "#question-text").await.trim(), wording);

    // Keyboard only: Tab reaches the search, the question, the answer and the button, in that order.
    let mut order = Vec::new();
    for _ in 0..20 {
        let focused = client.active_element().await.unwrap();
        focused
            .send_keys(&char::from(Key::Tab).to_string())
            .await
            .unwrap();
        let id = client
            .execute("return document.activeElement.id", vec![])
            .await
            .unwrap();
        let id = id.as_str().unwrap_or_default().to_owned();
        if !id.is_empty() && !order.contains(&id) {
            order.push(id.clone());
        }
        if id == "submit" {
            break;
        }
    }
    let position = |id: &str| order.iter().position(|o| o == id);
    for pair in [
        ["question-search", "question-select"],
        ["question-select", "answer"],
        ["answer", "submit"],
    ] {
        let (a, b) = (position(pair[0]), position(pair[1]));
        assert!(a.is_some() && b.is_some() && a < b, "Tab order {order:?}");
    }
    // Type, then Ctrl+Enter submits.
    let answer = client.find(Locator::Css("#answer")).await.unwrap();
    answer.send_keys(GOOD_ANSWER).await.unwrap();
    let words = GOOD_ANSWER.split_whitespace().count();
    assert_eq!(text_of(client, "#word-count").await, format!("{words} words"));
    answer
        .send_keys(&(Key::Control + &char::from(Key::Enter).to_string()))
        .await
        .unwrap();
    wait_for(
        client,
        "the score",
        "return document.querySelector('#score')?.dataset.score",
    )
    .await;

    // The page shows what the engine says, mark for mark.
    let expected =
        serde_json::to_value(shared_evaluator().evaluate("explain-plans", GOOD_ANSWER).unwrap()).unwrap();
    let score = client
        .execute("return document.querySelector('#score').dataset.score", vec![])
        .await
        .unwrap();
    assert_eq!(
        score.as_str().unwrap().parse::<f64>().unwrap(),
        expected["score"].as_f64().unwrap()
    );
    let rating = client
        .execute("return document.querySelector('#rating').dataset.rating", vec![])
        .await
        .unwrap();
    assert_eq!(rating, expected["rating"]);
    assert_marks_match(
        &highlighted(client, "#result .answer-highlighted").await,
        GOOD_ANSWER,
        &expected,
    );
    // Each mark can be reached with Tab and names its concept.
    let first = client.find(Locator::Css("mark.evidence")).await.unwrap();
    assert_eq!(first.attr("tabindex").await.unwrap().as_deref(), Some("0"));
    assert!(first
        .attr("aria-label")
        .await
        .unwrap()
        .unwrap()
        .starts_with("Covers: "));
    // Missing concepts as a checklist with their hints; never a model answer.
    let missing = client.find_all(Locator::Css("#missing li")).await.unwrap();
    let expected_missing = expected["missing"].as_array().unwrap();
    assert_eq!(missing.len(), expected_missing.len());
    for (item, concept) in missing.iter().zip(expected_missing) {
        assert_eq!(
            item.attr("data-concept").await.unwrap().as_deref(),
            concept["id"].as_str()
        );
        let hint = item
            .find(Locator::Css("p.hint"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(hint, concept["hint"].as_str().unwrap());
    }
    let model = shared_evaluator()
        .bank()
        .get("explain-plans")
        .unwrap()
        .model_answers[0]
        .text
        .to_string();
    let page = client.source().await.unwrap();
    assert!(!page.contains(&model[..60]), "the page shows a model answer");
    assert_controls_labelled(client, "/practice").await;
    screenshot(client, "practice").await;

    // Retry: the comparison with the previous attempt names what changed.
    answer
        .send_keys(" For very large tables I partition by date so queries touch one slice.")
        .await
        .unwrap();
    client
        .find(Locator::Css("#submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let compared = wait_for(
        client,
        "the comparison",
        "const c = document.querySelector('#compare'); return c && !c.hidden && c.textContent",
    )
    .await;
    assert!(
        compared.as_str().unwrap().contains("Previous attempt"),
        "{compared}"
    );

    // Readable on a phone: nothing wider than the screen.
    client.set_window_size(375, 812).await.unwrap();
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the page scrolls sideways by {overflow} px"
    );
    screenshot(client, "practice-phone").await;
    finish(browser, app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_takes_an_assessment_and_the_recruiter_reads_the_report() {
    let Some(browser) = browser().await else { return };
    let client = &browser.client;
    let app = spawn_app().await;
    put_set(&app).await;
    let sent = send_set(&app).await;
    let caching = "I use cache-aside: read from Redis first, fall back to the database and fill the cache with a TTL, and delete the key on every write so readers never see stale data for long.";

    client
        .goto(sent["candidate_url"].as_str().unwrap())
        .await
        .unwrap();
    wait_for(
        client,
        "the questions",
        "return document.querySelector('#answer-1')",
    )
    .await;
    assert_eq!(text_of(client, "#set-name").await, "Backend core");
    client
        .find(Locator::Css("#answer-0"))
        .await
        .unwrap()
        .send_keys(GOOD_ANSWER)
        .await
        .unwrap();
    client
        .find(Locator::Css("#answer-1"))
        .await
        .unwrap()
        .send_keys(caching)
        .await
        .unwrap();
    for n in 0..2 {
        wait_for(
            client,
            "the save",
            &format!("return document.querySelector('#saved-{n}').textContent.startsWith('Saved')"),
        )
        .await;
    }
    // Saved as they went: a reload brings the answers back from the server.
    client.refresh().await.unwrap();
    let restored = wait_for(
        client,
        "the restored answer",
        "return document.querySelector('#answer-0')?.value",
    )
    .await;
    assert_eq!(restored, GOOD_ANSWER);
    let token = sent["candidate_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let stored = json_ok(app.get(&format!("/v1/take/{token}")).await).await;
    assert_eq!(stored["questions"][1]["answer"], caching);
    assert_controls_labelled(client, "/a/{token}").await;
    screenshot(client, "assessment").await;

    // Submitted once, after confirming.
    client
        .find(Locator::Css("#submit-assessment"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        client,
        "the confirmation",
        "return document.querySelector('#confirm-submit')?.open",
    )
    .await;
    client
        .find(Locator::Css("#confirm-ok"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = wait_for(
        client,
        "the thank-you",
        "const d = document.querySelector('#done'); return d && !d.hidden && d.textContent",
    )
    .await;
    assert!(done.as_str().unwrap().contains("submitted"), "{done}");
    screenshot(client, "assessment-submitted").await;

    // The recruiter's report shows the stored scores and the evidence.
    let id = sent["id"].as_str().unwrap();
    let status = json_ok(app.get(&format!("/v1/assessments/{id}")).await).await;
    assert_eq!(status["status"], "completed");
    client.goto(status["report_url"].as_str().unwrap()).await.unwrap();
    wait_for(
        client,
        "the report",
        "return document.querySelector('#overall-score')?.textContent",
    )
    .await;
    let overall = text_of(client, "#overall-score").await;
    let score = status["score"].as_f64().unwrap();
    assert!(overall.contains(&format!("{score:.1}")), "{overall} vs {score}");
    let sections = client
        .find_all(Locator::Css("section.report-question"))
        .await
        .unwrap();
    assert_eq!(sections.len(), 2);
    let report = json_ok(
        app.get(&format!(
            "/v1/reports/{id}?{}",
            status["report_url"].as_str().unwrap().split_once('?').unwrap().1
        ))
        .await,
    )
    .await;
    for (n, answer) in [GOOD_ANSWER, caching].into_iter().enumerate() {
        let root = format!("section.report-question[data-position=\"{n}\"] .answer-highlighted");
        assert_marks_match(
            &highlighted(client, &root).await,
            answer,
            &report["questions"][n]["evaluation"],
        );
    }
    let greenhouse = text_of(client, "#rec-greenhouse").await;
    assert!(!greenhouse.trim().is_empty());
    assert_controls_labelled(client, "/r/{id}").await;
    screenshot(client, "report").await;
    finish(browser, app).await;
}

/// Ends the browser session and the server.
async fn finish(browser: Browser, app: TestApp) {
    let Browser { client, .. } = &browser;
    client.clone().close().await.expect("the session closes");
    drop(browser);
    app.stop().await.unwrap();
}
