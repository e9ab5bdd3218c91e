-- Kept counts for eventCounts, per day and per month, as
-- db/migrations/00006_event_counts.sql (read it for the columns' meaning),
-- kept by triggers on events in the writing transaction.
--
-- SQLite writes through a view's INSTEAD OF trigger so that its three
-- triggers share one statement; here that statement is the SQL function
-- event_count_change. Concurrent writers that touch the same bucket row
-- queue on it (ON CONFLICT DO UPDATE under READ COMMITTED adds to what
-- committed meanwhile); two that touch the same rows in another order may
-- deadlock, which the store retries like a serialization failure.
--
-- SQLite pauses the triggers with a row in event_counts_paused, written and
-- deleted in the bulk load's transaction. Here the pause is the
-- transaction-local setting geotimeline.counts_paused = 'on' (set_config(...,
-- true)): the same scope, without concurrent bulk loads queueing on one
-- row's unique key.

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

-- +goose StatementBegin
CREATE FUNCTION event_count_change(e_sign integer, e_occurred_at bigint, e_type text, e_country_id bigint,
    e_fatalities bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, fatalities)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        e_sign, e_sign * coalesce(e_fatalities, 0)
    FROM (SELECT e_occurred_at - ((e_occurred_at % 86400000) + 86400000) % 86400000 AS day) d,
        (VALUES (0), (1)) w (width),
        (VALUES (1, e_type), (0, '')) t (grain, type),
        (VALUES (2, coalesce(e_country_id, 0)), (0, -1)) g (grain, country)
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = c.events + excluded.events, fatalities = c.fatalities + excluded.fatalities;
    DELETE FROM event_counts WHERE events = 0;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION event_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM event_count_change(-1, OLD.occurred_at, OLD.type, OLD.country_id, OLD.fatalities);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM event_count_change(1, NEW.occurred_at, NEW.type, NEW.country_id, NEW.fatalities);
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
DROP TRIGGER event_counts_update ON events;
DROP TRIGGER event_counts_delete ON events;
DROP TRIGGER event_counts_insert ON events;
DROP FUNCTION event_counts_trigger;
DROP FUNCTION event_count_change;
DROP TABLE event_counts;
