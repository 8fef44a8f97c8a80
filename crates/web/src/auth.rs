//! Accounts, sessions and the request context.
//!
//! Passwords are hashed with Argon2id. A session is a random id in an HttpOnly,
//! SameSite=Lax cookie (Secure when served over TLS); the database keeps only its SHA-256,
//! and a new id is made at every login. Sessions end after 30 minutes without use and 8
//! hours after login. Forms carry a per-session CSRF token; the login form, which comes
//! before any session, carries a token the server signed ([`FormSigner`]), also set as a
//! cookie. Password checks run at most a few at a time (each takes 19 MiB); the rest wait
//! briefly, then get 503.
//!
//! Login is a [`Authenticator`] step that ends in [`start_session`]: an OpenID Connect
//! provider (Sweden Connect, Freja) is added by another authenticator that finds the
//! account through `user_identity` and starts the session the same way.

use crate::error::AppError;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use etablera_app::{iso_utc, now_secs};
use etablera_domain::access::{Principal, Role};
use etablera_domain::Lang;
use etablera_domain::UnitCode;
use etablera_store::{AuditEntry, SessionRow, Store, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "etablera_session";
pub const LOGIN_CSRF_COOKIE: &str = "etablera_login_csrf";
pub const LANG_COOKIE: &str = "etablera_lang";
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 8 * 3600;
/// Failed logins of one account from one address that cost nothing; after them each
/// attempt waits [`first_delay`] doubled per failure, up to [`MAX_DELAY_SECS`].
pub const FREE_FAILURES: i64 = 3;
/// The longest wait between attempts of one account from one address.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// How far back failures of an (account, address) pair count.
pub const PAIR_WINDOW_SECS: i64 = 60 * 60;
/// How far back failures of an address or against an account count.
pub const WIDE_WINDOW_SECS: i64 = 60 * 60;
/// Failures against one account from anywhere in an hour after which only addresses the
/// account has logged in from before may try (a spread-out attack on one account).
pub const ACCOUNT_FAILURES: i64 = 50;

/// The wait after `failures` failures of one account from one address.
pub fn first_delay(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        0
    } else {
        (5i64 << (failures - FREE_FAILURES).min(10)).min(MAX_DELAY_SECS)
    }
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address
/// in `X-Forwarded-For` that is not itself a trusted proxy. Empty when unknown.
pub fn client_address(
    config: &crate::Config,
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
) -> String {
    let trusted = |ip: &std::net::IpAddr| config.trusted_proxies.iter().any(|n| n.contains(ip));
    let Some(peer) = peer else {
        return String::new();
    };
    if !trusted(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted(ip))
        .unwrap_or(&peer)
        .to_string()
}

pub use etablera_app::accounts::{hash_password, verify_password, Password};

/// Signs the tokens of forms shown before login (the login form, the accessibility
/// report): HMAC-SHA256 over an expiry time and a random nonce, under a key outside the
/// database. A token the server did not make, or made more than an hour ago, is refused;
/// nothing is kept per token, so several server processes with the same key agree.
pub struct FormSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for FormSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormSigner([redacted])")
    }
}

/// How long a signed form token is good for.
pub const FORM_TOKEN_SECS: i64 = 3600;

impl FormSigner {
    /// A signer keyed by `secret` (any length; hashed to the key), or by random bytes
    /// for a single process when there is no configured secret.
    pub fn new(secret: Option<&str>) -> FormSigner {
        let mut key = [0u8; 32];
        match secret {
            Some(s) => key.copy_from_slice(&Sha256::digest(s.as_bytes())),
            None => rand::rngs::OsRng.fill_bytes(&mut key),
        }
        FormSigner { key }
    }

    fn mac(&self, msg: &str) -> String {
        use hmac::Mac;
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        m.update(b"etablera-form|");
        m.update(msg.as_bytes());
        m.finalize()
            .into_bytes()
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    }

    /// A token good for [`FORM_TOKEN_SECS`] from `now`.
    pub fn issue(&self, now: i64) -> String {
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let nonce: String = nonce.iter().map(|x| format!("{x:02x}")).collect();
        let body = format!("{}.{nonce}", now + FORM_TOKEN_SECS);
        let mac = self.mac(&body);
        format!("{body}.{mac}")
    }

    /// Whether the server made `token` and it has not expired at `now`.
    pub fn check(&self, token: &str, now: i64) -> bool {
        if token.len() > 200 {
            return false;
        }
        let Some((body, mac)) = token.rsplit_once('.') else {
            return false;
        };
        let Some((exp, _nonce)) = body.split_once('.') else {
            return false;
        };
        let Ok(exp) = exp.parse::<i64>() else {
            return false;
        };
        exp >= now && exp <= now + FORM_TOKEN_SECS && same_secret(&self.mac(body), mac)
    }
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Who is asking, in which language: put into every request by [`context`].
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub principal: Option<Principal>,
    pub session: Option<SessionRow>,
    /// Set when the session cookie must be cleared (expired or unknown).
    pub clear_cookie: bool,
}

