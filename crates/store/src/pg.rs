//! The PostgreSQL backend, for municipalities that run a database server.

use crate::pg_conn::{Conn, Tx};
use crate::sqlite::indicator_from_row;
use crate::*;
use etablera_domain::UnitKind;
use postgres::{Client, NoTls};
use std::io::Write;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_accounts.sql")),
    (
        3,
        include_str!("../migrations/postgres/0003_accessibility_reports.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_register.sql")),
    (
        5,
        include_str!("../migrations/postgres/0005_tenant_keys.sql"),
    ),
    (
        6,
        include_str!("../migrations/postgres/0006_requests_and_log_chain.sql"),
    ),
    (
        7,
        include_str!("../migrations/postgres/0007_login_throttle.sql"),
    ),
    (
        8,
        include_str!("../migrations/postgres/0008_strategy_versions.sql"),
    ),
    (
        9,
        include_str!("../migrations/postgres/0009_repair_api_token.sql"),
    ),
    (
        10,
        include_str!("../migrations/postgres/0010_person_household.sql"),
    ),
    (
        11,
        include_str!("../migrations/postgres/0011_pending_upload.sql"),
    ),
];

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
    pub fn connect(url: &str) -> Result<PgStore> {
        Ok(PgStore {
            client: Conn::new(Client::connect(url, NoTls)?),
        })
    }

    /// Runs SQL directly; for tests and set-up (creating a schema).
    pub fn execute_batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn known_sets(&mut self) -> Result<(HashSet<String>, HashSet<String>)> {
        let ind = self
            .client
            .query("select id from indicator", &[])?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        let units = self
            .client
            .query("select code from unit", &[])?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        Ok((ind, units))
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

fn pg_indicator(r: &postgres::Row) -> Result<Indicator> {
    indicator_from_row(
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
    )
}

const USER_SELECT: &str =
    "select id, username, display_name, password_hash, is_system_admin, disabled from app_user";

fn user_row(r: &postgres::Row) -> User {
    User {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        password_hash: r.get(3),
        system_admin: r.get(4),
        disabled: r.get(5),
    }
}

const TOKEN_SELECT: &str =
    "select id, token_hash, user_id, unit_code, scope, name, created_at, revoked_at from api_token";

fn token_row(r: &postgres::Row) -> ApiToken {
    ApiToken {
        id: r.get(0),
        token_hash: r.get(1),
        user_id: r.get(2),
        unit_code: r.get(3),
        scope: r.get(4),
        name: r.get(5),
        created_at: r.get(6),
        revoked_at: r.get(7),
    }
}

fn insert_audit(tx: &mut Tx, e: &AuditEntry) -> Result<()> {
    tx.execute(
        "insert into audit_log (at, user_id, action, object, unit_code, before, after) values ($1, $2, $3, $4, $5, $6, $7)",
        &[&e.at, &e.user_id, &e.action, &e.object, &e.unit_code, &e.before, &e.after],
    )?;
    Ok(())
}

impl PgStore {
    /// The audit entry of an import that changed nothing, on its own.
    fn audit_alone(&mut self, batch: &NewBatch, outcome: &ImportOutcome) -> Result<()> {
        if let Some(a) = batch.audit_of(outcome) {
            let mut tx = self.client.transaction()?;
            insert_audit(&mut tx, &a)?;
            tx.commit()?;
        }
        Ok(())
    }
}

impl Store for PgStore {
    fn set_acting_units(&mut self, units: &str) -> Result<()> {
        self.client
            .query_one("select set_config('etablera.units', $1, false)", &[&units])?;
        Ok(())
    }

    fn acting_units(&mut self) -> Result<String> {
        let r = self.client.query_one(
            "select coalesce(current_setting('etablera.units', true), '')",
            &[],
        )?;
        Ok(r.get(0))
    }

    fn migrate(&mut self) -> Result<()> {
        self.client.batch_execute(
            "create table if not exists schema_migration (version bigint primary key, applied_at timestamptz not null default now())",
        )?;
        for (version, sql) in MIGRATIONS {
            let done = self.client.query_opt(
                "select version from schema_migration where version = $1",
                &[version],
            )?;
            if done.is_none() {
                let mut tx = self.client.transaction()?;
                tx.batch_execute(sql)?;
                tx.execute(
                    "insert into schema_migration (version) values ($1)",
                    &[version],
                )?;
                tx.commit()?;
            }
        }
        Ok(())
    }

    fn upsert_units(&mut self, units: &[Unit]) -> Result<usize> {
        let mut tx = self.client.transaction()?;
        let st: &str = "insert into unit (code, name, kind, county) values ($1, $2, $3, $4)
             on conflict (code) do update set name = excluded.name, kind = excluded.kind, county = excluded.county
             where unit.name is distinct from excluded.name or unit.kind is distinct from excluded.kind
               or unit.county is distinct from excluded.county";
        let mut n = 0;
        for u in units {
            n += tx.execute(
                st,
                &[&u.code.as_str(), &u.name, &u.kind.as_str(), &u.county],
            )? as usize;
        }
        tx.commit()?;
        Ok(n)
    }

    fn units(&mut self) -> Result<Vec<Unit>> {
        let rows = self.client.query(
            "select code, name, kind, county from unit order by code",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get(2);
                Ok(Unit {
                    code: UnitCode::parse(r.get(0))
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    name: r.get(1),
                    kind: UnitKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("unit kind `{kind}`")))?,
                    county: r.get(3),
                })
            })
            .collect()
    }

    fn save_group(&mut self, g: &UnitGroup) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "insert into unit (code, name, kind) values ($1, $2, 'group') on conflict (code) do update set name = excluded.name",
            &[&g.code.as_str(), &g.name],
        )?;
        tx.execute(
            "delete from unit_group_member where group_code = $1",
            &[&g.code.as_str()],
        )?;
        for m in &g.members {
            if tx
                .query_opt("select code from unit where code = $1", &[&m.as_str()])?
                .is_none()
            {
                return Err(StoreError::UnknownUnit(m.to_string()));
            }
            tx.execute(
                "insert into unit_group_member (group_code, member_code) values ($1, $2)",
                &[&g.code.as_str(), &m.as_str()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn groups(&mut self) -> Result<Vec<UnitGroup>> {
        let rows = self.client.query(
            "select u.code, u.name, m.member_code from unit u left join unit_group_member m on m.group_code = u.code
             where u.kind = 'group' order by u.code, m.member_code",
            &[],
        )?;
        let mut out: Vec<UnitGroup> = Vec::new();
        for r in rows {
            let code: String = r.get(0);
            if out.last().map(|g| g.code.as_str() != code).unwrap_or(true) {
                out.push(UnitGroup {
                    code: UnitCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    name: r.get(1),
                    members: vec![],
                });
            }
            if let (Some(m), Some(g)) = (r.get::<_, Option<String>>(2), out.last_mut()) {
                g.members
                    .push(UnitCode::parse(&m).map_err(|e| StoreError::Corrupt(e.to_string()))?);
            }
        }
        Ok(out)
    }

    fn upsert_indicators(&mut self, indicators: &[Indicator]) -> Result<usize> {
        let mut tx = self.client.transaction()?;
        let st: &str = "insert into indicator (id, title, measure_unit, direction, source, divided_by_sex, description, area)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict (id) do update set title = excluded.title, measure_unit = excluded.measure_unit,
               direction = excluded.direction, source = excluded.source, divided_by_sex = excluded.divided_by_sex,
               description = excluded.description, area = excluded.area
             where (indicator.title, indicator.measure_unit, indicator.direction, indicator.source, indicator.divided_by_sex,
                    indicator.description, indicator.area)
               is distinct from (excluded.title, excluded.measure_unit, excluded.direction, excluded.source,
                    excluded.divided_by_sex, excluded.description, excluded.area)";
        let mut n = 0;
        for i in indicators {
            n += tx.execute(
                st,
                &[
                    &i.id.as_str(),
                    &i.title,
                    &i.unit.as_str(),
                    &i.direction.as_str(),
                    &i.source.as_str(),
                    &i.divided_by_sex,
                    &i.description,
                    &i.area,
                ],
            )? as usize;
        }
        tx.commit()?;
        Ok(n)
    }

    fn indicator(&mut self, id: &IndicatorId) -> Result<Option<Indicator>> {
        self.client
            .query_opt(crate::sql::INDICATOR_BY_ID, &[&id.as_str()])?
            .map(|r| pg_indicator(&r))
            .transpose()
    }

    fn indicators(&mut self) -> Result<Vec<Indicator>> {
        let rows = self.client.query(
            "select id, title, measure_unit, direction, source, divided_by_sex, description, area from indicator order by id",
            &[],
        )?;
        rows.iter().map(pg_indicator).collect()
    }

    fn import_observations(
        &mut self,
        batch: &NewBatch,
        obs: &[Observation],
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        if let Some(r) = self.client.query_opt(
            "select id from batch where content_sha256 = $1",
            &[&batch.content_sha256],
        )? {
            let outcome = ImportOutcome::AlreadyImported { batch_id: r.get(0) };
            self.audit_alone(batch, &outcome)?;
            return Ok(outcome);
        }
        let (known_ind, known_units) = self.known_sets()?;
        let changed = plan_import(obs, &known_ind, &known_units, false, |q| {
            self.latest_rows(&q)
        })?;
        if changed.is_empty() {
            let outcome = ImportOutcome::Unchanged { rows: obs.len() };
            self.audit_alone(batch, &outcome)?;
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
            insert_audit(&mut tx, &a)?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn observations(&mut self, q: &ObsQuery) -> Result<Vec<StoredObservation>> {
        let rows = self.latest_rows(q)?;
        latest_per_key(rows)
    }

    fn add_accessibility_report(&mut self, r: &AccessibilityReport) -> Result<i64> {
        Ok(self
            .client
            .query_one(
                "insert into accessibility_report (at, page, message, contact, user_id) values ($1, $2, $3, $4, $5) returning id",
                &[&r.at, &r.page, &r.message, &r.contact, &r.user_id],
            )?
            .get(0))
    }

    fn accessibility_reports(&mut self, limit: i64) -> Result<Vec<AccessibilityReport>> {
        let rows = self.client.query(
            "select id, at, page, message, contact, user_id from accessibility_report order by id desc limit $1",
            &[&limit.clamp(1, 1000)],
        )?;
        Ok(rows
            .iter()
            .map(|r| AccessibilityReport {
                id: r.get(0),
                at: r.get(1),
                page: r.get(2),
                message: r.get(3),
                contact: r.get(4),
                user_id: r.get(5),
            })
            .collect())
    }

    fn batches_version(&mut self) -> Result<i64> {
        Ok(self
            .client
            .query_one("select coalesce(max(id), 0)::bigint from batch", &[])?
            .get(0))
    }

    fn batches(&mut self) -> Result<Vec<Batch>> {
        let rows = self.client.query(
            "select id, source, file_name, content_sha256, imported_at, row_count, changed_count, owner_unit from batch order by id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| Batch {
                id: r.get(0),
                source: r.get(1),
                file_name: r.get(2),
                content_sha256: r.get(3),
                imported_at: r.get(4),
                row_count: r.get(5),
                changed_count: r.get(6),
                owner: r.get(7),
            })
            .collect())
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
        let mut tx = self.client.transaction()?;
        tx.execute(
            "delete from strategy_indicator where strategy_id = $1",
            &[&s.id],
        )?;
        tx.execute(
            "insert into strategy (id, owner_code, title, document, updated_at) values ($1, $2, $3, $4, $5)
             on conflict (id) do update set owner_code = excluded.owner_code, title = excluded.title,
               document = excluded.document, updated_at = excluded.updated_at",
            &[&s.id, &s.owner.as_str(), &s.title, &doc, &updated_at],
        )?;
        for i in s.indicators() {
            tx.execute(
                "insert into strategy_indicator (strategy_id, indicator_id) values ($1, $2)",
                &[&s.id, &i.as_str()],
            )?;
        }
        let latest: Option<(i32, String)> = tx
            .query_opt(crate::sql::LATEST_STRATEGY_VERSION, &[&s.id])?
            .map(|r| (r.get(0), r.get(1)));
        if latest.as_ref().is_none_or(|(_, d)| *d != doc) {
            let next = latest.map_or(1, |(v, _)| v + 1);
            tx.execute(
                crate::sql::INSERT_STRATEGY_VERSION,
                &[&s.id, &next, &doc, &updated_at],
            )?;
        }
        for r in revisions {
            tx.execute(
                "insert into target_revision (strategy_id, target_id, field, old_value, new_value, user_id, changed_at) values ($1, $2, $3, $4, $5, $6, $7)",
                &[&r.strategy_id, &r.target_id, &r.field, &r.old_value, &r.new_value, &r.user_id, &r.changed_at],
            )?;
        }
        if let Some(a) = audit {
            insert_audit(&mut tx, a)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn target_revisions(
        &mut self,
        strategy_id: &str,
        target_id: &str,
    ) -> Result<Vec<TargetRevision>> {
        let rows = self.client.query(
            "select strategy_id, target_id, field, old_value, new_value, user_id, changed_at from target_revision
             where strategy_id = $1 and target_id = $2 order by id",
            &[&strategy_id, &target_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| TargetRevision {
                strategy_id: r.get(0),
                target_id: r.get(1),
                field: r.get(2),
                old_value: r.get(3),
                new_value: r.get(4),
                user_id: r.get(5),
                changed_at: r.get(6),
            })
            .collect())
    }

    fn save_target_comment(&mut self, c: &TargetComment, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.client.transaction()?;
        if c.body.trim().is_empty() {
            tx.execute(
                "delete from target_comment where strategy_id = $1 and target_id = $2 and year = $3",
                &[&c.strategy_id, &c.target_id, &c.year],
            )?;
        } else {
            tx.execute(
                "insert into target_comment (strategy_id, target_id, year, body, author_id, updated_at) values ($1, $2, $3, $4, $5, $6)
                 on conflict (strategy_id, target_id, year) do update set body = excluded.body, author_id = excluded.author_id, updated_at = excluded.updated_at",
                &[&c.strategy_id, &c.target_id, &c.year, &c.body, &c.author_id, &c.updated_at],
            )?;
        }
        insert_audit(&mut tx, audit)?;
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
            .client
            .query_opt(
                "select strategy_id, target_id, year, body, author_id, updated_at from target_comment where strategy_id = $1 and target_id = $2 and year = $3",
                &[&strategy_id, &target_id, &year],
            )?
            .map(|r| TargetComment { strategy_id: r.get(0), target_id: r.get(1), year: r.get(2), body: r.get(3), author_id: r.get(4), updated_at: r.get(5) }))
    }

    fn strategy(&mut self, id: &str) -> Result<Option<Strategy>> {
        let row = self
            .client
            .query_opt("select document from strategy where id = $1", &[&id])?;
        row.map(|r| {
            serde_json::from_str(r.get::<_, &str>(0))
                .map_err(|e| StoreError::Corrupt(format!("strategy `{id}`: {e}")))
        })
        .transpose()
    }

    fn strategy_as_of(&mut self, id: &str, as_of: &str) -> Result<Option<StrategyAsOf>> {
        self.client
            .query_opt(
                crate::sql::STRATEGY_VERSION_AS_OF,
                &[&id, &crate::as_of_bound(as_of)],
            )?
            .map(|r| crate::strategy_version(id, r.get(0), r.get(1), r.get(2), r.get(3)))
            .transpose()
    }

    fn strategy_versions(&mut self, id: &str) -> Result<Vec<StrategyVersion>> {
        Ok(self
            .client
            .query(crate::sql::STRATEGY_VERSIONS, &[&id])?
            .iter()
            .map(|r| StrategyVersion {
                version: r.get(0),
                saved_at: r.get(1),
            })
            .collect())
    }

    fn strategies(&mut self) -> Result<Vec<StrategySummary>> {
        let rows = self.client.query(
            "select id, owner_code, title, updated_at, published from strategy order by id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(StrategySummary {
                    id: r.get(0),
                    owner: UnitCode::parse(r.get(1))
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    title: r.get(2),
                    updated_at: r.get(3),
                    published: r.get(4),
                })
            })
            .collect()
    }

    fn counts(&mut self) -> Result<Counts> {
        let mut c = |sql: &str| -> Result<i64> { Ok(self.client.query_one(sql, &[])?.get(0)) };
        Ok(Counts {
            units: c("select count(*) from unit")?,
            indicators: c("select count(*) from indicator")?,
            batches: c("select count(*) from batch")?,
            observations: c("select count(*) from observation")?,
            strategies: c("select count(*) from strategy")?,
        })
    }

    fn create_user(&mut self, u: &NewUser, audit: &AuditEntry) -> Result<i64> {
        let mut tx = self.client.transaction()?;
        let r = tx.query_one(
            "insert into app_user (username, display_name, password_hash, is_system_admin, created_at) values ($1, $2, $3, $4, $5) returning id",
            &[&u.username, &u.display_name, &u.password_hash, &u.system_admin, &audit.at],
        );
        let id: i64 = match r {
            Ok(row) => row.get(0),
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                return Err(StoreError::Conflict(format!(
                    "the username `{}` is taken",
                    u.username
                )))
            }
            Err(e) => return Err(e.into()),
        };
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn user(&mut self, id: i64) -> Result<Option<User>> {
        Ok(self
            .client
            .query_opt(&format!("{USER_SELECT} where id = $1"), &[&id])?
            .map(|r| user_row(&r)))
    }

    fn user_by_name(&mut self, username: &str) -> Result<Option<User>> {
        Ok(self
            .client
            .query_opt(&format!("{USER_SELECT} where username = $1"), &[&username])?
            .map(|r| user_row(&r)))
    }

    fn users(&mut self) -> Result<Vec<User>> {
        Ok(self
            .client
            .query(&format!("{USER_SELECT} order by username"), &[])?
            .iter()
            .map(user_row)
            .collect())
    }

    fn set_password(
        &mut self,
        user_id: i64,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "update app_user set password_hash = $1 where id = $2",
            &[&password_hash, &user_id],
        )?;
        // A new password ends every session of the account.
        tx.execute("delete from app_session where user_id = $1", &[&user_id])?;
        insert_audit(&mut tx, audit)?;
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
        let mut tx = self.client.transaction()?;
        match role {
            Some(r) => tx.execute(
                "insert into membership (user_id, unit_code, role) values ($1, $2, $3) on conflict (user_id, unit_code) do update set role = excluded.role",
                &[&user_id, &unit.as_str(), &r.as_str()],
            )?,
            None => tx.execute("delete from membership where user_id = $1 and unit_code = $2", &[&user_id, &unit.as_str()])?,
        };
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn memberships(
        &mut self,
        user_id: i64,
    ) -> Result<Vec<(UnitCode, etablera_domain::access::Role)>> {
        let rows = self.client.query(
            "select unit_code, role from membership where user_id = $1 order by unit_code",
            &[&user_id],
        )?;
        rows.iter()
            .map(|r| {
                let role: String = r.get(1);
                Ok((
                    UnitCode::parse(r.get(0)).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    etablera_domain::access::Role::parse(&role)
                        .ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
                ))
            })
            .collect()
    }

    fn create_session(&mut self, s: &SessionRow) -> Result<()> {
        self.client.execute(
            "insert into app_session (id_hash, user_id, csrf_token, created_at, last_seen_at) values ($1, $2, $3, $4, $5)",
            &[&s.id_hash, &s.user_id, &s.csrf_token, &s.created_at, &s.last_seen_at],
        )?;
        Ok(())
    }

    fn session(&mut self, id_hash: &str) -> Result<Option<SessionRow>> {
        Ok(self
            .client
            .query_opt("select id_hash, user_id, csrf_token, created_at, last_seen_at from app_session where id_hash = $1", &[&id_hash])?
            .map(|r| SessionRow { id_hash: r.get(0), user_id: r.get(1), csrf_token: r.get(2), created_at: r.get(3), last_seen_at: r.get(4) }))
    }

    fn touch_session(&mut self, id_hash: &str, at: &str) -> Result<()> {
        self.client.execute(
            "update app_session set last_seen_at = $1 where id_hash = $2",
            &[&at, &id_hash],
        )?;
        Ok(())
    }

    fn delete_session(&mut self, id_hash: &str) -> Result<()> {
        self.client
            .execute("delete from app_session where id_hash = $1", &[&id_hash])?;
        Ok(())
    }

    fn record_login(&mut self, a: &LoginAttempt) -> Result<()> {
        self.client.execute(
            crate::sql::RECORD_LOGIN,
            &[&a.username, &a.address, &a.at, &a.success, &a.known],
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
        let r = self.client.query_one(
            crate::sql::LOGIN_FAILURES,
            &[&username, &address, &pair_since, &wide_since],
        )?;
        Ok(LoginFailures {
            pair: r.get(0),
            pair_last: r.get(1),
            address: r.get(2),
            account: r.get(3),
            known_address: r.get::<_, i64>(4) > 0,
        })
    }

    fn prune_login_attempts(
        &mut self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<usize> {
        Ok(self.client.execute(
            crate::sql::PRUNE_LOGINS,
            &[&failures_before, &successes_before],
        )? as usize)
    }

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<()> {
        let mut tx = self.client.transaction()?;
        insert_audit(&mut tx, entry)?;
        tx.commit()?;
        Ok(())
    }

    fn audit_log(&mut self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let units: Option<Vec<String>> = f.units.clone();
        if units.as_ref().is_some_and(|u| u.is_empty()) {
            return Ok(Vec::new());
        }
        let rows = self.client.query(
            "select id, at, user_id, action, object, unit_code, before, after from audit_log
             where ($1::bigint is null or user_id = $1) and ($2::text is null or action = $2)
               and ($3::text[] is null or unit_code = any($3))
             order by id desc limit $4 offset $5",
            &[
                &f.user_id,
                &f.action,
                &units,
                &f.limit.clamp(1, 1000),
                &f.offset.max(0),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                user_id: r.get(2),
                action: r.get(3),
                object: r.get(4),
                unit_code: r.get(5),
                before: r.get(6),
                after: r.get(7),
            })
            .collect())
    }

    fn create_token(&mut self, t: &ApiToken, audit: &AuditEntry) -> Result<i64> {
        let mut tx = self.client.transaction()?;
        let id: i64 = tx
            .query_one(
                "insert into api_token (token_hash, user_id, unit_code, scope, name, created_at) values ($1, $2, $3, $4, $5, $6) returning id",
                &[&t.token_hash, &t.user_id, &t.unit_code, &t.scope, &t.name, &t.created_at],
            )?
            .get(0);
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn token_by_hash(&mut self, token_hash: &str) -> Result<Option<ApiToken>> {
        Ok(self
            .client
            .query_opt(
                &format!("{TOKEN_SELECT} where token_hash = $1"),
                &[&token_hash],
            )?
            .map(|r| token_row(&r)))
    }

    fn tokens(&mut self, user_id: i64) -> Result<Vec<ApiToken>> {
        Ok(self
            .client
            .query(
                &format!("{TOKEN_SELECT} where user_id = $1 order by id"),
                &[&user_id],
            )?
            .iter()
            .map(token_row)
            .collect())
    }

    fn revoke_token(&mut self, user_id: i64, token_id: i64, audit: &AuditEntry) -> Result<bool> {
        let mut tx = self.client.transaction()?;
        let n = tx.execute(
            "update api_token set revoked_at = $1 where id = $2 and user_id = $3 and revoked_at is null",
            &[&audit.at, &token_id, &user_id],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn set_published(
        &mut self,
        strategy_id: &str,
        published: bool,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let mut tx = self.client.transaction()?;
        let n = tx.execute(
            "update strategy set published = $1 where id = $2",
            &[&published, &strategy_id],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn register_memberships(
        &mut self,
        user_id: i64,
    ) -> Result<Vec<(UnitCode, etablera_domain::access::RegisterRole)>> {
        let rows = self.client.query(
            "select unit_code, role from register_membership where user_id = $1 order by unit_code",
            &[&user_id],
        )?;
        rows.iter()
            .map(|r| {
                let (u, role): (String, String) = (r.get(0), r.get(1));
                Ok((
                    UnitCode::parse(&u).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    etablera_domain::access::RegisterRole::parse(&role).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown register role `{role}`"))
                    })?,
                ))
            })
            .collect()
    }

    fn set_register_role(
        &mut self,
        user_id: i64,
        unit: &UnitCode,
        role: Option<etablera_domain::access::RegisterRole>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.client.transaction()?;
        match role {
            Some(r) => tx.execute(
                "insert into register_membership (user_id, unit_code, role) values ($1, $2, $3) on conflict (user_id, unit_code) do update set role = excluded.role",
                &[&user_id, &unit.as_str(), &r.as_str()],
            )?,
            None => tx.execute("delete from register_membership where user_id = $1 and unit_code = $2", &[&user_id, &unit.as_str()])?,
        };
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn save_persons(&mut self, rows: &[PersonRow], audit: &AuditEntry) -> Result<()> {
        let mut tx = self.client.transaction()?;
        let st: &str = crate::sql::SAVE_PERSON;
        for p in rows {
            let n = tx.execute(
                st,
                &[
                    &p.id,
                    &p.unit.as_str(),
                    &p.case_worker,
                    &p.closed_on,
                    &p.anonymised,
                    &p.doc,
                    &p.identity,
                    &p.pnr_index,
                    &p.updated_at,
                    &p.household,
                ],
            )?;
            if n != 1 {
                return Err(crate::register::foreign_person(&p.id));
            }
        }
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn person(&mut self, id: &str) -> Result<Option<PersonRow>> {
        self.client
            .query_opt(&format!("{PERSON_COLUMNS} where id = $1"), &[&id])?
            .map(|r| pg_person(&r))
            .transpose()
    }

    fn persons(&mut self, unit: &UnitCode) -> Result<Vec<PersonRow>> {
        self.client
            .query(
                &format!("{PERSON_COLUMNS} where unit_code = $1 order by id"),
                &[&unit.as_str()],
            )?
            .iter()
            .map(pg_person)
            .collect()
    }

    fn all_persons(&mut self) -> Result<Vec<PersonRow>> {
        self.client
            .query(&format!("{PERSON_COLUMNS} order by id"), &[])?
            .iter()
            .map(pg_person)
            .collect()
    }

    fn person_id_by_pnr_index(&mut self, unit: &UnitCode, index: &str) -> Result<Option<String>> {
        Ok(self
            .client
            .query_opt(
                "select id from person where unit_code = $1 and pnr_index = $2",
                &[&unit.as_str(), &index],
            )?
            .map(|r| r.get(0)))
    }

    fn delete_persons(&mut self, ids: &[String], audit: &AuditEntry) -> Result<usize> {
        let mut tx = self.client.transaction()?;
        let mut n = 0;
        for id in ids {
            tx.execute("delete from plan_link where person_id = $1", &[id])?;
            n += tx.execute("delete from person where id = $1", &[id])? as usize;
        }
        tx.execute(
            "delete from household h where not exists (select 1 from person p where (p.doc::jsonb ->> 'household') = h.id and p.unit_code = h.unit_code)",
            &[],
        )?;
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(n)
    }

    fn save_household(&mut self, row: &HouseholdRow, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "insert into household (id, unit_code, doc) values ($1, $2, $3) on conflict (unit_code, id) do update set doc = excluded.doc",
            &[&row.id, &row.unit.as_str(), &row.doc],
        )?;
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn households(&mut self, unit: &UnitCode) -> Result<Vec<HouseholdRow>> {
        Ok(self
            .client
            .query(
                "select id, doc from household where unit_code = $1 order by id",
                &[&unit.as_str()],
            )?
            .iter()
            .map(|r| HouseholdRow {
                id: r.get(0),
                unit: unit.clone(),
                doc: r.get(1),
            })
            .collect())
    }

    fn household(&mut self, unit: &UnitCode, id: &str) -> Result<Option<HouseholdRow>> {
        Ok(self
            .client
            .query_opt(crate::sql::HOUSEHOLD_BY_ID, &[&unit.as_str(), &id])?
            .map(|r| HouseholdRow {
                id: r.get(0),
                unit: unit.clone(),
                doc: r.get(1),
            }))
    }

    fn household_members(&mut self, unit: &UnitCode, household: &str) -> Result<Vec<PersonRow>> {
        self.client
            .query(
                crate::sql::PERSONS_OF_HOUSEHOLD,
                &[&unit.as_str(), &household],
            )?
            .iter()
            .map(pg_person)
            .collect()
    }

    fn put_pending_upload(
        &mut self,
        r: &PendingUploadRow,
        now: &str,
        keep_per_user: i64,
    ) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(crate::sql::PRUNE_PENDING_UPLOADS, &[&now])?;
        tx.execute(
            crate::sql::INSERT_PENDING_UPLOAD,
            &[
                &r.token_hash,
                &r.user_id,
                &r.strategy_id,
                &r.unit.as_str(),
                &r.file_name,
                &r.kind,
                &r.content_sha256,
                &r.observations,
                &r.warnings,
                &r.created_at,
                &r.expires_at,
            ],
        )?;
        tx.execute(
            crate::sql::TRIM_PENDING_UPLOADS,
            &[&r.user_id, &keep_per_user],
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
        self.client
            .query_opt(
                crate::sql::TAKE_PENDING_UPLOAD,
                &[&token_hash, &user_id, &strategy_id, &now],
            )?
            .map(|r| {
                crate::sqlite::pending_from_raw((
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    std::array::from_fn(|i| r.get(4 + i)),
                ))
            })
            .transpose()
    }

    fn register_settings(&mut self, unit: &UnitCode) -> Result<Option<String>> {
        Ok(self
            .client
            .query_opt(
                "select doc from register_settings where unit_code = $1",
                &[&unit.as_str()],
            )?
            .map(|r| r.get(0)))
    }

    fn save_register_settings(
        &mut self,
        unit: &UnitCode,
        doc: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "insert into register_settings (unit_code, doc) values ($1, $2) on conflict (unit_code) do update set doc = excluded.doc",
            &[&unit.as_str(), &doc],
        )?;
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    fn create_plan_link(&mut self, l: &PlanLinkRow, audit: &AuditEntry) -> Result<i64> {
        let mut tx = self.client.transaction()?;
        let id: i64 = tx
            .query_one(
                "insert into plan_link (person_id, code_hash, lang, created_by, created_at, expires_at) values ($1, $2, $3, $4, $5, $6) returning id",
                &[&l.person_id, &l.code_hash, &l.lang, &l.created_by, &l.created_at, &l.expires_at],
            )?
            .get(0);
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn plan_link_by_hash(&mut self, code_hash: &str) -> Result<Option<PlanLinkRow>> {
        Ok(self
            .client
            .query_opt(
                &format!("{PLAN_LINK_COLUMNS} where code_hash = $1"),
                &[&code_hash],
            )?
            .map(|r| pg_plan_link(&r)))
    }

    fn plan_links(&mut self, person_id: &str) -> Result<Vec<PlanLinkRow>> {
        Ok(self
            .client
            .query(
                &format!("{PLAN_LINK_COLUMNS} where person_id = $1 order by id"),
                &[&person_id],
            )?
            .iter()
            .map(pg_plan_link)
            .collect())
    }

    fn revoke_plan_link(
        &mut self,
        person_id: &str,
        id: i64,
        at: &str,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let mut tx = self.client.transaction()?;
        let n = tx.execute(
            "update plan_link set revoked_at = $1 where id = $2 and person_id = $3 and revoked_at is null",
            &[&at, &id, &person_id],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn log_reads(&mut self, entries: &[ReadLogEntry], mac: ChainMac) -> Result<()> {
        let mut tx = self.client.transaction()?;
        // One writer at a time (readers go on), so two cannot read the same head and fork
        // the chain.
        tx.batch_execute("lock table read_log in exclusive mode")?;
        let last = tx.query_opt("select id, mac from read_log order by id desc limit 1", &[])?;
        let (mut prev, mut next): (String, i64) = match last {
            Some(r) => (
                r.get::<_, Option<String>>(1).unwrap_or_default(),
                r.get::<_, i64>(0) + 1,
            ),
            None => tx
                .query_opt(
                    "select through_id, mac from read_log_checkpoint order by id desc limit 1",
                    &[],
                )?
                .map(|r| (r.get::<_, String>(1), r.get::<_, i64>(0) + 1))
                .unwrap_or((String::new(), 1)),
        };
        let st: &str = "insert into read_log (id, at, user_id, via, person_id, unit_code, view, related, mac) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        for e in entries {
            let e = ReadLogEntry {
                id: next,
                ..e.clone()
            };
            let m = mac(&prev, &e);
            tx.execute(
                st,
                &[
                    &e.id,
                    &e.at,
                    &e.user_id,
                    &e.via,
                    &e.person_id,
                    &e.unit_code,
                    &e.view,
                    &e.related,
                    &m,
                ],
            )?;
            prev = m;
            next += 1;
        }
        tx.commit()?;
        Ok(())
    }

    fn read_log_chain(&mut self, after_id: i64, limit: i64) -> Result<Vec<ChainedRead>> {
        let rows = self.client.query(
            "select id, at, user_id, via, person_id, unit_code, view, related, mac from read_log
             where id > $1 order by id limit $2",
            &[&after_id, &limit.clamp(1, 100_000)],
        )?;
        Ok(rows
            .iter()
            .map(|r| ChainedRead {
                entry: ReadLogEntry {
                    id: r.get(0),
                    at: r.get(1),
                    user_id: r.get(2),
                    via: r.get(3),
                    person_id: r.get(4),
                    unit_code: r.get(5),
                    view: r.get(6),
                    related: r.get(7),
                },
                mac: r.get(8),
            })
            .collect())
    }

    fn read_log_checkpoints(&mut self) -> Result<Vec<ReadLogCheckpoint>> {
        Ok(self
            .client
            .query(
                "select id, at, through_id, mac from read_log_checkpoint order by id",
                &[],
            )?
            .iter()
            .map(|r| ReadLogCheckpoint {
                id: r.get(0),
                at: r.get(1),
                through_id: r.get(2),
                mac: r.get(3),
            })
            .collect())
    }

    fn create_registration_request(
        &mut self,
        row: &RegistrationRequestRow,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.client.transaction()?;
        let id: i64 = tx
            .query_one(
                "insert into registration_request (unit_code, requested_by, created_at, pnr_index, sealed) values ($1, $2, $3, $4, $5) returning id",
                &[&row.unit.as_str(), &row.requested_by, &row.created_at, &row.pnr_index, &row.sealed],
            )?
            .get(0);
        let audit = AuditEntry {
            object: format!("registration_request:{id}"),
            ..audit.clone()
        };
        insert_audit(&mut tx, &audit)?;
        tx.commit()?;
        Ok(id)
    }

    fn registration_requests(
        &mut self,
        unit: &UnitCode,
        open_only: bool,
    ) -> Result<Vec<RegistrationRequestRow>> {
        Ok(self
            .client
            .query(
                "select id, requested_by, created_at, pnr_index, sealed, resolved_at, resolved_by, resolution
                 from registration_request where unit_code = $1 and (not $2 or resolved_at is null) order by id desc limit 1000",
                &[&unit.as_str(), &open_only],
            )?
            .iter()
            .map(|r| RegistrationRequestRow {
                id: r.get(0),
                unit: unit.clone(),
                requested_by: r.get(1),
                created_at: r.get(2),
                pnr_index: r.get(3),
                sealed: r.get(4),
                resolved_at: r.get(5),
                resolved_by: r.get(6),
                resolution: r.get(7),
            })
            .collect())
    }

    fn resolve_registration_request(
        &mut self,
        unit: &UnitCode,
        id: i64,
        resolution: &str,
        by: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let mut tx = self.client.transaction()?;
        let n = tx.execute(
            "update registration_request set resolved_at = $1, resolved_by = $2, resolution = $3
             where id = $4 and unit_code = $5 and resolved_at is null",
            &[&audit.at, &by, &resolution, &id, &unit.as_str()],
        )?;
        if n == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(true)
    }

    fn read_log(&mut self, f: &ReadLogFilter) -> Result<Vec<ReadLogEntry>> {
        let to = f.to.as_ref().map(|t| {
            if t.len() == 10 {
                format!("{t}T99")
            } else {
                t.clone()
            }
        });
        let rows = self.client.query(
            "select id, at, user_id, via, person_id, unit_code, view, related from read_log
             where ($1::text is null or unit_code = $1) and ($2::bigint is null or user_id = $2) and ($3::text is null or person_id = $3)
               and ($4::text is null or at >= $4) and ($5::text is null or at <= $5) and (not $6 or not related)
             order by id desc limit $7 offset $8",
            &[&f.unit, &f.user_id, &f.person_id, &f.from, &to, &f.unrelated_only, &f.limit.clamp(1, 10_000), &f.offset.max(0)],
        )?;
        Ok(rows
            .iter()
            .map(|r| ReadLogEntry {
                id: r.get(0),
                at: r.get(1),
                user_id: r.get(2),
                via: r.get(3),
                person_id: r.get(4),
                unit_code: r.get(5),
                view: r.get(6),
                related: r.get(7),
            })
            .collect())
    }

    fn read_log_retention_years(&mut self) -> Result<i64> {
        let y: i32 = self
            .client
            .query_one("select years from read_log_retention where id = 1", &[])?
            .get(0);
        Ok(y as i64)
    }

    fn set_read_log_retention_years(&mut self, years: i64, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.client.transaction()?;
        let y = i32::try_from(years)
            .map_err(|_| StoreError::Corrupt("retention out of range".into()))?;
        tx.execute(
            "update read_log_retention set years = $1 where id = 1",
            &[&y],
        )?;
        insert_audit(&mut tx, audit)?;
        tx.commit()?;
        Ok(())
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

use crate::sql::PERSON_COLUMNS;

fn pg_person(r: &postgres::Row) -> Result<PersonRow> {
    crate::sqlite::finish_person((
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
        r.get(9),
    ))
}

const PLAN_LINK_COLUMNS: &str = "select id, person_id, code_hash, lang, created_by, created_at, expires_at, revoked_at from plan_link";

fn pg_plan_link(r: &postgres::Row) -> PlanLinkRow {
    PlanLinkRow {
        id: r.get(0),
        person_id: r.get(1),
        code_hash: r.get(2),
        lang: r.get(3),
        created_by: r.get(4),
        created_at: r.get(5),
        expires_at: r.get(6),
        revoked_at: r.get(7),
    }
}
