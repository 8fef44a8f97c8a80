-- The client address a login through an identity provider was begun from, so that one
-- address cannot fill the table of begun logins (the bound on all of them stays). Kept only
-- as long as the begun login: at most ten minutes, or until the browser comes back.
alter table oidc_login add column address text not null default '';
create index oidc_login_by_address on oidc_login (address);
