-- A municipality's review of the targets read out of a library document: each draft (its
-- place among the document's drafts, and the hash of its sentence so that a changed reading
-- is never taken for the reviewed one) accepted into one of the municipality's strategies
-- (the target it became) or rejected, by whom and when. Each municipality reviews for
-- itself: what one accepts or rejects is not another's decision.
create table library_draft_review (
    entry_id {int64} not null references library_entry(id) on delete cascade,
    n integer not null,
    sentence_sha256 text not null,
    unit_code text not null references unit(code),
    state text not null check (state in ('accepted', 'rejected')),
    strategy_id text,
    target_id text,
    reviewed_by {int64} references app_user(id) on delete set null,
    reviewed_at text not null,
    primary key (entry_id, n, unit_code)
);
