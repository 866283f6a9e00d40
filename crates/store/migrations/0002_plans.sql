-- 0002: the runner's profile, assessments, plans and check-ins. Embedded in the binary and never
-- edited once released. Clinical content is stored as the JSON the service writes (the
-- assessment contract's findings and result, the plan state, the check-in and its decision);
-- the columns beside it are only what lists and lookups need.

-- One row: the runner's settings (units, ...).
CREATE TABLE profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    data        TEXT    NOT NULL,
    updated_ms  INTEGER NOT NULL
);

CREATE TABLE assessment (
    id            INTEGER PRIMARY KEY,
    created_ms    INTEGER NOT NULL,
    kb_version    TEXT    NOT NULL,
    condition     TEXT    NOT NULL,
    triage        TEXT    NOT NULL,
    findings      TEXT    NOT NULL,
    result        TEXT    NOT NULL
);

-- A plan follows one assessment (none for the prevention programme of a runner without pain);
-- only the newest plan is active, older ones stay as history.
CREATE TABLE plan (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER REFERENCES assessment(id),
    created_ms     INTEGER NOT NULL,
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    state          TEXT    NOT NULL
);
CREATE UNIQUE INDEX plan_one_active ON plan(active) WHERE active = 1;

CREATE TABLE checkin (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plan(id),
    created_ms  INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    decision    TEXT    NOT NULL
);
CREATE INDEX checkin_plan_day ON checkin(plan_id, day);
