--postgres: -- the establishment register: see the SQLite migration of the same number.
--postgres:
--postgres: create table register_membership (
--postgres:     user_id bigint not null references app_user(id) on delete cascade,
--sqlite: -- the establishment register: persons (pseudonymous documents with a sealed identity),
--sqlite: -- households, register roles, settings per municipality, newcomer plan links and the
--sqlite: -- append-only log of reads of person data.
--sqlite:
--sqlite: create table register_membership (
--sqlite:     user_id integer not null references app_user(id) on delete cascade,
    unit_code text not null references unit(code),
    role text not null check (role in ('case_worker', 'reception_manager', 'analyst')),
    primary key (user_id, unit_code)
);

--sqlite: -- `doc` is the person as JSON without direct identifiers; `identity` is the name,
--sqlite: -- personnummer and contact details sealed with a key that is never stored here;
--sqlite: -- `pnr_index` is a keyed hash for finding a personnummer.
create table person (
    id text primary key,
    unit_code text not null references unit(code),
--postgres:     case_worker bigint references app_user(id) on delete set null,
--postgres:     closed_on text,
--postgres:     anonymised boolean not null default false,
--sqlite:     case_worker integer references app_user(id) on delete set null,
--sqlite:     closed_on text,
--sqlite:     anonymised integer not null default 0,
    doc text not null,
    identity text,
    pnr_index text,
    updated_at text not null
);
create index person_by_unit on person (unit_code, closed_on);
create unique index person_by_pnr on person (unit_code, pnr_index) where pnr_index is not null;

create table household (
    id text primary key,
    unit_code text not null references unit(code),
    doc text not null
);

create table register_settings (
    unit_code text primary key references unit(code),
    doc text not null
);

--postgres: create table plan_link (
--postgres:     id bigserial primary key,
--sqlite: -- a link or code a case worker hands to a newcomer: only its sha-256 is stored.
--sqlite: create table plan_link (
--sqlite:     id integer primary key,
    person_id text not null references person(id) on delete cascade,
    code_hash text not null unique,
    lang text not null,
--postgres:     created_by bigint references app_user(id) on delete set null,
--sqlite:     created_by integer references app_user(id) on delete set null,
    created_at text not null,
    expires_at text not null,
    revoked_at text
);

create table read_log (
--postgres:     id bigserial primary key,
--postgres:     at text not null,
--postgres:     user_id bigint,
--sqlite:     id integer primary key,
--sqlite:     at text not null,
--sqlite:     user_id integer,
    via text not null,
    person_id text not null,
    unit_code text not null,
    view text not null,
--postgres:     related boolean not null
--sqlite:     related integer not null
);
create index read_log_by_time on read_log (unit_code, at);
create index read_log_by_person on read_log (person_id, at);

--sqlite: -- how long reads are kept; at least five years.
create table read_log_retention (
    id integer primary key check (id = 1),
    years integer not null check (years >= 5)
);
insert into read_log_retention (id, years) values (1, 5);

--postgres: create function read_log_guard() returns trigger language plpgsql as $$
--postgres: begin
--postgres:     if tg_op = 'UPDATE' then
--postgres:         raise exception 'read_log is append-only';
--postgres:     end if;
--postgres:     if old.at >= to_char((now() at time zone 'utc') - make_interval(years => (select years from read_log_retention where id = 1)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') then
--postgres:         raise exception 'read_log rows are kept for the retention period';
--postgres:     end if;
--postgres:     return old;
--postgres: end;
--postgres: $$;
--postgres: create trigger read_log_guard before update or delete on read_log
--postgres:     for each row execute function read_log_guard();
--postgres: -- truncate bypasses row triggers: forbid it too.
--postgres: create function read_log_no_truncate() returns trigger language plpgsql as $$
--postgres: begin
--postgres:     raise exception 'read_log is append-only';
--postgres: end;
--postgres: $$;
--postgres: create trigger read_log_no_truncate before truncate on read_log
--postgres:     for each statement execute function read_log_no_truncate();
--sqlite: -- the log is append-only: no row changes, and none goes before its retention has passed.
--sqlite: create trigger read_log_no_update before update on read_log
--sqlite: begin
--sqlite:     select raise(abort, 'read_log is append-only');
--sqlite: end;
--sqlite: create trigger read_log_keep before delete on read_log
--sqlite: when old.at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (select years from read_log_retention where id = 1) || ' years')
--sqlite: begin
--sqlite:     select raise(abort, 'read_log rows are kept for the retention period');
--sqlite: end;
