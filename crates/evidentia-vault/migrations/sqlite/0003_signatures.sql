-- Detached CAdES signatures made when records are sealed with an identity.

CREATE TABLE signatures (
    id                     TEXT PRIMARY KEY,
    record_id              TEXT NOT NULL REFERENCES records (id),
    identity               TEXT NOT NULL,
    signer_subject         TEXT NOT NULL,
    signer_issuer          TEXT NOT NULL,
    signer_serial          TEXT NOT NULL,
    signer_sha256          TEXT NOT NULL,
    self_signed            BIGINT NOT NULL,
    digest_algorithm       TEXT NOT NULL,
    signed_at              TEXT NOT NULL,
    p7s_sha256             TEXT NOT NULL,
    signature_value_sha256 TEXT NOT NULL,
    p7s                    TEXT NOT NULL
);
CREATE INDEX signatures_by_record ON signatures (record_id);

CREATE TRIGGER signatures_immutable BEFORE UPDATE ON signatures
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER signatures_undeletable BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
