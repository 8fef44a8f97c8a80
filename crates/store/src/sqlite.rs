//! The SQLite backend: the embedded default, one file.

use crate::*;
use etablera_domain::{Direction, IndicatorSource, MeasureUnit, UnitKind};
use rusqlite::{params, Connection, OptionalExtension};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_accounts.sql")),
    (
        3,
        include_str!("../migrations/sqlite/0003_accessibility_reports.sql"),
    ),
    (4, include_str!("../migrations/sqlite/0004_register.sql")),
    (5, include_str!("../migrations/sqlite/0005_tenant_keys.sql")),
    (
        6,
        include_str!("../migrations/sqlite/0006_requests_and_log_chain.sql"),
    ),
    (
        7,
        include_str!("../migrations/sqlite/0007_login_throttle.sql"),
    ),
    (
        8,
        include_str!("../migrations/sqlite/0008_strategy_versions.sql"),
    ),
    (
        9,
        include_str!("../migrations/sqlite/0009_repair_api_token.sql"),
    ),
    (
        10,
        include_str!("../migrations/sqlite/0010_person_household.sql"),
    ),
    (
        11,
        include_str!("../migrations/sqlite/0011_pending_upload.sql"),
    ),
];

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
        let conn = Connection::open(path)?;
        // WAL keeps readers going during an import; NORMAL sync is durable at each commit
        // boundary in WAL mode except on power loss, which is acceptable for re-importable data.
        conn.execute_batch(
            // A small page cache per connection (1 MiB; the web keeps up to 16 open): the
            // operating system caches the file for all of them, and the process's memory
            // stays flat as the database grows.
            "pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma cache_size = -1024;",
        )?;
        conn.busy_handler(Some(wait_briefly))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            conn,
            acting_units: String::new(),
        })
    }

    fn known_sets(&self) -> Result<(HashSet<String>, HashSet<String>)> {
        let mut ind = HashSet::new();
        let mut st = self.conn.prepare_cached("select id from indicator")?;
        for r in st.query_map([], |r| r.get::<_, String>(0))? {
            ind.insert(r?);
        }
        let mut units = HashSet::new();
        let mut st = self.conn.prepare_cached("select code from unit")?;
        for r in st.query_map([], |r| r.get::<_, String>(0))? {
            units.insert(r?);
        }
        Ok((ind, units))
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

const USER_SELECT: &str =
    "select id, username, display_name, password_hash, is_system_admin, disabled from app_user";

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        password_hash: r.get(3)?,
        system_admin: r.get(4)?,
        disabled: r.get(5)?,
    })
}

const TOKEN_SELECT: &str =
    "select id, token_hash, user_id, unit_code, scope, name, created_at, revoked_at from api_token";

fn token_row(r: &rusqlite::Row) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        token_hash: r.get(1)?,
        user_id: r.get(2)?,
        unit_code: r.get(3)?,
        scope: r.get(4)?,
        name: r.get(5)?,
        created_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

fn insert_audit(conn: &Connection, e: &AuditEntry) -> Result<()> {
    conn.execute(
        "insert into audit_log (at, user_id, action, object, unit_code, before, after) values (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![e.at, e.user_id, e.action, e.object, e.unit_code, e.before, e.after],
    )?;
    Ok(())
}

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

impl Store for SqliteStore {
    fn set_acting_units(&mut self, units: &str) -> Result<()> {
        self.acting_units = units.to_string();
        Ok(())
    }

    fn acting_units(&mut self) -> Result<String> {
        Ok(self.acting_units.clone())
    }

