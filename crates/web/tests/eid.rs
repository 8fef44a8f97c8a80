//! eID login through OpenID Connect, against a minimal provider of the test's own that signs
//! ID tokens with the `openidconnect` crate's RSA signer (keys in `fixtures/`, made for
//! these tests only) and can be told to get one thing wrong: the audience, the expiry, the
//! signature, the key id. The good path against a full provider (the npm package
//! `oidc-provider`) is the browser test's (`tests/browser/eid.mjs`).
//!
//! The provider follows the specifications it stands in for: discovery (OpenID Connect
//! Discovery 1.0 §3), the authorization code flow (Core 1.0 §3.1), PKCE S256 (RFC 7636 §4.6),
//! client_secret_basic (RFC 6749 §2.3.1), the ID token's claims (Core 1.0 §2).

mod common;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use base64::Engine;
use common::{hidden, login, spawn_apps, store, App, Client, PW};
use etablera_domain::access::{RegisterRole, Role};
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AdditionalClaims, Audience, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const KEY_A: &str = include_str!("fixtures/oidc-test-key-a.pem");
const KEY_B: &str = include_str!("fixtures/oidc-test-key-b.pem");
const CLIENT_ID: &str = "etablera-test";
const CLIENT_SECRET: &str = "testhemlighet-som-bara-finns-i-testet";
/// The public address the app believes it has: the provider sends the browser there, and
/// the test carries the callback to the app's real port.
const PUBLIC_URL: &str = "http://etablera.test";

/// What the provider gets wrong in the next token.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Good,
    WrongAudience,
    Expired,
    /// Signed with key B under key A's id.
    BadSignature,
    /// Signed under a key id `c` the provider never publishes.
    UnknownKey,
    /// Key B published beside A, and tokens signed with B (a rotation).
    Rotated,
    /// A token response larger than the client reads.
    HugeBody,
    /// The nonce of another login.
    WrongNonce,
    /// Another issuer's name in the token.
    WrongIssuer,
    /// `azp` naming another client.
    ForeignAzp,
    /// Unsigned (`alg: none`).
    AlgNone,
    /// HMAC-signed with the client secret (HS256), which the provider does not announce.
    Hs256,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct SwedishClaims {
    #[serde(
        rename = "https://id.oidc.se/claim/personalIdentityNumber",
        skip_serializing_if = "Option::is_none"
    )]
    personnummer: Option<String>,
}
impl AdditionalClaims for SwedishClaims {}

