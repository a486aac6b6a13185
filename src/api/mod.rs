//! The HTTP service: axum routes over the bank's and tenants' evaluators
//! ([`Catalog`]) and the shared [`Store`].
//!
//! [`router`] builds the whole application from an [`AppState`];
//! [`Server`] binds a listener, serves it and shuts down gracefully. The
//! routes are declared once, in `routes`, which both builds the router and
//! lists what it serves, so the OpenAPI contract test compares the file with
//! the routes actually served.

pub mod auth;
pub mod catalog;
mod extract;
pub mod idempotency;
mod metrics;
pub mod middleware;
pub mod problem;
mod routes;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Extension, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::store::Store;
pub use auth::Auth;
pub use catalog::Catalog;
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
    /// Largest body of a batch or a whole question, in bytes.
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
    /// Open mode: requests without a key act as an admin of the default
    /// tenant. Refused unless listening on loopback.
    pub open: bool,
    /// Whether evaluations are recorded in the store.
    pub records: bool,
    /// Whether records keep the answer text.
    pub store_answers: bool,
    /// How long a completed `Idempotency-Key` is replayed.
    pub idempotency_ttl: Duration,
    /// How long a request holds its `Idempotency-Key` before another
    /// instance may take it over (the holder died).
    pub idempotency_lease: Duration,
    /// Requests a minute per key without a limit of its own; 0 for none.
    pub rate_limit_per_minute: u32,
    /// How long a verified key is trusted without asking the store again
    /// (how long a key revoked on another instance may still work).
    pub auth_cache: Duration,
    /// How often the store is polled for other instances' question changes.
    pub question_poll: Duration,
    /// The URL candidates and recruiters reach this service at
    /// (`https://assay.example.com`), for the links it hands out; without
    /// it, links use the `Host` of the authenticated request that sent the
    /// assessment, over http.
    pub public_url: Option<String>,
    /// How long a recruiter's report link works.
    pub report_link_ttl: Duration,
    /// Whether `/practice` and its API are served (without a key).
    pub practice: bool,
    /// Practice requests a minute, over every caller together; 0 for no limit.
    pub practice_rate_per_minute: u32,
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
            open: false,
            records: true,
            store_answers: true,
            idempotency_ttl: Duration::from_secs(24 * 60 * 60),
            idempotency_lease: Duration::from_secs(30),
            rate_limit_per_minute: 6_000,
            auth_cache: Duration::from_secs(2),
            question_poll: Duration::from_millis(500),
            public_url: None,
            report_link_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            practice: true,
            practice_rate_per_minute: 600,
        }
    }
}

/// Why the service cannot start with a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Open mode was asked for on an address other hosts can reach.
    #[error("--open serves without keys, so it listens on loopback only; {0} is not a loopback address")]
    OpenNotLoopback(SocketAddr),
}

impl Config {
    /// Checks settings that only make sense together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.open && !self.listen.ip().is_loopback() {
            return Err(ConfigError::OpenNotLoopback(self.listen));
        }
        Ok(())
    }
}

/// What every handler shares. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The evaluators of the bank and of every tenant.
    pub catalog: Arc<Catalog>,
    /// Keys, records, idempotency keys and tenant questions.
    pub store: Store,
    /// Key verification and rate limits.
    pub auth: Arc<Auth>,
    /// The configuration served with.
    pub config: Arc<Config>,
    /// The metrics recorded.
    pub metrics: Arc<Metrics>,
    /// Which tenants listen for webhook events.
    pub subscribers: Arc<routes::webhooks::Subscribers>,
    /// The signer of report links, its secret read from the store on first use.
    pub links: Arc<tokio::sync::OnceCell<crate::assess::ReportLinks>>,
    /// The rate limit every practice request shares; `None` for none.
    pub practice_limiter: Option<Arc<governor::DefaultDirectRateLimiter>>,
}

