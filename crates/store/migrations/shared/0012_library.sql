-- The strategy library: public strategy documents of any municipality, shared by all. An
-- entry names its municipality, title, year and kind; its text is kept paragraph by
-- paragraph with the page each stands on (search reads them, targets point into them),
-- and the original file beside it. An entry without a text is a catalogue entry ("text
-- missing") until someone adds the document. The same content is never stored twice.
-- Written once for both databases: {key} is the auto-numbered key, {int64} a 64-bit
-- integer, {bytes} a byte string, in each dialect (store::backend::render_migration).
create table library_entry (
    id {key},
    unit_code text not null references unit(code),
    title text not null,
    year integer,
    kind text not null,
    source text,
    file_name text,
    media_type text,
    content_sha256 text unique,
    original {bytes},
    added_by {int64} references app_user(id) on delete set null,
    added_for text references unit(code),
    added_at text not null
);
create index library_entry_by_unit on library_entry (unit_code);
create table library_paragraph (
    entry_id {int64} not null references library_entry(id) on delete cascade,
    n integer not null,
    page integer,
    body text not null,
    primary key (entry_id, n)
);
