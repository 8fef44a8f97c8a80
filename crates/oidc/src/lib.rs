//! Login through an OpenID Connect provider: Freja eID+, a BankID broker, Sweden Connect, or
//! an organisation's own identity provider (SITHS cards through one that speaks OIDC).
//!
//! This crate is the protocol and nothing else: it reads the provider's discovery document
//! and keys, builds the authorization request of the code flow with PKCE, exchanges the code
//! the browser brings back, and checks the ID token — signature against the provider's keys
//! (fetched again when a token names a key not seen before), issuer, audience, expiry and
//! nonce — with the `openidconnect` crate. What the login means (which account, whether a
//! state was used before, the session) is `etablera-app`'s, which keeps the state, nonce and
//! PKCE verifier of each login in the database, so that any server process can finish a login
//! another one began.
//!
//! HTTP goes through `ureq` with short time-outs, no redirects followed (a provider's
//! endpoints are named by its discovery document, and following redirects would let a
//! document send the server anywhere) and a cap on every body read.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IssuerUrl, JsonWebKeySet, LanguageTag, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, TokenResponse,
};
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The largest response read from a provider (discovery document, keys, token response).
pub const MAX_BODY: u64 = 1024 * 1024;
/// How long one request to a provider may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a discovery document and its keys are used before they are read again.
pub const METADATA_LIFETIME: Duration = Duration::from_secs(3600);
/// The shortest time between two fetches of the keys prompted by unknown key ids, so a run
/// of tokens naming keys that do not exist cannot make the server hammer the provider.
pub const KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(5);
/// How long a discovery document may still be used when reading it again fails.
pub const METADATA_STALE_LIMIT: Duration = Duration::from_secs(24 * 3600);
/// Requests to one provider at once; more are refused at once (a flood of logins, or a
/// provider that hangs, cannot tie up the server's threads).
pub const MAX_IN_FLIGHT: usize = 32;

/// The claim of the Swedish OIDC profile (Sweden Connect, Freja, BankID brokers) that
/// carries a personnummer.
pub const SWEDISH_PERSONNUMMER_CLAIM: &str = "https://id.oidc.se/claim/personalIdentityNumber";

/// How an identity not yet linked to an account may find one. Linking never creates an
/// account or gives a right: it only finds an account an administrator made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Only identities an administrator linked (or linked before) log in.
    None,
    /// The account whose verified e-mail address equals the token's `email`, when the
    /// provider says it verified it (`email_verified`) and is trusted to
    /// (`trust_email = true`).
    Email,
    /// The account whose staff personnummer (kept only as a blind index) equals the
    /// token's personnummer claim.
    Personnummer,
}

/// One provider as the configuration file names it (`[[oidc]]`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// A short name for URLs and the audit log (`freja`); letters, digits and `-`.
    pub id: String,
    /// The name on the login button (`Freja eID+`).
    pub name: String,
    /// The issuer; its discovery document is `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The name of the environment variable that holds the client secret (secrets stay out
    /// of the configuration file). Without it the client is public and relies on PKCE.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Scopes beyond `openid` (`["email", "profile"]`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// How an identity seen for the first time finds its account.
    #[serde(default = "no_link")]
    pub link: Link,
    /// Whether this provider's `email_verified` can be believed. Off by default: many
    /// providers let a user type any address.
    #[serde(default)]
    pub trust_email: bool,
    /// The claim with the personnummer, for `link = "personnummer"`.
    #[serde(default = "personnummer_claim")]
    pub personnummer_claim: String,
    /// The levels of assurance to ask for (`acr_values`); the ID token's `acr` must be one of
    /// them. For the register, Sweden Connect's "substantial":
    /// `["http://id.elegnamnden.se/loa/1.0/loa3"]`. Empty: none asked, any accepted.
    #[serde(default)]
    pub acr_values: Vec<String>,
    /// The municipalities (codes) whose staff this provider may link by a claim: an account
    /// is linked only if each of its roles is in one of them. Empty: any municipality — for
    /// a national provider such as Freja or BankID, whose claims no municipality controls.
    /// Give it for a municipality's own identity provider.
    #[serde(default)]
    pub units: Vec<String>,
}

fn no_link() -> Link {
    Link::None
}

fn personnummer_claim() -> String {
    SWEDISH_PERSONNUMMER_CLAIM.into()
}

/// What is kept between sending the browser to the provider and its return. The caller
/// stores it (keyed by the state) and hands it back to [`Provider::finish`].
#[derive(Debug, Clone)]
pub struct Started {
    /// Where to send the browser.
    pub url: String,
    /// The `state` parameter, which comes back with the code.
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// An identity the provider vouched for, from a checked ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// The token said the provider verified the address.
    pub email_verified: bool,
    /// The personnummer claim, if the token had one (digits only).
    pub personnummer: Option<String>,
}