struct Pending {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Idp {
    issuer: String,
    mode: Mutex<Mode>,
    subject: Mutex<String>,
    email: Mutex<Option<(String, bool)>>,
    personnummer: Mutex<Option<String>>,
    codes: Mutex<HashMap<String, Pending>>,
    key_fetches: AtomicUsize,
    token_requests: AtomicUsize,
}

fn key(pem: &str, kid: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

async fn discovery(State(idp): State<Arc<Idp>>) -> Json<serde_json::Value> {
    let i = &idp.issuer;
    Json(serde_json::json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks(State(idp): State<Arc<Idp>>) -> Json<serde_json::Value> {
    idp.key_fetches.fetch_add(1, Ordering::SeqCst);
    let mut keys: Vec<CoreJsonWebKey> = vec![key(KEY_A, "a").as_verification_key()];
    if *idp.mode.lock().unwrap() == Mode::Rotated {
        keys.push(key(KEY_B, "b").as_verification_key());
    }
    Json(serde_json::json!({ "keys": keys }))
}

async fn authorize(
    State(idp): State<Arc<Idp>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    // What a provider checks of the request (Core 1.0 §3.1.2.2, RFC 7636 §4.3).
    if get("response_type") != "code"
        || get("client_id") != CLIENT_ID
        || !get("scope").split(' ').any(|s| s == "openid")
        || get("code_challenge_method") != "S256"
        || get("code_challenge").len() != 43
        || get("nonce").is_empty()
        || get("state").is_empty()
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let code = format!("code-{}", get("state"));
    idp.codes.lock().unwrap().insert(
        code.clone(),
        Pending {
            nonce: get("nonce"),
            challenge: get("code_challenge"),
            redirect_uri: get("redirect_uri"),
        },
    );
    Redirect::to(&format!(
        "{}?code={}&state={}",
        get("redirect_uri"),
        code,
        get("state")
    ))
    .into_response()
}

async fn token(
    State(idp): State<Arc<Idp>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    idp.token_requests.fetch_add(1, Ordering::SeqCst);
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "invalid_grant", "error_description": why})),
        )
            .into_response()
    };
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Basic {basic}"))
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let Some(p) = idp.codes.lock().unwrap().remove(&get("code")) else {
        return refuse("unknown or used code");
    };
    let verifier_hash = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(get("code_verifier").as_bytes()));
    if get("grant_type") != "authorization_code"
        || get("redirect_uri") != p.redirect_uri
        || verifier_hash != p.challenge
    {
        return refuse("PKCE or redirect_uri mismatch");
    }
    let mode = *idp.mode.lock().unwrap();
    if mode == Mode::HugeBody {
        return (StatusCode::OK, "x".repeat(3 * 1024 * 1024)).into_response();
    }
    let now = chrono::Utc::now();
    let (exp, iat) = match mode {
        Mode::Expired => (
            now - chrono::Duration::minutes(10),
            now - chrono::Duration::minutes(15),
        ),
        _ => (now + chrono::Duration::minutes(5), now),
    };
    let aud = match mode {
        Mode::WrongAudience => "another-client",
        _ => CLIENT_ID,
    };
    let mut standard = StandardClaims::<CoreGenderClaim>::new(SubjectIdentifier::new(
        idp.subject.lock().unwrap().clone(),
    ));
    if let Some((email, verified)) = idp.email.lock().unwrap().clone() {
        standard = standard
            .set_email(Some(openidconnect::EndUserEmail::new(email)))
            .set_email_verified(Some(verified));
    }
    let issuer = match mode {
        Mode::WrongIssuer => "http://127.0.0.1:1".to_string(),
        _ => idp.issuer.clone(),
    };
    let claims = IdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(aud.into())],
        exp,
        iat,
        standard,
        SwedishClaims {
            personnummer: idp.personnummer.lock().unwrap().clone(),
        },
    )
    .set_nonce(Some(Nonce::new(match mode {
        Mode::WrongNonce => "another-login".into(),
        _ => p.nonce,
    })))
    .set_authorized_party(match mode {
        Mode::ForeignAzp => Some(openidconnect::ClientId::new("another-client".into())),
        _ => None,
    });
    let signed = match mode {
        Mode::AlgNone => {
            // RFC 7519 §6.1: an unsecured JWT, header and claims and an empty signature.
            let b64 = |v: &serde_json::Value| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
            };
            Some(format!(
                "{}.{}.",
                b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
                b64(&serde_json::to_value(&claims).unwrap())
            ))
        }
        Mode::Hs256 => Some(
            IdToken::<
                SwedishClaims,
                CoreGenderClaim,
                CoreJweContentEncryptionAlgorithm,
                CoreJwsSigningAlgorithm,
            >::new(
                claims.clone(),
                &openidconnect::core::CoreHmacKey::new(CLIENT_SECRET.as_bytes()),
                CoreJwsSigningAlgorithm::HmacSha256,
                None,
                None,
            )
            .unwrap()
            .to_string(),
        ),
        _ => None,
    };
    let signer = match mode {
        Mode::BadSignature => key(KEY_B, "a"),
        Mode::UnknownKey => key(KEY_B, "c"),
        Mode::Rotated => key(KEY_B, "b"),
        _ => key(KEY_A, "a"),
    };
    let id_token = IdToken::<
        SwedishClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(
        claims,
        &signer,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    Json(serde_json::json!({
        "access_token": "at-1",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": signed.unwrap_or_else(|| id_token.to_string()),
    }))
    .into_response()
}

/// Starts the provider on a random port.
fn start_idp() -> Arc<Idp> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let idp = Arc::new(Idp {
        issuer,
        mode: Mutex::new(Mode::Good),
        subject: Mutex::new("subject-1".into()),
        email: Mutex::new(None),
        personnummer: Mutex::new(None),
        codes: Mutex::new(HashMap::new()),
        key_fetches: AtomicUsize::new(0),
        token_requests: AtomicUsize::new(0),
    });
    let state = idp.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new()
                .route(
                    "/.well-known/openid-configuration",
                    axum::routing::get(discovery),
                )
                .route("/jwks", axum::routing::get(jwks))
                .route("/authorize", axum::routing::get(authorize))
                .route("/token", axum::routing::post(token))
                .with_state(state);
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    idp
}

fn provider(
    idp: &Idp,
    link: etablera_oidc::Link,
    trust_email: bool,
    units: &[&str],
) -> Arc<etablera_oidc::Provider> {
    Arc::new(
        etablera_oidc::Provider::new(
            etablera_oidc::ProviderSettings {
                id: "test".into(),
                name: "Test-IdP".into(),
                issuer: idp.issuer.clone(),
                client_id: CLIENT_ID.into(),
                client_secret_env: None,
                scopes: vec!["email".into()],
                link,
                trust_email,
                personnummer_claim: etablera_oidc::SWEDISH_PERSONNUMMER_CLAIM.into(),
                acr_values: vec![],
                units: units.iter().map(|u| u.to_string()).collect(),
            },
            Some(CLIENT_SECRET.into()),
        )
        .unwrap(),
    )
}

/// The accounts: a strategist and a register case worker in Östersund, an admin of
/// Ljusnarsberg, and a system administrator.
fn apps(
    link: etablera_oidc::Link,
    trust_email: bool,
    keys: Option<Arc<etablera_vault::Keyring>>,
) -> Vec<App<Arc<Idp>>> {
    apps_for(link, trust_email, keys, &[])
}

