-- Originals 0001: the bytes of imported files, in their own SQLite file beside hamstride.db
-- (hamstride-originals.db). Embedded in the binary and never edited once released.
--
-- Why a second file: the main database runs in WAL mode so that reading (status, the report)
-- never waits for an import, and WAL writes every page twice. Original files are most of an
-- import's bytes and are only read back to recompute analyses, so they live here, in a
-- rollback-journal file where new pages are written once. The main database keeps each
-- file's row (hash, encoding, format, size); this keeps only the bytes, by athlete and hash.
CREATE TABLE original_data (
    id            INTEGER PRIMARY KEY,
    athlete_id    INTEGER NOT NULL,
    content_hash  BLOB    NOT NULL,
    data          BLOB    NOT NULL,
    UNIQUE (athlete_id, content_hash)
);
