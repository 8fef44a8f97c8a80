-- the first schema: units, indicators, dated import batches with versioned observations,
-- strategies stored as documents with their indicator links.

create table unit (
    code text primary key,
    name text not null,
    kind text not null check (kind in ('nation', 'region', 'municipality', 'group')),
    county text
);

-- user-defined peer groups and county groups; the group itself is also a unit.
create table unit_group_member (
    group_code text not null references unit(code) on delete cascade,
    member_code text not null references unit(code),
    primary key (group_code, member_code)
);

create table indicator (
    id text primary key,
    title text not null,
    measure_unit text not null,
    direction text not null,
    source text not null,
--postgres:     divided_by_sex boolean not null,
--sqlite:     divided_by_sex integer not null,
    description text not null,
    area text
);

-- one row per import that changed something; the hash makes re-imports of a file no-ops.
create table batch (
--postgres:     id bigint generated always as identity primary key,
--sqlite:     id integer primary key,
    source text not null,
    file_name text,
    content_sha256 text not null unique,
    imported_at text not null,
--postgres:     row_count bigint not null,
--postgres:     changed_count bigint not null
--sqlite:     row_count integer not null,
--sqlite:     changed_count integer not null
);

-- every version of every figure; the latest batch per key is the current value, and
-- filtering batches by date reproduces the data as it stood then.
create table observation (
    indicator_id text not null,
    unit_code text not null,
    period text not null,
    sex text not null check (sex in ('T', 'K', 'M')),
--postgres:     batch_id bigint not null references batch(id),
--postgres:     value double precision,
--postgres:     status text not null,
--postgres:     primary key (indicator_id, unit_code, period, sex, batch_id)
--postgres: );
--sqlite:     batch_id integer not null references batch(id),
--sqlite:     value real,
--sqlite:     status text not null,
--sqlite:     primary key (indicator_id, unit_code, period, sex, batch_id)
--sqlite: ) without rowid;

create table strategy (
    id text primary key,
    owner_code text not null references unit(code),
    title text not null,
    document text not null,
    updated_at text not null
);

create table strategy_indicator (
    strategy_id text not null references strategy(id) on delete cascade,
    indicator_id text not null references indicator(id),
    primary key (strategy_id, indicator_id)
);