/// Why an ID token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The token is meant for another client.
    Audience,
    /// The token has expired (or is not yet valid).
    Expired,
    /// The signature does not verify.
    Signature,
    /// The token names a key the provider does not publish, even after fetching its keys again.
    UnknownKey,
    /// The nonce is not the one this login sent.
    Nonce,
    /// The token is from another issuer.
    Issuer,
    /// The level of assurance (`acr`) is not one asked for.
    Assurance,
    /// The response had no ID token.
    Missing,
    /// Anything else wrong with the token.
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings cannot work (a malformed issuer URL or id).
    #[error("{0}")]
    Config(String),
    /// The provider could not be reached or answered nonsense.
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    /// The provider refused the code (used, expired, or not its own).
    #[error("the identity provider refused the login: {0}")]
    Refused(String),
    /// The ID token did not pass a check.
    #[error("the identity token was refused ({0:?}): {1}")]
    Token(Rejection, String),
}

pub type Result<T> = std::result::Result<T, Error>;

struct Cached {
    metadata: CoreProviderMetadata,
    fetched: Instant,
    /// When the keys were last fetched because a token named an unknown key.
    refetched: Option<Instant>,
}

/// A configured provider with what it has learnt of it (discovery document and keys).
pub struct Provider {
    pub settings: ProviderSettings,
    issuer: IssuerUrl,
    secret: Option<ClientSecret>,
    agent: ureq::Agent,
    cache: Mutex<Option<Cached>>,
    in_flight: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("id", &self.settings.id)
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}

/// The algorithms an ID token may be signed with: public-key signatures only (never `none`,
/// and not the HMAC ones keyed by the client secret).
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

