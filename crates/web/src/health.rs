//! `/healthz` and `/readyz` for load balancers and orchestrators. Outside the request
//! context (no session is looked up, so `/healthz` answers even when the database does
//! not), and saying nothing about the data.
//!
//! - `/healthz`: the process runs and answers (200).
//! - `/readyz`: the database answers within [`READY_WITHIN`] and its schema has every
//!   migration this program knows (200); otherwise 503, with the reason as a word
//!   (`unreachable`, `behind`) and the details in the log only.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use etablera_app::health::Readiness;
use serde_json::json;

/// How long `/readyz` waits for a connection and its two queries.
pub const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

async fn readyz(State(state): State<AppState>) -> Response {
    let asked = state.db.app(|conn| Ok(etablera_app::health::ready(conn)));
    let readiness = match tokio::time::timeout(READY_WITHIN, asked).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Readiness::Unreachable(format!("{e:?}")),
        Err(_) => Readiness::Unreachable(format!("no answer within {READY_WITHIN:?}")),
    };
    match readiness {
        Readiness::Ready { schema } => Json(json!({
            "status": "ready",
            "migrations": schema.applied.len(),
        }))
        .into_response(),
        Readiness::Unreachable(why) => {
            tracing::warn!(reason = %why, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unreachable" })),
            )
                .into_response()
        }
        Readiness::Behind { pending } => {
            tracing::warn!(?pending, "not ready: migrations pending (etablera migrate)");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "behind", "pending": pending })),
            )
                .into_response()
        }
    }
}
