-- throttling is per (account, address) with growing delays, plus a budget per address:
-- each attempt records the client's address. `known` is false for a name that had no
-- account then, so failures against it do not count against the account made later.
alter table login_attempt add column address text not null default '';
--postgres: alter table login_attempt add column known boolean not null default true;
--sqlite: alter table login_attempt add column known integer not null default 1;
create index login_attempt_by_address on login_attempt (address, at);
