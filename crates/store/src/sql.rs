//! SQL that SQLite and PostgreSQL read alike, written once. Parameters are `$1`, `$2`, …:
//! PostgreSQL's own form, and one SQLite binds by the order they first appear in — so each
//! statement must name `$1` before `$2` (a leading `with p as (select …)` does where the
//! select list needs a later parameter first).

/// Records a login attempt: username, address, time, success, whether the account existed.
pub const RECORD_LOGIN: &str =
    "insert into login_attempt (username, address, at, success, known) values ($1, $2, $3, $4, $5)";

/// What throttling needs about (username $1, address $2): failures of the pair since $3
/// and after its last success, the last of them, failures from the address since $4,
/// failures against the account (while it existed) since $4, and whether the pair has ever
/// succeeded.
pub const LOGIN_FAILURES: &str = "select
    (select count(*) from login_attempt where username = $1 and address = $2 and at >= $3 and success = false
        and at > coalesce((select max(at) from login_attempt where username = $1 and address = $2 and success = true), '')),
    (select max(at) from login_attempt where username = $1 and address = $2 and at >= $3 and success = false),
    (select count(*) from login_attempt where address = $2 and at >= $4 and success = false),
    (select count(*) from login_attempt where username = $1 and at >= $4 and success = false and known = true),
    (select count(*) from login_attempt where username = $1 and address = $2 and success = true)";

/// Drops failures older than $1 and successes older than $2.
pub const PRUNE_LOGINS: &str =
    "delete from login_attempt where (success = false and at < $1) or (success = true and at < $2)";

/// The newest saved version of strategy $1: its number and document.
pub const LATEST_STRATEGY_VERSION: &str = "select version, document from strategy_version
    where strategy_id = $1 order by version desc limit 1";

/// Keeps a version of strategy $1: number $2, document $3, saved at $4.
pub const INSERT_STRATEGY_VERSION: &str =
    "insert into strategy_version (strategy_id, version, document, saved_at) values ($1, $2, $3, $4)";

/// The version of strategy $1 that stood at $2: the newest saved at or before it, or (when
/// $2 precedes them all) the first; with its number, the time it was saved, and whether it
/// was saved after $2.
pub const STRATEGY_VERSION_AS_OF: &str =
    "with p as (select cast($1 as text) as id, cast($2 as text) as at)
    select v.version, v.document, v.saved_at, v.saved_at > p.at
    from strategy_version v, p where v.strategy_id = p.id
    order by case when v.saved_at <= p.at then 0 else 1 end,
             case when v.saved_at <= p.at then -v.version else v.version end
    limit 1";

/// The saved versions of strategy $1, oldest first: number and time.
pub const STRATEGY_VERSIONS: &str =
    "select version, saved_at from strategy_version where strategy_id = $1 order by version";

/// Stores a person row ($1 id, $2 unit, $3 case worker, $4 closed on, $5 anonymised, $6 doc,
/// $7 identity, $8 personnummer index, $9 updated at, $10 household). An existing id is
/// updated only within its own municipality: against another's, nothing is written (0 rows)
/// and the caller refuses.
pub const SAVE_PERSON: &str = "insert into person (id, unit_code, case_worker, closed_on, anonymised, doc, identity, pnr_index, updated_at, household_id)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    on conflict (id) do update set case_worker = excluded.case_worker,
      closed_on = excluded.closed_on, anonymised = excluded.anonymised, doc = excluded.doc,
      identity = excluded.identity, pnr_index = excluded.pnr_index, updated_at = excluded.updated_at,
      household_id = excluded.household_id
    where person.unit_code = excluded.unit_code";

/// The columns of a person row, in the order `PersonRow` is read.
pub const PERSON_COLUMNS: &str = "select id, unit_code, case_worker, closed_on, anonymised, doc, identity, pnr_index, updated_at, household_id from person";

/// The persons of municipality $1 in household $2 (by the index, not by reading them all).
pub const PERSONS_OF_HOUSEHOLD: &str = "select id, unit_code, case_worker, closed_on, anonymised, doc, identity, pnr_index, updated_at, household_id
    from person where unit_code = $1 and household_id = $2 order by id";

/// Household $2 of municipality $1.
pub const HOUSEHOLD_BY_ID: &str = "select id, doc from household where unit_code = $1 and id = $2";

/// Drops previews that expired before $1.
pub const PRUNE_PENDING_UPLOADS: &str = "delete from pending_upload where expires_at <= $1";

/// Keeps a preview (columns in `PendingUploadRow` order).
pub const INSERT_PENDING_UPLOAD: &str = "insert into pending_upload (token_hash, user_id, strategy_id, unit_code, file_name, kind, content_sha256, observations, warnings, created_at, expires_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Drops user $1's previews beyond the newest $2.
pub const TRIM_PENDING_UPLOADS: &str = "delete from pending_upload where user_id = $1 and token_hash not in
    (select token_hash from pending_upload where user_id = $1 order by created_at desc, token_hash limit $2)";

/// Takes preview $1 of user $2 for strategy $3 unless it expired before $4.
pub const TAKE_PENDING_UPLOAD: &str = "delete from pending_upload
    where token_hash = $1 and user_id = $2 and strategy_id = $3 and expires_at > $4
    returning token_hash, user_id, strategy_id, unit_code, file_name, kind, content_sha256, observations, warnings, created_at, expires_at";

/// One indicator by id ($1), with the columns `indicator_from_row` reads.
pub const INDICATOR_BY_ID: &str =
    "select id, title, measure_unit, direction, source, divided_by_sex, description, area
    from indicator where id = $1";