/// As [`apps`], with the provider limited to linking the staff of `units`.
fn apps_for(
    link: etablera_oidc::Link,
    trust_email: bool,
    keys: Option<Arc<etablera_vault::Keyring>>,
    units: &[&str],
) -> Vec<App<Arc<Idp>>> {
    spawn_apps(|s| {
        common::seed(
            s,
            false,
            &[
                ("strateg", false, &[("2380", Role::Strategist)], &[]),
                (
                    "handlaggare",
                    false,
                    &[],
                    &[("2380", RegisterRole::CaseWorker)],
                ),
                ("ljus", false, &[("1864", Role::Admin)], &[]),
                ("ostadmin", false, &[("2380", Role::Admin)], &[]),
                ("root", true, &[], &[]),
            ],
            &[],
        );
        let idp = start_idp();
        let config = etablera_web::Config {
            public_url: PUBLIC_URL.into(),
            oidc: vec![provider(&idp, link, trust_email, units)],
            register_keys: keys.clone(),
            ..Default::default()
        };
        (config, idp)
    })
}

/// The browser's round trip: the login button, the provider, back to the app. Returns the
/// app's answer to the callback.
fn eid_login(app: &App<Arc<Idp>>, c: &mut Client) -> common::Resp {
    let start = c.get(&format!("{}/login/eid/test?next=/s/x", app.base));
    assert_eq!(start.status, 303, "{}: {}", app.backend, start.body);
    let to_idp = start.header("location").unwrap().to_string();
    assert!(to_idp.starts_with(&app.issuer), "{to_idp}");
    let back = c.get(&to_idp);
    assert_eq!(back.status, 303, "provider: {}", back.body);
    c.get(&callback_on(app, back.header("location").unwrap()))
}

/// The provider's redirect to the public address, carried to the app's real port.
fn callback_on(app: &App<Arc<Idp>>, location: &str) -> String {
    let path = location
        .strip_prefix(PUBLIC_URL)
        .expect("redirect to the public URL");
    format!("{}{path}", app.base)
}

fn logged_in_as(app: &App<Arc<Idp>>, c: &mut Client) -> String {
    let home = c.get(&format!("{}/", app.base));
    home.body.clone()
}

fn audit_actions(app: &App<Arc<Idp>>) -> Vec<String> {
    store(app)
        .audit_log(&etablera_store::AuditFilter {
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.after.unwrap_or_default()))
        .collect()
}

/// The operator links an identity of the test provider to an account.
fn link_by_hand(app: &App<Arc<Idp>>, user: &str, subject: &str) {
    let mut conn = etablera_app::Conn::open(&app.store.owner_address).unwrap();
    etablera_app::identity::link_by_hand(
        &mut conn,
        &etablera_app::Actor::system(),
        user,
        "test",
        &app.issuer,
        subject,
    )
    .unwrap();
}

/// Gives an account a verified e-mail address, as the e-mail check would, straight in the
/// database (the test's own connection as the owner).
fn verify_email(app: &App<Arc<Idp>>, user: &str, email: &str) {
    let id = store(app).user_by_name(user).unwrap().unwrap().id;
    sql(
        app,
        &format!(
            "update app_user set email = '{email}', email_verified_at = '2026-01-01T00:00:00Z' where id = {id}"
        ),
    );
}

