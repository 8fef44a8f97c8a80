-- problems with accessibility that visitors report, as the accessibility law (DOS-lagen) asks.
create table accessibility_report (
    id integer primary key,
    at text not null,
    page text,
    message text not null,
    contact text,
    user_id integer references app_user(id)
);
