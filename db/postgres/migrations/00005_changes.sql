-- The change log: one row per event or statement written (inserted or
-- changed), as db/migrations/00005_changes.sql, read by live subscriptions
-- from every process by "the rows after seq N".
--
-- SQLite has one writer, so its AUTOINCREMENT numbers are commit order.
-- PostgreSQL's sequences are not: a transaction that takes number 7 may
-- commit after one that took 8, and a reader that saw 8 and moved past it
-- would never see 7. Here a row gets its seq when its transaction commits
-- instead:
--
--   * a row is inserted with seq NULL (only its own transaction can see
--     it, so no reader meets a NULL);
--   * a deferred constraint trigger runs on_commit() at COMMIT, whose
--     number_changes() locks the log's row of change_clock, takes
--     the next numbers and gives them to every row the transaction logged,
--     in insertion order (id);
--   * that row lock is held until the commit is done, so the next
--     transaction to number its rows waits for it: numbers are handed out
--     in commit order, and a reader whose snapshot holds seq N holds every
--     seq below N too.
--
-- The price is that commits of writing transactions queue on one row, for
-- the length of the numbering and the commit alone (not the transaction),
-- and it is the last lock a transaction takes, so it never joins a
-- deadlock. The simpler alternative, a high-water mark from
-- pg_snapshot_xmin, would let writers overlap at commit but makes every
-- reader compute and trust a visibility horizon; this is the design that is
-- obviously right. Sessions must not SET CONSTRAINTS ALL IMMEDIATE (the
-- store never does): rows logged after an early numbering would keep seq
-- NULL.
--
-- Numbers are never reused (the counter only grows), as AUTOINCREMENT
-- promises after a trim. 00008's changes feed has a counter of its own,
-- locked after this one by a transaction that logs in both: every
-- transaction takes them in the same order.

-- +goose Up
-- One counter per log (log 0: changes; 00008 adds 1, the changes feed),
-- so that each log is numbered without gaps, as SQLite's AUTOINCREMENT
-- numbers it: a reader that finds seq N+2 after N knows a row was trimmed.
CREATE TABLE change_clock (
    log  integer PRIMARY KEY,
    last bigint  NOT NULL
);
INSERT INTO change_clock (log, last) VALUES (0, 0);

CREATE TABLE changes (
    id      bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq     bigint  UNIQUE, -- NULL until the writing transaction commits
    kind    integer NOT NULL, -- 0 event, 1 statement (as in timeline_index)
    item_id bigint  NOT NULL
);
-- What number_changes looks for: the committing transaction's own rows.
CREATE INDEX changes_unnumbered ON changes (id) WHERE seq IS NULL;

-- number_changes gives the committing transaction's unnumbered rows their
-- seq; on_commit, the deferred trigger, runs it once per transaction
-- (it fires once per row logged; the later firings have nothing to do).
-- Later migrations give on_commit more to do before the numbering, which
-- stays last: the counter is the last lock a transaction takes.
-- +goose StatementBegin
CREATE FUNCTION number_changes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n    bigint;
    base bigint;
BEGIN
    SELECT count(*) INTO n FROM changes WHERE seq IS NULL;
    IF n = 0 THEN
        RETURN;
    END IF;
    UPDATE change_clock SET last = last + n WHERE log = 0 RETURNING last - n INTO base;
    UPDATE changes c SET seq = base + r.pos
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS pos FROM changes WHERE seq IS NULL) r
    WHERE c.id = r.id;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.committing', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('geotimeline.committing', 'on', true);
    PERFORM number_changes();
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER changes_on_commit AFTER INSERT ON changes
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION on_commit();

-- +goose Down
DROP TABLE changes;
DROP FUNCTION on_commit;
DROP FUNCTION number_changes;
DROP TABLE change_clock;
