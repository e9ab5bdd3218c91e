-- The kept span counts (00015, 00019) gain the countries that event_counts
-- has: grain bit 2 keys a span by its event's country (0 for none), bit 4
-- by each country of its participants (00020), in a new column, country
-- (-1 for the grains without one, as in event_counts). A count by START of
-- the events that a filter selects by span (the dashboard's Dated control at
-- "overlapping" or "within", with a range) grouped by country, and a count
-- by OVERLAPS or WITHIN grouped by country, then read kept counts as they
-- do grouped by type: at 1M generated events the map's count by country
-- over ten years read every event, 5.7 s (by participants' countries 5.0).
--
-- The key puts country last, after the span's start and last day, so that
-- a range of starts stays a range of the key for every grain.
--
-- Since 00015 the table had no index of its emptied rows, which PostgreSQL's
-- has: one is added here.

-- +goose Up
DROP TRIGGER event_span_count_change;
DROP TRIGGER participant_count_change;
CREATE TABLE event_span_counts_by_country (
    width            INTEGER NOT NULL,
    grain            INTEGER NOT NULL,
    type             TEXT    NOT NULL,
    start            INTEGER NOT NULL,
    last             INTEGER NOT NULL,
    country          INTEGER NOT NULL,
    events           INTEGER NOT NULL,
    fatalities       INTEGER NOT NULL,
    fatalities_low   INTEGER NOT NULL,
    fatalities_high  INTEGER NOT NULL,
    intensity_sum    REAL    NOT NULL,
    intensity_events INTEGER NOT NULL,
    PRIMARY KEY (width, grain, type, start, last, country)
) WITHOUT ROWID;
DROP TABLE event_span_counts;
ALTER TABLE event_span_counts_by_country RENAME TO event_span_counts;
-- What the triggers' DELETE of emptied rows finds them by, as
-- event_counts_empty (00006) for event_counts: without it each write of an
-- event whose span reaches past its day read the whole table (at 1M
-- generated events, 400 000 rows with the countries: a month-long event
-- took 130 ms to write, 61 before them and 38 with this index).
CREATE INDEX event_span_counts_empty ON event_span_counts (events) WHERE events = 0;

-- +goose StatementBegin
CREATE TRIGGER event_span_count_change INSTEAD OF INSERT ON event_count_changes
WHEN NEW.span_end > NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 + 86400000 BEGIN
    INSERT INTO event_span_counts (width, grain, type, country, start, last, events, fatalities, fatalities_low,
        fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + c.grain, t.type, c.country,
        CASE w.width WHEN 0 THEN d.day ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000 END,
        CASE w.width WHEN 0 THEN d.last ELSE unixepoch(d.last / 1000, 'unixepoch', 'start of month') * 1000 END,
        NEW.sign, NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day,
            (NEW.span_end - 1) - (((NEW.span_end - 1) % 86400000) + 86400000) % 86400000 AS last) d,
        (SELECT 0 AS width UNION ALL SELECT 1) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t,
        (SELECT 2 AS grain, coalesce(NEW.country_id, 0) AS country UNION ALL SELECT 0, -1) c
    WHERE w.width = 0 OR unixepoch(d.last / 1000, 'unixepoch', 'start of month') > unixepoch(d.day / 1000, 'unixepoch', 'start of month')
    ON CONFLICT (width, grain, type, start, last, country) DO UPDATE
        SET events = events + excluded.events,
            fatalities = fatalities + excluded.fatalities,
            fatalities_low = fatalities_low + excluded.fatalities_low,
            fatalities_high = fatalities_high + excluded.fatalities_high,
            intensity_sum = intensity_sum + excluded.intensity_sum,
            intensity_events = intensity_events + excluded.intensity_events;
    DELETE FROM event_span_counts WHERE events = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER participant_count_change INSTEAD OF INSERT ON participant_count_changes BEGIN
    INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
        fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + 4, t.type, NEW.country_id,
        CASE w.width WHEN 0 THEN d.day
            WHEN 1 THEN unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000
            ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of year') * 1000 END,
        NEW.sign,
        NEW.sign * (NEW.span_end <= d.day + 86400000),
        NEW.sign * (NEW.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
        NEW.sign * (NEW.span_end <= coalesce(unixepoch(d.day / 1000, 'unixepoch', 'start of month', '+1 months'), 253402300800) * 1000),
        NEW.sign * (NEW.span_end <= coalesce(unixepoch(d.day / 1000, 'unixepoch', 'start of year', '+1 years'), 253402300800) * 1000),
        NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day) d,
        (SELECT 0 AS width UNION ALL SELECT 1 UNION ALL SELECT 2) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t
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
    INSERT INTO event_span_counts (width, grain, type, country, start, last, events, fatalities, fatalities_low,
        fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + 4, t.type, NEW.country_id,
        CASE w.width WHEN 0 THEN d.day ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000 END,
        CASE w.width WHEN 0 THEN d.last ELSE unixepoch(d.last / 1000, 'unixepoch', 'start of month') * 1000 END,
        NEW.sign, NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day,
            (NEW.span_end - 1) - (((NEW.span_end - 1) % 86400000) + 86400000) % 86400000 AS last) d,
        (SELECT 0 AS width UNION ALL SELECT 1) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t
    WHERE d.last > d.day AND (w.width = 0
        OR unixepoch(d.last / 1000, 'unixepoch', 'start of month') > unixepoch(d.day / 1000, 'unixepoch', 'start of month'))
    ON CONFLICT (width, grain, type, start, last, country) DO UPDATE
        SET events = events + excluded.events,
            fatalities = fatalities + excluded.fatalities,
            fatalities_low = fatalities_low + excluded.fatalities_low,
            fatalities_high = fatalities_high + excluded.fatalities_high,
            intensity_sum = intensity_sum + excluded.intensity_sum,
            intensity_events = intensity_events + excluded.intensity_events;
    DELETE FROM event_span_counts WHERE events = 0;
END;
-- +goose StatementEnd

-- The table starts empty and is filled as the store's rebuild fills it
-- (db/sqlite/event_counts.go): the day rows from the events, then the
-- month rows from those.
INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities,
    fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + c.grain, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    count(*), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day,
        (span_end - 1) - (((span_end - 1) % 86400000) + 86400000) % 86400000 AS last, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high, intensity
    FROM events) e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t,
    (SELECT 0 AS grain UNION ALL SELECT 2) c
