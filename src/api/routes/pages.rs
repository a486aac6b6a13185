//! The browser pages: `/practice` for candidates practising, `/a/{token}`
//! for a candidate taking an assessment, `/r/{id}` for a recruiter's
//! report, and their scripts and styles under `/assets/`. Plain HTML, CSS
//! and JavaScript from `web/`, compiled into the binary: no build step.
//!
//! Every page is sent with a Content-Security-Policy that allows only this
//! origin's scripts and styles (the pages have no inline code), and
//! `Referrer-Policy: no-referrer`, because the assessment and report URLs
//! carry their credentials.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api::problem::ApiError;
use crate::api::AppState;

/// The pages' policy: this origin only, nothing inline, never framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The files under `/assets/`: name, media type, contents.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../../web/app.css"),
    ),
    (
        "common.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/common.js"),
    ),
    (
        "practice.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/practice.js"),
    ),
    (
        "take.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/take.js"),
    ),
    (
        "report.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/report.js"),
    ),
];

const PRACTICE_HTML: &str = include_str!("../../../web/practice.html");
const TAKE_HTML: &str = include_str!("../../../web/take.html");
const REPORT_HTML: &str = include_str!("../../../web/report.html");

/// A page or asset with the headers every one carries.
fn file(media_type: &'static str, body: &'static str, cache: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, media_type),
        (header::CACHE_CONTROL, cache),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn page(body: &'static str) -> Response {
    file("text/html; charset=utf-8", body, "no-store")
}

/// `GET /practice` (a `404` when the server is run without practice).
pub async fn practice(State(state): State<AppState>) -> Result<Response, ApiError> {
    if !state.config.practice {
        return Err(ApiError::NotFound("/practice".to_owned()));
    }
    Ok(page(PRACTICE_HTML))
}

/// `GET /a/{token}`: the page reads the assessment through `/v1/take/{token}`,
/// which checks the token.
pub async fn take(Path(_token): Path<String>) -> Response {
    page(TAKE_HTML)
}

/// `GET /r/{id}`: the page reads the report through `/v1/reports/{id}`,
/// which checks the link's signature.
pub async fn report(Path(_id): Path<String>) -> Response {
    page(REPORT_HTML)
}

/// `GET /assets/{file}`.
pub async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    ASSETS
        .iter()
        .find(|(file_name, _, _)| *file_name == name)
        .map(|(_, media_type, body)| file(media_type, body, "public, max-age=300"))
        .ok_or_else(|| ApiError::NotFound(format!("/assets/{name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_and_style_a_page_loads_is_served() {
        for html in [PRACTICE_HTML, TAKE_HTML, REPORT_HTML] {
            for piece in html.split("/assets/").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect();
                assert!(
                    ASSETS.iter().any(|(file, _, _)| *file == name),
                    "a page loads /assets/{name}, which is not served"
                );
            }
        }
    }

    #[test]
    fn pages_have_no_inline_code_the_policy_would_block() {
        for html in [PRACTICE_HTML, TAKE_HTML, REPORT_HTML] {
            assert!(!html.contains("<script>"), "an inline script");
            assert!(!html.contains(" style=\""), "an inline style");
            assert!(!html.contains(" onclick="), "an inline handler");
            assert!(html.contains("<html lang=\"en\""), "a page without a language");
        }
    }
}
