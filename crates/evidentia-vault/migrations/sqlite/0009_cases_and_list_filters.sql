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
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER cases_undeletable BEFORE DELETE ON cases
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;
CREATE TRIGGER case_changes_immutable BEFORE UPDATE ON case_changes
BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
CREATE TRIGGER case_changes_undeletable BEFORE DELETE ON case_changes
BEGIN SELECT RAISE(ABORT, 'evidence records cannot be deleted'); END;

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
       EXISTS (SELECT 1 FROM signatures s WHERE s.record_id = r.id),
       EXISTS (SELECT 1 FROM timestamps t WHERE t.record_id = r.id),
       r.timestamp_requested = 1 AND NOT EXISTS (SELECT 1 FROM timestamps t WHERE t.record_id = r.id),
       r.timestamp_requested = 0 AND NOT EXISTS (SELECT 1 FROM timestamps t WHERE t.record_id = r.id),
       EXISTS (SELECT 1 FROM anchor_leaves l JOIN chain_anchors c ON c.batch_id = l.batch_id
               WHERE l.record_id = r.id
                 AND c.id NOT IN (SELECT chain_anchor_id FROM anchor_drops))
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
CREATE TRIGGER records_flagged AFTER INSERT ON records BEGIN
    INSERT INTO record_flags (record_id, created_at, signed, stamped, pending, unstamped, anchored)
    VALUES (new.id, new.created_at, 0, 0, new.timestamp_requested, 1 - new.timestamp_requested, 0);
END;
CREATE TRIGGER signatures_flagged AFTER INSERT ON signatures BEGIN
    UPDATE record_flags SET signed = 1 WHERE record_id = new.record_id AND signed = 0;
END;
CREATE TRIGGER timestamps_flagged AFTER INSERT ON timestamps BEGIN
    UPDATE record_flags SET stamped = 1, pending = 0, unstamped = 0
    WHERE record_id = new.record_id AND stamped = 0;
END;
CREATE TRIGGER chain_anchors_flagged AFTER INSERT ON chain_anchors BEGIN
    UPDATE record_flags SET anchored = 1
    WHERE anchored = 0 AND record_id IN (SELECT record_id FROM anchor_leaves WHERE batch_id = new.batch_id);
END;
CREATE TRIGGER anchor_drops_flagged AFTER INSERT ON anchor_drops BEGIN
    UPDATE record_flags
    SET anchored = EXISTS (
        SELECT 1 FROM chain_anchors c
        WHERE c.batch_id = (SELECT batch_id FROM chain_anchors WHERE id = new.chain_anchor_id)
          AND c.id NOT IN (SELECT chain_anchor_id FROM anchor_drops))
    WHERE record_id IN (
        SELECT record_id FROM anchor_leaves
        WHERE batch_id = (SELECT batch_id FROM chain_anchors WHERE id = new.chain_anchor_id));
END;

-- Membership follows the case changes.
CREATE TRIGGER cases_counted AFTER INSERT ON cases BEGIN
    INSERT INTO list_counts (case_name, facet, n) VALUES
        (new.name, 'all', 0), (new.name, 'signed', 0), (new.name, 'timestamped', 0),
        (new.name, 'pending', 0), (new.name, 'no_timestamp', 0), (new.name, 'anchored', 0);
END;
CREATE TRIGGER case_changes_applied AFTER INSERT ON case_changes BEGIN
    INSERT OR IGNORE INTO case_members
        (case_name, record_id, created_at, signed, stamped, pending, unstamped, anchored)
    SELECT new.case_name, record_id, created_at, signed, stamped, pending, unstamped, anchored
    FROM record_flags WHERE record_id = new.record_id AND new.added = 1;
    DELETE FROM case_members WHERE new.added = 0 AND case_name = new.case_name AND record_id = new.record_id;
END;

-- The counts follow the flags and the membership.
CREATE TRIGGER record_flags_counted AFTER INSERT ON record_flags BEGIN
    UPDATE list_counts SET n = n + CASE facet
        WHEN 'all' THEN 1 WHEN 'signed' THEN new.signed WHEN 'timestamped' THEN new.stamped
        WHEN 'pending' THEN new.pending WHEN 'no_timestamp' THEN new.unstamped
        WHEN 'anchored' THEN new.anchored ELSE 0 END
    WHERE case_name = '';
END;
CREATE TRIGGER record_flags_recounted AFTER UPDATE ON record_flags BEGIN
    UPDATE list_counts SET n = n + CASE facet
        WHEN 'signed' THEN new.signed - old.signed WHEN 'timestamped' THEN new.stamped - old.stamped
        WHEN 'pending' THEN new.pending - old.pending WHEN 'no_timestamp' THEN new.unstamped - old.unstamped
        WHEN 'anchored' THEN new.anchored - old.anchored ELSE 0 END
    WHERE case_name = '';
    UPDATE case_members
    SET signed = new.signed, stamped = new.stamped, pending = new.pending, unstamped = new.unstamped,
        anchored = new.anchored
    WHERE record_id = new.record_id;
END;
CREATE TRIGGER case_members_recounted AFTER UPDATE ON case_members BEGIN
    UPDATE list_counts SET n = n + CASE facet
        WHEN 'signed' THEN new.signed - old.signed WHEN 'timestamped' THEN new.stamped - old.stamped
        WHEN 'pending' THEN new.pending - old.pending WHEN 'no_timestamp' THEN new.unstamped - old.unstamped
        WHEN 'anchored' THEN new.anchored - old.anchored ELSE 0 END
    WHERE case_name = new.case_name;
END;
CREATE TRIGGER case_members_counted AFTER INSERT ON case_members BEGIN
    UPDATE list_counts SET n = n + CASE facet
        WHEN 'all' THEN 1 WHEN 'signed' THEN new.signed WHEN 'timestamped' THEN new.stamped
        WHEN 'pending' THEN new.pending WHEN 'no_timestamp' THEN new.unstamped
        WHEN 'anchored' THEN new.anchored ELSE 0 END
    WHERE case_name = new.case_name;
END;
CREATE TRIGGER case_members_uncounted AFTER DELETE ON case_members BEGIN
    UPDATE list_counts SET n = n - CASE facet
        WHEN 'all' THEN 1 WHEN 'signed' THEN old.signed WHEN 'timestamped' THEN old.stamped
        WHEN 'pending' THEN old.pending WHEN 'no_timestamp' THEN old.unstamped
        WHEN 'anchored' THEN old.anchored ELSE 0 END
    WHERE case_name = old.case_name;
END;
