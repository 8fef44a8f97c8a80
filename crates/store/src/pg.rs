//! The PostgreSQL backend, for municipalities that run a database server.

use crate::pg_conn::Conn;
use crate::shared;
use crate::*;
use postgres::NoTls;
use std::io::Write;

/// A store in a PostgreSQL database. A `search_path` in the URL's `options` selects a
/// schema, which the tests use to give each test its own.
pub struct PgStore {
    client: Conn,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore")
    }
}

impl PgStore {
    /// Connects; without a `connect_timeout` in the URL, a server that does not answer
    /// is given up after 10 seconds rather than the operating system's minutes.
    pub fn connect(url: &str) -> Result<PgStore> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        // A server that vanishes (a partition, a failover) is noticed within about a
        // minute (TCP keepalives, and unacknowledged writes given up after 30 s), not after
        // the operating system's quarter of an hour.
        config
            .keepalives(true)
            .keepalives_idle(std::time::Duration::from_secs(30))
            .keepalives_interval(std::time::Duration::from_secs(10))
            .keepalives_retries(3)
            .tcp_user_timeout(std::time::Duration::from_secs(30));
        Ok(PgStore {
            client: Conn::new(config.connect(NoTls)?),
        })
    }

    /// Runs SQL directly; for tests and set-up (creating a schema).
    pub fn execute_batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn latest_rows(&mut self, q: &ObsQuery) -> Result<Vec<Row>> {
        let inds: Vec<String> = q.indicators.iter().map(|i| i.to_string()).collect();
        let units: Vec<String> = q.units.iter().map(|u| u.to_string()).collect();
        let as_of = q.as_of.as_deref().map(as_of_bound);
        let rows = self.client.query(
            // Only the newest version of each key (as in the SQLite store).
            "select indicator_id, unit_code, period, sex, value, status, batch_id from (
               select o.indicator_id, o.unit_code, o.period, o.sex, o.value, o.status, o.batch_id,
                      row_number() over (partition by o.indicator_id, o.unit_code, o.period, o.sex
                                         order by o.batch_id desc) as newest
               from observation o join batch b on b.id = o.batch_id
               where (cardinality($1::text[]) = 0 or o.indicator_id = any($1))
                 and (cardinality($2::text[]) = 0 or o.unit_code = any($2))
                 and ($3::text is null or b.imported_at <= $3)
             ) latest where newest = 1
             order by indicator_id, unit_code, period, sex, batch_id desc",
            &[&inds, &units, &as_of],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                )
            })
            .collect())
    }
}

crate::backend::backend_on!(PgStore, client);

impl Store for PgStore {
    /// Names the municipalities (row-level security's `etablera.units`) and forgets any
    /// newcomer's person named before.
    fn set_acting_units(&mut self, units: &str) -> Result<()> {
        self.client.query_one(
            "select set_config('etablera.units', $1, false), set_config('etablera.person', '', false)",
            &[&units],
        )?;
        Ok(())
    }

    fn set_acting_person(&mut self, person_id: &str) -> Result<()> {
        self.client.query_one(
            "select set_config('etablera.person', $1, false)",
            &[&person_id],
        )?;
        Ok(())
    }

    fn acting_units(&mut self) -> Result<String> {
        let r = self.client.query_one(
            "select coalesce(current_setting('etablera.units', true), '')",
            &[],
        )?;
        Ok(r.get(0))
    }