    fn migrate(&mut self) -> Result<()> {
        self.conn.execute_batch("create table if not exists schema_migration (version integer primary key, applied_at text not null default current_timestamp)")?;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = self
                .conn
                .query_row(
                    "select version from schema_migration where version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_none() {
                let tx = self.conn.transaction()?;
                tx.execute_batch(sql)?;
                tx.execute(
                    "insert into schema_migration (version) values (?1)",
                    [version],
                )?;
                tx.commit()?;
            }
        }
        Ok(())
    }

    fn upsert_units(&mut self, units: &[Unit]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut st = tx.prepare(
                "insert into unit (code, name, kind, county) values (?1, ?2, ?3, ?4)
                 on conflict (code) do update set name = excluded.name, kind = excluded.kind, county = excluded.county
                 where unit.name is not excluded.name or unit.kind is not excluded.kind or unit.county is not excluded.county",
            )?;
            for u in units {
                n += st.execute(params![u.code.as_str(), u.name, u.kind.as_str(), u.county])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    fn units(&mut self) -> Result<Vec<Unit>> {
        let mut st = self
            .conn
            .prepare("select code, name, kind, county from unit order by code")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (code, name, kind, county) = r?;
            out.push(Unit {
                code: UnitCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                name,
                kind: UnitKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unit kind `{kind}`")))?,
                county,
            });
        }
        Ok(out)
    }

    fn save_group(&mut self, g: &UnitGroup) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "insert into unit (code, name, kind) values (?1, ?2, 'group') on conflict (code) do update set name = excluded.name",
            params![g.code.as_str(), g.name],
        )?;
        tx.execute(
            "delete from unit_group_member where group_code = ?1",
            [g.code.as_str()],
        )?;
        for m in &g.members {
            let known: Option<String> = tx
                .query_row("select code from unit where code = ?1", [m.as_str()], |r| {
                    r.get(0)
                })
                .optional()?;
            if known.is_none() {
                return Err(StoreError::UnknownUnit(m.to_string()));
            }
            tx.execute(
                "insert into unit_group_member (group_code, member_code) values (?1, ?2)",
                params![g.code.as_str(), m.as_str()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn groups(&mut self) -> Result<Vec<UnitGroup>> {
        let mut st = self.conn.prepare_cached(
            "select u.code, u.name, m.member_code from unit u left join unit_group_member m on m.group_code = u.code
             where u.kind = 'group' order by u.code, m.member_code",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut out: Vec<UnitGroup> = Vec::new();
        for r in rows {
            let (code, name, member) = r?;
            if out.last().map(|g| g.code.as_str() != code).unwrap_or(true) {
                out.push(UnitGroup {
                    code: UnitCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    name,
                    members: vec![],
                });
            }
            if let (Some(m), Some(g)) = (member, out.last_mut()) {
                g.members
                    .push(UnitCode::parse(&m).map_err(|e| StoreError::Corrupt(e.to_string()))?);
            }
        }
        Ok(out)
    }

    fn upsert_indicators(&mut self, indicators: &[Indicator]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut st = tx.prepare(
                "insert into indicator (id, title, measure_unit, direction, source, divided_by_sex, description, area)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 on conflict (id) do update set title = excluded.title, measure_unit = excluded.measure_unit,
                   direction = excluded.direction, source = excluded.source, divided_by_sex = excluded.divided_by_sex,
                   description = excluded.description, area = excluded.area
                 where indicator.title is not excluded.title or indicator.measure_unit is not excluded.measure_unit
                   or indicator.direction is not excluded.direction or indicator.source is not excluded.source
                   or indicator.divided_by_sex is not excluded.divided_by_sex or indicator.description is not excluded.description
                   or indicator.area is not excluded.area",
            )?;
            for i in indicators {
                n += st.execute(params![
                    i.id.as_str(),
                    i.title,
                    i.unit.as_str(),
                    i.direction.as_str(),
                    i.source.as_str(),
                    i.divided_by_sex as i64,
                    i.description,
                    i.area
                ])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    fn indicator(&mut self, id: &IndicatorId) -> Result<Option<Indicator>> {
        let row = self
            .conn
            .query_row(
                crate::sql::INDICATOR_BY_ID,
                [id.as_str()],
                indicator_columns,
            )
            .optional()?;
        row.map(|(id, title, unit, dir, src, div, desc, area)| {
            indicator_from_row(id, title, unit, dir, src, div, desc, area)
        })
        .transpose()
    }

    fn indicators(&mut self) -> Result<Vec<Indicator>> {
        let mut st = self
            .conn
            .prepare("select id, title, measure_unit, direction, source, divided_by_sex, description, area from indicator order by id")?;
        let rows = st.query_map([], indicator_columns)?;
        let mut out = Vec::new();
        for r in rows {
            let (id, title, unit, dir, src, div, desc, area) = r?;
            out.push(indicator_from_row(
                id, title, unit, dir, src, div, desc, area,
            )?);
        }
        Ok(out)
    }

    fn import_observations(
        &mut self,
        batch: &NewBatch,
        obs: &[Observation],
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        let mut one = std::iter::once(Ok(obs.to_vec()));
        self.import_stream(batch, &mut one, progress)
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
        let existing: Option<i64> = self
            .conn
            .query_row(
                "select id from batch where content_sha256 = ?1",
                [&batch.content_sha256],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(batch_id) = existing {
            let outcome = ImportOutcome::AlreadyImported { batch_id };
            if let Some(a) = batch.audit_of(&outcome) {
                insert_audit(&self.conn, &a)?;
            }
            return Ok(outcome);
        }
        let (known_ind, known_units) = self.known_sets()?;
        let tx = self.conn.transaction()?;
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
            if let Some(a) = batch.audit_of(&outcome) {
                insert_audit(&self.conn, &a)?;
            }
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
            insert_audit(&tx, &a)?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn observations(&mut self, q: &ObsQuery) -> Result<Vec<StoredObservation>> {
        latest_per_key(latest_rows(&self.conn, q)?)
    }

    fn add_accessibility_report(&mut self, r: &AccessibilityReport) -> Result<i64> {
        self.conn.execute(
            "insert into accessibility_report (at, page, message, contact, user_id) values (?1, ?2, ?3, ?4, ?5)",
            params![r.at, r.page, r.message, r.contact, r.user_id],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn accessibility_reports(&mut self, limit: i64) -> Result<Vec<AccessibilityReport>> {
        let mut st = self.conn.prepare_cached("select id, at, page, message, contact, user_id from accessibility_report order by id desc limit ?1")?;
        let rows = st.query_map([limit.clamp(1, 1000)], |r| {
            Ok(AccessibilityReport {
                id: r.get(0)?,
                at: r.get(1)?,
                page: r.get(2)?,
                message: r.get(3)?,
                contact: r.get(4)?,
                user_id: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    fn batches_version(&mut self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("select coalesce(max(id), 0) from batch", [], |r| r.get(0))?)
    }

    fn batches(&mut self) -> Result<Vec<Batch>> {
        let mut st = self.conn.prepare_cached(
            "select id, source, file_name, content_sha256, imported_at, row_count, changed_count, owner_unit from batch order by id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Batch {
                id: r.get(0)?,
                source: r.get(1)?,
                file_name: r.get(2)?,
                content_sha256: r.get(3)?,
                imported_at: r.get(4)?,
                row_count: r.get(5)?,
                changed_count: r.get(6)?,
                owner: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    fn save_strategy_change(
        &mut self,
        s: &Strategy,
        updated_at: &str,
        revisions: &[TargetRevision],
        audit: Option<&AuditEntry>,
    ) -> Result<()> {
        let doc = serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (known_ind, _) = self.known_sets()?;
        for i in s.indicators() {
            if !known_ind.contains(i.as_str()) {
                return Err(StoreError::UnknownIndicator(i.to_string()));
            }
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "delete from strategy_indicator where strategy_id = ?1",
            [&s.id],
        )?;
        tx.execute(
            "insert into strategy (id, owner_code, title, document, updated_at) values (?1, ?2, ?3, ?4, ?5)
             on conflict (id) do update set owner_code = excluded.owner_code, title = excluded.title,
               document = excluded.document, updated_at = excluded.updated_at",
            params![s.id, s.owner.as_str(), s.title, doc, updated_at],
        )?;
        for i in s.indicators() {
            tx.execute(
                "insert into strategy_indicator (strategy_id, indicator_id) values (?1, ?2)",
                params![s.id, i.as_str()],
            )?;
        }
        let latest: Option<(i32, String)> = tx
            .query_row(crate::sql::LATEST_STRATEGY_VERSION, [&s.id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if latest.as_ref().is_none_or(|(_, d)| *d != doc) {
            let next = latest.map_or(1, |(v, _)| v + 1);
            tx.execute(
                crate::sql::INSERT_STRATEGY_VERSION,
                params![s.id, next, doc, updated_at],
            )?;
        }
        for r in revisions {
            tx.execute(
                "insert into target_revision (strategy_id, target_id, field, old_value, new_value, user_id, changed_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![r.strategy_id, r.target_id, r.field, r.old_value, r.new_value, r.user_id, r.changed_at],
            )?;
        }
        if let Some(a) = audit {
            insert_audit(&tx, a)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn target_revisions(
        &mut self,
        strategy_id: &str,
        target_id: &str,
    ) -> Result<Vec<TargetRevision>> {
        let mut st = self.conn.prepare_cached(
            "select strategy_id, target_id, field, old_value, new_value, user_id, changed_at from target_revision
             where strategy_id = ?1 and target_id = ?2 order by id",
        )?;
        let rows = st.query_map([strategy_id, target_id], |r| {
            Ok(TargetRevision {
                strategy_id: r.get(0)?,
                target_id: r.get(1)?,
                field: r.get(2)?,
                old_value: r.get(3)?,
                new_value: r.get(4)?,
                user_id: r.get(5)?,
                changed_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    fn save_target_comment(&mut self, c: &TargetComment, audit: &AuditEntry) -> Result<()> {
        let tx = self.conn.transaction()?;
        if c.body.trim().is_empty() {
            tx.execute(
                "delete from target_comment where strategy_id = ?1 and target_id = ?2 and year = ?3",
                params![c.strategy_id, c.target_id, c.year],
            )?;
        } else {
            tx.execute(
                "insert into target_comment (strategy_id, target_id, year, body, author_id, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6)
                 on conflict (strategy_id, target_id, year) do update set body = excluded.body, author_id = excluded.author_id, updated_at = excluded.updated_at",
                params![c.strategy_id, c.target_id, c.year, c.body, c.author_id, c.updated_at],
            )?;
        }
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn target_comment(
        &mut self,
        strategy_id: &str,
        target_id: &str,
        year: i32,
    ) -> Result<Option<TargetComment>> {
        Ok(self
            .conn
            .query_row(
                "select strategy_id, target_id, year, body, author_id, updated_at from target_comment where strategy_id = ?1 and target_id = ?2 and year = ?3",
                params![strategy_id, target_id, year],
                |r| Ok(TargetComment { strategy_id: r.get(0)?, target_id: r.get(1)?, year: r.get(2)?, body: r.get(3)?, author_id: r.get(4)?, updated_at: r.get(5)? }),
            )
            .optional()?)
    }

    fn strategy(&mut self, id: &str) -> Result<Option<Strategy>> {
        let doc: Option<String> = self
            .conn
            .query_row("select document from strategy where id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        doc.map(|d| {
            serde_json::from_str(&d)
                .map_err(|e| StoreError::Corrupt(format!("strategy `{id}`: {e}")))
        })
        .transpose()
    }

    fn strategy_as_of(&mut self, id: &str, as_of: &str) -> Result<Option<StrategyAsOf>> {
        let row: Option<(i32, String, String, bool)> = self
            .conn
            .query_row(
                crate::sql::STRATEGY_VERSION_AS_OF,
                params![id, crate::as_of_bound(as_of)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(version, doc, saved_at, saved_after)| {
            crate::strategy_version(id, version, &doc, saved_at, saved_after)
        })
        .transpose()
    }

    fn strategy_versions(&mut self, id: &str) -> Result<Vec<StrategyVersion>> {
        let mut st = self.conn.prepare_cached(crate::sql::STRATEGY_VERSIONS)?;
        let rows = st.query_map([id], |r| {
            Ok(StrategyVersion {
                version: r.get(0)?,
                saved_at: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn strategies(&mut self) -> Result<Vec<StrategySummary>> {
        let mut st = self.conn.prepare_cached(
            "select id, owner_code, title, updated_at, published from strategy order by id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, owner, title, updated_at, published) = r?;
            out.push(StrategySummary {
                id,
                owner: UnitCode::parse(&owner).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                title,
                updated_at,
                published,
            });
        }
        Ok(out)
    }

    fn counts(&mut self) -> Result<Counts> {
        let c = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Counts {
            units: c("select count(*) from unit")?,
            indicators: c("select count(*) from indicator")?,
            batches: c("select count(*) from batch")?,
            observations: c("select count(*) from observation")?,
            strategies: c("select count(*) from strategy")?,
        })
    }

    fn create_user(&mut self, u: &NewUser, audit: &AuditEntry) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let r = tx.execute(
            "insert into app_user (username, display_name, password_hash, is_system_admin, created_at) values (?1, ?2, ?3, ?4, ?5)",
            params![u.username, u.display_name, u.password_hash, u.system_admin, audit.at],
        );
        if let Err(rusqlite::Error::SqliteFailure(e, _)) = &r {
            if e.code == rusqlite::ErrorCode::ConstraintViolation {
                return Err(StoreError::Conflict(format!(
                    "the username `{}` is taken",
                    u.username
                )));
            }
        }
        r?;
        let id = tx.last_insert_rowid();
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn user(&mut self, id: i64) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(&format!("{USER_SELECT} where id = ?1"), [id], user_row)
            .optional()?)
    }

    fn user_by_name(&mut self, username: &str) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                &format!("{USER_SELECT} where username = ?1"),
                [username],
                user_row,
            )
            .optional()?)
    }

    fn users(&mut self) -> Result<Vec<User>> {
        let mut st = self
            .conn
            .prepare(&format!("{USER_SELECT} order by username"))?;
        let rows = st.query_map([], user_row)?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    fn set_password(
        &mut self,
        user_id: i64,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "update app_user set password_hash = ?1 where id = ?2",
            params![password_hash, user_id],
        )?;
        // A new password ends every session of the account.
        tx.execute("delete from app_session where user_id = ?1", [user_id])?;
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn set_role(
        &mut self,
        user_id: i64,
        unit: &UnitCode,
        role: Option<etablera_domain::access::Role>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        match role {
            Some(r) => tx.execute(
                "insert into membership (user_id, unit_code, role) values (?1, ?2, ?3) on conflict (user_id, unit_code) do update set role = excluded.role",
                params![user_id, unit.as_str(), r.as_str()],
            )?,
            None => tx.execute("delete from membership where user_id = ?1 and unit_code = ?2", params![user_id, unit.as_str()])?,
        };
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn memberships(
        &mut self,
        user_id: i64,
    ) -> Result<Vec<(UnitCode, etablera_domain::access::Role)>> {
        let mut st = self.conn.prepare_cached(
            "select unit_code, role from membership where user_id = ?1 order by unit_code",
        )?;
        let rows = st.query_map([user_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (u, role) = r?;
            out.push((
                UnitCode::parse(&u).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                etablera_domain::access::Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
            ));
        }
        Ok(out)
    }

    fn create_session(&mut self, s: &SessionRow) -> Result<()> {
        self.conn.execute(
            "insert into app_session (id_hash, user_id, csrf_token, created_at, last_seen_at) values (?1, ?2, ?3, ?4, ?5)",
            params![s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at],
        )?;
        Ok(())
    }

    fn session(&mut self, id_hash: &str) -> Result<Option<SessionRow>> {
        Ok(self
            .conn
            .query_row(
                "select id_hash, user_id, csrf_token, created_at, last_seen_at from app_session where id_hash = ?1",
                [id_hash],
                |r| Ok(SessionRow { id_hash: r.get(0)?, user_id: r.get(1)?, csrf_token: r.get(2)?, created_at: r.get(3)?, last_seen_at: r.get(4)? }),
            )
            .optional()?)
    }

    fn touch_session(&mut self, id_hash: &str, at: &str) -> Result<()> {
        self.conn.execute(
            "update app_session set last_seen_at = ?1 where id_hash = ?2",
            params![at, id_hash],
        )?;
        Ok(())
    }

    fn delete_session(&mut self, id_hash: &str) -> Result<()> {
        self.conn
            .execute("delete from app_session where id_hash = ?1", [id_hash])?;
        Ok(())
    }

    fn put_pending_upload(
        &mut self,
        r: &PendingUploadRow,
        now: &str,
        keep_per_user: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(crate::sql::PRUNE_PENDING_UPLOADS, [now])?;
        tx.execute(
            crate::sql::INSERT_PENDING_UPLOAD,
            params![
                r.token_hash,
                r.user_id,
                r.strategy_id,
                r.unit.as_str(),
                r.file_name,
                r.kind,
                r.content_sha256,
                r.observations,
                r.warnings,
                r.created_at,
                r.expires_at
            ],
        )?;
        tx.execute(
            crate::sql::TRIM_PENDING_UPLOADS,
            params![r.user_id, keep_per_user],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn take_pending_upload(
        &mut self,
        token_hash: &str,
        user_id: i64,
        strategy_id: &str,
        now: &str,
    ) -> Result<Option<PendingUploadRow>> {
        let raw = self
            .conn
            .query_row(
                crate::sql::TAKE_PENDING_UPLOAD,
                params![token_hash, user_id, strategy_id, now],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        [
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                            r.get::<_, String>(6)?,
                            r.get::<_, String>(7)?,
                            r.get::<_, String>(8)?,
                            r.get::<_, String>(9)?,
                            r.get::<_, String>(10)?,
                        ],
                    ))
                },
            )
            .optional()?;
        raw.map(pending_from_raw).transpose()
    }

    fn record_login(&mut self, a: &LoginAttempt) -> Result<()> {
        self.conn.execute(
            crate::sql::RECORD_LOGIN,
            params![a.username, a.address, a.at, a.success, a.known],
        )?;
        Ok(())
    }

    fn login_failures(
        &mut self,
        username: &str,
        address: &str,
        pair_since: &str,
        wide_since: &str,
    ) -> Result<LoginFailures> {
        Ok(self.conn.query_row(
            crate::sql::LOGIN_FAILURES,
            params![username, address, pair_since, wide_since],
            |r| {
                Ok(LoginFailures {
                    pair: r.get(0)?,
                    pair_last: r.get(1)?,
                    address: r.get(2)?,
                    account: r.get(3)?,
                    known_address: r.get::<_, i64>(4)? > 0,
                })
            },
        )?)
    }

    fn prune_login_attempts(
        &mut self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<usize> {
        Ok(self.conn.execute(
            crate::sql::PRUNE_LOGINS,
            params![failures_before, successes_before],
        )?)
    }

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<()> {
        insert_audit(&self.conn, entry)
    }

    fn audit_log(&mut self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut sql = String::from("select id, at, user_id, action, object, unit_code, before, after from audit_log where 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(u) = f.user_id {
            args.push(u.into());
            sql.push_str(&format!(" and user_id = ?{}", args.len()));
        }
        if let Some(a) = &f.action {
            args.push(a.clone().into());
            sql.push_str(&format!(" and action = ?{}", args.len()));
        }
        if let Some(units) = &f.units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(
                " and unit_code in ({})",
                placeholders(args.len(), units.len())
            ));
            args.extend(units.iter().map(|u| u.clone().into()));
        }
        args.push(f.limit.clamp(1, 1000).into());
        args.push(f.offset.max(0).into());
        sql.push_str(&format!(
            " order by id desc limit ?{} offset ?{}",
            args.len() - 1,
            args.len()
        ));
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                user_id: r.get(2)?,
                action: r.get(3)?,
                object: r.get(4)?,
                unit_code: r.get(5)?,
                before: r.get(6)?,
                after: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    fn create_token(&mut self, t: &ApiToken, audit: &AuditEntry) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "insert into api_token (token_hash, user_id, unit_code, scope, name, created_at) values (?1, ?2, ?3, ?4, ?5, ?6)",
            params![t.token_hash, t.user_id, t.unit_code, t.scope, t.name, t.created_at],
        )?;
        let id = tx.last_insert_rowid();
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn token_by_hash(&mut self, token_hash: &str) -> Result<Option<ApiToken>> {
        Ok(self
            .conn
            .query_row(
                &format!("{TOKEN_SELECT} where token_hash = ?1"),
                [token_hash],
                token_row,
            )
            .optional()?)
    }

    fn tokens(&mut self, user_id: i64) -> Result<Vec<ApiToken>> {
        let mut st = self
            .conn
            .prepare(&format!("{TOKEN_SELECT} where user_id = ?1 order by id"))?;
        let rows = st.query_map([user_id], token_row)?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    fn revoke_token(&mut self, user_id: i64, token_id: i64, audit: &AuditEntry) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "update api_token set revoked_at = ?1 where id = ?2 and user_id = ?3 and revoked_at is null",
            params![audit.at, token_id, user_id],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn set_published(
        &mut self,
        strategy_id: &str,
        published: bool,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "update strategy set published = ?1 where id = ?2",
            params![published, strategy_id],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn register_memberships(
        &mut self,
        user_id: i64,
    ) -> Result<Vec<(UnitCode, etablera_domain::access::RegisterRole)>> {
        let mut st = self.conn.prepare_cached(
            "select unit_code, role from register_membership where user_id = ?1 order by unit_code",
        )?;
        let rows = st.query_map([user_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (u, role) = r?;
            out.push((
                UnitCode::parse(&u).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                etablera_domain::access::RegisterRole::parse(&role).ok_or_else(|| {
                    StoreError::Corrupt(format!("unknown register role `{role}`"))
                })?,
            ));
        }
        Ok(out)
    }

    fn set_register_role(
        &mut self,
        user_id: i64,
        unit: &UnitCode,
        role: Option<etablera_domain::access::RegisterRole>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        match role {
            Some(r) => tx.execute(
                "insert into register_membership (user_id, unit_code, role) values (?1, ?2, ?3) on conflict (user_id, unit_code) do update set role = excluded.role",
                params![user_id, unit.as_str(), r.as_str()],
            )?,
            None => tx.execute("delete from register_membership where user_id = ?1 and unit_code = ?2", params![user_id, unit.as_str()])?,
        };
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn save_persons(&mut self, rows: &[PersonRow], audit: &AuditEntry) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare(crate::sql::SAVE_PERSON)?;
            for p in rows {
                let n = st.execute(params![
                    p.id,
                    p.unit.as_str(),
                    p.case_worker,
                    p.closed_on,
                    p.anonymised,
                    p.doc,
                    p.identity,
                    p.pnr_index,
                    p.updated_at,
                    p.household
                ])?;
                if n != 1 {
                    return Err(crate::register::foreign_person(&p.id));
                }
            }
        }
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn person(&mut self, id: &str) -> Result<Option<PersonRow>> {
        let mut st = self
            .conn
            .prepare(&format!("{PERSON_COLUMNS} where id = ?1"))?;
        let mut rows = st.query_map([id], person_from_row)?;
        rows.next().transpose()?.map(finish_person).transpose()
    }

    fn persons(&mut self, unit: &UnitCode) -> Result<Vec<PersonRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "{PERSON_COLUMNS} where unit_code = ?1 order by id"
        ))?;
        let rows = st.query_map([unit.as_str()], person_from_row)?;
        rows.map(|r| finish_person(r?)).collect()
    }

    fn all_persons(&mut self) -> Result<Vec<PersonRow>> {
        let mut st = self
            .conn
            .prepare(&format!("{PERSON_COLUMNS} order by id"))?;
        let rows = st.query_map([], person_from_row)?;
        rows.map(|r| finish_person(r?)).collect()
    }

    fn person_id_by_pnr_index(&mut self, unit: &UnitCode, index: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "select id from person where unit_code = ?1 and pnr_index = ?2",
                params![unit.as_str(), index],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn delete_persons(&mut self, ids: &[String], audit: &AuditEntry) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        for id in ids {
            tx.execute("delete from plan_link where person_id = ?1", [id])?;
            n += tx.execute("delete from person where id = ?1", [id])?;
        }
        tx.execute(
            "delete from household where not exists (select 1 from person p where json_extract(p.doc, '$.household') = household.id and p.unit_code = household.unit_code)",
            [],
        )?;
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(n)
    }

    fn save_household(&mut self, row: &HouseholdRow, audit: &AuditEntry) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "insert into household (id, unit_code, doc) values (?1, ?2, ?3) on conflict (unit_code, id) do update set doc = excluded.doc",
            params![row.id, row.unit.as_str(), row.doc],
        )?;
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn households(&mut self, unit: &UnitCode) -> Result<Vec<HouseholdRow>> {
        let mut st = self
            .conn
            .prepare("select id, doc from household where unit_code = ?1 order by id")?;
        let rows = st.query_map([unit.as_str()], |r| {
            Ok(HouseholdRow {
                id: r.get(0)?,
                unit: unit.clone(),
                doc: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn household(&mut self, unit: &UnitCode, id: &str) -> Result<Option<HouseholdRow>> {
        let mut st = self.conn.prepare_cached(crate::sql::HOUSEHOLD_BY_ID)?;
        Ok(st
            .query_row([unit.as_str(), id], |r| {
                Ok(HouseholdRow {
                    id: r.get(0)?,
                    unit: unit.clone(),
                    doc: r.get(1)?,
                })
            })
            .optional()?)
    }

    fn household_members(&mut self, unit: &UnitCode, household: &str) -> Result<Vec<PersonRow>> {
        let mut st = self.conn.prepare_cached(crate::sql::PERSONS_OF_HOUSEHOLD)?;
        let rows = st.query_map([unit.as_str(), household], person_from_row)?;
        rows.map(|r| finish_person(r?)).collect()
    }

    fn register_settings(&mut self, unit: &UnitCode) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "select doc from register_settings where unit_code = ?1",
                [unit.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn save_register_settings(
        &mut self,
        unit: &UnitCode,
        doc: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "insert into register_settings (unit_code, doc) values (?1, ?2) on conflict (unit_code) do update set doc = excluded.doc",
            params![unit.as_str(), doc],
        )?;
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn create_plan_link(&mut self, l: &PlanLinkRow, audit: &AuditEntry) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "insert into plan_link (person_id, code_hash, lang, created_by, created_at, expires_at) values (?1, ?2, ?3, ?4, ?5, ?6)",
            params![l.person_id, l.code_hash, l.lang, l.created_by, l.created_at, l.expires_at],
        )?;
        let id = tx.last_insert_rowid();
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn plan_link_by_hash(&mut self, code_hash: &str) -> Result<Option<PlanLinkRow>> {
        let mut st = self
            .conn
            .prepare(&format!("{PLAN_LINK_COLUMNS} where code_hash = ?1"))?;
        let mut rows = st.query_map([code_hash], plan_link_from_row)?;
        Ok(rows.next().transpose()?)
    }

    fn plan_links(&mut self, person_id: &str) -> Result<Vec<PlanLinkRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "{PLAN_LINK_COLUMNS} where person_id = ?1 order by id"
        ))?;
        let rows = st.query_map([person_id], plan_link_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn revoke_plan_link(
        &mut self,
        person_id: &str,
        id: i64,
        at: &str,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "update plan_link set revoked_at = ?1 where id = ?2 and person_id = ?3 and revoked_at is null",
            params![at, id, person_id],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn log_reads(&mut self, entries: &[ReadLogEntry], mac: ChainMac) -> Result<()> {
        // An immediate transaction takes the write lock first, so two writers cannot read
        // the same head and fork the chain.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let last: Option<(i64, Option<String>)> = tx
                .query_row(
                    "select id, mac from read_log order by id desc limit 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (mut prev, mut next) = match last {
                Some((id, m)) => (m.unwrap_or_default(), id + 1),
                None => tx
                    .query_row(
                        "select through_id, mac from read_log_checkpoint order by id desc limit 1",
                        [],
                        |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(0)? + 1)),
                    )
                    .optional()?
                    .unwrap_or((String::new(), 1)),
            };
            let mut st = tx.prepare(
                "insert into read_log (id, at, user_id, via, person_id, unit_code, view, related, mac) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for e in entries {
                let e = ReadLogEntry {
                    id: next,
                    ..e.clone()
                };
                let m = mac(&prev, &e);
                st.execute(params![
                    e.id,
                    e.at,
                    e.user_id,
                    e.via,
                    e.person_id,
                    e.unit_code,
                    e.view,
                    e.related,
                    m
                ])?;
                prev = m;
                next += 1;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn read_log_chain(&mut self, after_id: i64, limit: i64) -> Result<Vec<ChainedRead>> {
        let mut st = self.conn.prepare_cached(
            "select id, at, user_id, via, person_id, unit_code, view, related, mac from read_log
             where id > ?1 order by id limit ?2",
        )?;
        let rows = st.query_map(params![after_id, limit.clamp(1, 100_000)], |r| {
            Ok(ChainedRead {
                entry: ReadLogEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    user_id: r.get(2)?,
                    via: r.get(3)?,
                    person_id: r.get(4)?,
                    unit_code: r.get(5)?,
                    view: r.get(6)?,
                    related: r.get(7)?,
                },
                mac: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn read_log_checkpoints(&mut self) -> Result<Vec<ReadLogCheckpoint>> {
        let mut st = self
            .conn
            .prepare("select id, at, through_id, mac from read_log_checkpoint order by id")?;
        let rows = st.query_map([], |r| {
            Ok(ReadLogCheckpoint {
                id: r.get(0)?,
                at: r.get(1)?,
                through_id: r.get(2)?,
                mac: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn create_registration_request(
        &mut self,
        row: &RegistrationRequestRow,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "insert into registration_request (unit_code, requested_by, created_at, pnr_index, sealed) values (?1, ?2, ?3, ?4, ?5)",
            params![row.unit.as_str(), row.requested_by, row.created_at, row.pnr_index, row.sealed],
        )?;
        let id = tx.last_insert_rowid();
        let audit = AuditEntry {
            object: format!("registration_request:{id}"),
            ..audit.clone()
        };
        insert_audit(&tx, &audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn registration_requests(
        &mut self,
        unit: &UnitCode,
        open_only: bool,
    ) -> Result<Vec<RegistrationRequestRow>> {
        let mut st = self.conn.prepare_cached(
            "select id, requested_by, created_at, pnr_index, sealed, resolved_at, resolved_by, resolution
             from registration_request where unit_code = ?1 and (not ?2 or resolved_at is null) order by id desc limit 1000",
        )?;
        let rows = st.query_map(params![unit.as_str(), open_only], |r| {
            Ok(RegistrationRequestRow {
                id: r.get(0)?,
                unit: unit.clone(),
                requested_by: r.get(1)?,
                created_at: r.get(2)?,
                pnr_index: r.get(3)?,
                sealed: r.get(4)?,
                resolved_at: r.get(5)?,
                resolved_by: r.get(6)?,
                resolution: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn resolve_registration_request(
        &mut self,
        unit: &UnitCode,
        id: i64,
        resolution: &str,
        by: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "update registration_request set resolved_at = ?1, resolved_by = ?2, resolution = ?3
             where id = ?4 and unit_code = ?5 and resolved_at is null",
            params![audit.at, by, resolution, id, unit.as_str()],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn read_log(&mut self, f: &ReadLogFilter) -> Result<Vec<ReadLogEntry>> {
        let mut st = self.conn.prepare_cached(
            "select id, at, user_id, via, person_id, unit_code, view, related from read_log
             where (?1 is null or unit_code = ?1) and (?2 is null or user_id = ?2) and (?3 is null or person_id = ?3)
               and (?4 is null or at >= ?4) and (?5 is null or at <= ?5) and (?6 = 0 or related = 0)
             order by id desc limit ?7 offset ?8",
        )?;
        let to = f.to.as_ref().map(|t| {
            if t.len() == 10 {
                format!("{t}T99")
            } else {
                t.clone()
            }
        });
        let rows = st.query_map(
            params![
                f.unit,
                f.user_id,
                f.person_id,
                f.from,
                to,
                f.unrelated_only,
                f.limit.clamp(1, 10_000),
                f.offset.max(0)
            ],
            |r| {
                Ok(ReadLogEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    user_id: r.get(2)?,
                    via: r.get(3)?,
                    person_id: r.get(4)?,
                    unit_code: r.get(5)?,
                    view: r.get(6)?,
                    related: r.get(7)?,
                })
            },
        )?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn read_log_retention_years(&mut self) -> Result<i64> {
        Ok(self.conn.query_row(
            "select years from read_log_retention where id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    fn set_read_log_retention_years(&mut self, years: i64, audit: &AuditEntry) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "update read_log_retention set years = ?1 where id = 1",
            [years],
        )?;
        insert_audit(&tx, audit)?;
        tx.commit()?;
        Ok(())
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

/// The columns of an indicator row, as `indicator_from_row` takes them.
type IndicatorColumns = (
    String,
    String,
    String,
    String,
    String,
    bool,
    String,
    Option<String>,
);

fn indicator_columns(r: &rusqlite::Row) -> rusqlite::Result<IndicatorColumns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get::<_, i64>(5)? != 0,
        r.get(6)?,
        r.get(7)?,
    ))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn indicator_from_row(
    id: String,
    title: String,
    unit: String,
    dir: String,
    src: String,
    divided: bool,
    description: String,
    area: Option<String>,
) -> Result<Indicator> {
    Ok(Indicator {
        id: IndicatorId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        title,
        unit: MeasureUnit::parse(&unit),
        direction: Direction::parse(&dir)
            .ok_or_else(|| StoreError::Corrupt(format!("direction `{dir}`")))?,
        source: IndicatorSource::parse(&src)
            .ok_or_else(|| StoreError::Corrupt(format!("source `{src}`")))?,
        divided_by_sex: divided,
        description,
        area,
    })
}

use crate::sql::PERSON_COLUMNS;

type RawPerson = (
    String,
    String,
    Option<i64>,
    Option<String>,
    bool,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

fn person_from_row(r: &rusqlite::Row) -> rusqlite::Result<RawPerson> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

pub(crate) type RawPending = (String, i64, String, String, [String; 7]);

pub(crate) fn pending_from_raw(r: RawPending) -> Result<PendingUploadRow> {
    let (token_hash, user_id, strategy_id, unit, rest) = r;
    let [file_name, kind, content_sha256, observations, warnings, created_at, expires_at] = rest;
    Ok(PendingUploadRow {
        token_hash,
        user_id,
        strategy_id,
        unit: UnitCode::parse(&unit).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        file_name,
        kind,
        content_sha256,
        observations,
        warnings,
        created_at,
        expires_at,
    })
}

pub(crate) fn finish_person(r: RawPerson) -> Result<PersonRow> {
    Ok(PersonRow {
        id: r.0,
        unit: UnitCode::parse(&r.1).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        case_worker: r.2,
        closed_on: r.3,
        anonymised: r.4,
        doc: r.5,
        identity: r.6,
        pnr_index: r.7,
        updated_at: r.8,
        household: r.9,
    })
}

const PLAN_LINK_COLUMNS: &str = "select id, person_id, code_hash, lang, created_by, created_at, expires_at, revoked_at from plan_link";

fn plan_link_from_row(r: &rusqlite::Row) -> rusqlite::Result<PlanLinkRow> {
    Ok(PlanLinkRow {
        id: r.get(0)?,
        person_id: r.get(1)?,
        code_hash: r.get(2)?,
        lang: r.get(3)?,
        created_by: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}