#[test]
fn a_linked_identity_logs_in_and_linking_needs_a_trusted_verified_email() {
    for app in apps(etablera_oidc::Link::Email, true, None) {
        let b = app.backend;
        verify_email(&app, "strateg", "sara@ostersund.se");

        // Not linked, no e-mail in the token: refused, no session.
        let mut c = Client::default();
        let r = eid_login(&app, &mut c);
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        assert!(
            r.body.contains("inte kopplad till något konto"),
            "{b}: {}",
            r.body
        );
        assert!(!c.cookies.contains_key("etablera_session"), "{b}");
        assert!(audit_actions(&app)
            .iter()
            .any(|a| a.starts_with("session.login_unlinked")));

        // An e-mail the provider does not say it verified links nothing.
        *app.email.lock().unwrap() = Some(("sara@ostersund.se".into(), false));
        let r = eid_login(&app, &mut Client::default());
        assert_eq!(r.status, 422, "{b}: {}", r.body);

        // Verified by a trusted provider, any case: linked to the one account, logged in,
        // and sent where the login began.
        *app.email.lock().unwrap() = Some(("Sara@Ostersund.SE".into(), true));
        let mut c = Client::default();
        let r = eid_login(&app, &mut c);
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert_eq!(r.header("location"), Some("/s/x"), "{b}");
        assert!(c.cookies.contains_key("etablera_session"), "{b}");
        assert!(
            !c.cookies.contains_key("etablera_eid_state"),
            "{b}: the state cookie is cleared"
        );
        assert!(logged_in_as(&app, &mut c).contains("strateg"), "{b}");
        let links = store(&app).identities(None).unwrap();
        assert_eq!(links.len(), 1, "{b}");
        assert_eq!(
            (links[0].issuer.as_str(), links[0].subject.as_str()),
            (app.issuer.as_str(), "subject-1")
        );
        assert_eq!(links[0].linked_by, "email");
        let actions = audit_actions(&app);
        assert!(
            actions.iter().any(|a| a.starts_with("identity.link")),
            "{b}: {actions:?}"
        );
        assert!(
            actions.iter().any(|a| a.starts_with("session.login_eid")),
            "{b}"
        );
        // No claim value reaches the audit log.
        assert!(
            !actions
                .iter()
                .any(|a| a.to_lowercase().contains("sara@") || a.contains("subject-1")),
            "{b}: {actions:?}"
        );

        // Linked now: the next login needs no e-mail at all.
        *app.email.lock().unwrap() = None;
        let mut c = Client::default();
        assert_eq!(eid_login(&app, &mut c).status, 303, "{b}");

        // The municipality's admin sees the link and removes it; then it no longer logs in.
        let mut admin = login(&app, "ostadmin");
        let page = admin.get(&format!("{}/admin/identiteter", app.base));
        assert_eq!(page.status, 200, "{b}: {}", page.body);
        assert!(
            page.body.contains("strateg") && page.body.contains("Test-IdP"),
            "{b}"
        );
        assert!(
            !page.body.contains("subject-1"),
            "{b}: the subject is not on the page"
        );
        let csrf = hidden(&page.body, "csrf");
        let key = hidden(&page.body, "key");
        let r = admin.post_form(
            &format!("{}/admin/identiteter/ta-bort", app.base),
            &[("csrf", &csrf), ("key", &key)],
        );
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert!(store(&app).identities(None).unwrap().is_empty(), "{b}");
        assert_eq!(eid_login(&app, &mut Client::default()).status, 422, "{b}");

        // Two accounts with the same verified address: neither is chosen.
        verify_email(&app, "ljus", "sara@ostersund.se");
        *app.email.lock().unwrap() = Some(("sara@ostersund.se".into(), true));
        assert_eq!(eid_login(&app, &mut Client::default()).status, 422, "{b}");
        assert!(store(&app).identities(None).unwrap().is_empty(), "{b}");
    }
}

#[test]
fn an_untrusted_provider_links_nothing_by_email() {
    for app in apps(etablera_oidc::Link::Email, false, None) {
        verify_email(&app, "strateg", "sara@ostersund.se");
        *app.email.lock().unwrap() = Some(("sara@ostersund.se".into(), true));
        let r = eid_login(&app, &mut Client::default());
        assert_eq!(r.status, 422, "{}: {}", app.backend, r.body);
        assert!(store(&app).identities(None).unwrap().is_empty());
    }
}

#[test]
fn tokens_with_a_wrong_audience_expiry_signature_or_key_are_refused() {
    for app in apps(etablera_oidc::Link::None, false, None) {
        let b = app.backend;
        // Linked by the operator.
        link_by_hand(&app, "strateg", "subject-1");
        let mut c = Client::default();
        assert_eq!(
            eid_login(&app, &mut c).status,
            303,
            "{b}: the good path first"
        );
        let fetches = app.key_fetches.load(Ordering::SeqCst);
        assert_eq!(fetches, 1, "{b}: the keys were read once, with discovery");

        for (mode, why) in [
            (Mode::WrongAudience, "Audience"),
            (Mode::Expired, "Expired"),
            (Mode::BadSignature, "Signature"),
            (Mode::WrongNonce, "Nonce"),
            (Mode::WrongIssuer, "Issuer"),
            (Mode::ForeignAzp, "Audience"),
            (Mode::AlgNone, "Signature"),
            (Mode::Hs256, "Signature"),
        ] {
            *app.mode.lock().unwrap() = mode;
            let mut c = Client::default();
            let r = eid_login(&app, &mut c);
            assert_eq!(r.status, 422, "{b} {mode:?}: {}", r.body);
            assert!(
                r.body.contains("kunde inte godkännas"),
                "{b} {mode:?}: {}",
                r.body
            );
            assert!(!c.cookies.contains_key("etablera_session"), "{b} {mode:?}");
            assert!(
                audit_actions(&app)
                    .iter()
                    .any(|a| a == &format!("session.login_refused {why}")),
                "{b} {mode:?}: {:?}",
                audit_actions(&app)
            );
        }
        assert_eq!(
            app.key_fetches.load(Ordering::SeqCst),
            1,
            "{b}: known key ids fetch nothing"
        );

        // The provider rotates to key B: a token naming it makes the app read the keys again,
        // and the login goes through.
        *app.mode.lock().unwrap() = Mode::Rotated;
        let r = eid_login(&app, &mut Client::default());
        assert_eq!(r.status, 303, "{b}: rotated key: {}", r.body);
        assert_eq!(
            app.key_fetches.load(Ordering::SeqCst),
            2,
            "{b}: one more fetch"
        );

        // A key id the provider does not publish, after the wait between fetches: read once
        // more, still unknown, refused.
        std::thread::sleep(etablera_oidc::KEY_REFETCH_INTERVAL);
        *app.mode.lock().unwrap() = Mode::UnknownKey;
        // (the provider publishes only A unless rotated)
        let r = eid_login(&app, &mut Client::default());
        assert_eq!(r.status, 422, "{b}: unknown key: {}", r.body);
        assert_eq!(
            app.key_fetches.load(Ordering::SeqCst),
            3,
            "{b}: fetched again once"
        );
        assert!(
            audit_actions(&app)
                .iter()
                .any(|a| a == "session.login_refused UnknownKey"),
            "{b}"
        );
        // Straight after: no fetch at all (a run of unknown ids cannot hammer the provider).
        let r = eid_login(&app, &mut Client::default());
        assert_eq!(r.status, 422, "{b}");
        assert_eq!(
            app.key_fetches.load(Ordering::SeqCst),
            3,
            "{b}: not fetched again so soon"
        );

        // A token response too large to read: the provider is unusable (503), nothing stored.
        *app.mode.lock().unwrap() = Mode::HugeBody;
        let mut c = Client::default();
        let r = eid_login(&app, &mut c);
        assert_eq!(r.status, 503, "{b}: {}", r.body);
        assert!(!c.cookies.contains_key("etablera_session"));
    }
}

