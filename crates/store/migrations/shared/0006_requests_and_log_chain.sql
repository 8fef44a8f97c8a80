-- a registration whose personnummer is already in the municipality's register becomes a
-- request the reception manager resolves, so the answer to the case worker names no case.
-- `sealed` holds the submitted case, sealed like a person's identity; `pnr_index` is the
-- blind index, never the number.
create table registration_request (
--postgres:     id bigserial primary key,
--postgres:     unit_code text not null references unit(code),
--postgres:     requested_by bigint references app_user(id) on delete set null,
--sqlite:     id integer primary key,
--sqlite:     unit_code text not null references unit(code),
--sqlite:     requested_by integer references app_user(id) on delete set null,
    created_at text not null,
    pnr_index text not null,
    sealed text not null,
    resolved_at text,
--postgres:     resolved_by bigint references app_user(id) on delete set null,
--sqlite:     resolved_by integer references app_user(id) on delete set null,
    resolution text
);
create index registration_request_open on registration_request (unit_code, resolved_at);

-- the read log is a chain: each row carries an HMAC over its content and the previous
-- row's HMAC, under a key kept outside the database (derived from the register keys).
-- gallring leaves a checkpoint with the last removed row's HMAC, where the chain goes on.
alter table read_log add column mac text;
create table read_log_checkpoint (
--postgres:     id bigserial primary key,
--postgres:     at text not null,
--postgres:     through_id bigint not null,
--postgres:     mac text not null
--postgres: );
--postgres: create function read_log_checkpoint_guard() returns trigger language plpgsql as $$
--postgres: begin
--postgres:     raise exception 'read_log_checkpoint is append-only';
--postgres: end;
--postgres: $$;
--postgres: create trigger read_log_checkpoint_guard before update or delete on read_log_checkpoint
--postgres:     for each row execute function read_log_checkpoint_guard();
--sqlite:     id integer primary key,
--sqlite:     at text not null,
--sqlite:     through_id integer not null,
--sqlite:     mac text not null
--sqlite: );
--sqlite: create trigger read_log_checkpoint_no_update before update on read_log_checkpoint
--sqlite: begin
--sqlite:     select raise(abort, 'read_log_checkpoint is append-only');
--sqlite: end;
--sqlite: create trigger read_log_checkpoint_no_delete before delete on read_log_checkpoint
--sqlite: begin
--sqlite:     select raise(abort, 'read_log_checkpoint is append-only');
--sqlite: end;
