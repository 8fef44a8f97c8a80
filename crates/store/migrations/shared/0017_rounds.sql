-- The yearly reporting round (issue 13). Departments become records of the municipality
-- (made from the action plan's `responsible` texts), each with its reporters; a round per
-- strategy and year has a task per responsible department; the board's adoption stores the
-- time the follow-up is frozen at (data and strategy version as of it) and the rendered
-- documents' bytes with their SHA-256. A reopened adoption is kept, with who reopened it
-- and why.
create table department (
    id {key},
    unit_code text not null references unit(code),
    name text not null,
    created_at text not null,
    unique (unit_code, name)
);

create table department_reporter (
    user_id {int64} not null references app_user(id) on delete cascade,
    department_id {int64} not null references department(id) on delete cascade,
    primary key (user_id, department_id)
);

create table report_round (
    id {key},
    strategy_id text not null references strategy(id) on delete cascade,
    year integer not null,
    deadline text not null,
    -- the ids of the activities the round asks about, fixed when it opens (JSON array)
    activities text not null,
    state text not null check (state in ('open', 'approved', 'adopted')),
    opened_at text not null,
    opened_by {int64},
    approved_at text,
    approved_by {int64},
    unique (strategy_id, year)
);

create table round_task (
    round_id {int64} not null references report_round(id) on delete cascade,
    department_id {int64} not null references department(id),
    state text not null check (state in ('open', 'submitted', 'returned', 'accepted')),
    review_comment text,
    submitted_at text,
    submitted_by {int64},
    reviewed_at text,
    reviewed_by {int64},
    primary key (round_id, department_id)
);

create table adoption (
    id {key},
    round_id {int64} not null references report_round(id) on delete cascade,
    body text not null,
    decided_on text not null,
    reference text not null,
    diarienummer text not null,
    adopted_at text not null,
    adopted_by {int64},
    strategy_version {int64} not null,
    data_version text not null,
    pdf {bytes} not null,
    pdf_sha256 text not null,
    docx {bytes} not null,
    docx_sha256 text not null,
    reopened_at text,
    reopened_by {int64},
    reopen_reason text
);
create index adoption_by_round on adoption (round_id);
