-- The kept counts learn where spans end, for the events whose span reaches
-- past the day it starts on: eventCounts by OVERLAPS or WITHIN (the
-- dashboard's histogram of uncertain dates) is then answered from counts
-- rather than by reading every event (at 1M generated events, 2 s a call).
--
-- event_counts (00012) keys its rows by the day of an event's start only, on
-- purpose: keyed by span end as well, its day rows were 9 times as many. The
-- events that lie within one day are already there, counted by certain_day;
-- this table adds the others, keyed by the day they start on and the day
-- they end on (the day of their last instant): 135 689 of a generated 1M,
-- in 30 179 rows of grain 0. A bucket by overlap is then the day rows less
-- these (the one-day events, which lie in every bucket that holds their day)
-- plus these spread from the bucket of their start to that of their end.
--
-- grain is 0 for all types together, 1 for one type (type ''
-- with grain 0); a count by country over spans still reads the events.
-- Rows are written by a second INSTEAD OF trigger on event_count_changes,
-- beside 00012's, and rebuilt with event_counts (db/sqlite/event_counts.go).

-- +goose Up
CREATE TABLE event_span_counts (
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

INSERT INTO event_span_counts (grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
    intensity_sum, intensity_events)
SELECT t.grain, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last,
    count(*), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day,
        (span_end - 1) - (((span_end - 1) % 86400000) + 86400000) % 86400000 AS last, type,
        coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high, intensity
    FROM events) e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t
WHERE e.last > e.day
GROUP BY 1, 2, 3, 4;

-- +goose Down
DROP TRIGGER event_span_count_change;
DROP TABLE event_span_counts;
