-- Documents that a library document lists (Östersund's strategy opens with about a hundred
-- other municipalities' strategies): catalogue entries, "text missing" until someone adds
-- the document itself. The municipality and year are the ones the listed title states;
-- null where it states none. A listing is known by the document that lists it and the
-- line it stands on, so loading the same list again adds nothing.
create table library_listing (
    id {key},
    listed_in text not null,
    line integer not null,
    title text not null,
    unit_code text references unit(code),
    year integer,
    kind text not null,
    unique (listed_in, line)
);
