//! Encryption at rest for the establishment register.
//!
//! Names, personnummer and contact details are sealed with ChaCha20-Poly1305 under a key
//! that comes from configuration (`ETABLERA_REGISTER_KEYS`) and is never stored in the
//! database. A keyring holds several named keys: the first seals, all open, so keys can be
//! rotated (add a new key first, re-seal with `etablera register rotate-keys`, then drop the
//! old one). The row's id is bound to each ciphertext as associated data, so a sealed value
//! copied to another row does not open.
//!
//! Searching by personnummer uses a blind index: HMAC-SHA256 under a key derived from the
//! current key, so equal numbers give equal indexes and the database never sees the number.
//!
//! ```
//! let ring = etablera_vault::Keyring::parse(&etablera_vault::Keyring::generate("k1")).unwrap();
//! let sealed = ring.seal(b"P23456789AB", b"Amina");
//! assert!(!sealed.contains("Amina"));
//! assert_eq!(ring.open(b"P23456789AB", &sealed).unwrap(), b"Amina");
//! assert!(ring.open(b"PBBBBBBBBBB", &sealed).is_err());
//! ```

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Why a keyring or a sealed value is refused. Never contains key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("register keys: {0}")]
    Config(String),
    #[error("a sealed value is damaged or was sealed for another record")]
    Damaged,
    #[error("a sealed value uses key `{0}`, which is not in the keyring (ETABLERA_REGISTER_KEYS)")]
    UnknownKey(String),
}

struct NamedKey {
    id: String,
    key: [u8; 32],
}