WHERE e.last > e.day
GROUP BY 2, 3, 4, 5, 6;

INSERT INTO event_span_counts (width, grain, type, start, last, country, events,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + 4, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last, e.country,
    count(*), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT ev.occurred_at - ((ev.occurred_at % 86400000) + 86400000) % 86400000 AS day,
        (ev.span_end - 1) - (((ev.span_end - 1) % 86400000) + 86400000) % 86400000 AS last, ev.type,
        pc.country_id AS country, coalesce(ev.fatalities, 0) AS fatalities, ev.fatalities_low, ev.fatalities_high,
        ev.intensity
    FROM (SELECT DISTINCT p.event_id, a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE a.country_id IS NOT NULL) pc
    JOIN events ev ON ev.id = pc.event_id) e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t
WHERE e.last > e.day
GROUP BY 2, 3, 4, 5, 6;

INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities,
    fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 1, grain, type, start, last, country,
    sum(events), sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM (SELECT grain, type, unixepoch(start / 1000, 'unixepoch', 'start of month') * 1000 AS start,
        unixepoch(last / 1000, 'unixepoch', 'start of month') * 1000 AS last, country, events, fatalities, fatalities_low,
        fatalities_high, intensity_sum, intensity_events
    FROM event_span_counts WHERE width = 0)
WHERE last > start
GROUP BY grain, type, start, last, country;

-- +goose Down
DROP TRIGGER event_span_count_change;
DROP TRIGGER participant_count_change;
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
SELECT width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events
FROM event_span_counts WHERE grain < 2;
DROP TABLE event_span_counts;
ALTER TABLE event_span_counts_by_width RENAME TO event_span_counts;

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

-- +goose StatementBegin
CREATE TRIGGER participant_count_change INSTEAD OF INSERT ON participant_count_changes BEGIN
    INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
        fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + 4, t.type, NEW.country_id,
        CASE w.width WHEN 0 THEN d.day
            WHEN 1 THEN unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000
            ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of year') * 1000 END,
        NEW.sign,
        NEW.sign * (NEW.span_end <= d.day + 86400000),
        NEW.sign * (NEW.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
        NEW.sign * (NEW.span_end <= coalesce(unixepoch(d.day / 1000, 'unixepoch', 'start of month', '+1 months'), 253402300800) * 1000),
        NEW.sign * (NEW.span_end <= coalesce(unixepoch(d.day / 1000, 'unixepoch', 'start of year', '+1 years'), 253402300800) * 1000),
        NEW.sign * coalesce(NEW.fatalities, 0), NEW.sign * NEW.fatalities_low, NEW.sign * NEW.fatalities_high,
        NEW.sign * coalesce(NEW.intensity, 0), NEW.sign * (NEW.intensity IS NOT NULL)
    FROM (SELECT NEW.occurred_at - ((NEW.occurred_at % 86400000) + 86400000) % 86400000 AS day) d,
        (SELECT 0 AS width UNION ALL SELECT 1 UNION ALL SELECT 2) w,
        (SELECT 1 AS grain, NEW.type AS type UNION ALL SELECT 0, '') t
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