impl Ctx {
    pub fn csrf(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .unwrap_or("")
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        match &self.session {
            Some(s) if same_secret(&s.csrf_token, token) => Ok(()),
            Some(_) => Err(AppError::BadRequest(
                self.lang
                    .pick(
                        "Formuläret har gått ut. Ladda om sidan och försök igen.",
                        "The form has expired. Reload the page and try again.",
                    )
                    .into(),
            )),
            None => Err(AppError::Unauthorized),
        }
    }

    /// Who acts in this request, for the use cases.
    pub fn actor(&self) -> etablera_app::Actor {
        etablera_app::Actor::new(self.principal.clone(), self.lang)
    }

    pub fn require_login(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or(AppError::Unauthorized)
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value with the attributes every cookie of ours has.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
    http_only: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn principal_for(store: &mut dyn Store, user: &User) -> Result<Principal, AppError> {
    Ok(Principal {
        user_id: user.id,
        system_admin: user.system_admin,
        memberships: store.memberships(user.id)?,
        register: store.register_memberships(user.id)?,
    })
}

/// Loads the session (if any) and the language into the request as a [`Ctx`].
pub async fn context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(|l| l.parse().ok())
        .unwrap_or_default();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let sid = cookie(headers, SESSION_COOKIE);
    let mut ctx = Ctx {
        lang,
        user: None,
        principal: None,
        session: None,
        clear_cookie: false,
    };
    if let Some(sid) = sid.filter(|s| s.len() == 64) {
        let loaded = state
            .db
            .run(move |store| {
                let hash = sha256_hex(&sid);
                let Some(s) = store.session(&hash)? else {
                    return Ok(None);
                };
                let now = now_secs();
                let idle_limit = iso_utc(now - IDLE_TIMEOUT_SECS);
                let absolute_limit = iso_utc(now - ABSOLUTE_TIMEOUT_SECS);
                if s.last_seen_at < idle_limit || s.created_at < absolute_limit {
                    store.delete_session(&hash)?;
                    return Ok(None);
                }
                let Some(user) = store.user(s.user_id)?.filter(|u| !u.disabled) else {
                    store.delete_session(&hash)?;
                    return Ok(None);
                };
                // Note use at most once a minute, to keep reads from writing.
                if s.last_seen_at < iso_utc(now - 60) {
                    store.touch_session(&hash, &iso_utc(now))?;
                }
                let p = principal_for(store, &user)?;
                Ok(Some((s, user, p)))
            })
            .await;
        match loaded {
            Ok(Some((s, u, p))) => {
                ctx.session = Some(s);
                ctx.user = Some(u);
                ctx.principal = Some(p);
            }
            Ok(None) => ctx.clear_cookie = true,
            Err(e) => {
                e.log();
            }
        }
    } else if let Some(token) = bearer {
        match state
            .db
            .run(move |store| principal_for_token(store, &token))
            .await
        {
            Ok(Some((u, p))) => {
                ctx.user = Some(u);
                ctx.principal = Some(p);
            }
            Ok(None) => {}
            Err(e) => e.log(),
        }
    }
    let clear = ctx.clear_cookie;
    req.extensions_mut().insert(ctx);
    let mut resp = next.run(req).await;
    if clear && !resp.headers().contains_key(header::SET_COOKIE) {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                SESSION_COOKIE,
                "",
                Some(0),
                state.config.secure_cookies,
                true,
            ),
        );
    }
    resp
}

/// How a login was proven. Local passwords now; an identity provider later.
pub trait Authenticator {
    /// The account the credentials prove, or why not.
    fn authenticate(&self, store: &mut dyn Store) -> Result<User, AppError>;
}

/// A username and password checked against the stored Argon2id hash, with throttling.
#[derive(Debug)]
pub struct PasswordLogin {
    pub username: String,
    pub password: Password,
    pub lang: Lang,
    /// The client's address ([`client_address`]).
    pub address: String,
    /// The per-address budget of failures in an hour.
    pub failures_per_address: i64,
}

