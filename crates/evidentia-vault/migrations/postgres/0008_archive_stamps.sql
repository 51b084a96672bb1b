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
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER archive_stamps_undeletable BEFORE DELETE ON archive_stamps
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER archive_stamps_untruncatable BEFORE TRUNCATE ON archive_stamps
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER archive_leaves_immutable BEFORE UPDATE ON archive_leaves
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER archive_leaves_undeletable BEFORE DELETE ON archive_leaves
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER archive_leaves_untruncatable BEFORE TRUNCATE ON archive_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
