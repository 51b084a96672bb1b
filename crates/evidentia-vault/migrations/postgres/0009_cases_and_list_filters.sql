-- Cases and the record list's filters. A case groups records under a name (a record may be in
-- several); opening a case and adding or removing a record are custody events, kept append-only
-- in `cases` and `case_changes`. The other tables are indexes only, never evidence, kept in step
-- by triggers so that a filtered page of the record list and its total are read without scanning
-- the vault: `record_flags` (which proofs each record has), `case_members` (who is in a case now)
-- and `list_counts` (how many records each filter matches, per case and for the whole vault,
-- case_name ''). `vault verify` rebuilds case membership from the log and compares.

CREATE TABLE cases (
    name       TEXT PRIMARY KEY,
    opened_seq BIGINT NOT NULL,
    opened_at  TEXT NOT NULL
);

CREATE TABLE case_changes (
    seq       BIGINT PRIMARY KEY,
    case_name TEXT NOT NULL REFERENCES cases (name),
    record_id TEXT NOT NULL REFERENCES records (id),
    added     BIGINT NOT NULL CHECK (added IN (0, 1))
);

CREATE TRIGGER cases_immutable BEFORE UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER cases_undeletable BEFORE DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER cases_untruncatable BEFORE TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER case_changes_immutable BEFORE UPDATE ON case_changes
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records are immutable');
CREATE TRIGGER case_changes_undeletable BEFORE DELETE ON case_changes
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');
CREATE TRIGGER case_changes_untruncatable BEFORE TRUNCATE ON case_changes
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only('evidence records cannot be deleted');

CREATE TABLE record_flags (
    record_id  TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    signed     BIGINT NOT NULL,
    stamped    BIGINT NOT NULL,
    pending    BIGINT NOT NULL,
    unstamped  BIGINT NOT NULL,
    anchored   BIGINT NOT NULL
);

-- A member carries its record's flags too, so a case filtered by status reads one index.
CREATE TABLE case_members (
    case_name  TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    signed     BIGINT NOT NULL,
    stamped    BIGINT NOT NULL,
    pending    BIGINT NOT NULL,
    unstamped  BIGINT NOT NULL,
    anchored   BIGINT NOT NULL,
    PRIMARY KEY (case_name, record_id)
);
CREATE INDEX case_members_by_created ON case_members (case_name, created_at, record_id);
CREATE INDEX case_members_by_record ON case_members (record_id);
CREATE INDEX case_members_signed ON case_members (case_name, created_at, record_id) WHERE signed = 1;
CREATE INDEX case_members_stamped ON case_members (case_name, created_at, record_id) WHERE stamped = 1;
CREATE INDEX case_members_pending ON case_members (case_name, created_at, record_id) WHERE pending = 1;
CREATE INDEX case_members_unstamped ON case_members (case_name, created_at, record_id) WHERE unstamped = 1;
CREATE INDEX case_members_anchored ON case_members (case_name, created_at, record_id) WHERE anchored = 1;

CREATE TABLE list_counts (
    case_name TEXT NOT NULL,
    facet     TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (case_name, facet)
);

-- What the vault holds already.
INSERT INTO record_flags (record_id, created_at, signed, stamped, pending, unstamped, anchored)
SELECT r.id, r.created_at,
       (EXISTS (SELECT 1 FROM signatures s WHERE s.record_id = r.id))::int,
       (EXISTS (SELECT 1 FROM timestamps t WHERE t.record_id = r.id))::int,
       (r.timestamp_requested = 1 AND NOT EXISTS (SELECT 1 FROM timestamps t WHERE t.record_id = r.id))::int,
       (r.timestamp_requested = 0 AND NOT EXISTS (SELECT 1 FROM timestamps t WHERE t.record_id = r.id))::int,
       (EXISTS (SELECT 1 FROM anchor_leaves l JOIN chain_anchors c ON c.batch_id = l.batch_id
                WHERE l.record_id = r.id
                  AND c.id NOT IN (SELECT chain_anchor_id FROM anchor_drops)))::int
FROM records r;
INSERT INTO list_counts (case_name, facet, n)
SELECT '', 'all', COUNT(*) FROM record_flags
UNION ALL SELECT '', 'signed', COALESCE(SUM(signed), 0) FROM record_flags
UNION ALL SELECT '', 'timestamped', COALESCE(SUM(stamped), 0) FROM record_flags
UNION ALL SELECT '', 'pending', COALESCE(SUM(pending), 0) FROM record_flags
UNION ALL SELECT '', 'no_timestamp', COALESCE(SUM(unstamped), 0) FROM record_flags
UNION ALL SELECT '', 'anchored', COALESCE(SUM(anchored), 0) FROM record_flags;

-- Each filter reads its own partial index, newest or oldest first.
CREATE INDEX record_flags_signed ON record_flags (created_at, record_id) WHERE signed = 1;
CREATE INDEX record_flags_stamped ON record_flags (created_at, record_id) WHERE stamped = 1;
CREATE INDEX record_flags_pending ON record_flags (created_at, record_id) WHERE pending = 1;
CREATE INDEX record_flags_unstamped ON record_flags (created_at, record_id) WHERE unstamped = 1;
CREATE INDEX record_flags_anchored ON record_flags (created_at, record_id) WHERE anchored = 1;

