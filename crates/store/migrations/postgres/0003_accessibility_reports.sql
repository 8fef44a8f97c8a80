-- problems with accessibility that visitors report, as the accessibility law (DOS-lagen) asks.
create table accessibility_report (
    id bigint generated always as identity primary key,
    at text not null,
    page text,
    message text not null,
    contact text,
    user_id bigint references app_user(id)
);
