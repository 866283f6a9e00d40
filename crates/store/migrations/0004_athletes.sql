-- 0004: every row belongs to an athlete, and plan state is versioned. Embedded in the binary
-- and never edited once released.
--
-- A local install had one runner; their rows become athlete 1, "default". Tables are rebuilt
-- (not altered) so athlete_id has no default that a forgetful insert could fall back on, and
-- so the uniqueness rules become per athlete: the same file imported by two runners is kept
-- for both, and each runner has one profile and one active plan. Runs with foreign keys off
-- (the store turns them off around migrations) and is checked with foreign_key_check after.

CREATE TABLE athlete (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_ms  INTEGER NOT NULL
);
INSERT INTO athlete (id, name, created_ms) VALUES (1, 'default', 0);

CREATE TABLE original_file_v4 (
    id             INTEGER PRIMARY KEY,
    athlete_id     INTEGER NOT NULL REFERENCES athlete(id),
    content_hash   BLOB    NOT NULL,
    encoding       TEXT    NOT NULL CHECK (encoding IN ('raw', 'gzip')),
    format         TEXT    NOT NULL,
    size_bytes     INTEGER NOT NULL,
    activity_count INTEGER NOT NULL,
    -- The bytes of files imported before this version; newer files keep theirs in
    -- hamstride-originals.db (see migrations-originals/0001), and this is NULL.
    data           BLOB,
    UNIQUE (athlete_id, content_hash)
);
INSERT INTO original_file_v4
    SELECT id, 1, content_hash, encoding, format, size_bytes, activity_count, data FROM original_file;

CREATE TABLE activity_v4 (
    id                   INTEGER PRIMARY KEY,
    athlete_id           INTEGER NOT NULL REFERENCES athlete(id),
    original_id          INTEGER NOT NULL REFERENCES original_file(id),
    part                 INTEGER NOT NULL DEFAULT 0,
    source_path          TEXT    NOT NULL,
    format               TEXT    NOT NULL,
    sport                TEXT    NOT NULL,
    sub_sport            TEXT,
    start_ms             INTEGER,
    end_ms               INTEGER,
    start_was_relative   INTEGER NOT NULL DEFAULT 0,
    name                 TEXT,
    device_manufacturer  TEXT,
    device_product       TEXT,
    distance_m           REAL,
    timer_s              REAL,
    elapsed_s            REAL,
    avg_heart_rate       REAL,
    max_heart_rate       REAL,
    avg_cadence          REAL,
    ascent_m             REAL,
    descent_m            REAL,
    record_count         INTEGER NOT NULL,
    perceived_exertion   REAL,
    external_id          TEXT,
    external_type        TEXT,
    sessions_json        TEXT    NOT NULL,
    laps_json            TEXT    NOT NULL,
    warnings_json        TEXT    NOT NULL,
    imported_at_ms       INTEGER NOT NULL,
    UNIQUE (original_id, part)
);
INSERT INTO activity_v4
    SELECT id, 1, original_id, part, source_path, format, sport, sub_sport, start_ms, end_ms,
           start_was_relative, name, device_manufacturer, device_product, distance_m, timer_s,
           elapsed_s, avg_heart_rate, max_heart_rate, avg_cadence, ascent_m, descent_m,
           record_count, perceived_exertion, external_id, external_type, sessions_json,
           laps_json, warnings_json, imported_at_ms
    FROM activity;

CREATE TABLE activity_stream_v4 (
    activity_id  INTEGER PRIMARY KEY REFERENCES activity(id) ON DELETE CASCADE,
    athlete_id   INTEGER NOT NULL REFERENCES athlete(id),
    codec        INTEGER NOT NULL,
    data         BLOB    NOT NULL
);
INSERT INTO activity_stream_v4 SELECT activity_id, 1, codec, data FROM activity_stream;

CREATE TABLE activity_metrics_v4 (
    activity_id  INTEGER PRIMARY KEY REFERENCES activity(id) ON DELETE CASCADE,
    athlete_id   INTEGER NOT NULL REFERENCES athlete(id),
    version      INTEGER NOT NULL,
    data         TEXT    NOT NULL
);
INSERT INTO activity_metrics_v4 SELECT activity_id, 1, version, data FROM activity_metrics;