#[test]
fn a_state_works_once_and_only_in_the_browser_that_began_it() {
    for app in apps(etablera_oidc::Link::None, false, None) {
        let b = app.backend;
        link_by_hand(&app, "strateg", "subject-1");
        // A good login, then its callback replayed (same state, same code, same cookie).
        let mut c = Client::default();
        let start = c.get(&format!("{}/login/eid/test", app.base));
        let state_cookie = c.cookies.get("etablera_eid_state").cloned().unwrap();
        let back = c.get(start.header("location").unwrap());
        let callback = callback_on(&app, back.header("location").unwrap());
        assert_eq!(c.get(&callback).status, 303, "{b}");
        let mut replay = Client::default();
        replay
            .cookies
            .insert("etablera_eid_state".into(), state_cookie);
        let r = replay.get(&callback);
        assert_eq!(r.status, 422, "{b}: replayed state: {}", r.body);
        assert!(r.body.contains("redan använts"), "{b}: {}", r.body);
        assert!(!replay.cookies.contains_key("etablera_session"), "{b}");

        // A callback brought by another browser (no state cookie: login CSRF) is refused, and
        // the provider is never asked for a token.
        let mut victim_began = Client::default();
        let start = victim_began.get(&format!("{}/login/eid/test", app.base));
        let back = victim_began.get(start.header("location").unwrap());
        let callback = callback_on(&app, back.header("location").unwrap());
        let before = app.token_requests.load(Ordering::SeqCst);
        let mut other = Client::default();
        let r = other.get(&callback);
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        assert_eq!(app.token_requests.load(Ordering::SeqCst), before, "{b}");

        // Cancelled at the provider; hostile callbacks: answered plainly, never 500.
        let mut c = Client::default();
        let start = c.get(&format!("{}/login/eid/test", app.base));
        let state = c.cookies.get("etablera_eid_state").cloned().unwrap();
        let _ = start;
        let r = c.get(&format!(
            "{}/login/eid/test/callback?state={state}&error=access_denied",
            app.base
        ));
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        assert!(r.body.contains("avbröts"), "{b}: {}", r.body);
        let long = "x".repeat(100_000);
        for q in [
            String::new(),
            "state=".into(),
            format!("state={long}&code={long}"),
            "state=%00%FF&code=%E2%80%AE".into(),
            "code=abc".into(),
        ] {
            let mut c = Client::default();
            c.cookies.insert("etablera_eid_state".into(), "x".into());
            let r = c.get(&format!("{}/login/eid/test/callback?{q}", app.base));
            assert!(
                [400, 414, 422, 431].contains(&r.status),
                "{b}: callback?{}: {}",
                &q[..q.len().min(40)],
                r.status
            );
        }
        // An unknown provider is a 404.
        assert_eq!(
            Client::default()
                .get(&format!("{}/login/eid/nobody", app.base))
                .status,
            404
        );
    }
}

