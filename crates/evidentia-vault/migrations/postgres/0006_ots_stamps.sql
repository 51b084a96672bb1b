-- OpenTimestamps proofs of batch roots, one row per calendar answer; an upgrade adds a row.

CREATE TABLE ots_stamps (
    id             TEXT PRIMARY KEY,
    batch_id       TEXT NOT NULL REFERENCES anchor_batches (id),
    calendar       TEXT NOT NULL,
    tree           TEXT NOT NULL,
    bitcoin_height BIGINT,
    recorded_at    TEXT NOT NULL
);

CREATE INDEX ots_stamps_batch ON ots_stamps (batch_id);

CREATE TRIGGER ots_stamps_immutable BEFORE UPDATE ON ots_stamps
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER ots_stamps_undeletable BEFORE DELETE ON ots_stamps
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER ots_stamps_untruncatable BEFORE TRUNCATE ON ots_stamps
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