impl AppState {
    /// State for serving `catalog` from `store` with `config`.
    pub fn new(catalog: Arc<Catalog>, store: Store, config: Config) -> AppState {
        let metrics = Arc::new(Metrics::new(catalog.base().bank().questions().len()));
        let auth = Arc::new(Auth::new(config.auth_cache, config.rate_limit_per_minute));
        let practice_limiter = std::num::NonZeroU32::new(config.practice_rate_per_minute)
            .map(|rate| Arc::new(auth::per_minute(rate)));
        AppState {
            links: Arc::default(),
            practice_limiter,
            catalog,
            store,
            auth,
            config: Arc::new(config),
            metrics,
            subscribers: Arc::default(),
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
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Verb {
    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Delete => MethodFilter::DELETE,
        }
    }

    /// The method's name, lowercase as in OpenAPI (`get`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Delete => "delete",
        }
    }
}

/// Whether a route sits under the in-flight limit and timeout.
#[derive(Debug, Clone, Copy)]
enum Guard {
    /// An API route: under the concurrency limit and timeout, behind a key.
    Limited,
    /// A route with its own credential (a candidate's token, a signed link,
    /// HTTP Basic) or none: under the limit and timeout, without a key.
    Public,
    /// An operational route (health, metrics, contract): never refused for load.
    Open,
}