/// Named keys; the first one seals.
pub struct Keyring {
    keys: Vec<NamedKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        write!(f, "Keyring({ids:?})")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

impl Keyring {
    /// Parses `id:hex64[,id:hex64…]`; the first key is the current one.
    pub fn parse(spec: &str) -> Result<Keyring, VaultError> {
        let mut keys: Vec<NamedKey> = Vec::new();
        for (n, part) in spec
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            let Some((id, hexkey)) = part.split_once(':') else {
                return Err(VaultError::Config(format!(
                    "entry {} is not `id:key` (generate one with `etablera register keygen`)",
                    n + 1
                )));
            };
            let ok_id = !id.is_empty()
                && id.len() <= 16
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok_id {
                return Err(VaultError::Config(format!(
                    "entry {}: the key id must be 1–16 letters, digits, `-` or `_`",
                    n + 1
                )));
            }
            let key: [u8; 32] = unhex(hexkey)
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| {
                    VaultError::Config(format!(
                        "key `{id}` must be 64 hexadecimal digits (32 bytes)"
                    ))
                })?;
            if keys.iter().any(|k| k.id == id) {
                return Err(VaultError::Config(format!("key id `{id}` appears twice")));
            }
            keys.push(NamedKey {
                id: id.to_string(),
                key,
            });
        }
        if keys.is_empty() {
            return Err(VaultError::Config("no key given".into()));
        }
        Ok(Keyring { keys })
    }

    /// A new random key as `id:hex64`.
    pub fn generate(id: &str) -> String {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        format!("{id}:{}", hex(&k))
    }

    /// The id of the key that seals.
    pub fn current(&self) -> &str {
        &self.keys[0].id
    }

    /// Seals `plain` for the record `aad`: `v1.<key id>.<nonce><ciphertext>` in hex.
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> String {
        let k = &self.keys[0];
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&k.key));
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .expect("ChaCha20-Poly1305 encryption does not fail for in-memory buffers");
        format!("v1.{}.{}{}", k.id, hex(&nonce), hex(&ct))
    }

    /// The key a sealed value or a chain link names, and its hex body as bytes.
    fn key_and_bytes(&self, id: &str, body: &str) -> Result<(&NamedKey, Vec<u8>), VaultError> {
        let k = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| VaultError::UnknownKey(id.to_string()))?;
        Ok((k, unhex(body).ok_or(VaultError::Damaged)?))
    }

    /// Opens a sealed value for the record `aad`.
    pub fn open(&self, aad: &[u8], sealed: &str) -> Result<Vec<u8>, VaultError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VaultError::Damaged);
        };
        let (k, raw) = self.key_and_bytes(id, body)?;
        if raw.len() < 12 + 16 {
            return Err(VaultError::Damaged);
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&k.key));
        cipher
            .decrypt(
                Nonce::from_slice(&raw[..12]),
                Payload {
                    msg: &raw[12..],
                    aad,
                },
            )
            .map_err(|_| VaultError::Damaged)
    }

    /// Whether a sealed value was sealed with another key than the current one.
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current())
    }

    /// Whether a blind index (`<key id>.<hex>`) was made with another key than the current
    /// one. ([`Keyring::is_stale`] reads a sealed value, `v1.<key id>.…`.)
    pub fn is_stale_index(&self, index: &str) -> bool {
        index.split('.').next() != Some(self.current())
    }

    /// A keyed, deterministic index of a value (for finding a personnummer without storing it).
    pub fn blind_index(&self, value: &str) -> String {
        Self::index_with(&self.keys[0].id, &self.keys[0].key, value)
    }

    /// The value's index under every key of the ring, the current one first: a lookup
    /// that must also find what was indexed before the last rotation.
    pub fn blind_indexes(&self, value: &str) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| Self::index_with(&k.id, &k.key, value))
            .collect()
    }

    fn index_with(id: &str, key: &[u8; 32], value: &str) -> String {
        let mut derive =
            <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
        derive.update(b"etablera blind index v1");
        let index_key = derive.finalize().into_bytes();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&index_key)
            .expect("HMAC takes keys of any length");
        mac.update(value.as_bytes());
        format!("{}.{}", id, hex(&mac.finalize().into_bytes()))
    }

    fn chain_key(key: &[u8; 32]) -> Hmac<Sha256> {
        let mut derive =
            <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
        derive.update(b"etablera read log chain v1");
        let chain_key = derive.finalize().into_bytes();
        <Hmac<Sha256> as Mac>::new_from_slice(&chain_key).expect("HMAC takes keys of any length")
    }

    /// A link of a tamper-evident chain: HMAC over the previous link and `data`, under a key
    /// derived from the current key, as `<key id>.<hex>`. Whoever holds the database but not
    /// the keys cannot forge, remove or reorder links unnoticed.
    pub fn chain_mac(&self, prev: &str, data: &[u8]) -> String {
        let k = &self.keys[0];
        let mut mac = Self::chain_key(&k.key);
        mac.update(&(prev.len() as u64).to_be_bytes());
        mac.update(prev.as_bytes());
        mac.update(data);
        format!("{}.{}", k.id, hex(&mac.finalize().into_bytes()))
    }

    /// Whether `link` is the chain link of `data` after `prev`, under the key it names.
    pub fn check_chain_mac(&self, prev: &str, data: &[u8], link: &str) -> Result<bool, VaultError> {
        let (id, body) = link.split_once('.').ok_or(VaultError::Damaged)?;
        let (k, raw) = self.key_and_bytes(id, body)?;
        let mut mac = Self::chain_key(&k.key);
        mac.update(&(prev.len() as u64).to_be_bytes());
        mac.update(prev.as_bytes());
        mac.update(data);
        Ok(mac.verify_slice(&raw).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const K2: &str = "k2:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    #[test]
    fn a_blind_index_is_stale_only_under_another_key() {
        let one = Keyring::parse(K1).unwrap();
        let both = Keyring::parse(&format!("{K2},{K1}")).unwrap();
        let old = one.blind_index("198112189876");
        assert!(!one.is_stale_index(&old));
        assert!(both.is_stale_index(&old));
        assert!(!both.is_stale_index(&both.blind_index("198112189876")));
    }

    #[test]
    fn seal_open_and_bind_to_the_record() {
        let ring = Keyring::parse(K1).unwrap();
        let s = ring.seal(b"row-1", "Amina Yusuf".as_bytes());
        assert!(s.starts_with("v1.k1."));
        assert!(!s.contains("Amina"));
        assert_ne!(
            s,
            ring.seal(b"row-1", "Amina Yusuf".as_bytes()),
            "random nonce"
        );
        assert_eq!(ring.open(b"row-1", &s).unwrap(), b"Amina Yusuf");
        assert_eq!(ring.open(b"row-2", &s), Err(VaultError::Damaged));
        // Change the last hex digit to another one (writing a fixed "00" changed nothing
        // when the ciphertext happened to end in 00: once in 256 runs).
        let mut tampered = s.clone();
        let last = if s.ends_with('0') { "1" } else { "0" };
        tampered.replace_range(s.len() - 1.., last);
        assert_ne!(tampered, s);
        assert_eq!(ring.open(b"row-1", &tampered), Err(VaultError::Damaged));
    }

    #[test]
    fn rotation() {
        let old = Keyring::parse(K1).unwrap();
        let s = old.seal(b"r", b"x");
        let both = Keyring::parse(&format!("{K2},{K1}")).unwrap();
        assert_eq!(both.open(b"r", &s).unwrap(), b"x");
        assert!(both.is_stale(&s));
        let resealed = both.seal(b"r", b"x");
        assert!(!both.is_stale(&resealed));
        let new_only = Keyring::parse(K2).unwrap();
        assert_eq!(new_only.open(b"r", &resealed).unwrap(), b"x");
        assert_eq!(
            new_only.open(b"r", &s),
            Err(VaultError::UnknownKey("k1".into()))
        );
        assert_ne!(
            old.blind_index("198112189876"),
            both.blind_index("198112189876")
        );
        assert_eq!(
            both.blind_index("198112189876"),
            new_only.blind_index("198112189876")
        );
    }

    #[test]
    fn bad_configuration_names_the_entry_and_hides_the_key() {
        for (spec, needle) in [
            ("", "no key"),
            ("k1", "entry 1"),
            ("k1:abcd", "64 hexadecimal"),
            (&format!("{K1},{K1}"), "twice"),
            ("bad id:00", "key id"),
        ] {
            let e = Keyring::parse(spec).unwrap_err().to_string();
            assert!(e.contains(needle), "{spec}: {e}");
            assert!(!e.contains("0001020304"), "{e}");
        }
        let ring = Keyring::parse(K1).unwrap();
        assert_eq!(format!("{ring:?}"), "Keyring([\"k1\"])");
    }
}
