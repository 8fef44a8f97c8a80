-- Login through OpenID Connect providers (eID), who may log in with a password, and the
-- operator's break-glass login (operations issue).

-- A login begun at a provider: its state (only as sha-256, like session ids), nonce and
-- PKCE verifier, so that any server process can finish a login another one began. Taken
-- (deleted) when the browser comes back, so a state works once; kept at most ten minutes.
create table oidc_login (
    state_hash text primary key,
    provider text not null,
    nonce text not null,
    pkce_verifier text not null,
    return_to text,
    created_at text not null
);
create index oidc_login_by_age on oidc_login (created_at);

-- user_identity.provider holds the issuer: an identity is (issuer, subject). Which
-- configured provider saw it, when and how it was linked, for the administrators' page.
alter table user_identity add column provider_id text not null default '';
alter table user_identity add column linked_at text not null default '';
alter table user_identity add column linked_by text not null default '';
create index user_identity_by_user on user_identity (user_id);

-- A staff member's personnummer, only as a blind index (keyed HMAC, `<key id>.<hex>`), for
-- linking an eID login to the account the first time.
alter table app_user add column personnummer_index text;
create unique index app_user_by_personnummer on app_user (personnummer_index);

-- Municipalities whose staff log in only through an identity provider: a member of one of
-- them cannot log in with a password.
create table password_login_off (
    unit_code text primary key references unit(code),
    since text not null
);

-- One-time logins made by the operator at the command line (break-glass), kept as sha-256.
create table login_ticket (
    token_hash text primary key,
    user_id {int64} not null references app_user(id) on delete cascade,
    created_at text not null,
    expires_at text not null
);