impl Authenticator for PasswordLogin {
    fn authenticate(&self, store: &mut dyn Store) -> Result<User, AppError> {
        let now = now_secs();
        let name = self.username.trim().to_lowercase();
        let f = store.login_failures(
            &name,
            &self.address,
            &iso_utc(now - PAIR_WINDOW_SECS),
            &iso_utc(now - WIDE_WINDOW_SECS),
        )?;
        let wait = |secs: i64| {
            let minutes = (secs + 59) / 60;
            AppError::TooManyRequests(
                match self.lang {
                    Lang::Sv => format!(
                        "För många misslyckade inloggningar. Vänta {} och försök igen.",
                        if secs < 60 {
                            format!("{secs} sekunder")
                        } else {
                            format!("{minutes} minuter")
                        }
                    ),
                    Lang::En => format!(
                        "Too many failed logins. Wait {} and try again.",
                        if secs < 60 {
                            format!("{secs} seconds")
                        } else {
                            format!("{minutes} minutes")
                        }
                    ),
                },
                secs.max(1) as u64,
            )
        };
        // A budget per address: spraying one password over many accounts stops here.
        if f.address >= self.failures_per_address {
            return Err(wait(MAX_DELAY_SECS / 3));
        }
        // Growing delays per (account, address): a flood slows its own address only.
        let delay = first_delay(f.pair);
        if delay > 0 {
            let last = f
                .pair_last
                .as_deref()
                .and_then(etablera_app::parse_iso_utc)
                .unwrap_or(now);
            let left = last + delay - now;
            if left > 0 {
                return Err(wait(left));
            }
        }
        // Many failures against one account from many addresses: only addresses it has
        // logged in from before may go on trying for a while.
        if f.account >= ACCOUNT_FAILURES && !f.known_address {
            return Err(wait(MAX_DELAY_SECS / 3));
        }
        // Now and then, forget old attempts (the table would otherwise grow for ever).
        if now % 97 == 0 {
            store
                .prune_login_attempts(&iso_utc(now - 24 * 3600), &iso_utc(now - 180 * 24 * 3600))?;
        }
        let user = store.user_by_name(&name)?;
        let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(h) => verify_password(h, &self.password),
            None => {
                // Spend the same time on unknown names, so timing does not tell which exist.
                let _ = verify_password(DUMMY_HASH, &self.password);
                false
            }
        };
        let known = user.is_some();
        let user = user.filter(|u| ok && !u.disabled);
        store.record_login(&etablera_store::LoginAttempt {
            username: name.clone(),
            address: self.address.clone(),
            at: iso_utc(now),
            success: user.is_some(),
            known,
        })?;
        user.ok_or_else(|| {
            AppError::BadRequest(
                self.lang
                    .pick(
                        "Fel användarnamn eller lösenord.",
                        "Wrong username or password.",
                    )
                    .into(),
            )
        })
    }
}

/// An Argon2id hash of a random password, verified against for unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2bH8oWsJ8o3b0S7wO0rGvXl2tA3kB1v7d5bR2eYc6jM";

/// Starts a session for a proven account: a fresh id (never one the client chose), a CSRF
/// token, and an audit entry. Returns the session id for the cookie.
pub fn start_session(store: &mut dyn Store, user: &User) -> Result<String, AppError> {
    let sid = random_token();
    let now = iso_utc(now_secs());
    store.create_session(&SessionRow {
        id_hash: sha256_hex(&sid),
        user_id: user.id,
        csrf_token: random_token(),
        created_at: now.clone(),
        last_seen_at: now.clone(),
    })?;
    store.append_audit(&AuditEntry::new(
        &now,
        Some(user.id),
        "session.login",
        &format!("user:{}", user.username),
        None,
    ))?;
    Ok(sid)
}

/// The principal a bearer token stands for: the token's user, limited to the token's
/// municipality and scope. `None` for unknown or revoked tokens and disabled users.
pub fn principal_for_token(
    store: &mut dyn Store,
    token: &str,
) -> Result<Option<(User, Principal)>, AppError> {
    let Some(t) = store
        .token_by_hash(&sha256_hex(token))?
        .filter(|t| t.revoked_at.is_none())
    else {
        return Ok(None);
    };
    let Some(user) = store.user(t.user_id)?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let unit = UnitCode::parse(&t.unit_code).map_err(AppError::internal)?;
    let ceiling = if t.scope == "write" {
        Role::Strategist
    } else {
        Role::Viewer
    };
    let role = if user.system_admin {
        Some(ceiling)
    } else {
        store
            .memberships(user.id)?
            .into_iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, r)| r.min(ceiling))
    };
    Ok(role.map(|r| {
        (
            user.clone(),
            Principal {
                user_id: user.id,
                system_admin: false,
                memberships: vec![(unit, r)],
                // Tokens for machine clients never reach person data.
                register: vec![],
            },
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let p = Password::new("korrekt häst batteri");
        let h = hash_password(&p).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, &p));
        assert!(!verify_password(&h, &Password::new("fel")));
        assert!(!verify_password("not a hash", &p));
        assert_eq!(format!("{p:?}"), "[redacted]");
        assert!(etablera_app::accounts::check_password_rules(&Password::new("kort")).is_err());
    }

    #[test]
    fn client_address_trusts_only_configured_proxies() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.7".parse().unwrap());
        let peer = Some("10.0.0.5".parse().unwrap());
        // No proxy configured: the header is the client's own say and is ignored.
        let c = crate::Config::default();
        assert_eq!(client_address(&c, peer, &h), "10.0.0.5");
        // The peer and 10.0.0.7 are proxies: the first address before them is the client.
        let c = crate::Config {
            trusted_proxies: crate::parse_proxies("10.0.0.0/24").unwrap(),
            ..Default::default()
        };
        assert_eq!(client_address(&c, peer, &h), "203.0.113.9");
        // An untrusted peer cannot choose its address by sending the header.
        assert_eq!(
            client_address(&c, Some("198.51.100.1".parse().unwrap()), &h),
            "198.51.100.1"
        );
        assert!(crate::parse_proxies("10.0.0.0/33").is_err());
        assert_eq!(first_delay(2), 0);
        assert_eq!(first_delay(3), 5);
        assert_eq!(first_delay(4), 10);
        assert_eq!(first_delay(40), MAX_DELAY_SECS);
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
