-- A file that is a lesser copy of a stored activity keeps its bytes, linked to the activity
-- it duplicates (see the SQLite migration 0006). NULL: its own activities are stored from it.
ALTER TABLE original_file ADD COLUMN duplicate_of BIGINT REFERENCES activity(id) ON DELETE SET NULL;
