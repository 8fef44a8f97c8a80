//! Uploads with a preview: a file is read once, its figures kept parsed in the database
//! under a random token, and confirming imports exactly what the preview showed — through
//! any server process of the same database, within [`PREVIEW_MINUTES`].

use crate::error::{Context, Error, Result};
#[allow(unused_imports)]
use crate::{bail, input};
use crate::{figures_owner, iso_utc, now_secs, preview_bytes, units_of, ImportReport, Preview};
use etablera_domain::access::Principal;
use etablera_domain::{Observation, UnitCode};
use etablera_ingest::kolada::ReadWarning;
use etablera_store::{AuditEntry, NewBatch, PendingUploadRow, Store};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a preview can be confirmed.
pub const PREVIEW_MINUTES: i64 = 30;

/// Previews kept per user; an older one than these can no longer be confirmed.
const KEEP_PER_USER: i64 = 5;

/// A preview kept for confirmation.
#[derive(Debug, Clone)]
pub struct Previewed {
    /// The secret the confirmation names (only its hash is stored).
    pub token: String,
    pub preview: Preview,
}

/// Why a confirmation imported nothing.
#[derive(Debug)]
pub enum ConfirmError {
    /// No preview under the token for this user and strategy: expired, already confirmed,
    /// or never there.
    Expired,
    /// The figures can no longer be stored by this user (rights changed since the preview).
    Refused(String),
    Failed(Error),
}

impl From<Error> for ConfirmError {
    fn from(e: Error) -> Self {
        ConfirmError::Failed(e)
    }
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Reads an upload to strategy `strategy_id` of municipality `owner` as `who` (user
/// `user_id`) and keeps its figures for confirmation. The caller has checked that `who`
/// may change the strategy's data. Bad rows come back as messages naming their place;
/// nothing is kept then.
pub fn preview_upload(
    store: &mut dyn Store,
    who: &Principal,
    user_id: i64,
    strategy_id: &str,
    owner: &UnitCode,
    name: &str,
    bytes: &[u8],
) -> Result<std::result::Result<Previewed, Vec<String>>> {
    let preview = match preview_bytes(store, who, name, bytes) {
        Ok(p) => p,
        Err(errs) => return Ok(Err(errs)),
    };
    let token = new_token();
    let now = now_secs();
    store.put_pending_upload(
        &PendingUploadRow {
            token_hash: token_hash(&token),
            user_id,
            strategy_id: strategy_id.to_string(),
            unit: owner.clone(),
            file_name: name.to_string(),
            kind: preview.kind.to_string(),
            // The same hash an import of the file would record, so a file confirmed twice
            // (or imported on the command line too) is one batch.
            content_sha256: crate::batch_hash(Some(owner), bytes),
            observations: serde_json::to_string(&preview.observations)?,
            warnings: serde_json::to_string(&preview.warnings)?,
            created_at: iso_utc(now),
            expires_at: iso_utc(now + PREVIEW_MINUTES * 60),
        },
        &iso_utc(now),
        KEEP_PER_USER,
    )?;
    Ok(Ok(Previewed { token, preview }))
}

/// Imports the figures previewed under `token` by user `user_id` for strategy
/// `strategy_id`, as one batch owned as an import of the same file would be, and records
/// it in the audit log. A token is good for one confirmation.
pub fn confirm_upload(
    store: &mut dyn Store,
    who: &Principal,
    user_id: i64,
    strategy_id: &str,
    token: &str,
) -> std::result::Result<ImportReport, ConfirmError> {
    let now = iso_utc(now_secs());
    let Some(row) = store
        .take_pending_upload(&token_hash(token), user_id, strategy_id, &now)
        .map_err(Error::from)?
    else {
        return Err(ConfirmError::Expired);
    };
    let observations: Vec<Observation> = serde_json::from_str(&row.observations)
        .with_context(|| format!("{}: the kept preview is unreadable", row.file_name))?;
    let warnings: Vec<ReadWarning> = serde_json::from_str(&row.warnings)
        .with_context(|| format!("{}: the kept preview is unreadable", row.file_name))?;
    let units = units_of(store)?;
    let owner = figures_owner(who, &observations, &units).map_err(ConfirmError::Refused)?;
    let batch = NewBatch {
        source: row.kind.clone(),
        file_name: Some(row.file_name.clone()),
        content_sha256: row.content_sha256.clone(),
        imported_at: now.clone(),
        owner,
    };
    let outcome = store
        .import_observations(&batch, &observations, &mut |_| {})
        .with_context(|| format!("{}: the import was not stored", row.file_name))?;
    let report = ImportReport::Observations(outcome, warnings);
    let audit = AuditEntry::new(
        &now,
        Some(user_id),
        "data.import",
        &format!("file:{}", row.file_name),
        Some(&row.unit),
    )
    .change(None, Some(report.to_string()));
    store.append_audit(&audit).map_err(Error::from)?;
    Ok(report)
}
