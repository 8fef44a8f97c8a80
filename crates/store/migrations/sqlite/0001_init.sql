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
    divided_by_sex integer not null,
    description text not null,
    area text
);

-- one row per import that changed something; the hash makes re-imports of a file no-ops.
create table batch (
    id integer primary key,
    source text not null,
    file_name text,
    content_sha256 text not null unique,
    imported_at text not null,
    row_count integer not null,
    changed_count integer not null
);

-- every version of every figure; the latest batch per key is the current value, and
-- filtering batches by date reproduces the data as it stood then.
create table observation (
    indicator_id text not null,
    unit_code text not null,
    period text not null,
    sex text not null check (sex in ('T', 'K', 'M')),
    batch_id integer not null references batch(id),
    value real,
    status text not null,
    primary key (indicator_id, unit_code, period, sex, batch_id)
) without rowid;

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