    /// Collects the chunks, then copies them in (`COPY` into a staging table, compared
    /// with what is stored) in one transaction.
    fn import_stream(
        &mut self,
        batch: &NewBatch,
        chunks: &mut dyn Iterator<Item = std::result::Result<Vec<Observation>, String>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        let mut obs = Vec::new();
        for c in chunks {
            obs.extend(c.map_err(StoreError::Aborted)?);
        }
        let obs = &obs[..];
        if let Some(batch_id) = shared::imported_batch(&mut self.client, &batch.content_sha256)? {
            let outcome = ImportOutcome::AlreadyImported { batch_id };
            shared::audit_alone(self, batch, &outcome)?;
            return Ok(outcome);
        }
        let (known_ind, known_units) = shared::known_sets(&mut self.client)?;
        let changed = plan_import(obs, &known_ind, &known_units, false, |q| {
            self.latest_rows(&q)
        })?;
        if changed.is_empty() {
            let outcome = ImportOutcome::Unchanged { rows: obs.len() };
            shared::audit_alone(self, batch, &outcome)?;
            return Ok(outcome);
        }
        let mut tx = self.client.transaction()?;
        let batch_id: i64 = tx
            .query_one(
                "insert into batch (source, file_name, content_sha256, imported_at, row_count, changed_count, owner_unit)
                 values ($1, $2, $3, $4, $5, $6, $7) returning id",
                &[&batch.source, &batch.file_name, &batch.content_sha256, &batch.imported_at, &(obs.len() as i64), &(changed.len() as i64), &batch.owner.as_ref().map(|u| u.as_str())],
            )?
            .get(0);
        {
            // COPY in text format: tab-separated, \N for null. Ids and codes are checked
            // types without tabs, backslashes or newlines, so no escaping is needed.
            let mut w = tx.copy_in("copy observation (indicator_id, unit_code, period, sex, batch_id, value, status) from stdin")?;
            let mut buf = Vec::with_capacity(1 << 20);
            for (n, o) in changed.iter().enumerate() {
                let v = match o.value() {
                    Some(v) => format!("{v:?}"),
                    None => "\\N".to_string(),
                };
                let _ = writeln!(
                    buf,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    o.indicator,
                    o.unit,
                    o.period,
                    o.sex.code(),
                    batch_id,
                    v,
                    o.status().as_str()
                );
                if buf.len() > (1 << 20) - 256 {
                    w.write_all(&buf)
                        .map_err(|e| StoreError::Corrupt(format!("copy: {e}")))?;
                    buf.clear();
                    progress(n as u64);
                }
            }
            w.write_all(&buf)
                .map_err(|e| StoreError::Corrupt(format!("copy: {e}")))?;
            w.finish()?;
            progress(changed.len() as u64);
        }
        let outcome = ImportOutcome::Imported {
            batch_id,
            rows: obs.len(),
            changed: changed.len(),
        };
        if let Some(a) = batch.audit_of(&outcome) {
            shared::insert_audit(&mut tx, &a)?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Several server processes may start at once on a new version: an advisory lock
    /// on the schema (held by this session until released, or the session ends) lets one
    /// of them migrate while the others wait, then find nothing left to do. A database
    /// with nothing pending is not written to at all, so a process connected as a role
    /// that may not change the schema starts. Migrations act for every municipality
    /// (row-level security), and the session's setting is put back after.
    fn migrate(&mut self) -> Result<()> {
        if self.schema_status()?.current() {
            return Ok(());
        }
        let acting: String = self
            .client
            .query_one(
                "select coalesce(current_setting('etablera.units', true), '')",
                &[],
            )?
            .get(0);
        self.client.batch_execute(
            "select pg_advisory_lock(hashtext('etablera migrate ' || current_schema())); select set_config('etablera.units', '*', false)",
        )?;
        let r = shared::migrate(
            self,
            crate::backend::Dialect::Postgres,
            "create table if not exists schema_migration (version bigint primary key, applied_at timestamptz not null default now())",
        );
        let unlocked = self.client.batch_execute(
            "select pg_advisory_unlock(hashtext('etablera migrate ' || current_schema()))",
        );
        let put_back = self
            .client
            .query_one("select set_config('etablera.units', $1, false)", &[&acting]);
        // The migration's own error first: it says what went wrong.
        r?;
        unlocked?;
        put_back?;
        Ok(())
    }

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn observations(&mut self, q: &ObsQuery) -> Result<Vec<StoredObservation>> {
        let rows = self.latest_rows(q)?;
        latest_per_key(rows)
    }

    fn log_reads(&mut self, entries: &[ReadLogEntry], mac: ChainMac) -> Result<()> {
        let mut tx = self.client.transaction()?;
        // One writer at a time (readers go on), so two cannot read the same head and fork
        // the chain.
        tx.batch_execute("lock table read_log in exclusive mode")?;
        shared::append_reads(&mut tx, entries, mac)?;
        tx.commit()?;
        Ok(())
    }

    fn dialect(&self) -> crate::backend::Dialect {
        crate::backend::Dialect::Postgres
    }
    fn purge_read_log(&mut self) -> Result<usize> {
        let mut tx = self.client.transaction()?;
        tx.batch_execute("lock table read_log in exclusive mode")?;
        // The oldest rows up to the first one the retention still keeps.
        let last = tx.query_opt(
            "select id, mac, to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from read_log
             where id <= coalesce(
                (select min(id) - 1 from read_log where at >= to_char((now() at time zone 'utc') - make_interval(years => (select years from read_log_retention where id = 1)), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')),
                (select max(id) from read_log))
             order by id desc limit 1",
            &[],
        )?;
        let Some(last) = last else {
            return Ok(0);
        };
        let (through, mac, now): (i64, Option<String>, String) =
            (last.get(0), last.get(1), last.get(2));
        tx.execute(
            "insert into read_log_checkpoint (at, through_id, mac) values ($1, $2, $3)",
            &[&now, &through, &mac.unwrap_or_default()],
        )?;
        let n = tx.execute("delete from read_log where id <= $1", &[&through])?;
        tx.commit()?;
        Ok(n as usize)
    }
}
