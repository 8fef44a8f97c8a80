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
//! Logins, sessions and tokens themselves are use cases of `etablera_app::sessions`; this
//! module keeps the cookies, the signed login form and the request context.

use crate::error::AppError;
use crate::i18n::tr;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use etablera_app::sessions;
use etablera_domain::access::Principal;
use etablera_domain::Lang;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use etablera_app::sessions::{
    first_delay, random_token, sha256_hex, Authenticator, PasswordLogin, SessionRow, User,
    ABSOLUTE_TIMEOUT_SECS, ACCOUNT_FAILURES, FREE_FAILURES, IDLE_TIMEOUT_SECS, MAX_DELAY_SECS,
};

pub const SESSION_COOKIE: &str = "etablera_session";
pub const LOGIN_CSRF_COOKIE: &str = "etablera_login_csrf";
pub const LANG_COOKIE: &str = "etablera_lang";
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
                tr(self.lang, "form-has-expired-reload-page").into(),
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
            .app(move |conn| Ok(sessions::resume(conn, &sid)?))
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
            .app(move |conn| Ok(sessions::for_token(conn, &token)?))
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
        clear_session_cookie(&mut resp, state.config.secure_cookies);
    }
    resp
}

/// Ends the session cookie in the browser (logout, a session that is no longer valid).
pub fn clear_session_cookie(resp: &mut Response, secure: bool) {
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), secure, true),
    );
}

/// A page with a form sent before login: its signed token also goes in a cookie, for an
/// hour.
pub(crate) fn with_form_token(
    state: &crate::AppState,
    mut resp: axum::response::Response,
    token: &str,
) -> axum::response::Response {
    resp.headers_mut().append(
        axum::http::header::SET_COOKIE,
        set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            Some(3600),
            state.config.secure_cookies,
            true,
        ),
    );
    resp
}

/// Whether a form posted without a session (login, an accessibility report) carries the
/// token of its cookie, and one this server issued and has not expired (double submit).
pub(crate) fn anonymous_form_is_fresh(
    state: &crate::AppState,
    headers: &HeaderMap,
    token: &str,
) -> bool {
    let cookie_token = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !cookie_token.is_empty()
        && same_secret(&cookie_token, token)
        && state.forms.check(token, etablera_app::now_secs())
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
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