-- The flags follow the evidence.
CREATE FUNCTION record_flags_follow() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    batch TEXT;
BEGIN
    IF TG_TABLE_NAME = 'records' THEN
        INSERT INTO record_flags (record_id, created_at, signed, stamped, pending, unstamped, anchored)
        VALUES (NEW.id, NEW.created_at, 0, 0, NEW.timestamp_requested, 1 - NEW.timestamp_requested, 0);
    ELSIF TG_TABLE_NAME = 'signatures' THEN
        UPDATE record_flags SET signed = 1 WHERE record_id = NEW.record_id AND signed = 0;
    ELSIF TG_TABLE_NAME = 'timestamps' THEN
        UPDATE record_flags SET stamped = 1, pending = 0, unstamped = 0
        WHERE record_id = NEW.record_id AND stamped = 0;
    ELSIF TG_TABLE_NAME = 'chain_anchors' THEN
        UPDATE record_flags SET anchored = 1
        WHERE anchored = 0 AND record_id IN (SELECT record_id FROM anchor_leaves WHERE batch_id = NEW.batch_id);
    ELSIF TG_TABLE_NAME = 'anchor_drops' THEN
        SELECT batch_id INTO batch FROM chain_anchors WHERE id = NEW.chain_anchor_id;
        UPDATE record_flags
        SET anchored = (EXISTS (SELECT 1 FROM chain_anchors c WHERE c.batch_id = batch
                                  AND c.id NOT IN (SELECT chain_anchor_id FROM anchor_drops)))::int
        WHERE record_id IN (SELECT record_id FROM anchor_leaves WHERE batch_id = batch);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER records_flagged AFTER INSERT ON records FOR EACH ROW EXECUTE FUNCTION record_flags_follow();
CREATE TRIGGER signatures_flagged AFTER INSERT ON signatures FOR EACH ROW EXECUTE FUNCTION record_flags_follow();
CREATE TRIGGER timestamps_flagged AFTER INSERT ON timestamps FOR EACH ROW EXECUTE FUNCTION record_flags_follow();
CREATE TRIGGER chain_anchors_flagged AFTER INSERT ON chain_anchors FOR EACH ROW EXECUTE FUNCTION record_flags_follow();
CREATE TRIGGER anchor_drops_flagged AFTER INSERT ON anchor_drops FOR EACH ROW EXECUTE FUNCTION record_flags_follow();

-- Membership follows the case changes.
CREATE FUNCTION case_members_follow() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_TABLE_NAME = 'cases' THEN
        INSERT INTO list_counts (case_name, facet, n) VALUES
            (NEW.name, 'all', 0), (NEW.name, 'signed', 0), (NEW.name, 'timestamped', 0),
            (NEW.name, 'pending', 0), (NEW.name, 'no_timestamp', 0), (NEW.name, 'anchored', 0);
    ELSIF NEW.added = 1 THEN
        INSERT INTO case_members
            (case_name, record_id, created_at, signed, stamped, pending, unstamped, anchored)
        SELECT NEW.case_name, record_id, created_at, signed, stamped, pending, unstamped, anchored
        FROM record_flags WHERE record_id = NEW.record_id
        ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM case_members WHERE case_name = NEW.case_name AND record_id = NEW.record_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_counted AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION case_members_follow();
CREATE TRIGGER case_changes_applied AFTER INSERT ON case_changes FOR EACH ROW EXECUTE FUNCTION case_members_follow();

-- The counts follow the flags and the membership; a case's members follow their records' flags.
CREATE FUNCTION list_counts_follow() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    in_case TEXT := '';
BEGIN
    IF TG_TABLE_NAME = 'case_members' AND TG_OP = 'DELETE' THEN
        in_case := OLD.case_name;
    ELSIF TG_TABLE_NAME = 'case_members' THEN
        in_case := NEW.case_name;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        UPDATE list_counts SET n = n + CASE facet
            WHEN 'signed' THEN NEW.signed - OLD.signed WHEN 'timestamped' THEN NEW.stamped - OLD.stamped
            WHEN 'pending' THEN NEW.pending - OLD.pending WHEN 'no_timestamp' THEN NEW.unstamped - OLD.unstamped
            WHEN 'anchored' THEN NEW.anchored - OLD.anchored ELSE 0 END
        WHERE case_name = in_case;
        IF TG_TABLE_NAME = 'record_flags' THEN
            UPDATE case_members
            SET signed = NEW.signed, stamped = NEW.stamped, pending = NEW.pending,
                unstamped = NEW.unstamped, anchored = NEW.anchored
            WHERE record_id = NEW.record_id;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE list_counts SET n = n - CASE facet
            WHEN 'all' THEN 1 WHEN 'signed' THEN OLD.signed WHEN 'timestamped' THEN OLD.stamped
            WHEN 'pending' THEN OLD.pending WHEN 'no_timestamp' THEN OLD.unstamped
            WHEN 'anchored' THEN OLD.anchored ELSE 0 END
        WHERE case_name = in_case;
        RETURN NULL;
    END IF;
    UPDATE list_counts SET n = n + CASE facet
        WHEN 'all' THEN 1 WHEN 'signed' THEN NEW.signed WHEN 'timestamped' THEN NEW.stamped
        WHEN 'pending' THEN NEW.pending WHEN 'no_timestamp' THEN NEW.unstamped
        WHEN 'anchored' THEN NEW.anchored ELSE 0 END
    WHERE case_name = in_case;
    RETURN NULL;
END $$;
CREATE TRIGGER record_flags_counted AFTER INSERT OR UPDATE ON record_flags
    FOR EACH ROW EXECUTE FUNCTION list_counts_follow();
CREATE TRIGGER case_members_counted AFTER INSERT OR UPDATE OR DELETE ON case_members
    FOR EACH ROW EXECUTE FUNCTION list_counts_follow();