CREATE TABLE profile_v4 (
    athlete_id  INTEGER PRIMARY KEY REFERENCES athlete(id),
    data        TEXT    NOT NULL,
    updated_ms  INTEGER NOT NULL
);
INSERT INTO profile_v4 SELECT 1, data, updated_ms FROM profile;

CREATE TABLE assessment_v4 (
    id            INTEGER PRIMARY KEY,
    athlete_id    INTEGER NOT NULL REFERENCES athlete(id),
    created_ms    INTEGER NOT NULL,
    kb_version    TEXT    NOT NULL,
    condition     TEXT    NOT NULL,
    triage        TEXT    NOT NULL,
    findings      TEXT    NOT NULL,
    result        TEXT    NOT NULL
);
INSERT INTO assessment_v4
    SELECT id, 1, created_ms, kb_version, condition, triage, findings, result FROM assessment;

-- version: how many check-ins have moved the state; a check-in names the version it was
-- decided against, so two at once cannot silently overwrite each other.
CREATE TABLE plan_v4 (
    id             INTEGER PRIMARY KEY,
    athlete_id     INTEGER NOT NULL REFERENCES athlete(id),
    assessment_id  INTEGER REFERENCES assessment(id),
    created_ms     INTEGER NOT NULL,
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    state          TEXT    NOT NULL,
    version        INTEGER NOT NULL
);
INSERT INTO plan_v4
    SELECT p.id, 1, p.assessment_id, p.created_ms, p.active, p.state,
           (SELECT count(*) FROM checkin c WHERE c.plan_id = p.id)
    FROM plan p;

CREATE TABLE checkin_v4 (
    id            INTEGER PRIMARY KEY,
    athlete_id    INTEGER NOT NULL REFERENCES athlete(id),
    plan_id       INTEGER NOT NULL REFERENCES plan(id),
    created_ms    INTEGER NOT NULL,
    day           TEXT    NOT NULL,
    entry         TEXT    NOT NULL,
    decision      TEXT    NOT NULL,
    state_before  TEXT
);
INSERT INTO checkin_v4
    SELECT id, 1, plan_id, created_ms, day, entry, decision, state_before FROM checkin;

CREATE TABLE pain_entry_v4 (
    id           INTEGER PRIMARY KEY,
    athlete_id   INTEGER NOT NULL REFERENCES athlete(id),
    created_ms   INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    activity_id  INTEGER REFERENCES activity(id) ON DELETE SET NULL,
    entry        TEXT    NOT NULL
);
INSERT INTO pain_entry_v4 SELECT id, 1, created_ms, day, activity_id, entry FROM pain_entry;

DROP TABLE pain_entry;
DROP TABLE checkin;
DROP TABLE plan;
DROP TABLE assessment;
DROP TABLE profile;
DROP TABLE activity_metrics;
DROP TABLE activity_stream;
DROP TABLE activity;
DROP TABLE original_file;

ALTER TABLE original_file_v4 RENAME TO original_file;
ALTER TABLE activity_v4 RENAME TO activity;
ALTER TABLE activity_stream_v4 RENAME TO activity_stream;
ALTER TABLE activity_metrics_v4 RENAME TO activity_metrics;
ALTER TABLE profile_v4 RENAME TO profile;
ALTER TABLE assessment_v4 RENAME TO assessment;
ALTER TABLE plan_v4 RENAME TO plan;
ALTER TABLE checkin_v4 RENAME TO checkin;
ALTER TABLE pain_entry_v4 RENAME TO pain_entry;

CREATE INDEX activity_start ON activity (athlete_id, start_ms);
CREATE INDEX activity_source ON activity (athlete_id, source_path);
CREATE INDEX assessment_athlete ON assessment (athlete_id, id);
CREATE UNIQUE INDEX plan_one_active ON plan (athlete_id) WHERE active = 1;
CREATE INDEX checkin_plan_day ON checkin (athlete_id, plan_id, day);
CREATE INDEX pain_entry_day ON pain_entry (athlete_id, day);