#[test]
fn passwords_switched_off_for_a_municipality_and_the_break_glass_login() {
    for app in apps(etablera_oidc::Link::None, false, None) {
        let b = app.backend;
        // Ljusnarsberg's admin may not switch off Östersund's passwords.
        let mut ljus = login(&app, "ljus");
        let csrf = common::session_csrf(&app, &mut ljus);
        let r = ljus.post_form(
            &format!("{}/admin/identiteter/losenord", app.base),
            &[("csrf", &csrf), ("unit", "2380"), ("allowed", "off")],
        );
        assert_eq!(r.status, 403, "{b}: {}", r.body);
        assert!(store(&app).password_login_off().unwrap().is_empty(), "{b}");

        // Östersund's admin switches them off: the strategist and the case worker (a
        // register role) can no longer log in with the right password; Ljusnarsberg's can.
        let mut ost = login(&app, "ostadmin");
        let csrf = common::session_csrf(&app, &mut ost);
        let r = ost.post_form(
            &format!("{}/admin/identiteter/losenord", app.base),
            &[("csrf", &csrf), ("unit", "2380"), ("allowed", "off")],
        );
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        for user in ["strateg", "handlaggare"] {
            let mut c = Client::default();
            let page = c.get(&format!("{}/login", app.base));
            assert!(
                page.body.contains("Logga in med Test-IdP"),
                "{b}: the provider's button"
            );
            let csrf = hidden(&page.body, "csrf");
            let r = c.post_form(
                &format!("{}/login", app.base),
                &[
                    ("username", user),
                    ("password", PW),
                    ("csrf", &csrf),
                    ("next", "/"),
                ],
            );
            assert_eq!(r.status, 422, "{b} {user}: {}", r.body);
            assert!(
                r.body.contains("loggar personalen in med e-legitimation"),
                "{b}: {}",
                r.body
            );
            // The same answer with a wrong password: the form tests no password.
            let page = c.get(&format!("{}/login", app.base));
            let csrf = hidden(&page.body, "csrf");
            let wrong = c.post_form(
                &format!("{}/login", app.base),
                &[
                    ("username", user),
                    ("password", "fel lösenord"),
                    ("csrf", &csrf),
                    ("next", "/"),
                ],
            );
            assert_eq!(
                (wrong.status, wrong.body.contains("loggar personalen in")),
                (r.status, true),
                "{b}"
            );
            assert!(!c.cookies.contains_key("etablera_session"), "{b}");
        }
        login(&app, "ljus");
        // The system administrator is a member of no municipality and keeps the password.
        login(&app, "root");

        // Break-glass: the operator makes a one-time code; it works once.
        let ticket = {
            let mut conn = etablera_app::Conn::open(&app.store.owner_address).unwrap();
            etablera_app::identity::break_glass(
                &mut conn,
                &etablera_app::Actor::system(),
                "ostadmin",
                "IdP nere, ärende 4711",
                None,
            )
            .unwrap()
        };
        let use_ticket = |t: &str| {
            let mut c = Client::default();
            let page = c.get(&format!("{}/login/engang", app.base));
            let csrf = hidden(&page.body, "csrf");
            let r = c.post_form(
                &format!("{}/login/engang", app.base),
                &[("csrf", &csrf), ("ticket", t)],
            );
            (r, c)
        };
        let (r, c) = use_ticket(&ticket);
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert!(c.cookies.contains_key("etablera_session"), "{b}");
        let (r, _) = use_ticket(&ticket);
        assert_eq!(r.status, 422, "{b}: a used ticket: {}", r.body);
        let (r, _) = use_ticket(&"0".repeat(64));
        assert_eq!(r.status, 422, "{b}");
        let actions = audit_actions(&app);
        assert!(
            actions
                .iter()
                .any(|a| a == "session.break_glass_issued IdP nere, ärende 4711"),
            "{b}: {actions:?}"
        );
        assert!(
            actions
                .iter()
                .any(|a| a.starts_with("session.break_glass_used")),
            "{b}"
        );
        assert!(
            actions
                .iter()
                .any(|a| a.starts_with("unit.password_login_off")),
            "{b}"
        );
        // A municipality's admin cannot make tickets (only the operator at the server).
        let mut conn = etablera_app::Conn::open(&app.store.owner_address).unwrap();
        let p = etablera_domain::access::Principal {
            user_id: 4,
            system_admin: false,
            memberships: vec![(
                etablera_domain::UnitCode::parse("2380").unwrap(),
                Role::Admin,
            )],
            register: vec![],
        };
        let actor = etablera_app::Actor::new(Some(p), etablera_domain::Lang::Sv);
        assert!(
            etablera_app::identity::break_glass(&mut conn, &actor, "strateg", "x", None).is_err()
        );
    }
}

