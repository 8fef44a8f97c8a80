//! A PostgreSQL connection that prepares each statement once and keeps it.
//!
//! `postgres::Client::query` with SQL text prepares the statement on the server every
//! time: two round trips per query instead of one. On a loaded two-core server each round
//! trip is a wait for the scheduler, so a page of twelve queries paid twenty-four. The
//! wrappers here have the client's own method names, so the store's code reads the same.

use postgres::types::ToSql;
use postgres::{Client, Error, Row, Statement, Transaction};
use std::collections::HashMap;

/// Statements kept per connection; SQL text built per call (none today) cannot make the
/// cache grow without bound: past this it starts over.
const MAX_STATEMENTS: usize = 512;

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(crate) struct Conn {
    client: Client,
    cache: HashMap<String, Statement>,
}

fn cached(
    cache: &mut HashMap<String, Statement>,
    prepare: impl FnOnce(&str) -> Result<Statement, Error>,
    sql: &str,
) -> Result<Statement, Error> {
    if let Some(st) = cache.get(sql) {
        return Ok(st.clone());
    }
    let st = prepare(sql)?;
    if cache.len() >= MAX_STATEMENTS {
        cache.clear();
    }
    cache.insert(sql.to_owned(), st.clone());
    Ok(st)
}

impl Conn {
    pub(crate) fn new(client: Client) -> Conn {
        Conn {
            client,
            cache: HashMap::new(),
        }
    }

    /// Whether the server closed the connection.
    pub(crate) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, Error> {
        let client = &mut self.client;
        cached(&mut self.cache, |s| client.prepare(s), sql)
    }

    pub(crate) fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, Error> {
        let st = self.statement(sql)?;
        self.client.query(&st, params)
    }

    pub(crate) fn query_one(&mut self, sql: &str, params: Params) -> Result<Row, Error> {
        let st = self.statement(sql)?;
        self.client.query_one(&st, params)
    }

    pub(crate) fn execute(&mut self, sql: &str, params: Params) -> Result<u64, Error> {
        let st = self.statement(sql)?;
        self.client.execute(&st, params)
    }

    /// Several statements in one round trip, unprepared (migrations, set-up).
    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        // A migration may change what kept statements return.
        self.cache.clear();
        self.client.batch_execute(sql)
    }

    pub(crate) fn transaction(&mut self) -> Result<Tx<'_>, Error> {
        Ok(Tx {
            tx: self.client.transaction()?,
            cache: &mut self.cache,
        })
    }
}

/// A transaction on a [`Conn`], sharing its statements.
pub(crate) struct Tx<'a> {
    tx: Transaction<'a>,
    cache: &'a mut HashMap<String, Statement>,
}

impl Tx<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, Error> {
        let tx = &mut self.tx;
        cached(self.cache, |s| tx.prepare(s), sql)
    }

    pub(crate) fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, Error> {
        let st = self.statement(sql)?;
        self.tx.query(&st, params)
    }

    pub(crate) fn query_opt(&mut self, sql: &str, params: Params) -> Result<Option<Row>, Error> {
        let st = self.statement(sql)?;
        self.tx.query_opt(&st, params)
    }

    pub(crate) fn query_one(&mut self, sql: &str, params: Params) -> Result<Row, Error> {
        let st = self.statement(sql)?;
        self.tx.query_one(&st, params)
    }

    pub(crate) fn execute(&mut self, sql: &str, params: Params) -> Result<u64, Error> {
        let st = self.statement(sql)?;
        self.tx.execute(&st, params)
    }

    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        self.cache.clear();
        self.tx.batch_execute(sql)
    }

    pub(crate) fn copy_in(&mut self, sql: &str) -> Result<postgres::CopyInWriter<'_>, Error> {
        self.tx.copy_in(sql)
    }

    pub(crate) fn commit(self) -> Result<(), Error> {
        self.tx.commit()
    }
}

fn run_exec<C: Run>(c: &mut C, sql: &str, p: &[crate::backend::P]) -> crate::Result<u64> {
    Ok(c.execute(sql, &crate::backend::pg_params(p))?)
}

fn run_each<C: Run>(
    c: &mut C,
    sql: &str,
    p: &[crate::backend::P],
    f: &mut dyn FnMut(&dyn crate::backend::Get) -> crate::Result<()>,
) -> crate::Result<()> {
    for r in c.query(sql, &crate::backend::pg_params(p))? {
        f(&r)?;
    }
    Ok(())
}

/// What [`Conn`] and [`Tx`] both do, so the shared `Sql` is written once for them.
trait Run {
    fn execute(&mut self, sql: &str, params: Params) -> Result<u64, Error>;
    fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, Error>;
    fn batch_execute(&mut self, sql: &str) -> Result<(), Error>;
}

fn run_script<C: Run>(c: &mut C, sql: &str) -> crate::Result<()> {
    Ok(c.batch_execute(sql)?)
}

impl Run for Conn {
    fn execute(&mut self, sql: &str, params: Params) -> Result<u64, Error> {
        Conn::execute(self, sql, params)
    }
    fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, Error> {
        Conn::query(self, sql, params)
    }
    fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        Conn::batch_execute(self, sql)
    }
}

impl Run for Tx<'_> {
    fn execute(&mut self, sql: &str, params: Params) -> Result<u64, Error> {
        Tx::execute(self, sql, params)
    }
    fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, Error> {
        Tx::query(self, sql, params)
    }
    fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        Tx::batch_execute(self, sql)
    }
}

crate::backend::sql_via!(Conn, run_exec, run_each, run_script);
crate::backend::sql_via!(Tx<'_>, run_exec, run_each, run_script);
