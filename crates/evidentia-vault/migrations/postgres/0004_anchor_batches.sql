-- Merkle batches of records and the custody-log head, waiting to be (or being) anchored.

CREATE TABLE anchor_batches (
    id         TEXT PRIMARY KEY,
    root       TEXT NOT NULL,
    size       BIGINT NOT NULL,
    head_seq   BIGINT NOT NULL,
    head_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE anchor_leaves (
    batch_id   TEXT NOT NULL REFERENCES anchor_batches (id),
    leaf_index BIGINT NOT NULL,
    record_id  TEXT REFERENCES records (id),
    salt       TEXT NOT NULL,
    leaf_hash  TEXT NOT NULL,
    PRIMARY KEY (batch_id, leaf_index)
);
CREATE UNIQUE INDEX anchor_leaves_by_record ON anchor_leaves (record_id);

CREATE TRIGGER anchor_batches_immutable BEFORE UPDATE ON anchor_batches
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER anchor_batches_undeletable BEFORE DELETE ON anchor_batches
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER anchor_batches_untruncatable BEFORE TRUNCATE ON anchor_batches
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER anchor_leaves_immutable BEFORE UPDATE ON anchor_leaves
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER anchor_leaves_undeletable BEFORE DELETE ON anchor_leaves
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER anchor_leaves_untruncatable BEFORE TRUNCATE ON anchor_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
