-- problems with accessibility that visitors report, as the accessibility law (DOS-lagen) asks.
create table accessibility_report (
--postgres:     id bigint generated always as identity primary key,
--sqlite:     id integer primary key,
    at text not null,
    page text,
    message text not null,
    contact text,
--postgres:     user_id bigint references app_user(id)
--sqlite:     user_id integer references app_user(id)
);
