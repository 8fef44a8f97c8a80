-- The library's change sequence: one row for every entry added, changed or removed, written
-- in the same transaction as the change. Each server process keeps its search index as
-- derived data and rebuilds it when the sequence has moved; rows are never deleted, so the
-- sequence only grows (an entry's id may be reused after a removal; this id is not).
create table library_change (
    id {key},
    entry_id {int64} not null,
    action text not null,
    at text not null
);
