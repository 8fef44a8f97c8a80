//! The SQLite backend: the embedded default, one file.

use crate::shared;
use crate::*;
use rusqlite::{params, Connection, OptionalExtension};

/// A store in an SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// The municipalities the acting principal acts for (see `Store::set_acting_units`).
    acting_units: String,
}

/// While another connection writes, try again every quarter millisecond for up to about
/// five seconds. SQLite's own busy timeout sleeps in growing steps of up to 100 ms, so a
/// page that met one write lock under load waited tens of milliseconds after the lock was
/// free (the soak's p99 of a logged read was 54 ms for that alone).
fn wait_briefly(tries: i32) -> bool {
    if tries >= 20_000 {
        return false;
    }
    std::thread::sleep(std::time::Duration::from_micros(250));
    true
}

impl SqliteStore {
    pub fn open(path: &str) -> Result<SqliteStore> {
        let mut conn = Connection::open(path)?;
        // WAL keeps readers going during an import; NORMAL sync is durable at each commit
        // boundary in WAL mode except on power loss, which is acceptable for re-importable data.
        conn.execute_batch(
            // A small page cache per connection (1 MiB; the web keeps up to 16 open): the
            // operating system caches the file for all of them, and the process's memory
            // stays flat as the database grows.
            "pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma cache_size = -1024;",
        )?;
        conn.busy_handler(Some(wait_briefly))?;
        // Every transaction of ours writes: it takes the write lock when it begins, so two
        // at once wait for each other (the busy handler) instead of one failing at once when
        // it upgrades from reading to writing ("database is locked", which SQLite answers
        // without waiting, since waiting could deadlock).
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            conn,
            acting_units: String::new(),
        })
    }
}

/// Writes observation rows with multi-row statements: one statement per 64 rows cuts
/// the per-statement cost, which dominates a large import.
struct RowWriter<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    full: rusqlite::Statement<'t>,
    batch_id: i64,
    // Periods are few and repeat: write each as text once.
    period_text: HashMap<Period, String>,
}

const ROWS_PER_STATEMENT: usize = 64;

fn insert_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|r| {
            let b = r * 7;
            format!(
                "(?{},?{},?{},?{},?{},?{},?{})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            )
        })
        .collect();
    format!(
        "insert or replace into observation (indicator_id, unit_code, period, sex, batch_id, value, status) values {}",
        rows.join(",")
    )
}

impl<'t> RowWriter<'t> {
    fn new(tx: &'t rusqlite::Transaction<'t>, batch_id: i64) -> Result<RowWriter<'t>> {
        Ok(RowWriter {
            tx,
            full: tx.prepare(&insert_sql(ROWS_PER_STATEMENT))?,
            batch_id,
            period_text: HashMap::new(),
        })
    }

    fn write(&mut self, rows: &[&Observation]) -> Result<()> {
        for o in rows {
            self.period_text
                .entry(o.period)
                .or_insert_with(|| o.period.to_string());
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<Option<f64>> = chunk.iter().map(|o| o.value()).collect();
            let keys: Vec<[&str; 2]> = chunk
                .iter()
                .map(|o| [o.indicator.as_str(), o.unit.as_str()])
                .collect();
            let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(chunk.len() * 7);
            for (i, o) in chunk.iter().enumerate() {
                args.push(&keys[i][0]);
                args.push(&keys[i][1]);
                args.push(&self.period_text[&o.period]);
                args.push(&SEX[o.sex as usize]);
                args.push(&self.batch_id);
                args.push(&values[i]);
                args.push(&STATUS[o.status() as usize]);
            }
            if chunk.len() == ROWS_PER_STATEMENT {
                self.full.execute(args.as_slice())?;
            } else {
                self.tx.execute(&insert_sql(chunk.len()), args.as_slice())?;
            }
        }
        Ok(())
    }
}

const SEX: [&str; 3] = ["T", "K", "M"];
const STATUS: [&str; 5] = [
    "final",
    "preliminary",
    "missing",
    "not_applicable",
    "suppressed",
];

/// Every stored version of the matching figures, ordered by key and newest batch first.
fn latest_rows(conn: &Connection, q: &ObsQuery) -> Result<Vec<Row>> {
    // Only the newest version of each key leaves the database (the window keeps the row
    // with the highest batch): the engine never needs older versions, and a figure revised
    // in many batches no longer costs memory in proportion to its history.
    let mut sql = String::from(
        "select indicator_id, unit_code, period, sex, value, status, batch_id from (
           select o.indicator_id, o.unit_code, o.period, o.sex, o.value, o.status, o.batch_id,
                  row_number() over (partition by o.indicator_id, o.unit_code, o.period, o.sex
                                     order by o.batch_id desc) as newest
           from observation o join batch b on b.id = o.batch_id where 1 = 1",
    );
    let mut args: Vec<String> = Vec::new();
    if !q.indicators.is_empty() {
        sql.push_str(&format!(
            " and o.indicator_id in ({})",
            placeholders(args.len(), q.indicators.len())
        ));
        args.extend(q.indicators.iter().map(|i| i.to_string()));
    }
    if !q.units.is_empty() {
        sql.push_str(&format!(
            " and o.unit_code in ({})",
            placeholders(args.len(), q.units.len())
        ));
        args.extend(q.units.iter().map(|u| u.to_string()));
    }
    if let Some(a) = &q.as_of {
        args.push(as_of_bound(a));
        sql.push_str(&format!(" and b.imported_at <= ?{}", args.len()));
    }
    sql.push_str(
        ") latest where newest = 1 order by indicator_id, unit_code, period, sex, batch_id desc",
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })?;
    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
}

