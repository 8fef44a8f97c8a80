-- accounts, roles per municipality, server-side sessions, login throttling, the audit log,
-- publication of strategies, yearly target comments and the revision history of targets.

create table app_user (
--postgres:     id bigint generated always as identity primary key,
--sqlite:     id integer primary key,
    username text not null unique,
    display_name text not null,
    -- argon2id PHC string; null for accounts that only log in through an identity provider.
    password_hash text,
--postgres:     is_system_admin boolean not null default false,
--postgres:     disabled boolean not null default false,
--sqlite:     is_system_admin integer not null default 0,
--sqlite:     disabled integer not null default 0,
    created_at text not null
);

-- an external identity (OpenID Connect subject) linked to an account, for later providers.
create table user_identity (
    provider text not null,
    subject text not null,
--postgres:     user_id bigint not null references app_user(id) on delete cascade,
--sqlite:     user_id integer not null references app_user(id) on delete cascade,
    primary key (provider, subject)
);

create table membership (
--postgres:     user_id bigint not null references app_user(id) on delete cascade,
--sqlite:     user_id integer not null references app_user(id) on delete cascade,
    unit_code text not null references unit(code),
    role text not null check (role in ('admin', 'strategist', 'viewer')),
    primary key (user_id, unit_code)
);

-- the session id is stored only as its sha-256, so a database reader cannot take over a session.
create table app_session (
    id_hash text primary key,
--postgres:     user_id bigint not null references app_user(id) on delete cascade,
--sqlite:     user_id integer not null references app_user(id) on delete cascade,
    csrf_token text not null,
    created_at text not null,
    last_seen_at text not null
);

create table login_attempt (
    username text not null,
    at text not null,
--postgres:     success boolean not null
--sqlite:     success integer not null
);
create index login_attempt_by_name on login_attempt (username, at);

create table audit_log (
--postgres:     id bigint generated always as identity primary key,
--postgres:     at text not null,
--postgres:     user_id bigint,
--sqlite:     id integer primary key,
--sqlite:     at text not null,
--sqlite:     user_id integer,
    action text not null,
    object text not null,
    unit_code text,
    before text,
    after text
);
create index audit_log_by_time on audit_log (at);

--postgres: alter table strategy add column published boolean not null default false;
--sqlite: alter table strategy add column published integer not null default 0;

create table target_comment (
    strategy_id text not null references strategy(id) on delete cascade,
    target_id text not null,
    year integer not null,
    body text not null,
--postgres:     author_id bigint references app_user(id),
--sqlite:     author_id integer references app_user(id),
    updated_at text not null,
    primary key (strategy_id, target_id, year)
);

create table target_revision (
--postgres:     id bigint generated always as identity primary key,
--sqlite:     id integer primary key,
    strategy_id text not null references strategy(id) on delete cascade,
    target_id text not null,
    field text not null,
    old_value text,
    new_value text,
--postgres:     user_id bigint references app_user(id),
--sqlite:     user_id integer references app_user(id),
    changed_at text not null
);
create index target_revision_by_target on target_revision (strategy_id, target_id, changed_at);

-- tokens for machine clients: scoped to one municipality, read or write, revocable; only
-- the sha-256 of the token is stored.
create table api_token (
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
