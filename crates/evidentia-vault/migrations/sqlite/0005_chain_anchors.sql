-- Batch roots sent to a chain, confirmed there, and found dropped by a reorg.

CREATE TABLE anchor_sends (
    id       TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES anchor_batches (id),
    tx_hash  TEXT NOT NULL,
    rpc_url  TEXT NOT NULL,
    sent_at  TEXT NOT NULL
);

CREATE TABLE chain_anchors (
    id            TEXT PRIMARY KEY,
    batch_id      TEXT NOT NULL REFERENCES anchor_batches (id),
    chain_id      BIGINT NOT NULL,
    tx_hash       TEXT NOT NULL,
    block_number  BIGINT NOT NULL,
    block_hash    TEXT NOT NULL,
    block_time    BIGINT NOT NULL,
    confirmations BIGINT NOT NULL,
    proof         TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);

CREATE TABLE anchor_drops (
    id              TEXT PRIMARY KEY,
    chain_anchor_id TEXT NOT NULL REFERENCES chain_anchors (id),
    detected_at     TEXT NOT NULL
);

CREATE TRIGGER anchor_sends_immutable BEFORE UPDATE ON anchor_sends
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER anchor_sends_undeletable BEFORE DELETE ON anchor_sends
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
CREATE TRIGGER chain_anchors_immutable BEFORE UPDATE ON chain_anchors
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER chain_anchors_undeletable BEFORE DELETE ON chain_anchors
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
CREATE TRIGGER anchor_drops_immutable BEFORE UPDATE ON anchor_drops
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER anchor_drops_undeletable BEFORE DELETE ON anchor_drops
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
