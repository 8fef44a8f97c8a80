//! An open database as the adapters hold it. The web application keeps a few of these in its
//! pool and the command line opens one; neither can reach the store behind it: every read and
//! write goes through an operation of this crate, which checks access, validates, writes and
//! records the audit entry.

use crate::error::Result;
use etablera_domain::access::Principal;
use etablera_domain::Lang;
use etablera_store::Store;

/// An open database. Operations take it as `&mut Conn`.
pub struct Conn {
    store: Box<dyn Store>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").finish_non_exhaustive()
    }
}

impl Conn {
    /// Opens the database at `address`: a file path for SQLite or a `postgres://` URL.
    pub fn open(address: &str) -> Result<Conn> {
        Ok(Conn {
            store: etablera_store::open(address)?,
        })
    }

    /// Opens the database and brings its schema up to date.
    pub fn open_migrated(address: &str) -> Result<Conn> {
        let mut c = Conn::open(address)?;
        c.store.migrate()?;
        Ok(c)
    }

    /// An already open store (tests, benchmarks).
    pub fn from_store(store: Box<dyn Store>) -> Conn {
        Conn { store }
    }

    pub(crate) fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }
}

/// Who acts: the principal (none for an anonymous reader) and the language refusals are
/// written in.
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Option<Principal>,
    pub lang: Lang,
}

impl Actor {
    pub fn new(principal: Option<Principal>, lang: Lang) -> Actor {
        Actor { principal, lang }
    }

    /// The operator at the command line (a system administrator without an account).
    pub fn system() -> Actor {
        Actor {
            principal: Some(Principal::system()),
            lang: Lang::Sv,
        }
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// The acting user's id for the audit log; `None` for anonymous readers and the operator.
    pub fn user_id(&self) -> Option<i64> {
        self.principal
            .as_ref()
            .map(|p| p.user_id)
            .filter(|id| *id != 0)
    }

    /// The Swedish or the English text, in the actor's language.
    pub fn t<'a>(&self, sv: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(sv, en)
    }
}