/// Routes declared once: the router is built from the same list that
/// [`served_routes`] reports.
struct Routes {
    api: Vec<(&'static str, MethodRouter<AppState>)>,
    public: Vec<(&'static str, MethodRouter<AppState>)>,
    ops: Vec<(&'static str, MethodRouter<AppState>)>,
    listed: Vec<(Verb, &'static str)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            api: Vec::new(),
            public: Vec::new(),
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
            Guard::Public => &mut self.public,
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
    use routes::{assessments, evaluate, evaluations, greenhouse, keys, ops, pages, practice, questions};
    use routes::{reports, take, webhooks};
    use Guard::{Limited, Open, Public};
    Routes::new()
        .add(Limited, Verb::Post, "/v1/evaluate", evaluate::evaluate)
        .add(Limited, Verb::Post, "/evaluate", evaluate::evaluate)
        .add(Limited, Verb::Post, "/v1/evaluate/batch", evaluate::batch)
        .add(Limited, Verb::Get, "/v1/evaluations", evaluations::list)
        .add(
            Limited,
            Verb::Delete,
            "/v1/evaluations",
            evaluations::erase_candidate,
        )
        .add(Limited, Verb::Get, "/v1/evaluations/{id}", evaluations::get)
        .add(Limited, Verb::Delete, "/v1/evaluations/{id}", evaluations::delete)
        .add(Limited, Verb::Get, "/v1/questions", questions::list)
        .add(Limited, Verb::Post, "/v1/questions", questions::create)
        .add(Limited, Verb::Get, "/v1/questions/match", questions::matching)
        .add(Limited, Verb::Get, "/v1/questions/{id}", questions::get)
        .add(Limited, Verb::Put, "/v1/questions/{id}", questions::put)
        .add(Limited, Verb::Delete, "/v1/questions/{id}", questions::delete)
        .add(Limited, Verb::Get, "/v1/keys", keys::list)
        .add(Limited, Verb::Post, "/v1/keys", keys::create)
        .add(Limited, Verb::Delete, "/v1/keys/{id}", keys::revoke)
        .add(Limited, Verb::Get, "/v1/webhooks", webhooks::list)
        .add(Limited, Verb::Post, "/v1/webhooks", webhooks::create)
        .add(Limited, Verb::Get, "/v1/webhooks/{id}", webhooks::get)
        .add(Limited, Verb::Delete, "/v1/webhooks/{id}", webhooks::delete)
        .add(Limited, Verb::Post, "/v1/webhooks/{id}/rotate", webhooks::rotate)
        .add(
            Limited,
            Verb::Get,
            "/v1/webhooks/{id}/deliveries",
            webhooks::deliveries,
        )
        .add(Limited, Verb::Get, "/v1/question-sets", assessments::list_sets)
        .add(Limited, Verb::Put, "/v1/question-sets/{id}", assessments::put_set)
        .add(Limited, Verb::Post, "/v1/assessments", assessments::create)
        .add(Limited, Verb::Get, "/v1/assessments/{id}", assessments::get)
        .add(Limited, Verb::Delete, "/v1/assessments/{id}", assessments::delete)
        .add(Public, Verb::Get, "/v1/take/{token}", take::view)
        .add(
            Public,
            Verb::Put,
            "/v1/take/{token}/answers/{position}",
            take::save,
        )
        .add(
            Public,
            Verb::Post,
            "/v1/take/{token}/submit",
            take::submit_answers,
        )
        .add(Public, Verb::Get, "/v1/reports/{id}", reports::report)
        .add(Public, Verb::Get, "/v1/practice/questions", practice::questions)
        .add(Public, Verb::Post, "/v1/practice/evaluate", practice::evaluate)
        .add(
            Public,
            Verb::Get,
            "/greenhouse/list_tests",
            greenhouse::list_tests,
        )
        .add(Public, Verb::Post, "/greenhouse/send_test", greenhouse::send_test)
        .add(
            Public,
            Verb::Get,
            "/greenhouse/test_status",
            greenhouse::test_status,
        )
        .add(
            Public,
            Verb::Post,
            "/greenhouse/response_error",
            greenhouse::response_error,
        )
        .add(Open, Verb::Get, "/practice", pages::practice)
        .add(Open, Verb::Get, "/a/{token}", pages::take)
        .add(Open, Verb::Get, "/r/{id}", pages::report)
        .add(Open, Verb::Get, "/assets/{file}", pages::asset)
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
        api = api.route(path, route);
    }
    // Outermost last: the body limit, the limits, then authentication, then idempotency.
    let api = api
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    let api = limited(api, &limits, &config);
    let mut public = Router::new();
    for (path, route) in declared.public {
        public = public.route(path, route);
    }
    let public = limited(public, &limits, &config);
    let mut ops = Router::new();
    for (path, route) in declared.ops {
        ops = ops.route(path, route);
    }

    let app = Router::new()
        .merge(api)
        .merge(public)
        .merge(ops)
        .route_layer(axum::middleware::from_fn(middleware::served_route))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(Extension(BodyLimit(config.body_limit)));
    let app = match cors(&config.cors_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    };
    app.layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(axum::middleware::from_fn(middleware::edge))
        .with_state(state)
}

/// `routes` under the in-flight limit and timeout, and the body limit
/// (outermost), shared by the keyed and the public API routes.
fn limited(routes: Router<AppState>, limits: &middleware::Limits, config: &Arc<Config>) -> Router<AppState> {
    routes
        .route_layer(axum::middleware::from_fn_with_state(
            limits.clone(),
            middleware::limits,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(config),
            middleware::body_limit,
        ))
}

/// The CORS layer for `origins`: none at all when empty (so `OPTIONS` is an
/// ordinary 405), any origin for `*`, or a list.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    use axum::http::{header, HeaderValue, Method};
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::HeaderName::from_static(middleware::REQUEST_ID),
            header::HeaderName::from_static(idempotency::REPLAYED),
            header::RETRY_AFTER,
            header::LOCATION,
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
    /// Checks the configuration, loads every tenant's questions and binds
    /// `state.config.listen` (port 0 picks a free port).
    pub async fn bind(state: AppState) -> std::io::Result<Server> {
        state
            .config
            .validate()
            .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidInput, err))?;
        if state.config.open {
            state
                .store
                .ensure_tenant(crate::store::DEFAULT_TENANT)
                .await
                .map_err(std::io::Error::other)?;
        }
        state
            .catalog
            .sync(&state.store)
            .await
            .map_err(std::io::Error::other)?;
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
        let _background = Background::start(&self.state);
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

/// The tasks a server runs beside its requests, stopped when it is dropped:
/// picking up other instances' question changes, and purging expired
/// idempotency keys.
struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Background {
    fn start(state: &AppState) -> Background {
        let poll = {
            let (catalog, store) = (Arc::clone(&state.catalog), state.store.clone());
            let every = state.config.question_poll.max(Duration::from_millis(10));
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(every);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    if let Err(err) = catalog.sync(&store).await {
                        tracing::warn!(error = %err, "could not poll for question changes");
                    }
                }
            })
        };
        let purge = {
            let store = state.store.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(Duration::from_secs(600));
                loop {
                    ticks.tick().await;
                    match store.purge_idempotency().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(purged = n, "expired idempotency keys purged"),
                        Err(err) => tracing::warn!(error = %err, "could not purge idempotency keys"),
                    }
                }
            })
        };
        Background(vec![poll, purge])
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
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
