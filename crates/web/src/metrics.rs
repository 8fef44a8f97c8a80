//! Prometheus metrics, in the text format Prometheus scrapes, from `prometheus-client` (the
//! Prometheus project's own Rust client: typed metric families, OpenMetrics encoding, no
//! global state, few dependencies).
//!
//! - `etablera_http_requests_total{method,route,status}`: requests answered, by the route
//!   as declared (`/s/{id}/data`, never the path with its ids);
//! - `etablera_http_request_duration_seconds{method,route}`: how long they took;
//! - `etablera_http_requests_in_flight`: being answered now;
//! - `etablera_db_pool_wait_seconds`: how long requests waited for a database connection;
//! - `etablera_imports_total{result}`: figures stored or refused through the web and API;
//! - `etablera_mail_total{result}`: messages this process sent or failed to send;
//! - `etablera_outbox_messages{state}`: the outbox (all processes), read at each scrape.
//!
//! No label carries a user, a municipality's data or anything a request sent. The metrics
//! are served on their own address (`metrics_addr`) or, on the application's address, only
//! with a bearer token (`metrics_token`); never to the public.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

fn latency_buckets() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    pool_wait: Histogram,
    imports: Family<ResultLabels, Counter>,
    mail: Family<ResultLabels, Counter>,
    outbox: Family<StateLabels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("etablera");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, declared route and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_buckets,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and declared route",
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered",
            in_flight.clone(),
        );
        let pool_wait = Histogram::new(exponential_buckets(0.0001, 2.0, 18));
        registry.register(
            "db_pool_wait_seconds",
            "Time a request waited for a database connection",
            pool_wait.clone(),
        );
        let imports = Family::<ResultLabels, Counter>::default();
        registry.register(
            "imports",
            "Imports of figures through the web and the API, stored or refused",
            imports.clone(),
        );
        let mail = Family::<ResultLabels, Counter>::default();
        registry.register(
            "mail",
            "E-mail messages this process sent, or failed to send",
            mail.clone(),
        );
        let outbox = Family::<StateLabels, Gauge>::default();
        registry.register(
            "outbox_messages",
            "Messages in the outbox (all processes): waiting, failed at least once, sent",
            outbox.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            pool_wait,
            imports,
            mail,
            outbox,
        }
    }
}

impl Metrics {
    /// A request waited this long for a database connection.
    pub fn pool_waited(&self, d: std::time::Duration) {
        self.pool_wait.observe(d.as_secs_f64());
    }

    /// An import through the web or the API was stored (`true`) or refused.
    pub fn imported(&self, stored: bool) {
        let result = if stored { "stored" } else { "refused" };
        self.imports.get_or_create(&ResultLabels { result }).inc();
    }

    /// The mail job sent and failed this many.
    pub fn mailed(&self, sent: u64, failed: u64) {
        self.mail
            .get_or_create(&ResultLabels { result: "sent" })
            .inc_by(sent);
        self.mail
            .get_or_create(&ResultLabels { result: "failed" })
            .inc_by(failed);
    }

    fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Counts and times every request (the outermost layer but the request id's).
pub(crate) async fn record(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    // A client may send any method: only the standard ones become label values, so the
    // number of series stays bounded whatever is sent.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "OTHER",
    }
    .to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(no route)".into());
    // Decremented when the request ends, answered or dropped (a client that went away).
    struct InFlight(Gauge);
    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    m.in_flight.inc();
    let _in_flight = InFlight(m.in_flight.clone());
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    m.latency
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: res.status().as_u16(),
        })
        .inc();
    res
}

/// The metrics as text, after reading the outbox's counts.
async fn render(state: &AppState) -> Response {
    let counts = state
        .db
        .app(|conn| Ok(etablera_app::health::outbox_counts(conn)?))
        .await;
    if let Ok(c) = counts {
        for (s, v) in [
            ("waiting", c.waiting),
            ("failed", c.failed),
            ("sent", c.sent),
        ] {
            state
                .metrics
                .outbox
                .get_or_create(&StateLabels { state: s })
                .set(v);
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// `/metrics` on the application's address: only with `Authorization: Bearer TOKEN`
/// (`metrics_token`); 404 when no token is configured, so the route is not there at all.
pub(crate) async fn with_token(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(token) = state.config.metrics_token.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !crate::auth::same_secret(given, token.expose()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    render(&state).await
}

/// The router of the metrics' own address (`metrics_addr`): `/metrics` and nothing else.
pub fn own_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(s): State<AppState>| async move { render(&s).await }),
        )
        .with_state(state)
}
