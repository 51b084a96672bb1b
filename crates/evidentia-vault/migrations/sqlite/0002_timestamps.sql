-- RFC 3161 time-stamps of records, and whether a record asked for one.

ALTER TABLE records ADD COLUMN timestamp_requested BIGINT NOT NULL DEFAULT 0;

CREATE TABLE timestamps (
    id           TEXT PRIMARY KEY,
    record_id    TEXT NOT NULL REFERENCES records (id),
    tsa_url      TEXT NOT NULL,
    algorithm    TEXT NOT NULL,
    imprint      TEXT NOT NULL,
    gen_time     TEXT NOT NULL,
    serial       TEXT NOT NULL,
    policy       TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    verification TEXT NOT NULL,
    token        TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX timestamps_by_record ON timestamps (record_id);

CREATE TRIGGER timestamps_immutable BEFORE UPDATE ON timestamps
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER timestamps_undeletable BEFORE DELETE ON timestamps
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
