//! The web application: server-rendered pages, the JSON API under `/api/v1`, accounts,
//! sessions and roles.
//!
//! Each resource module exposes its routes; [`router`] merges them and wraps them in the
//! request context ([`auth::context`]) and the security headers. Handlers parse their input
//! into typed values and call the use cases of `etablera_app` on blocking threads
//! ([`db::Db::app`]), which check access, validate, write and audit; they never reach the
//! store themselves.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let config = etablera_web::Config { database: "etablera.db".into(), ..Default::default() };
//! etablera_web::serve(config, "127.0.0.1:8080".parse()?, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod account;
pub mod api;
pub mod auth;
pub mod data;
pub mod db;
pub mod edit;
pub mod eid;
pub mod error;
pub mod health;
mod i18n;
pub mod library;
pub mod metrics;
pub mod pages;
pub mod plan;
pub mod register;
pub mod rounds;
pub mod ui;
pub mod users;

use axum::http::{header, HeaderValue};
use axum::Router;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;

/// How the application runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// SQLite path or PostgreSQL URL.
    pub database: String,
    /// Mark cookies Secure and send HSTS: set when the app is served over TLS (directly or
    /// behind a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// Largest accepted upload, in bytes.
    pub max_upload: usize,
    /// The establishment register's keys (`ETABLERA_REGISTER_KEYS`); without them the
    /// register answers 503 and stores nothing.
    pub register_keys: Option<Arc<etablera_vault::Keyring>>,
    /// The key that signs the tokens of forms shown before login
    /// (`ETABLERA_FORM_SECRET`). Without it each process makes a random one, so give it
    /// when several processes serve behind one address.
    pub form_secret: Option<auth::Password>,
    /// Proxies in front of the server (`ETABLERA_TRUSTED_PROXIES`, comma-separated
    /// addresses or networks). Only when the peer is one of them is the client's address
    /// read from `X-Forwarded-For`; otherwise it is the peer's.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Failed logins one address may make in an hour, over all accounts. A whole town hall
    /// may sit behind one address, so the default is generous.
    pub login_failures_per_address: i64,
    /// eID logins one address may have begun and not finished at once (each is kept at most
    /// ten minutes); beyond it, starting one answers 429.
    pub eid_pending_per_address: i64,
    /// The SMTP relay the outbox sends through (`[smtp]` of the configuration file). Without
    /// it messages wait in the outbox, and the admin's outbox page says so.
    pub smtp: Option<etablera_app::mail::SmtpSettings>,
    /// The address users reach the server at, for the links in e-mails
    /// (`https://etablera.kommun.se`).
    pub public_url: String,
    /// With it, `/metrics` on the application's address answers a request that carries
    /// `Authorization: Bearer` and this token (`ETABLERA_METRICS_TOKEN`); without it the
    /// route is not there. (A separate listen address for the metrics is the serving
    /// command's `metrics_addr`.)
    pub metrics_token: Option<auth::Password>,
    /// A second address that serves `/metrics` and nothing else, for a scraper on the
    /// internal network (`metrics_addr`, `ETABLERA_METRICS_ADDR`).
    pub metrics_addr: Option<SocketAddr>,
    /// The OpenID Connect providers staff may log in through (`[[oidc]]` of the
    /// configuration file), each a button on the login page.
    pub oidc: Vec<Arc<etablera_oidc::Provider>>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database: etablera_app::DEFAULT_DATABASE.into(),
            secure_cookies: false,
            max_upload: 20 * 1024 * 1024,
            register_keys: None,
            form_secret: None,
            trusted_proxies: Vec::new(),
            login_failures_per_address: 300,
            eid_pending_per_address: 100,
            smtp: None,
            public_url: "http://127.0.0.1:8080".into(),
            metrics_token: None,
            metrics_addr: None,
            oidc: Vec::new(),
        }
    }
}

