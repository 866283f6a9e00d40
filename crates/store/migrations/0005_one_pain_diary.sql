-- 0005: pain is one diary. Embedded in the binary and never edited once released.
--
-- Before this, a check-in's pain scores lived only inside the check-in, and the diary could
-- hold several rows for one day (a morning score logged the day after made a second row). Now
-- a day has one diary row: that day's session (pain during and straight after) and the
-- morning after it. A check-in is made the morning after a session, so its scores are the row
-- of the day before the check-in: during and after that session, and this morning as that
-- day's "next morning". checkin_id links a row to the check-in whose scores it holds.
--
-- The upgrade: every existing check-in with a score becomes (part of) its diary row, then the
-- rows of one athlete's day are merged into the latest one: for each score, site, side, run
-- and sitting time the latest value given wins; notes are kept, oldest first, joined by "; ".
-- Last, a unique index makes "one row per athlete and day" a rule of the database.

ALTER TABLE pain_entry ADD COLUMN checkin_id INTEGER REFERENCES checkin(id) ON DELETE SET NULL;

INSERT INTO pain_entry (athlete_id, created_ms, day, activity_id, entry, checkin_id)
SELECT c.athlete_id, c.created_ms, date(c.day, '-1 day'), NULL,
       json_object(
           'date', date(c.day, '-1 day'),
           'activity_id', NULL, 'site', NULL, 'side', NULL,
           'during', json_extract(c.entry, '$.pain_during'),
           'after', json_extract(c.entry, '$.pain_after'),
           'next_morning', json_extract(c.entry, '$.pain_morning'),
           'sitting_min', NULL, 'notes', NULL),
       c.id
FROM checkin c
WHERE json_valid(c.entry)
  AND date(c.day, '-1 day') IS NOT NULL
  AND (json_extract(c.entry, '$.pain_during') IS NOT NULL
       OR json_extract(c.entry, '$.pain_after') IS NOT NULL
       OR json_extract(c.entry, '$.pain_morning') IS NOT NULL);

-- Rank each day's rows, latest first; the first of each day is the one kept.
CREATE TEMP TABLE pain_rank AS
SELECT id, athlete_id, day, created_ms,
       row_number() OVER (PARTITION BY athlete_id, day ORDER BY created_ms DESC, id DESC) AS n
FROM pain_entry;

-- The latest value of a JSON field among a day's rows (NULL when none gave it).
UPDATE pain_entry AS keep SET
    activity_id = (SELECT p.activity_id FROM pain_entry p
                   WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                     AND p.activity_id IS NOT NULL
                   ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
    checkin_id = (SELECT p.checkin_id FROM pain_entry p
                  WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                    AND p.checkin_id IS NOT NULL
                  ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
    entry = json_object(
        'date', keep.day,
        'activity_id', (SELECT p.activity_id FROM pain_entry p
                        WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                          AND p.activity_id IS NOT NULL
                        ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'site', (SELECT json_extract(p.entry, '$.site') FROM pain_entry p
                 WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                   AND json_extract(p.entry, '$.site') IS NOT NULL
                 ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'side', (SELECT json_extract(p.entry, '$.side') FROM pain_entry p
                 WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                   AND json_extract(p.entry, '$.side') IS NOT NULL
                 ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'during', (SELECT json_extract(p.entry, '$.during') FROM pain_entry p
                   WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                     AND json_extract(p.entry, '$.during') IS NOT NULL
                   ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'after', (SELECT json_extract(p.entry, '$.after') FROM pain_entry p
                  WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                    AND json_extract(p.entry, '$.after') IS NOT NULL
                  ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'next_morning', (SELECT json_extract(p.entry, '$.next_morning') FROM pain_entry p
                         WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                           AND json_extract(p.entry, '$.next_morning') IS NOT NULL
                         ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'sitting_min', (SELECT json_extract(p.entry, '$.sitting_min') FROM pain_entry p
                        WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                          AND json_extract(p.entry, '$.sitting_min') IS NOT NULL
                        ORDER BY p.created_ms DESC, p.id DESC LIMIT 1),
        'notes', (SELECT group_concat(note, '; ') FROM (
                      SELECT json_extract(p.entry, '$.notes') AS note FROM pain_entry p
                      WHERE p.athlete_id = keep.athlete_id AND p.day = keep.day
                        AND json_extract(p.entry, '$.notes') IS NOT NULL
                        AND json_extract(p.entry, '$.notes') != ''
                      ORDER BY p.created_ms, p.id)))
WHERE keep.id IN (SELECT id FROM pain_rank WHERE n = 1)
  AND (SELECT count(*) FROM pain_rank r
       WHERE r.athlete_id = keep.athlete_id AND r.day = keep.day) > 1;

DELETE FROM pain_entry WHERE id IN (SELECT id FROM pain_rank WHERE n > 1);
DROP TABLE pain_rank;

DROP INDEX pain_entry_day;
CREATE UNIQUE INDEX pain_entry_one_per_day ON pain_entry (athlete_id, day);
