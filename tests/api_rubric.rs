//! `POST /v1/evaluate` with the caller's own `rubric` instead of a bank question.

use serde_json::{json, Value};

use assay::rubric::RubricSpec;

use crate::app::{json_ok, problem, spawn_app};
use crate::util::evaluator;

const QUESTION: &str = "Why does a hash table need a good hash function?";
const REFERENCE: &str = "A good hash function spreads keys evenly over the buckets, which keeps \
    collisions rare so lookups, inserts and deletes stay constant time on average.";
const ANSWER: &str = "It has to distribute the keys uniformly across the buckets; otherwise many \
    keys collide in the same bucket and a lookup degrades towards linear time.";

fn pointers(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["pointer"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_derived_rubric_is_scored_and_returned_for_review() {
    let app = spawn_app().await;
    let request = json!({
        "rubric": {"question": QUESTION, "reference_answers": [REFERENCE]},
        "answer": ANSWER,
    });
    let body = json_ok(app.evaluate(&request).await).await;

    let spec: RubricSpec = serde_json::from_value(request["rubric"].clone()).unwrap();
    let question = evaluator().prepare(&spec).unwrap();
    let library = evaluator()
        .evaluate_ad_hoc(&question, ANSWER, Default::default())
        .unwrap();
    for (field, value) in serde_json::to_value(&library).unwrap().as_object().unwrap() {
        assert_eq!(&body[field], value, "{field}");
    }
    assert_eq!(body["question"], QUESTION);
    assert!(body["question_match"].is_null());
    let rubric = &body["rubric"];
    assert_eq!(rubric["derived"], true);
    let confidence = rubric["confidence"].as_f64().unwrap();
    assert!(confidence > 0.0 && confidence < 0.85, "{confidence}");
    let concepts = rubric["concepts"].as_array().unwrap();
    assert!(!concepts.is_empty());
    assert!(concepts
        .iter()
        .all(|c| c["derived"] == true && c["aliases"].as_array().is_some_and(|a| !a.is_empty())));
    // Every concept reported back is either covered or missing.
    let named: Vec<&Value> = ["covered", "missing", "dismissed"]
        .iter()
        .flat_map(|k| body[k].as_array().unwrap())
        .map(|c| &c["id"])
        .collect();
    assert_eq!(named.len(), concepts.len());
    for concept in body["covered"].as_array().unwrap() {
        for evidence in concept["evidence"].as_array().unwrap() {
            let (start, end) = (
                evidence["start"].as_u64().unwrap() as usize,
                evidence["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&ANSWER[start..end], evidence["text"].as_str().unwrap());
        }
    }
    assert!(body["score"].as_f64().unwrap() >= 60.0, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_concepts_are_used_as_sent() {
    let app = spawn_app().await;
    let body = json_ok(
        app.evaluate(&json!({
            "rubric": {
                "question": QUESTION,
                "reference_answers": [REFERENCE],
                "concepts": [
                    {"id": "spread", "label": "keys spread evenly", "weight": 2, "aliases": ["evenly", "uniformly", "spread"]},
                    {"label": "collisions", "aliases": ["collide", "collision"], "hint": "Say what happens when keys collide."},
                    {"label": "resizing", "aliases": ["resize", "rehash"]},
                ],
                "red_flags": [{"label": "hashing with the identity", "severity": "low", "phrases": ["just use the key itself"]}],
            },
            "answer": ANSWER,
        }))
        .await,
    )
    .await;
    assert_eq!(body["rubric"]["derived"], false);
    let covered: Vec<&str> = body["covered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(covered, ["spread", "collisions"]);
    assert_eq!(body["missing"][0]["id"], "resizing");
    assert!(body["rubric"]["confidence"].as_f64().unwrap() > 0.6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rubric_practice_raises_its_flag_when_the_answer_describes_doing_it() {
    let app = spawn_app().await;
    let request = |answer: &str| {
        json!({
            "rubric": {
                "question": QUESTION,
                "reference_answers": [REFERENCE],
                "red_flags": [{
                    "label": "hashing with the identity",
                    "phrases": ["identity hash function"],
                    "practices": ["key itself | raw key | identity & as the hash | as its hash | hash code"],
                }],
            },
            "answer": answer,
        })
    };
    let told = request("We just use the key itself as the hash, which works fine for us.");
    let told = json_ok(app.evaluate(&told).await).await;
    assert_eq!(told["red_flags"][0]["id"], "hashing-with-the-identity", "{told}");
    let others = request("Some libraries use the key itself as the hash for small integers.");
    let others = json_ok(app.evaluate(&others).await).await;
    assert_eq!(others["red_flags"], json!([]), "{others}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_rubric_gets_every_problem_at_its_pointer() {
    let app = spawn_app().await;
    let response = app
        .evaluate(&json!({
            "rubric": {
                "reference_answers": ["", "fine"],
                "concepts": [{"label": "x", "weight": 0}, {"aliases": ["y"]}],
                "red_flags": [{"label": "z", "severity": "fatal", "phrases": ["z"], "practices": ["z | & w"]}],
            },
            "answer": ANSWER,
        }))
        .await;
    let body = problem(response, 422, "validation_failed").await;
    assert_eq!(
        pointers(&body),
        [
            "#/rubric/question",
            "#/rubric/reference_answers/0",
            "#/rubric/concepts/0/weight",
            "#/rubric/concepts/1/label",
            "#/rubric/red_flags/0/severity",
            "#/rubric/red_flags/0/practices/0",
        ],
        "{body}"
    );

    let both = app
        .evaluate(&json!({"question_id": "caching", "rubric": {"question": QUESTION, "reference_answers": [REFERENCE]}, "answer": ANSWER}))
        .await;
    let body = problem(both, 422, "validation_failed").await;
    assert_eq!(pointers(&body), ["#/question_id"]);

    let unknown = app
        .evaluate(&json!({"rubric": {"question": QUESTION, "references": [REFERENCE]}, "answer": ANSWER}))
        .await;
    let body = problem(unknown, 422, "validation_failed").await;
    assert_eq!(pointers(&body), ["#/rubric/references"], "{body}");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("references"),
        "{body}"
    );

    let wrong_type = app
        .evaluate(
            &json!({"rubric": {"question": QUESTION, "reference_answers": REFERENCE}, "answer": ANSWER}),
        )
        .await;
    let body = problem(wrong_type, 422, "validation_failed").await;
    assert_eq!(pointers(&body), ["#/rubric/reference_answers"], "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_reference_is_refused_cleanly() {
    let app = spawn_app().await;
    let huge = "word ".repeat(200_000);
    let request = json!({"rubric": {"question": QUESTION, "reference_answers": [huge]}, "answer": ANSWER});
    // Over the single-request body limit: refused before it is read.
    problem(app.evaluate(&request).await, 413, "payload_too_large").await;
    // Inside a batch, whose body limit is 1 MiB, it is read and refused by field.
    let batch = json!({"items": [request, {"rubric": {"question": QUESTION, "reference_answers": [REFERENCE]}, "answer": ANSWER}]});
    let body = json_ok(app.post_json("/v1/evaluate/batch", &batch).await).await;
    assert_eq!(body["failed"], 1);
    assert_eq!(body["succeeded"], 1);
    let refused = &body["results"][0]["problem"];
    assert_eq!(refused["status"], 422);
    assert_eq!(
        pointers(refused),
        ["#/items/0/rubric/reference_answers/0"],
        "{refused}"
    );
    assert!(
        refused["errors"][0]["detail"].as_str().unwrap().contains("bytes"),
        "{refused}"
    );
    assert_eq!(body["results"][1]["result"]["rubric"]["derived"], true);
    // The service is unharmed.
    json_ok(
        app.evaluate(&json!({"question_id": "caching", "answer": ANSWER}))
            .await,
    )
    .await;
}
