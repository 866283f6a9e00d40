-- PostgreSQL 0002: pain is one diary (SQLite's 0005). Embedded in the binary and never edited
-- once released.
--
-- Before this, a check-in's pain scores lived only inside the check-in, and the diary could
-- hold several rows for one day. Now a day has one diary row: that day's session (pain during
-- and straight after) and the morning after it. A check-in is made the morning after a
-- session, so its scores are the row of the day before the check-in; checkin_id links a row to
-- the check-in whose scores it holds.
--
-- The upgrade: every existing check-in with a score becomes (part of) its diary row, then the
-- rows of one athlete's day are merged into the latest one: for each score, site, side, run
-- and sitting time the latest value given wins; notes are kept, oldest first, joined by "; ".
-- Last, a unique index makes "one row per athlete and day" a rule of the database.

ALTER TABLE pain_entry ADD COLUMN checkin_id BIGINT REFERENCES checkin(id) ON DELETE SET NULL;

INSERT INTO pain_entry (athlete_id, created_ms, day, activity_id, entry, checkin_id)
SELECT c.athlete_id, c.created_ms, to_char(c.day::date - 1, 'YYYY-MM-DD'), NULL,
       jsonb_build_object(
           'date', to_char(c.day::date - 1, 'YYYY-MM-DD'),
           'activity_id', NULL, 'site', NULL, 'side', NULL,
           'during', c.entry::jsonb -> 'pain_during',
           'after', c.entry::jsonb -> 'pain_after',
           'next_morning', c.entry::jsonb -> 'pain_morning',
           'sitting_min', NULL, 'notes', NULL)::text,
       c.id
FROM checkin c
WHERE jsonb_typeof(c.entry::jsonb -> 'pain_during') = 'number'
   OR jsonb_typeof(c.entry::jsonb -> 'pain_after') = 'number'
   OR jsonb_typeof(c.entry::jsonb -> 'pain_morning') = 'number';

-- Each day's rows, latest first, with the merged values computed once per day.
CREATE TEMP TABLE pain_merged ON COMMIT DROP AS
WITH ranked AS (
    SELECT p.*, p.entry::jsonb AS j,
           row_number() OVER (PARTITION BY athlete_id, day ORDER BY created_ms DESC, id DESC) AS n,
           count(*) OVER (PARTITION BY athlete_id, day) AS rows_that_day
    FROM pain_entry p
)
SELECT k.id, k.athlete_id, k.day,
    (SELECT r.activity_id FROM ranked r WHERE r.athlete_id = k.athlete_id AND r.day = k.day
       AND r.activity_id IS NOT NULL ORDER BY r.n LIMIT 1) AS activity_id,
    (SELECT r.checkin_id FROM ranked r WHERE r.athlete_id = k.athlete_id AND r.day = k.day
       AND r.checkin_id IS NOT NULL ORDER BY r.n LIMIT 1) AS checkin_id,
    jsonb_build_object(
        'date', k.day,
        'activity_id', (SELECT r.activity_id FROM ranked r WHERE r.athlete_id = k.athlete_id
            AND r.day = k.day AND r.activity_id IS NOT NULL ORDER BY r.n LIMIT 1),
        'site', (SELECT r.j -> 'site' FROM ranked r WHERE r.athlete_id = k.athlete_id
            AND r.day = k.day AND jsonb_typeof(r.j -> 'site') = 'string' ORDER BY r.n LIMIT 1),
        'side', (SELECT r.j -> 'side' FROM ranked r WHERE r.athlete_id = k.athlete_id
            AND r.day = k.day AND jsonb_typeof(r.j -> 'side') = 'string' ORDER BY r.n LIMIT 1),
        'during', (SELECT r.j -> 'during' FROM ranked r WHERE r.athlete_id = k.athlete_id
            AND r.day = k.day AND jsonb_typeof(r.j -> 'during') = 'number' ORDER BY r.n LIMIT 1),
        'after', (SELECT r.j -> 'after' FROM ranked r WHERE r.athlete_id = k.athlete_id
            AND r.day = k.day AND jsonb_typeof(r.j -> 'after') = 'number' ORDER BY r.n LIMIT 1),
        'next_morning', (SELECT r.j -> 'next_morning' FROM ranked r
            WHERE r.athlete_id = k.athlete_id AND r.day = k.day
            AND jsonb_typeof(r.j -> 'next_morning') = 'number' ORDER BY r.n LIMIT 1),
        'sitting_min', (SELECT r.j -> 'sitting_min' FROM ranked r
            WHERE r.athlete_id = k.athlete_id AND r.day = k.day
            AND jsonb_typeof(r.j -> 'sitting_min') = 'number' ORDER BY r.n LIMIT 1),
        'notes', (SELECT string_agg(r.j ->> 'notes', '; ' ORDER BY r.created_ms, r.id)
            FROM ranked r WHERE r.athlete_id = k.athlete_id AND r.day = k.day
            AND coalesce(r.j ->> 'notes', '') <> '')
    )::text AS entry
FROM ranked k
WHERE k.n = 1 AND k.rows_that_day > 1;

UPDATE pain_entry p SET activity_id = m.activity_id, checkin_id = m.checkin_id, entry = m.entry
FROM pain_merged m WHERE p.id = m.id;

DELETE FROM pain_entry p USING pain_entry newer
WHERE newer.athlete_id = p.athlete_id AND newer.day = p.day
  AND (newer.created_ms, newer.id) > (p.created_ms, p.id);

DROP INDEX pain_entry_day;
CREATE UNIQUE INDEX pain_entry_one_per_day ON pain_entry (athlete_id, day);
