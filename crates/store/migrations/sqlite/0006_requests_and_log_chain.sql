-- a registration whose personnummer is already in the municipality's register becomes a
-- request the reception manager resolves, so the answer to the case worker names no case.
-- `sealed` holds the submitted case, sealed like a person's identity; `pnr_index` is the
-- blind index, never the number.
create table registration_request (
    id integer primary key,
    unit_code text not null references unit(code),
    requested_by integer references app_user(id) on delete set null,
    created_at text not null,
    pnr_index text not null,
    sealed text not null,
    resolved_at text,
    resolved_by integer references app_user(id) on delete set null,
    resolution text
);
create index registration_request_open on registration_request (unit_code, resolved_at);

-- the read log is a chain: each row carries an HMAC over its content and the previous
-- row's HMAC, under a key kept outside the database (derived from the register keys).
-- gallring leaves a checkpoint with the last removed row's HMAC, where the chain goes on.
alter table read_log add column mac text;
create table read_log_checkpoint (
    id integer primary key,
    at text not null,
    through_id integer not null,
    mac text not null
);
create trigger read_log_checkpoint_no_update before update on read_log_checkpoint
begin
    select raise(abort, 'read_log_checkpoint is append-only');
end;
create trigger read_log_checkpoint_no_delete before delete on read_log_checkpoint
begin
    select raise(abort, 'read_log_checkpoint is append-only');
end;
