-- The record list is read a page at a time, newest first, at any size of vault, and searched by
-- part of a name through a trigram index (FTS5, kept in step by a trigger; an index only, never
-- evidence: `vault verify` does not read it).
CREATE INDEX records_by_created ON records (created_at, id);
CREATE VIRTUAL TABLE record_names USING fts5 (name, content = 'records', tokenize = 'trigram');
INSERT INTO record_names (record_names) VALUES ('rebuild');
CREATE TRIGGER records_named AFTER INSERT ON records BEGIN
    INSERT INTO record_names (rowid, name) VALUES (new.rowid, new.name);
END;
