-- A file that is a lesser copy of a stored activity (the GPX exported from a watch's FIT, a
-- stripped re-save) keeps its bytes, linked to the activity it duplicates, so nothing an
-- import was given is lost and a re-import knows the file. NULL: the file's own activities
-- are stored from it.
ALTER TABLE original_file ADD COLUMN duplicate_of INTEGER REFERENCES activity(id) ON DELETE SET NULL;
