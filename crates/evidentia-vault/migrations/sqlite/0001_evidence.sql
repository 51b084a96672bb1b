-- Evidence records, their digests, and the hash-chained custody log.
-- Rows are never updated or deleted: a change of state is a new custody event.

CREATE TABLE vault_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE records (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('file', 'work')),
    name        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    file_count  BIGINT NOT NULL,
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    stored      BIGINT NOT NULL CHECK (stored IN (0, 1)),
    source_path TEXT NOT NULL,
    profile     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX records_by_subject ON records (sha256, kind, name);

CREATE TABLE record_digests (
    record_id TEXT NOT NULL REFERENCES records (id),
    algorithm TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (record_id, algorithm)
);

CREATE TABLE custody_events (
    seq         BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    record_id   TEXT REFERENCES records (id),
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX custody_events_by_record ON custody_events (record_id);

CREATE TRIGGER records_immutable BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER records_undeletable BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
CREATE TRIGGER record_digests_immutable BEFORE UPDATE ON record_digests
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER record_digests_undeletable BEFORE DELETE ON record_digests
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
CREATE TRIGGER custody_events_immutable BEFORE UPDATE ON custody_events
BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER custody_events_undeletable BEFORE DELETE ON custody_events
BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
