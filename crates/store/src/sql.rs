//! SQL that SQLite and PostgreSQL read alike, written once. Parameters are `$1`, `$2`, …:
//! PostgreSQL's own form, and one SQLite binds by the order they first appear in.

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
