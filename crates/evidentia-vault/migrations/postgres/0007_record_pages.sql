-- The record list is read a page at a time, newest first, at any size of vault, and searched by
-- part of a name (trigram index, pg_trgm: a trusted extension the database's owner may create)
-- or by the start of an id or SHA-256 (pattern indexes).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX records_by_created ON records (created_at, id);
CREATE INDEX records_by_name_part ON records USING gin (lower(name) gin_trgm_ops);
CREATE INDEX records_by_id_prefix ON records (id text_pattern_ops);
CREATE INDEX records_by_sha256_prefix ON records (sha256 text_pattern_ops);
