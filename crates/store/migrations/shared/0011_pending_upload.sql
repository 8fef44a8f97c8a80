-- an upload's preview, read once and kept parsed until the user confirms it or it expires,
-- in the database rather than in one server process's memory: a preview shown by one
-- process can be confirmed through another. The token is a secret; only its hash is kept.
create table pending_upload (
    token_hash text primary key,
--postgres:     user_id bigint not null references app_user(id) on delete cascade,
--sqlite:     user_id integer not null references app_user(id) on delete cascade,
    strategy_id text not null references strategy(id) on delete cascade,
    unit_code text not null references unit(code),
    file_name text not null,
    kind text not null,
    content_sha256 text not null,
    observations text not null,
    warnings text not null,
    created_at text not null,
    expires_at text not null
);
create index pending_upload_by_user on pending_upload (user_id, created_at);
create index pending_upload_by_expiry on pending_upload (expires_at);
