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
    /// Where the database is, when the connection was opened by address: the key of the
    /// process's derived data about it (the library's search index).
    address: Option<String>,
    /// The municipalities last named to the store (`Store::set_acting_units`), so an
    /// operation for the same actor costs no round trip.
    acting: Option<String>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").finish_non_exhaustive()
    }
}

impl Conn {
    /// Opens the database at `address`: a file path for SQLite or a `postgres://` URL.
    pub fn open(address: &str) -> Result<Conn> {
        let mut c = Conn::from_store(etablera_store::open(address)?);
        c.address = Some(address.to_string());
        Ok(c)
    }

    /// Opens the database and brings its schema up to date.
    pub fn open_migrated(address: &str) -> Result<Conn> {
        let mut c = Conn::open(address)?;
        c.store.migrate()?;
        Ok(c)
    }

    /// Whether the database still answers on this connection (`select 1`).
    pub fn ping(&mut self) -> Result<()> {
        Ok(self.store.ping()?)
    }

    /// Whether the database closed this connection (a restarted server): a pool drops it
    /// rather than hand it to the next request.
    pub fn is_closed(&self) -> bool {
        self.store.is_closed()
    }

    /// An already open store (tests, benchmarks).
    pub fn from_store(store: Box<dyn Store>) -> Conn {
        Conn {
            store,
            address: None,
            acting: None,
        }
    }

    /// Names to the store the municipalities `actor` acts for (see
    /// [`Actor::units`]), so that the database session knows them: on PostgreSQL the
    /// setting `etablera.units` that row-level security can key on. Every access check
    /// of this crate calls it before it reads.
    pub(crate) fn act_as(&mut self, actor: &Actor) -> Result<()> {
        self.act_for(&actor.units())
    }

    /// Names municipalities to the store (see [`Actor::units`]) unless it has them already.
    pub(crate) fn act_for(&mut self, units: &str) -> Result<()> {
        if self.acting.as_deref() != Some(units) {
            self.store.set_acting_units(units)?;
            self.acting = Some(units.to_string());
        }
        Ok(())
    }

    /// Makes the connection act for nobody (an anonymous reader) until an operation names
    /// its actor. A pool calls it when it hands a connection out, so that no operation
    /// inherits the municipalities of the one before it (reading the session of a request,
    /// a newcomer's plan link, public reference data).
    pub fn act_for_nobody(&mut self) -> Result<()> {
        self.act_for("")
    }

    /// A newcomer's session: nobody's municipalities, and the one person whose plan link
    /// was checked. The next [`Conn::act_for`] names municipalities again, which forgets
    /// the person.
    pub(crate) fn act_for_person(&mut self, person_id: &str) -> Result<()> {
        self.act_for("")?;
        self.store.set_acting_person(person_id)?;
        // Not cached: whatever acts next sets its municipalities anew, clearing the person.
        self.acting = None;
        Ok(())
    }

    /// The municipalities the database session acts for now, as the store has them.
    pub fn acting_units(&mut self) -> Result<String> {
        Ok(self.store.acting_units()?)
    }

    /// The address the connection was opened with, if it was.
    pub(crate) fn address(&self) -> Option<&str> {
        self.address.as_deref()
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

    /// The municipalities the actor acts for, as the store is told them: `*` for a system
    /// administrator, else the codes of their strategy and register memberships, sorted and
    /// separated by commas; empty for an anonymous reader.
    pub fn units(&self) -> String {
        match &self.principal {
            None => String::new(),
            Some(p) if p.system_admin => "*".into(),
            Some(p) => {
                let mut codes: Vec<&str> = p
                    .memberships
                    .iter()
                    .map(|(u, _)| u.as_str())
                    .chain(p.register.iter().map(|(u, _)| u.as_str()))
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                codes.join(",")
            }
        }
    }

    /// The Swedish or the English text, in the actor's language.
    pub fn t<'a>(&self, sv: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(sv, en)
    }
}