#[test]
fn an_administrator_sees_and_removes_only_identities_of_their_own_municipality() {
    for app in apps(etablera_oidc::Link::None, false, None) {
        let b = app.backend;
        link_by_hand(&app, "strateg", "s-ost");
        let mut ljus = login(&app, "ljus");
        let page = ljus.get(&format!("{}/admin/identiteter", app.base));
        assert_eq!(page.status, 200, "{b}");
        assert!(
            !page.body.contains("s-ost") && !page.body.contains(">strateg<"),
            "{b}: another municipality's identity shown"
        );
        let csrf = hidden(&page.body, "csrf");
        let key = etablera_app::identity::identity_key(&store(&app).identities(None).unwrap()[0]);
        let r = ljus.post_form(
            &format!("{}/admin/identiteter/ta-bort", app.base),
            &[("csrf", &csrf), ("key", &key)],
        );
        assert_eq!(r.status, 404, "{b}: {}", r.body);
        assert_eq!(store(&app).identities(None).unwrap().len(), 1, "{b}");
        // Without the session's CSRF token: refused before anything.
        let mut ost = login(&app, "ostadmin");
        let r = ost.post_form(
            &format!("{}/admin/identiteter/ta-bort", app.base),
            &[("csrf", "wrong"), ("key", &key)],
        );
        assert!([400, 403, 422].contains(&r.status), "{b}: {}", r.status);
        assert_eq!(store(&app).identities(None).unwrap().len(), 1, "{b}");
        // A strategist is no administrator.
        let mut s = login(&app, "strateg");
        assert_eq!(
            s.get(&format!("{}/admin/identiteter", app.base)).status,
            403,
            "{b}"
        );
        // Anonymous: asked to log in.
        let r = Client::default().get(&format!("{}/admin/identiteter", app.base));
        assert!(r.status == 401 || r.status == 303, "{b}: {}", r.status);
    }
}

#[test]
fn a_staff_personnummer_links_only_as_a_blind_index() {
    let keys =
        Arc::new(etablera_vault::Keyring::parse(&etablera_vault::Keyring::generate("k1")).unwrap());
    for app in apps(etablera_oidc::Link::Personnummer, false, Some(keys.clone())) {
        let b = app.backend;
        let pnr = "198112189876"; // Skatteverket's example number (Luhn-valid)
        {
            let mut conn = etablera_app::Conn::open(&app.store.owner_address).unwrap();
            etablera_app::identity::set_staff_personnummer(
                &mut conn,
                &etablera_app::Actor::system(),
                &keys,
                "strateg",
                Some("19811218-9876"),
            )
            .unwrap();
            // A wrong check digit is refused with the field named.
            let e = etablera_app::identity::set_staff_personnummer(
                &mut conn,
                &etablera_app::Actor::system(),
                &keys,
                "ljus",
                Some("19811218-9875"),
            )
            .unwrap_err();
            assert!(e.to_string().contains("personnummer"), "{e}");
        }
        // The number is not kept as itself.
        let mut s = store(&app);
        let users = s.users().unwrap();
        assert!(!format!("{users:?}").contains(pnr));
        *app.personnummer.lock().unwrap() = Some(pnr.into());
        let mut c = Client::default();
        let r = eid_login(&app, &mut c);
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert!(logged_in_as(&app, &mut c).contains("strateg"), "{b}");
        assert_eq!(
            store(&app).identities(None).unwrap()[0].linked_by,
            "personnummer"
        );
        // Another number links nothing.
        *app.subject.lock().unwrap() = "subject-2".into();
        *app.personnummer.lock().unwrap() = Some("199001012380".into());
        assert_eq!(eid_login(&app, &mut Client::default()).status, 422, "{b}");
    }
}

/// A flood of login starts from one address (as the trusted proxy in front reports it):
/// every answer is a redirect to the provider or 429, the address's bound of begun logins is
/// kept (to within the starts in flight at once), and another address still logs in.
#[test]
fn a_flood_of_login_starts_is_answered_without_errors() {
    let apps = spawn_apps(|s| {
        common::seed(
            s,
            false,
            &[("strateg", false, &[("2380", Role::Strategist)], &[])],
            &[],
        );
        let idp = start_idp();
        let config = etablera_web::Config {
            public_url: PUBLIC_URL.into(),
            oidc: vec![provider(&idp, etablera_oidc::Link::None, false, &[])],
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            eid_pending_per_address: 50,
            ..Default::default()
        };
        (config, idp)
    });
    let from = |address: &str| Client {
        extra: vec![("X-Forwarded-For".into(), address.into())],
        ..Default::default()
    };
    for app in apps {
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        (0..40)
                            .map(|_| {
                                from("192.0.2.7")
                                    .get(&format!("{}/login/eid/test", app.base))
                                    .status
                            })
                            .collect::<Vec<u16>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert!(
            statuses.iter().all(|s| *s == 303 || *s == 429),
            "{}: {statuses:?}",
            app.backend
        );
        // The bound is checked as each start is stored: starts in flight at the same moment
        // (8 here) may each see the last free place, so it holds to within them.
        let kept = statuses.iter().filter(|s| **s == 303).count();
        assert!((50..=58).contains(&kept), "{}: {kept}", app.backend);
        let r = from("198.51.100.3").get(&format!("{}/login/eid/test", app.base));
        assert_eq!(r.status, 303, "{}: {}", app.backend, r.body);
        let r = from("192.0.2.7").get(&format!("{}/login/eid/test", app.base));
        assert_eq!(r.status, 429, "{}: {}", app.backend, r.body);
        assert!(r.body.contains("Vänta några minuter"), "{}", r.body);
        assert!(r.header("retry-after").is_some(), "{}", app.backend);
    }
}

