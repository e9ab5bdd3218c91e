-- Kept counts for eventCounts: how many events, and the sum of their
-- fatalities, per day and per month, so that a dashboard's counts read a few
-- thousand rows whatever the number of events (db/sqlite/dashboard.go says
-- which filters they can answer).
--
--   width    0: start is a day, 1: start is a month (first day, 00:00 UTC)
--   grain    what the row splits by: 0 nothing (type '', country -1),
--            1 type (country -1), 2 country (type ''), 3 both
--   start    Unix ms of the bucket's first instant; an event counts in the
--            bucket of its instant (occurred_at), so a month-precise event
--            counts on the first of its month, as eventCounts always did
--   type     events.type, or '' for every type
--   country  events.country_id, 0 for an event without one, or -1 for every
--            country
--
-- Each event counts in one row of each grain per width. A question reads the
-- grain that splits by exactly what it groups by and filters on, a range of
-- the primary key, so that it adds up no more rows than its answer needs (by
-- month over ten years: 120 rows when not grouped, 120 per type or per
-- country when grouped by it).
--
-- Triggers keep the rows in the transaction that writes the event, so every
-- write path (fixtures, mutations, deletes and cascades) keeps them exact;
-- a row whose count falls to zero is deleted.

-- +goose Up
CREATE TABLE event_counts (
    width      INTEGER NOT NULL,
    grain      INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    country    INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    events     INTEGER NOT NULL,
    fatalities INTEGER NOT NULL,
    PRIMARY KEY (width, grain, type, country, start)
) WITHOUT ROWID;
-- A row whose count has just fallen to zero is found through this index,
-- which holds no other row.
CREATE INDEX event_counts_empty ON event_counts (events) WHERE events = 0;

-- A row here, written and deleted inside one write transaction (so no
-- reader ever sees it), pauses the triggers: a bulk load writes its events
-- without them and rebuilds the counts once at the end (db/sqlite,
-- event_counts.go), which costs far less than keeping them row by row.
CREATE TABLE event_counts_paused (paused INTEGER PRIMARY KEY);

-- What the triggers on events write through: inserting (sign, an event's
-- counted columns) into this view adds the event to its rows (sign 1) or
-- takes it out (sign -1), so that the three triggers share one statement.
CREATE VIEW event_count_changes (sign, occurred_at, type, country_id, fatalities) AS
SELECT 0, 0, '', 0, 0 WHERE false;

-- The day of an instant is a floor division (it holds before 1970 too); its
-- month comes from the date functions, exact for the years 0001 to 9999
-- that dates are kept to.
-- +goose StatementBegin
CREATE TRIGGER event_count_change INSTEAD OF INSERT ON event_count_changes BEGIN
    INSERT INTO event_counts (width, grain, type, country, start, events, fatalities)
    SELECT w.width, t.grain + c.grain, t.type, c.country,
        CASE w.width WHEN 0 THEN d.day ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000 END,
        NEW.sign, NEW.sign * coalesce(NEW.fatalities, 0)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day) d,
        (SELECT 0 AS width UNION ALL SELECT 1) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t,
        (SELECT 2 AS grain, coalesce(NEW.country_id, 0) AS country UNION ALL SELECT 0, -1) c
    WHERE true
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = events + excluded.events, fatalities = fatalities + excluded.fatalities;
    DELETE FROM event_counts WHERE events = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER event_counts_insert AFTER INSERT ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (1, NEW.occurred_at, NEW.type, NEW.country_id, NEW.fatalities);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER event_counts_delete AFTER DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (-1, OLD.occurred_at, OLD.type, OLD.country_id, OLD.fatalities);
END;
-- +goose StatementEnd

-- An update moves the event out of its old rows and into its new ones.
-- +goose StatementBegin
CREATE TRIGGER event_counts_update AFTER UPDATE OF occurred_at, type, country_id, fatalities ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (-1, OLD.occurred_at, OLD.type, OLD.country_id, OLD.fatalities);
    INSERT INTO event_count_changes VALUES (1, NEW.occurred_at, NEW.type, NEW.country_id, NEW.fatalities);
END;
-- +goose StatementEnd

-- Backfill from the events already stored: each event in its four rows of
-- each width, as the insert trigger would have put it. The store's rebuild
-- (rebuildEventCountsSQL) must stay the same.
INSERT INTO event_counts (width, grain, type, country, start, events, fatalities)
SELECT w.width, t.grain + c.grain,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    CASE w.width WHEN 0 THEN e.day ELSE unixepoch(e.day / 1000, 'unixepoch', 'start of month') * 1000 END,
    count(*), sum(e.fatalities)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities FROM events) e,
    (SELECT 0 AS width UNION ALL SELECT 1) w,
    (SELECT 0 AS grain UNION ALL SELECT 1) t,
    (SELECT 0 AS grain UNION ALL SELECT 2) c
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
DROP TRIGGER event_counts_update;
DROP TRIGGER event_counts_delete;
DROP TRIGGER event_counts_insert;
DROP TRIGGER event_count_change;
DROP VIEW event_count_changes;
DROP TABLE event_counts_paused;
DROP TABLE event_counts;
