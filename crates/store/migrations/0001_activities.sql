-- 0001: imported activities. Embedded in the binary and never edited once released; later
-- changes come as new numbered files.

-- The original file bytes, once per distinct content, so every analysis can be recomputed
-- from the source when it improves. content_hash is BLAKE3 of the decoded (gunzipped) bytes,
-- so the same FIT as .fit and .fit.gz is one original.
CREATE TABLE original_file (
    id            INTEGER PRIMARY KEY,
    content_hash  BLOB    NOT NULL UNIQUE,
    encoding      TEXT    NOT NULL CHECK (encoding IN ('raw', 'gzip')),
    format        TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    -- Activities the file decoded to (a TCX may hold several), so a re-import can count
    -- them as duplicates from the hash alone, without decoding again.
    activity_count INTEGER NOT NULL,
    data          BLOB    NOT NULL
);

-- One row per activity: the summary later analysis reads without touching streams.
CREATE TABLE activity (
    id                   INTEGER PRIMARY KEY,
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
CREATE INDEX activity_start ON activity (start_ms);
-- Export indexes (Strava's activities.csv) are joined by member path.
CREATE INDEX activity_source ON activity (source_path);

-- Per-record streams in the compact columnar codec of src/codec.rs.
CREATE TABLE activity_stream (
    activity_id  INTEGER PRIMARY KEY REFERENCES activity(id) ON DELETE CASCADE,
    codec        INTEGER NOT NULL,
    data         BLOB    NOT NULL
);
