-- The kept counts of eventCounts (migration 00006) learn what the real-data
-- model added: an event's span (migration 00010) and its fatality range and
-- intensity (migration 00011), so that a bucket's certain, fatalitiesLow,
-- fatalitiesHigh and intensity are read from them like its count.
--
--   certain_day, certain_week, certain_month, certain_year
--               how many of the row's events lie wholly in the day, ISO
--               week, month and year that hold their start: a bucket's
--               `certain` is the sum of its interval's column, from rows of
--               any width at or below it. A flag per interval rather than
--               the last day of each span in the key keeps the rows as many
--               as before: keyed by span, events that last several days
--               made the day rows of a generated 1M database 9 times as
--               many and eventCounts by type 1.4 times as slow.
--   fatalities_low, fatalities_high   sums of events.fatalities_low/high
--   intensity_sum, intensity_events   the sum of the intensities of the
--               events that have one, and how many do: the mean is their
--               quotient
--
-- The table is rebuilt with the new columns; everything else is as 00006
-- made it, and the store's rebuild (db/sqlite/event_counts.go) stays the
-- same as the backfill below.
--
-- A week starts on Monday: day numbers count from Thursday 1 January 1970,
-- so (days + 3) mod 7, taken as a floor, is the days since Monday.

-- +goose Up
DROP TRIGGER event_counts_update;
DROP TRIGGER event_counts_delete;
DROP TRIGGER event_counts_insert;
DROP TRIGGER event_count_change;
DROP VIEW event_count_changes;
DROP TABLE event_counts;

CREATE TABLE event_counts (
    width            INTEGER NOT NULL,
    grain            INTEGER NOT NULL,
    type             TEXT    NOT NULL,
    country          INTEGER NOT NULL,
    start            INTEGER NOT NULL,
    events           INTEGER NOT NULL,
    certain_day      INTEGER NOT NULL,
    certain_week     INTEGER NOT NULL,
    certain_month    INTEGER NOT NULL,
    certain_year     INTEGER NOT NULL,
    fatalities       INTEGER NOT NULL,
    fatalities_low   INTEGER NOT NULL,
    fatalities_high  INTEGER NOT NULL,
    intensity_sum    REAL    NOT NULL,
    intensity_events INTEGER NOT NULL,
    PRIMARY KEY (width, grain, type, country, start)
) WITHOUT ROWID;
CREATE INDEX event_counts_empty ON event_counts (events) WHERE events = 0;

-- What the triggers write through, as in 00006, now with the event's span
-- end: the INSTEAD OF trigger finds from it whether the event lies wholly
-- in the day, week, month and year of its start.
CREATE VIEW event_count_changes (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low, fatalities_high,
    intensity) AS
SELECT 0, 0, 0, '', 0, 0, 0, 0, 0 WHERE false;

-- +goose StatementBegin
CREATE TRIGGER event_count_change INSTEAD OF INSERT ON event_count_changes BEGIN
    INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
        fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + c.grain, t.type, c.country,
        CASE w.width WHEN 0 THEN d.day ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000 END,
        NEW.sign,
        NEW.sign * (NEW.span_end <= d.day + 86400000),
        NEW.sign * (NEW.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
        NEW.sign * (NEW.span_end <= unixepoch(d.day / 1000, 'unixepoch', 'start of month', '+1 months') * 1000),
        NEW.sign * (NEW.span_end <= unixepoch(d.day / 1000, 'unixepoch', 'start of year', '+1 years') * 1000),
        NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day) d,
        (SELECT 0 AS width UNION ALL SELECT 1) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t,
        (SELECT 2 AS grain, coalesce(NEW.country_id, 0) AS country UNION ALL SELECT 0, -1) c
    WHERE true
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = events + excluded.events,
            certain_day = certain_day + excluded.certain_day, certain_week = certain_week + excluded.certain_week,
            certain_month = certain_month + excluded.certain_month, certain_year = certain_year + excluded.certain_year,
            fatalities = fatalities + excluded.fatalities,
            fatalities_low = fatalities_low + excluded.fatalities_low,
            fatalities_high = fatalities_high + excluded.fatalities_high,
            intensity_sum = intensity_sum + excluded.intensity_sum,
            intensity_events = intensity_events + excluded.intensity_events;
    DELETE FROM event_counts WHERE events = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER event_counts_insert AFTER INSERT ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (1, NEW.occurred_at, NEW.span_end, NEW.type, NEW.country_id, NEW.fatalities,
        NEW.fatalities_low, NEW.fatalities_high, NEW.intensity);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER event_counts_delete AFTER DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (-1, OLD.occurred_at, OLD.span_end, OLD.type, OLD.country_id, OLD.fatalities,
        OLD.fatalities_low, OLD.fatalities_high, OLD.intensity);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER event_counts_update AFTER UPDATE OF occurred_at, span_end, type, country_id, fatalities, fatalities_low,
    fatalities_high, intensity ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (-1, OLD.occurred_at, OLD.span_end, OLD.type, OLD.country_id, OLD.fatalities,
        OLD.fatalities_low, OLD.fatalities_high, OLD.intensity);
    INSERT INTO event_count_changes VALUES (1, NEW.occurred_at, NEW.span_end, NEW.type, NEW.country_id, NEW.fatalities,
        NEW.fatalities_low, NEW.fatalities_high, NEW.intensity);
END;
-- +goose StatementEnd

INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT w.width, t.grain + c.grain,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    CASE w.width WHEN 0 THEN e.day ELSE unixepoch(e.day / 1000, 'unixepoch', 'start of month') * 1000 END,
    count(*), sum(e.span_end <= e.day + 86400000),
    sum(e.span_end <= e.day - (((e.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
    sum(e.span_end <= unixepoch(e.day / 1000, 'unixepoch', 'start of month', '+1 months') * 1000),
    sum(e.span_end <= unixepoch(e.day / 1000, 'unixepoch', 'start of year', '+1 years') * 1000),
    sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day, span_end, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high,
        intensity FROM events) e,
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
DROP TABLE event_counts;

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
CREATE INDEX event_counts_empty ON event_counts (events) WHERE events = 0;

CREATE VIEW event_count_changes (sign, occurred_at, type, country_id, fatalities) AS
SELECT 0, 0, '', 0, 0 WHERE false;

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

-- +goose StatementBegin
CREATE TRIGGER event_counts_update AFTER UPDATE OF occurred_at, type, country_id, fatalities ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO event_count_changes VALUES (-1, OLD.occurred_at, OLD.type, OLD.country_id, OLD.fatalities);
    INSERT INTO event_count_changes VALUES (1, NEW.occurred_at, NEW.type, NEW.country_id, NEW.fatalities);
END;
-- +goose StatementEnd

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
