-- E-mail (issue 13): each user's address, verified by a link sent to it (only the link's
-- token hash is kept), and the outbox every message goes through. A message is written in
-- the same transaction as what it tells about; a server process claims due messages for a
-- while (`claimed_until`; on PostgreSQL the claim is taken with FOR UPDATE SKIP LOCKED, so
-- two processes never claim the same one), sends, and marks it sent, or counts the attempt
-- and sets when to try again. `dedupe_key` makes a reminder that is asked for twice one
-- message.
alter table app_user add column email text;
alter table app_user add column email_verified_at text;
alter table app_user add column email_token_hash text;

create table outbox (
    id {key},
    dedupe_key text not null unique,
    unit_code text,
    kind text not null,
    to_address text not null,
    subject text not null,
    body text not null,
    created_at text not null,
    attempts integer not null default 0,
    next_attempt_at text not null,
    claimed_until text,
    sent_at text,
    last_error text
);
create index outbox_due on outbox (sent_at, next_attempt_at);
