-- 0003: per-activity training-load metrics and the pain diary. Embedded and never edited once
-- released. Both keep the JSON the service writes (hamstride-analytics types); the columns
-- beside it are what lookups need. Metrics carry the version of the code that computed them,
-- so a newer program recomputes them from the stored streams.

CREATE TABLE activity_metrics (
    activity_id  INTEGER PRIMARY KEY REFERENCES activity(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    data         TEXT    NOT NULL
);

-- One diary entry: a day, optionally about one run.
CREATE TABLE pain_entry (
    id           INTEGER PRIMARY KEY,
    created_ms   INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    activity_id  INTEGER REFERENCES activity(id) ON DELETE SET NULL,
    entry        TEXT    NOT NULL
);
CREATE INDEX pain_entry_day ON pain_entry(day);

-- The plan state a check-in was made against (the state that prescribed that day's sessions),
-- so the plan-adherence check can tell what was prescribed on a past day. Check-ins made
-- before this migration have none; the service then falls back to the state that followed.
ALTER TABLE checkin ADD COLUMN state_before TEXT;
