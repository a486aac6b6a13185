//! The HTTP service: axum routes over a shared [`Evaluator`].
//!
//! [`router`] builds the whole application from an [`AppState`];
//! [`Server`] binds a listener, serves it and shuts down gracefully. The
//! routes are declared once, in [`routes`], which both builds the router and
//! lists what it serves, so the OpenAPI contract test compares the file with
//! the routes actually served.

mod extract;
mod metrics;
pub mod middleware;
pub mod problem;
mod routes;

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Extension, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::Evaluator;
pub use extract::BodyLimit;
pub use metrics::Metrics;

/// The OpenAPI document, served at `/openapi.yaml`.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// How the service runs. Every field has a default; `assay serve` sets them
/// from flags and `ASSAY_*` environment variables.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Largest batch request body, in bytes.
    pub batch_body_limit: usize,
    /// Longest answer accepted, in bytes.
    pub max_answer_bytes: usize,
    /// Requests handled at once before new ones are refused with 503.
    pub max_in_flight: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout: Duration,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub shutdown_grace: Duration,
    /// Origins browsers may call from (`*` for any); empty sends no CORS headers.
    pub cors_origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit: 64 * 1024,
            batch_body_limit: 1024 * 1024,
            max_answer_bytes: 32 * 1024,
            max_in_flight: 1024,
            request_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
            cors_origins: Vec::new(),
        }
    }
}

/// What every handler shares. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The evaluator over the bank served.
    pub evaluator: Arc<Evaluator>,
    /// The configuration served with.
    pub config: Arc<Config>,
    /// The metrics recorded.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// State for serving `evaluator` with `config`.
    pub fn new(evaluator: Arc<Evaluator>, config: Config) -> AppState {
        let metrics = Arc::new(Metrics::new(evaluator.bank().questions().len()));
        AppState {
            evaluator,
            config: Arc::new(config),
            metrics,
        }
    }
}

/// An HTTP method a route may take; the names are the ones in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Verb {
    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
        }
    }

    /// The method's name, lowercase as in OpenAPI (`get`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
        }
    }
}

/// Whether a route sits under the in-flight limit and timeout.
#[derive(Debug, Clone, Copy)]
enum Guard {
    /// An API route: under the concurrency limit and timeout.
    Limited,
    /// An operational route (health, metrics, contract): never refused for load.
    Open,
}

/// Routes declared once: the router is built from the same list that
/// [`served_routes`] reports.
struct Routes {
    api: Vec<(&'static str, MethodRouter<AppState>)>,
    ops: Vec<(&'static str, MethodRouter<AppState>)>,
    listed: Vec<(Verb, &'static str)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            api: Vec::new(),
            ops: Vec::new(),
            listed: Vec::new(),
        }
    }

    /// Adds a route to the list `guard` names.
    fn add<H, T>(mut self, guard: Guard, verb: Verb, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let list = match guard {
            Guard::Limited => &mut self.api,
            Guard::Open => &mut self.ops,
        };
        Self::push(list, verb, path, handler);
        self.listed.push((verb, path));
        self
    }

    fn push<H, T>(
        list: &mut Vec<(&'static str, MethodRouter<AppState>)>,
        verb: Verb,
        path: &'static str,
        handler: H,
    ) where
        H: Handler<T, AppState>,
        T: 'static,
    {
        match list.iter_mut().find(|(p, _)| *p == path) {
            Some((_, router)) => *router = std::mem::take(router).on(verb.filter(), handler),
            None => list.push((path, axum::routing::on(verb.filter(), handler))),
        }
    }
}

/// Every route of the service.
fn routes() -> Routes {
    use routes::{evaluate, ops, questions};
    use Guard::{Limited, Open};
    Routes::new()
        .add(Limited, Verb::Post, "/v1/evaluate", evaluate::evaluate)
        .add(Limited, Verb::Post, "/evaluate", evaluate::evaluate)
        .add(Limited, Verb::Post, "/v1/evaluate/batch", evaluate::batch)
        .add(Limited, Verb::Get, "/v1/questions", questions::list)
        .add(Limited, Verb::Get, "/v1/questions/match", questions::matching)
        .add(Limited, Verb::Get, "/v1/questions/{id}", questions::get)
        .add(Open, Verb::Get, "/healthz", ops::healthz)
        .add(Open, Verb::Get, "/readyz", ops::readyz)
        .add(Open, Verb::Get, "/metrics", ops::metrics)
        .add(Open, Verb::Get, "/openapi.yaml", ops::openapi)
}

/// Every (method, path template) the router serves, in declaration order.
pub fn served_routes() -> Vec<(Verb, &'static str)> {
    routes().listed
}

/// The whole application for `state`.
pub fn router(state: AppState) -> Router {
    let config = Arc::clone(&state.config);
    let limits = middleware::Limits::new(config.max_in_flight, config.request_timeout);
    let declared = routes();

    let mut api = Router::new();
    for (path, route) in declared.api {
        let route = if path.ends_with("/batch") {
            route.layer::<_, Infallible>(Extension(BodyLimit(config.batch_body_limit)))
        } else {
            route
        };
        api = api.route(path, route);
    }
    let api = api.route_layer(axum::middleware::from_fn_with_state(limits, middleware::limits));
    let mut ops = Router::new();
    for (path, route) in declared.ops {
        ops = ops.route(path, route);
    }

    let app = Router::new()
        .merge(api)
        .merge(ops)
        .route_layer(axum::middleware::from_fn(middleware::served_route))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(Extension(BodyLimit(config.body_limit)));
    let app = match cors(&config.cors_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    };
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::observe,
    ))
    .layer(axum::middleware::from_fn(middleware::edge))
    .with_state(state)
}

/// The CORS layer for `origins`: none at all when empty (so `OPTIONS` is an
/// ordinary 405), any origin for `*`, or a list.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    use axum::http::{header, HeaderValue, Method};
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::HeaderName::from_static(middleware::REQUEST_ID),
            header::RETRY_AFTER,
        ]);
    Some(if origins.iter().any(|o| o == "*") {
        layer.allow_origin(AllowOrigin::any())
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    })
}

/// A bound server, ready to run.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    state: AppState,
}

impl Server {
    /// Binds `state.config.listen` (port 0 picks a free port).
    pub async fn bind(state: AppState) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
        Ok(Server { listener, state })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish
    /// for up to the configured grace period.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let grace = self.state.config.shutdown_grace;
        let (signalled_tx, mut signalled_rx) = tokio::sync::watch::channel(false);
        let app = router(self.state);
        let serve = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = signalled_tx.send(true);
        });
        let serve = serve.into_future();
        tokio::pin!(serve);
        tokio::select! {
            result = &mut serve => result,
            _ = async {
                // The grace period starts with the signal, never without it.
                if signalled_rx.wait_for(|s| *s).await.is_err() {
                    std::future::pending::<()>().await;
                }
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!(grace_secs = grace.as_secs(), "requests still in flight after the grace period; exiting");
                Ok(())
            }
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
