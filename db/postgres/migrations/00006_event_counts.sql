-- Kept counts for eventCounts, per day and per month, as
-- db/migrations/00006_event_counts.sql (read it for the columns' meaning),
-- kept exact by triggers on events for every write path.
--
-- SQLite's triggers add each event to its rows as it is written, which one
-- writer at a time can afford. Here concurrent writers would each lock a
-- bucket row per event as they go, in the order of their events, and two
-- writers whose events share a day or a month would lock the same rows in
-- crossed orders and deadlock (measured: 4 writers of 10 batches of 5
-- events on two days, 55 to 85 deadlocks for 40 writes, 45 s, each
-- deadlock waiting deadlock_timeout). So the triggers only note the change
-- (event_count_pending: the event's counted columns and a sign, 1 to add,
-- -1 to take out), and the transaction adds its notes up at commit
-- (apply_event_counts, run by 00005's on_commit before the change log's
-- numbering): one upsert in the rows' key order, so that writers lock
-- shared rows in the same order and queue instead of deadlocking, and a
-- batch of many events writes each bucket once. The notes are rows only
-- their transaction sees, deleted by it before it commits.
--
-- A write transaction does not see its own events in event_counts before
-- it commits: nothing reads the counts inside a write.
--
-- SQLite pauses the triggers with a row in event_counts_paused, written and
-- deleted in the bulk load's transaction, and rebuilds the counts at the
-- end. Here the pause is the transaction-local setting
-- geotimeline.counts_paused = 'on' (set_config(..., true)).

-- +goose Up
CREATE TABLE event_counts (
    width      integer NOT NULL,
    grain      integer NOT NULL,
    type       text    COLLATE "C" NOT NULL,
    country    bigint  NOT NULL,
    start      bigint  NOT NULL,
    events     bigint  NOT NULL,
    fatalities bigint  NOT NULL,
    PRIMARY KEY (width, grain, type, country, start)
);
CREATE INDEX event_counts_empty ON event_counts (events) WHERE events = 0;

CREATE TABLE event_count_pending (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sign        integer NOT NULL,
    occurred_at bigint  NOT NULL,
    type        text    COLLATE "C" NOT NULL,
    country_id  bigint,
    fatalities  bigint
);

-- The day of an instant is a floor division (it holds before 1970 too).
-- +goose StatementBegin
CREATE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, fatalities)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        sum(p.sign), sum(p.sign * coalesce(p.fatalities, 0))
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN (VALUES (0), (1)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (VALUES (2, coalesce(p.country_id, 0)), (0, -1)) g (grain, country)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = c.events + excluded.events, fatalities = c.fatalities + excluded.fatalities;
    DELETE FROM event_counts WHERE events = 0;
    DELETE FROM event_count_pending;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION event_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO event_count_pending (sign, occurred_at, type, country_id, fatalities)
        VALUES (-1, OLD.occurred_at, OLD.type, OLD.country_id, OLD.fatalities);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO event_count_pending (sign, occurred_at, type, country_id, fatalities)
        VALUES (1, NEW.occurred_at, NEW.type, NEW.country_id, NEW.fatalities);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER event_counts_insert AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION event_counts_trigger();
CREATE TRIGGER event_counts_delete AFTER DELETE ON events
FOR EACH ROW EXECUTE FUNCTION event_counts_trigger();
CREATE TRIGGER event_counts_update AFTER UPDATE OF occurred_at, type, country_id, fatalities ON events
FOR EACH ROW EXECUTE FUNCTION event_counts_trigger();

-- The counts first, the numbering last (see 00005).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.committing', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('geotimeline.committing', 'on', true);
    PERFORM apply_event_counts();
    PERFORM number_changes();
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER event_count_pending_on_commit AFTER INSERT ON event_count_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION on_commit();

-- Backfill from the events already stored, as SQLite's 00006.
INSERT INTO event_counts (width, grain, type, country, start, events, fatalities)
SELECT w.width, t.grain + c.grain,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    CASE w.width WHEN 0 THEN e.day ELSE ms_trunc('month', e.day) END,
    count(*), sum(e.fatalities)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities FROM events) e,
    (VALUES (0), (1)) w (width),
    (VALUES (0), (1)) t (grain),
    (VALUES (0), (2)) c (grain)
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
-- on_commit as 00005 made it.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP TRIGGER event_counts_update ON events;
DROP TRIGGER event_counts_delete ON events;
DROP TRIGGER event_counts_insert ON events;
DROP FUNCTION event_counts_trigger;
DROP TABLE event_count_pending;
DROP FUNCTION apply_event_counts;
DROP TABLE event_counts;
