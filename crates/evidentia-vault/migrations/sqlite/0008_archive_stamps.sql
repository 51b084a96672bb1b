-- Archive time-stamps (RFC 4998 evidence records): one row per time-stamped hash tree, and one
-- row per record it covers with that record's reduced hash tree and place in its record.

CREATE TABLE archive_stamps (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    root          TEXT NOT NULL,
    tsa_url       TEXT NOT NULL,
    gen_time      TEXT NOT NULL,
    tsa_not_after TEXT NOT NULL,
    token         TEXT NOT NULL,
    leaves_sha256 TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);

CREATE TABLE archive_leaves (
    stamp_id  TEXT NOT NULL REFERENCES archive_stamps (id),
    record_id TEXT NOT NULL,
    chain     BIGINT NOT NULL,
    position  BIGINT NOT NULL,
    reduced   TEXT NOT NULL,
    PRIMARY KEY (stamp_id, record_id)
);
CREATE INDEX archive_leaves_by_record ON archive_leaves (record_id, chain, position);

CREATE TRIGGER archive_stamps_immutable BEFORE UPDATE ON archive_stamps
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER archive_stamps_undeletable BEFORE DELETE ON archive_stamps
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
CREATE TRIGGER archive_leaves_immutable BEFORE UPDATE ON archive_leaves
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER archive_leaves_undeletable BEFORE DELETE ON archive_leaves
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