/// Runs SQL on the app's database as its owner (test set-up only).
fn sql(app: &App<Arc<Idp>>, sql: &str) {
    if app.backend == "sqlite" {
        rusqlite::Connection::open(&app.store.owner_address)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    } else {
        let (url, schema) = etablera_store::testing::pg_server_and_schema(&app.store.owner_address);
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("set search_path to \"{schema}\"; {sql}"))
            .unwrap();
    }
}

#[test]
fn linking_by_a_claim_skips_system_administrators_disabled_accounts_and_other_municipalities() {
    // A municipality's own provider: it may link Östersund's staff only.
    for app in apps_for(etablera_oidc::Link::Email, true, None, &["2380"]) {
        let b = app.backend;
        let try_as = |subject: &str, email: &str| {
            *app.subject.lock().unwrap() = subject.into();
            *app.email.lock().unwrap() = Some((email.into(), true));
            eid_login(&app, &mut Client::default()).status
        };
        // The system administrator's verified address links nothing (only the operator
        // links a system administrator).
        verify_email(&app, "root", "root@etablera.example");
        assert_eq!(try_as("s-root", "root@etablera.example"), 422, "{b}");
        // Ljusnarsberg's admin, through Östersund's provider: nothing.
        verify_email(&app, "ljus", "lina@ljusnarsberg.se");
        assert_eq!(try_as("s-ljus", "lina@ljusnarsberg.se"), 422, "{b}");
        // A disabled account: nothing.
        verify_email(&app, "handlaggare", "hanna@ostersund.se");
        sql(
            &app,
            "update app_user set disabled = (1 = 1) where username = 'handlaggare'",
        );
        assert_eq!(try_as("s-hanna", "hanna@ostersund.se"), 422, "{b}");
        assert!(store(&app).identities(None).unwrap().is_empty(), "{b}");
        // Östersund's strategist: linked.
        verify_email(&app, "strateg", "sara@ostersund.se");
        assert_eq!(try_as("s-sara", "sara@ostersund.se"), 303, "{b}");

        // The strategist gets a role in Ljusnarsberg too: Östersund's admin no longer sees
        // or removes the link (they would lock out another municipality's staff).
        sql(&app, "insert into membership (user_id, unit_code, role) select id, '1864', 'viewer' from app_user where username = 'strateg'");
        let mut ost = login(&app, "ostadmin");
        let page = ost.get(&format!("{}/admin/identiteter", app.base));
        assert_eq!(page.status, 200, "{b}");
        assert!(!page.body.contains("name=\"key\""), "{b}: {}", page.body);
        let key = etablera_app::identity::identity_key(&store(&app).identities(None).unwrap()[0]);
        let csrf = common::session_csrf(&app, &mut ost);
        let r = ost.post_form(
            &format!("{}/admin/identiteter/ta-bort", app.base),
            &[("csrf", &csrf), ("key", &key)],
        );
        assert_eq!(r.status, 404, "{b}");
        assert_eq!(store(&app).identities(None).unwrap().len(), 1, "{b}");

        // Begun logins are bounded: past the limit the store refuses more.
        let mut s = store(&app);
        let row = |n: usize| etablera_store::OidcLoginRow {
            state_hash: format!("h{n}"),
            provider: "test".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: None,
            created_at: "2099-01-01T00:00:00Z".into(),
            address: format!("10.0.0.{}", n % 2),
        };
        use etablera_store::PutLogin::{AddressFull, Full, Kept};
        let results: Vec<_> = (0..3)
            .map(|n| {
                s.put_oidc_login(&row(n), "2000-01-01T00:00:00Z", 2, 100)
                    .unwrap()
            })
            .collect();
        // (every login above came back, so none of the app's own is waiting)
        assert_eq!(results, [Kept, Kept, Full], "{b}");
        // Two from 10.0.0.0 (h0, h2) and one from 10.0.0.1 wait: a second from 10.0.0.1 is
        // over its address's bound of one, a first from elsewhere is not.
        assert_eq!(
            s.put_oidc_login(&row(3), "2000-01-01T00:00:00Z", 100, 1)
                .unwrap(),
            AddressFull,
            "{b}"
        );
        let mut elsewhere = row(9);
        elsewhere.address = "10.0.0.9".into();
        assert_eq!(
            s.put_oidc_login(&elsewhere, "2000-01-01T00:00:00Z", 100, 1)
                .unwrap(),
            Kept,
            "{b}"
        );
    }
}
