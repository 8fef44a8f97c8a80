-- every saved strategy is kept as a version, so that a follow-up as of a date judges the
-- data against the strategy as it stood then (and adoption can lock a version). The
-- strategies stored before this migration become their own first version.
create table strategy_version (
    strategy_id text not null references strategy(id) on delete cascade,
    version integer not null,
    document text not null,
    saved_at text not null,
    primary key (strategy_id, version)
);
insert into strategy_version (strategy_id, version, document, saved_at)
    select id, 1, document, updated_at from strategy;
