-- repair: `api_token` was added to 0002_accounts.sql after that migration had shipped, so a
-- database migrated with the first 0002 has no such table. Create it where it is missing;
-- where it exists (0002 as edited), this changes nothing.
create table if not exists api_token (
--postgres:     id bigint generated always as identity primary key,
--postgres:     token_hash text not null unique,
--postgres:     user_id bigint not null references app_user(id) on delete cascade,
--sqlite:     id integer primary key,
--sqlite:     token_hash text not null unique,
--sqlite:     user_id integer not null references app_user(id) on delete cascade,
    unit_code text not null references unit(code),
    scope text not null check (scope in ('read', 'write')),
    name text not null,
    created_at text not null,
    revoked_at text
);