impl Provider {
    /// A provider from its settings and its client secret (if it has one). Nothing is
    /// fetched until the first login.
    pub fn new(settings: ProviderSettings, secret: Option<String>) -> Result<Provider> {
        if settings.id.is_empty()
            || settings.id.len() > 40
            || !settings
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(Error::Config(format!(
                "the provider id `{}` must be 1–40 lowercase letters, digits or `-`",
                settings.id
            )));
        }
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| Error::Config(format!("issuer `{}`: {e}", settings.issuer)))?;
        // Plain http only to this machine (a test provider); anything else in the clear
        // would let the network read codes and forge keys.
        let loopback = matches!(
            issuer.url().host_str(),
            Some("127.0.0.1" | "localhost" | "[::1]")
        );
        match issuer.url().scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(Error::Config(format!(
                    "issuer `{}` must be an https address",
                    settings.issuer
                )))
            }
        }
        let agent = ureq::AgentBuilder::new()
            .timeout(TIMEOUT)
            .redirects(0)
            .user_agent("Etablera (OpenID Connect)")
            .build();
        Ok(Provider {
            secret: secret.filter(|s| !s.is_empty()).map(ClientSecret::new),
            settings,
            issuer,
            agent,
            cache: Mutex::new(None),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// One HTTP exchange with the provider: no redirects, a time-out, a capped body. An
    /// error status is a response too (the token endpoint explains refusals in its body).
    fn http(
        &self,
        request: openidconnect::HttpRequest,
    ) -> std::result::Result<openidconnect::HttpResponse, HttpError> {
        use std::sync::atomic::Ordering;
        struct Slot<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Slot<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _slot = Slot(&self.in_flight);
        if self.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
            return Err(HttpError(
                "too many requests to the provider at once".into(),
            ));
        }
        let uri = request.uri().to_string();
        // Plain http only to this machine, whatever the discovery document names.
        if !(uri.starts_with("https://") || loopback_http(&uri)) {
            return Err(HttpError(format!("{uri} is not an https address")));
        }
        let mut req = match request.method().as_str() {
            "POST" => self.agent.post(&uri),
            _ => self.agent.get(&uri),
        };
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| HttpError(format!("header {name} is not text")))?;
            req = req.set(name.as_str(), value);
        }
        let response = match if request.method().as_str() == "POST" {
            req.send_bytes(request.body())
        } else {
            req.call()
        } {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(HttpError(e.to_string())),
        };
        let mut builder = openidconnect::http::Response::builder().status(response.status());
        if let Some(ct) = response.header("content-type") {
            builder = builder.header("content-type", ct);
        }
        let mut body = Vec::new();
        response
            .into_reader()
            .take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| HttpError(e.to_string()))?;
        if body.len() as u64 > MAX_BODY {
            return Err(HttpError(format!(
                "the response from {uri} is larger than {MAX_BODY} bytes"
            )));
        }
        builder.body(body).map_err(|e| HttpError(e.to_string()))
    }

    /// The discovery document (with its keys), fetched when not known or too old.
    fn metadata(&self) -> Result<CoreProviderMetadata> {
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache
                .as_ref()
                .filter(|c| c.fetched.elapsed() < METADATA_LIFETIME)
            {
                return Ok(c.metadata.clone());
            }
        }
        let http = |r| self.http(r);
        let metadata = match CoreProviderMetadata::discover(&self.issuer, &http) {
            Ok(m) => m,
            Err(e) => {
                let e = Error::Unreachable(format!("{}: {}", self.settings.issuer, chain(&e)));
                // A provider that stumbles at the hourly refresh: the document it gave before
                // serves on for a while.
                let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(c) = cache
                    .as_ref()
                    .filter(|c| c.fetched.elapsed() < METADATA_STALE_LIMIT)
                {
                    tracing::warn!(provider = %self.settings.id, error = %e, "using the discovery document read before");
                    return Ok(c.metadata.clone());
                }
                return Err(e);
            }
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        *cache = Some(Cached {
            metadata: metadata.clone(),
            fetched: Instant::now(),
            refetched: cache.as_ref().and_then(|c| c.refetched),
        });
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata, redirect_uri: &str) -> Result<Client> {
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|e| Error::Config(format!("redirect address `{redirect_uri}`: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.secret.clone(),
        )
        .set_redirect_uri(redirect))
    }

    /// Begins a login: the address of the provider's authorization endpoint with a fresh
    /// state, nonce and PKCE challenge (S256), asking for `lang` (`sv`, `en`) in its pages.
    pub fn start(&self, redirect_uri: &str, lang: &str) -> Result<Started> {
        let client = self.client(self.metadata()?, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_ui_locale(LanguageTag::new(lang.to_string()));
        for s in &self.settings.scopes {
            if s != "openid" {
                request = request.add_scope(Scope::new(s.clone()));
            }
        }
        for acr in &self.settings.acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Finishes a login: exchanges the code (with the PKCE verifier) at the token endpoint
    /// and checks the ID token. A token signed by a key the provider did not publish when its
    /// keys were read makes them be read once more.
    pub fn finish(
        &self,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity> {
        let metadata = self.metadata()?;
        let client = self.client(metadata.clone(), redirect_uri)?;
        let http = |r| self.http(r);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Error::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request(&http)
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => Error::Refused(r.to_string()),
                other => Error::Unreachable(chain(&other)),
            })?;
        let _ = response.access_token();
        let token = response.id_token().ok_or_else(|| {
            Error::Token(Rejection::Missing, "no id_token in the response".into())
        })?;
        let nonce = Nonce::new(nonce.to_string());
        let checked = match self.verify(token, metadata.jwks().clone(), &nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let keys = self.refetch_keys(&metadata)?;
                self.verify(token, keys, &nonce)
            }
            other => other,
        };
        let claims = checked.map_err(rejection)?;
        // `azp`, when given, must be this client (Core 1.0 §3.1.3.7, 5; the crate leaves
        // this check out).
        let raw = token.to_string();
        if let Some(azp) = payload_claim(&raw, "azp") {
            if azp != self.settings.client_id {
                return Err(Error::Token(
                    Rejection::Audience,
                    "azp names another client".into(),
                ));
            }
        }
        let personnummer = if self.settings.link == Link::Personnummer {
            payload_claim(&raw, &self.settings.personnummer_claim)
                .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
                .filter(|p| !p.is_empty())
        } else {
            None
        };
        Ok(Identity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            personnummer,
        })
    }

    fn verify<'t>(
        &self,
        token: &'t CoreIdToken,
        keys: JsonWebKeySet<openidconnect::core::CoreJsonWebKey>,
        nonce: &Nonce,
    ) -> std::result::Result<&'t openidconnect::core::CoreIdTokenClaims, ClaimsVerificationError>
    {
        let id = ClientId::new(self.settings.client_id.clone());
        let verifier = match &self.secret {
            Some(s) => CoreIdTokenVerifier::new_confidential_client(
                id,
                s.clone(),
                self.issuer.clone(),
                keys,
            ),
            None => CoreIdTokenVerifier::new_public_client(id, self.issuer.clone(), keys),
        }
        .set_allowed_algs(ALLOWED_ALGS);
        let acr_values = &self.settings.acr_values;
        let verifier = verifier.set_auth_context_verifier_fn(move |acr| {
            if acr_values.is_empty() || acr.is_some_and(|a| acr_values.contains(a)) {
                Ok(())
            } else {
                Err(format!(
                    "the level of assurance {:?} is not one of those asked for",
                    acr.map(|a| a.as_str())
                ))
            }
        });
        token.claims(&verifier, nonce)
    }

    /// The provider's keys read again, at most once per [`KEY_REFETCH_INTERVAL`]; kept for
    /// the logins that follow.
    fn refetch_keys(
        &self,
        metadata: &CoreProviderMetadata,
    ) -> Result<JsonWebKeySet<openidconnect::core::CoreJsonWebKey>> {
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.as_ref() {
                if c.refetched
                    .is_some_and(|at| at.elapsed() < KEY_REFETCH_INTERVAL)
                {
                    // Fetched a moment ago (perhaps for this very rotation): those keys.
                    return Ok(c.metadata.jwks().clone());
                }
            }
        }
        let http = |r| self.http(r);
        let keys = JsonWebKeySet::fetch(metadata.jwks_uri(), &http)
            .map_err(|e| Error::Unreachable(format!("keys: {}", chain(&e))))?;
        tracing::info!(provider = %self.settings.id, "fetched the provider's keys again");
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut updated = metadata.clone().set_jwks(keys.clone());
        if let Some(c) = cache.as_mut() {
            updated = c.metadata.clone().set_jwks(keys.clone());
            c.metadata = updated.clone();
            c.refetched = Some(Instant::now());
        } else {
            *cache = Some(Cached {
                metadata: updated,
                fetched: Instant::now(),
                refetched: Some(Instant::now()),
            });
        }
        Ok(keys)
    }
}