fn placeholders(start: usize, n: usize) -> String {
    (start + 1..=start + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

crate::backend::backend_on!(SqliteStore, conn);

impl Store for SqliteStore {
    fn set_acting_units(&mut self, units: &str) -> Result<()> {
        self.acting_units = units.to_string();
        Ok(())
    }

    fn acting_units(&mut self) -> Result<String> {
        Ok(self.acting_units.clone())
    }

    fn migrate(&mut self) -> Result<()> {
        shared::migrate(
            self,
            crate::backend::Dialect::Sqlite,
            "create table if not exists schema_migration (version integer primary key, applied_at text not null default current_timestamp)",
        )
    }

    /// Stores chunks as they arrive, in one transaction. An indicator with nothing stored
    /// yet has only new rows, which are written at once; rows of indicators with stored
    /// values are kept and compared with them at the end. Repeats within the import are
    /// resolved by `insert or replace`, the last one winning, as in the shared planner.
    fn import_stream(
        &mut self,
        batch: &NewBatch,
        chunks: &mut dyn Iterator<Item = std::result::Result<Vec<Observation>, String>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        if let Some(batch_id) = shared::imported_batch(&mut self.conn, &batch.content_sha256)? {
            let outcome = ImportOutcome::AlreadyImported { batch_id };
            shared::audit_alone(self, batch, &outcome)?;
            return Ok(outcome);
        }
        let (known_ind, known_units) = shared::known_sets(&mut self.conn)?;
        let mut tx = self.conn.transaction()?;
        tx.execute(
            "insert into batch (source, file_name, content_sha256, imported_at, row_count, changed_count, owner_unit) values (?1, ?2, ?3, ?4, 0, 0, ?5)",
            params![batch.source, batch.file_name, batch.content_sha256, batch.imported_at, batch.owner.as_ref().map(|u| u.as_str())],
        )?;
        let batch_id = tx.last_insert_rowid();
        let mut writer = RowWriter::new(&tx, batch_id)?;
        let mut fresh: HashMap<IndicatorId, bool> = HashMap::new();
        let mut pending: Vec<Observation> = Vec::new();
        let (mut rows, mut written) = (0usize, 0usize);
        for chunk in chunks {
            let chunk = chunk.map_err(StoreError::Aborted)?;
            check_known(&chunk, &known_ind, &known_units)?;
            rows += chunk.len();
            let mut new_rows: Vec<&Observation> = Vec::with_capacity(chunk.len());
            for o in &chunk {
                let is_fresh = match fresh.get(&o.indicator) {
                    Some(f) => *f,
                    None => {
                        let stored: Option<i64> = tx
                            .query_row(
                                "select 1 from observation where indicator_id = ?1 limit 1",
                                [o.indicator.as_str()],
                                |r| r.get(0),
                            )
                            .optional()?;
                        fresh.insert(o.indicator.clone(), stored.is_none());
                        stored.is_none()
                    }
                };
                if is_fresh {
                    new_rows.push(o);
                } else {
                    pending.push(o.clone());
                }
            }
            writer.write(&new_rows)?;
            written += new_rows.len();
            progress(written as u64);
        }
        if !pending.is_empty() {
            let mut indicators: Vec<IndicatorId> =
                pending.iter().map(|o| o.indicator.clone()).collect();
            indicators.sort();
            indicators.dedup();
            let current = latest_rows(
                &tx,
                &ObsQuery {
                    indicators,
                    ..Default::default()
                },
            )?;
            let changed = plan_import(&pending, &known_ind, &known_units, false, |_| Ok(current))?;
            writer.write(&changed)?;
            written += changed.len();
            progress(written as u64);
        }
        drop(writer);
        if written == 0 {
            // Dropping the transaction rolls back the batch row.
            drop(tx);
            let outcome = ImportOutcome::Unchanged { rows };
            shared::audit_alone(self, batch, &outcome)?;
            return Ok(outcome);
        }
        tx.execute(
            "update batch set row_count = ?1, changed_count = ?2 where id = ?3",
            params![rows as i64, written as i64, batch_id],
        )?;
        let outcome = ImportOutcome::Imported {
            batch_id,
            rows,
            changed: written,
        };
        if let Some(a) = batch.audit_of(&outcome) {
            shared::insert_audit(&mut tx, &a)?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn observations(&mut self, q: &ObsQuery) -> Result<Vec<StoredObservation>> {
        latest_per_key(latest_rows(&self.conn, q)?)
    }

    fn log_reads(&mut self, entries: &[ReadLogEntry], mac: ChainMac) -> Result<()> {
        // An immediate transaction takes the write lock first, so two writers cannot read
        // the same head and fork the chain.
        let mut tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        shared::append_reads(&mut tx, entries, mac)?;
        tx.commit()?;
        Ok(())
    }

    fn dialect(&self) -> crate::backend::Dialect {
        crate::backend::Dialect::Sqlite
    }
    fn purge_read_log(&mut self) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The oldest rows up to the first one the retention still keeps.
        let through: Option<i64> = tx.query_row(
            "select coalesce(
                (select min(id) - 1 from read_log where at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (select years from read_log_retention where id = 1) || ' years')),
                (select max(id) from read_log))",
            [],
            |r| r.get(0),
        )?;
        let Some(through) = through else {
            return Ok(0);
        };
        let last: Option<(i64, Option<String>, String)> = tx
            .query_row(
                "select id, mac, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') from read_log where id <= ?1 order by id desc limit 1",
                [through],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((through, mac, now)) = last else {
            return Ok(0);
        };
        tx.execute(
            "insert into read_log_checkpoint (at, through_id, mac) values (?1, ?2, ?3)",
            params![now, through, mac.unwrap_or_default()],
        )?;
        let n = tx.execute("delete from read_log where id <= ?1", [through])?;
        tx.commit()?;
        Ok(n)
    }
}
