//! Prometheus metrics: requests by route and status, latency histograms and
//! evaluations by rating, exposed in the OpenMetrics text format at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::Rating;

/// The media type `/metrics` answers with.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of a request: the route template (never the raw path, which would
/// make one series per question id), the method and the status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

/// Labels of a latency observation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

/// Labels of an evaluation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RatingLabels {
    rating: &'static str,
}

/// The service's metrics and the registry that encodes them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    evaluations: Family<RatingLabels, Counter>,
    in_flight: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Latency buckets in seconds: 50 µs to about 1.6 s, doubling, since most
/// evaluations take well under a millisecond.
fn latency_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.000_05, 2.0, 16,
    ))
}

impl Metrics {
    /// Registers every metric; `questions` is the size of the bank served.
    pub fn new(questions: usize) -> Metrics {
        let mut registry = Registry::with_prefix("assay");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register_with_unit(
            "http_request_duration",
            "Time from request to response head, by route and method",
            prometheus_client::registry::Unit::Seconds,
            latency.clone(),
        );
        let evaluations = Family::<RatingLabels, Counter>::default();
        registry.register("evaluations", "Answers evaluated, by rating", evaluations.clone());
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "Requests being handled now",
            in_flight.clone(),
        );
        let bank = Gauge::<i64>::default();
        bank.set(i64::try_from(questions).unwrap_or(i64::MAX));
        registry.register("bank_questions", "Questions in the bank served", bank);
        Metrics {
            registry,
            requests,
            latency,
            evaluations,
            in_flight,
        }
    }

    /// Records one finished request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(seconds);
    }

    /// Records one evaluation.
    pub fn observe_evaluation(&self, rating: Rating) {
        self.evaluations
            .get_or_create(&RatingLabels {
                rating: rating.as_str(),
            })
            .inc();
    }

    /// The gauge of requests in flight.
    pub fn in_flight(&self) -> &Gauge {
        &self.in_flight
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_appear_in_the_text() {
        let metrics = Metrics::new(40);
        metrics.observe_request("/v1/evaluate", "POST", 200, 0.0002);
        metrics.observe_evaluation(Rating::StrongYes);
        let text = metrics.encode();
        assert!(
            text.contains(r#"assay_http_requests_total{route="/v1/evaluate",method="POST",status="200"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"assay_evaluations_total{rating="strong_yes"} 1"#),
            "{text}"
        );
        assert!(text.contains("assay_bank_questions 40"), "{text}");
        assert!(
            text.contains("assay_http_request_duration_seconds_bucket"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