type Client = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    openidconnect::core::CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Whether an address is plain http to this machine.
fn loopback_http(uri: &str) -> bool {
    [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
        "http://[::1]:",
    ]
    .iter()
    .any(|p| uri.starts_with(p))
}

#[derive(Debug)]
struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

/// An error with its causes, one after the other.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

fn rejection(e: ClaimsVerificationError) -> Error {
    let kind = match &e {
        ClaimsVerificationError::InvalidAudience(_) => Rejection::Audience,
        ClaimsVerificationError::Expired(_) => Rejection::Expired,
        ClaimsVerificationError::InvalidIssuer(_) => Rejection::Issuer,
        ClaimsVerificationError::InvalidNonce(_) => Rejection::Nonce,
        ClaimsVerificationError::InvalidAuthContext(_) => Rejection::Assurance,
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => Rejection::UnknownKey,
        ClaimsVerificationError::SignatureVerification(_) => Rejection::Signature,
        _ => Rejection::Other,
    };
    // The subject error quotes the subject; the others name times, audiences and algorithms.
    let detail = match &e {
        ClaimsVerificationError::InvalidSubject(_) => "invalid subject".to_string(),
        other => chain(other),
    };
    Error::Token(kind, detail)
}

/// A claim of an already verified token, read from its payload: the claims this crate's
/// types do not name (a personnummer claim is a URL).
fn payload_claim(jwt: &str, name: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64url(payload)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match value.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unpadded base64url (RFC 4648 §5), as in a JWT.
fn base64url(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_reads_rfc_4648_vectors() {
        // RFC 4648 §10, without padding, and the url alphabet's own characters.
        assert_eq!(base64url("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64url("Zm9vYg").unwrap(), b"foob");
        assert_eq!(base64url("Zm8").unwrap(), b"fo");
        assert_eq!(base64url("-_8").unwrap(), [0xfb, 0xff]);
        assert!(base64url("a+b").is_none());
    }

    #[test]
    fn only_https_or_this_machine() {
        assert!(loopback_http("http://127.0.0.1:9000/token"));
        assert!(loopback_http("http://localhost/jwks"));
        assert!(!loopback_http("http://127.0.0.1.evil.example/jwks"));
        assert!(!loopback_http("http://idp.example/token"));
    }

    #[test]
    fn ids_are_checked() {
        let s = |id: &str, issuer: &str| ProviderSettings {
            id: id.into(),
            name: "x".into(),
            issuer: issuer.into(),
            client_id: "c".into(),
            client_secret_env: None,
            scopes: vec![],
            link: Link::None,
            trust_email: false,
            personnummer_claim: personnummer_claim(),
            acr_values: vec![],
            units: vec![],
        };
        assert!(Provider::new(s("freja", "https://idp.example"), None).is_ok());
        assert!(Provider::new(s("Freja Eid", "https://idp.example"), None).is_err());
        assert!(Provider::new(s("freja", "not a url"), None).is_err());
        assert!(Provider::new(s("freja", "file:///etc/passwd"), None).is_err());
        assert!(Provider::new(s("freja", "http://idp.example"), None).is_err());
        assert!(Provider::new(s("freja", "http://127.0.0.1:9000"), None).is_ok());
    }
}