/// Reads a list of proxies: addresses or networks, separated by commas or spaces
/// (`10.0.0.5, 192.168.0.0/24, ::1`).
pub fn parse_proxies(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{s}` is not an address or a network such as 10.0.0.0/8"))
        })
        .collect()
}

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Arc<db::Db>,
    pub config: Arc<Config>,
    /// Follow-up runs already computed for the current data.
    pub runs: Arc<pages::RunCache>,
    /// Signs the tokens of the forms shown before login.
    pub forms: Arc<auth::FormSigner>,
    /// Password hashes computed at once (each Argon2id check takes 19 MiB).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// The process's Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How long one request may take before it is answered 408. Reports and large imports
/// finish well within it; a stuck request does not hold a connection for ever.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The largest body of a request that is not an upload (forms, small API writes).
pub const FORM_LIMIT: usize = 256 * 1024;

/// Uploads read at once; more wait (holding only their headers) for a turn.
pub const UPLOADS_AT_ONCE: usize = 4;

/// An upload route: bodies up to `limit` (the configured upload size) rather than
/// [`FORM_LIMIT`], and at most [`UPLOADS_AT_ONCE`] read at a time, so a flood of large
/// uploads cannot hold more than a few bodies in memory.
pub(crate) fn upload(
    route: axum::routing::MethodRouter<AppState>,
    limit: usize,
) -> axum::routing::MethodRouter<AppState> {
    route
        .layer::<_, std::convert::Infallible>(tower::limit::ConcurrencyLimitLayer::new(
            UPLOADS_AT_ONCE,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
}

/// Requests handled at once; more are answered 503 at once instead of queueing without
/// bound.
pub const MAX_CONCURRENT_REQUESTS: usize = 512;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_upload;
    // The layers around every request, outermost first: a request id (kept from a proxy,
    // or made), shedding load above MAX_CONCURRENT_REQUESTS, a REQUEST_TIMEOUT, gzip when
    // the client asks, and the security headers. From tower and tower-http rather than
    // written here: they are used by most of the Rust web ecosystem, and each does one thing.
    use tower_http::set_header::SetResponseHeaderLayer;
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    // One log line per request, from tower-http's trace layer through `tracing`: the request
    // id, the method, the route as declared (`/register/{unit}/persons/{id}`, never the path
    // a user sent, with its ids, or the query string), the status and the time taken. No
    // header, body or form value is logged, so no personal data reaches the log.
    let request_log = tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            let route = req
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map(|m| m.as_str())
                .unwrap_or("(no route)");
            tracing::info_span!("request", id, method = %req.method(), route)
        })
        .on_request(())
        .on_response(
            |res: &axum::http::Response<_>, latency: std::time::Duration, _: &tracing::Span| {
                tracing::info!(
                    status = res.status().as_u16(),
                    ms = latency.as_secs_f64() * 1000.0,
                    "answered"
                );
            },
        )
        .on_body_chunk(())
        .on_eos(())
        .on_failure(());
    let layers = tower::ServiceBuilder::new()
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(request_log)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::record,
        ))
        .layer(axum::error_handling::HandleErrorLayer::new(
            |_: tower::BoxError| async {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    "Tjänsten är hårt belastad just nu. Försök igen om en stund.",
                )
            },
        ))
        .load_shed()
        .concurrency_limit(MAX_CONCURRENT_REQUESTS)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(header::CACHE_CONTROL, "no-store"))
        .option_layer(hsts);
    Router::new()
        .merge(pages::router())
        .merge(edit::router(limit))
        .merge(data::router(limit))
        .merge(plan::router())
        .merge(rounds::router())
        .merge(account::router())
        .merge(users::router())
        .merge(eid::router())
        .merge(library::router())
        .merge(register::router(limit))
        .nest("/api/v1", api::router(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::context,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        // After the request context's layer, so these look up no session.
        .merge(health::router())
        .route("/metrics", axum::routing::get(metrics::with_token))
        .layer(layers)
        .with_state(state)
}

/// The JSON API's routes, each with its OpenAPI description: the API module's and the
/// register's.
pub(crate) fn api_routes(upload_limit: usize) -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes(upload_limit).merge(register::json_api::api_routes())
}

/// The OpenAPI 3.1 document of `/api/v1`, generated once from its routes.
pub fn openapi_document() -> serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::to_value(api_routes(usize::MAX).into_openapi())
            .unwrap_or(serde_json::Value::Null)
    })
    .clone()
}

/// Opens the database and builds the state.
pub fn state(config: Config) -> Result<AppState, etablera_app::Error> {
    let metrics = Arc::new(metrics::Metrics::default());
    let db = db::Db::open(&config.database, 16, metrics.clone())?;
    Ok(AppState {
        db,
        metrics,
        runs: Arc::new(pages::RunCache::default()),
        forms: Arc::new(auth::FormSigner::new(
            config.form_secret.as_ref().map(|s| s.expose()),
        )),
        hashing: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .clamp(2, 8),
        )),
        config: Arc::new(config),
    })
}

/// Why the server did not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    App(#[from] etablera_app::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("a server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Serves on `addr` until `shutdown` completes, then lets running requests finish.
pub async fn serve(
    config: Config,
    addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(config, listener, shutdown).await
}

/// Serves on a bound listener (tests bind `127.0.0.1:0`).
pub async fn serve_on(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let state = tokio::task::spawn_blocking(move || state(config)).await??;
    let mailer = match &state.config.smtp {
        Some(s) => match etablera_app::mail::Smtp::new(s) {
            Ok(m) => Some(Arc::new(m)),
            Err(e) => {
                tracing::error!(error = %e, "the SMTP settings are wrong: e-mail waits in the outbox");
                None
            }
        },
        None => None,
    };
    if let Some(m) = mailer {
        tokio::spawn(mail_loop(state.clone(), m));
    }
    // The synchronous PostgreSQL driver must not be dropped on a runtime thread: keep one
    // handle to the stores and drop it on a blocking thread after the server has stopped.
    let db = state.db.clone();
    // One shutdown for the application and the metrics' address.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let metrics_server = match state.config.metrics_addr {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(%addr, "metrics at /metrics");
            let app = metrics::own_router(state.clone());
            Some(tokio::spawn(
                axum::serve(l, app)
                    .with_graceful_shutdown(until_stopped(stopped.clone()))
                    .into_future(),
            ))
        }
        None => None,
    };
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(until_stopped(stopped))
    .await?;
    if let Some(m) = metrics_server {
        m.await??;
    }
    tokio::task::spawn_blocking(move || drop(db)).await?;
    Ok(())
}

/// Every minute: the yearly rounds' deadline reminders (from a week before the deadline,
/// once a day per reporter) and the register's review reminders (a count per case worker,
/// once a week), then the outbox's due messages. Each server process runs it;
/// the outbox's claims keep two processes from sending the same message.
async fn mail_loop(state: AppState, mailer: Arc<etablera_app::mail::Smtp>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let (m, url) = (mailer.clone(), state.config.public_url.clone());
        let r = state
            .db
            .app(move |conn| {
                let today = etablera_domain::Date::from_unix_days(
                    etablera_app::now_secs().div_euclid(86_400),
                );
                etablera_app::mail::deadline_reminders(conn, today, 7)?;
                etablera_app::mail::review_reminders(conn, today)?;
                Ok(etablera_app::mail::send_due(
                    conn,
                    m.as_ref(),
                    &url,
                    etablera_app::now_secs(),
                    100,
                )?)
            })
            .await;
        match r {
            Ok(sent) if sent.sent + sent.failed > 0 => {
                state.metrics.mailed(sent.sent as u64, sent.failed as u64);
                tracing::info!(sent = sent.sent, failed = sent.failed, "outbox")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the outbox could not be sent"),
        }
    }
}

/// Completes on Ctrl-C or SIGTERM, for graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
