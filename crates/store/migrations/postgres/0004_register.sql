-- the establishment register: see the SQLite migration of the same number.

create table register_membership (
    user_id bigint not null references app_user(id) on delete cascade,
    unit_code text not null references unit(code),
    role text not null check (role in ('case_worker', 'reception_manager', 'analyst')),
    primary key (user_id, unit_code)
);

create table person (
    id text primary key,
    unit_code text not null references unit(code),
    case_worker bigint references app_user(id) on delete set null,
    closed_on text,
    anonymised boolean not null default false,
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

create table plan_link (
    id bigserial primary key,
    person_id text not null references person(id) on delete cascade,
    code_hash text not null unique,
    lang text not null,
    created_by bigint references app_user(id) on delete set null,
    created_at text not null,
    expires_at text not null,
    revoked_at text
);

create table read_log (
    id bigserial primary key,
    at text not null,
    user_id bigint,
    via text not null,
    person_id text not null,
    unit_code text not null,
    view text not null,
    related boolean not null
);
create index read_log_by_time on read_log (unit_code, at);
create index read_log_by_person on read_log (person_id, at);

create table read_log_retention (
    id integer primary key check (id = 1),
    years integer not null check (years >= 5)
);
insert into read_log_retention (id, years) values (1, 5);

create function read_log_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        raise exception 'read_log is append-only';
    end if;
    if old.at >= to_char((now() at time zone 'utc') - make_interval(years => (select years from read_log_retention where id = 1)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') then
        raise exception 'read_log rows are kept for the retention period';
    end if;
    return old;
end;
$$;
create trigger read_log_guard before update or delete on read_log
    for each row execute function read_log_guard();
-- truncate bypasses row triggers: forbid it too.
create function read_log_no_truncate() returns trigger language plpgsql as $$
begin
    raise exception 'read_log is append-only';
end;
$$;
create trigger read_log_no_truncate before truncate on read_log
    for each statement execute function read_log_no_truncate();
