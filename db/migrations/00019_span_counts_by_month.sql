-- The kept span counts (00015) gain a width, as event_counts has one: width
-- 0 are 00015's rows, keyed by the day a span starts on and the day it
-- ends on; width 1 key the events whose span reaches past the month it
-- starts in by that month and the month of their last day. A count by
-- month or year over whole months (the dashboard's histogram, by month
-- over the extent) then reads these and the month rows of event_counts,
-- as a count over days reads the day rows of both: at 1M generated events
-- the 30 000 day-keyed spans were 42 of the histogram's 46 ms, nearly all
-- of it SQLite stepping through them.
--
-- A month row is the sum of the day rows whose start and last days lie in
-- those months, when these differ: the backfill below and the store's
-- rebuild (db/sqlite/event_counts.go) add them up from the day rows, and
-- the trigger writes both.

-- +goose Up
DROP TRIGGER event_span_count_change;
CREATE TABLE event_span_counts_by_width (
    width            INTEGER NOT NULL,
    grain            INTEGER NOT NULL,
    type             TEXT    NOT NULL,
    start            INTEGER NOT NULL,
    last             INTEGER NOT NULL,
    events           INTEGER NOT NULL,
    fatalities       INTEGER NOT NULL,
    fatalities_low   INTEGER NOT NULL,
    fatalities_high  INTEGER NOT NULL,
    intensity_sum    REAL    NOT NULL,
    intensity_events INTEGER NOT NULL,
    PRIMARY KEY (width, grain, type, start, last)
) WITHOUT ROWID;
INSERT INTO event_span_counts_by_width (width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
    intensity_sum, intensity_events)
SELECT 0, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events
FROM event_span_counts;
DROP TABLE event_span_counts;
ALTER TABLE event_span_counts_by_width RENAME TO event_span_counts;

INSERT INTO event_span_counts (width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
    intensity_sum, intensity_events)
SELECT 1, grain, type, start, last,
    sum(events), sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM (SELECT grain, type, unixepoch(start / 1000, 'unixepoch', 'start of month') * 1000 AS start,
        unixepoch(last / 1000, 'unixepoch', 'start of month') * 1000 AS last, events, fatalities, fatalities_low,
        fatalities_high, intensity_sum, intensity_events
    FROM event_span_counts WHERE width = 0)
WHERE last > start
GROUP BY grain, type, start, last;

-- +goose StatementBegin
CREATE TRIGGER event_span_count_change INSTEAD OF INSERT ON event_count_changes
WHEN NEW.span_end > NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 + 86400000 BEGIN
    INSERT INTO event_span_counts (width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
        intensity_sum, intensity_events)
    SELECT w.width, t.grain, t.type,
        CASE w.width WHEN 0 THEN d.day ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000 END,
        CASE w.width WHEN 0 THEN d.last ELSE unixepoch(d.last / 1000, 'unixepoch', 'start of month') * 1000 END,
        NEW.sign, NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day,
            (NEW.span_end - 1) - (((NEW.span_end - 1) % 86400000) + 86400000) % 86400000 AS last) d,
        (SELECT 0 AS width UNION ALL SELECT 1) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t
    WHERE w.width = 0 OR unixepoch(d.last / 1000, 'unixepoch', 'start of month') > unixepoch(d.day / 1000, 'unixepoch', 'start of month')
    ON CONFLICT (width, grain, type, start, last) DO UPDATE
        SET events = events + excluded.events,
            fatalities = fatalities + excluded.fatalities,
            fatalities_low = fatalities_low + excluded.fatalities_low,
            fatalities_high = fatalities_high + excluded.fatalities_high,
            intensity_sum = intensity_sum + excluded.intensity_sum,
            intensity_events = intensity_events + excluded.intensity_events;
    DELETE FROM event_span_counts WHERE events = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER event_span_count_change;
CREATE TABLE event_span_counts_by_day (
    grain            INTEGER NOT NULL,
    type             TEXT    NOT NULL,
    start            INTEGER NOT NULL,
    last             INTEGER NOT NULL,
    events           INTEGER NOT NULL,
    fatalities       INTEGER NOT NULL,
    fatalities_low   INTEGER NOT NULL,
    fatalities_high  INTEGER NOT NULL,
    intensity_sum    REAL    NOT NULL,
    intensity_events INTEGER NOT NULL,
    PRIMARY KEY (grain, type, start, last)
) WITHOUT ROWID;
INSERT INTO event_span_counts_by_day (grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
    intensity_sum, intensity_events)
SELECT grain, type, start, last, events, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events
FROM event_span_counts WHERE width = 0;
DROP TABLE event_span_counts;
ALTER TABLE event_span_counts_by_day RENAME TO event_span_counts;
-- +goose StatementBegin
CREATE TRIGGER event_span_count_change INSTEAD OF INSERT ON event_count_changes
WHEN NEW.span_end > NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 + 86400000 BEGIN
    INSERT INTO event_span_counts (grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
        intensity_sum, intensity_events)
    SELECT t.grain, t.type, NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000,
        (NEW.span_end - 1) - (((NEW.span_end - 1) % 86400000) + 86400000) % 86400000,
        NEW.sign, NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t
    WHERE true
    ON CONFLICT (grain, type, start, last) DO UPDATE
        SET events = events + excluded.events,
            fatalities = fatalities + excluded.fatalities,
            fatalities_low = fatalities_low + excluded.fatalities_low,
            fatalities_high = fatalities_high + excluded.fatalities_high,
            intensity_sum = intensity_sum + excluded.intensity_sum,
            intensity_events = intensity_events + excluded.intensity_events;
    DELETE FROM event_span_counts WHERE events = 0;
END;
-- +goose StatementEnd
