-- the establishment register: persons (pseudonymous documents with a sealed identity),
-- households, register roles, settings per municipality, newcomer plan links and the
-- append-only log of reads of person data.

create table register_membership (
    user_id integer not null references app_user(id) on delete cascade,
    unit_code text not null references unit(code),
    role text not null check (role in ('case_worker', 'reception_manager', 'analyst')),
    primary key (user_id, unit_code)
);

-- `doc` is the person as JSON without direct identifiers; `identity` is the name,
-- personnummer and contact details sealed with a key that is never stored here;
-- `pnr_index` is a keyed hash for finding a personnummer.
create table person (
    id text primary key,
    unit_code text not null references unit(code),
    case_worker integer references app_user(id) on delete set null,
    closed_on text,
    anonymised integer not null default 0,
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

-- a link or code a case worker hands to a newcomer: only its sha-256 is stored.
create table plan_link (
    id integer primary key,
    person_id text not null references person(id) on delete cascade,
    code_hash text not null unique,
    lang text not null,
    created_by integer references app_user(id) on delete set null,
    created_at text not null,
    expires_at text not null,
    revoked_at text
);

create table read_log (
    id integer primary key,
    at text not null,
    user_id integer,
    via text not null,
    person_id text not null,
    unit_code text not null,
    view text not null,
    related integer not null
);
create index read_log_by_time on read_log (unit_code, at);
create index read_log_by_person on read_log (person_id, at);

-- how long reads are kept; at least five years.
create table read_log_retention (
    id integer primary key check (id = 1),
    years integer not null check (years >= 5)
);
insert into read_log_retention (id, years) values (1, 5);

-- the log is append-only: no row changes, and none goes before its retention has passed.
create trigger read_log_no_update before update on read_log
begin
    select raise(abort, 'read_log is append-only');
end;
create trigger read_log_keep before delete on read_log
when old.at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (select years from read_log_retention where id = 1) || ' years')
begin
    select raise(abort, 'read_log rows are kept for the retention period');
end;
