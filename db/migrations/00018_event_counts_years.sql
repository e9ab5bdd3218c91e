-- The kept counts gain a third width, 2: a row per year, the sum of the
-- year's month rows (every column, the certain_* flags too). A count by
-- year reads these rather than twelve month rows a year: the dashboard's
-- map asks for events per country by year over the whole extent, which at
-- 1M generated events was 22 000 month rows (40 ms a call, nearly all of it
-- SQLite stepping through them) and is now about 1 900. A count by year
-- over a range that cuts a year reads its whole years here and the rest
-- from months and days, as months already did (db/buckets, kept).
--
-- The trigger writes the year rows beside the others (four more upserts an
-- event, on a few thousand rows that stay in cache); the store's rebuild
-- and the backfill below add them up from the month rows.

-- +goose Up
DROP TRIGGER event_count_change;
-- +goose StatementBegin
CREATE TRIGGER event_count_change INSTEAD OF INSERT ON event_count_changes BEGIN
    INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
        fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + c.grain, t.type, c.country,
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


INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 2, grain, type, country, unixepoch(start / 1000, 'unixepoch', 'start of year') * 1000,
    sum(events), sum(certain_day), sum(certain_week), sum(certain_month), sum(certain_year),
    sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM event_counts WHERE width = 1
GROUP BY grain, type, country, 5;

-- +goose Down
DROP TRIGGER event_count_change;
-- +goose StatementBegin
CREATE TRIGGER event_count_change INSTEAD OF INSERT ON event_count_changes BEGIN
    INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
        fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + c.grain, t.type, c.country,
        CASE w.width WHEN 0 THEN d.day ELSE unixepoch(d.day / 1000, 'unixepoch', 'start of month') * 1000 END,
        NEW.sign,
        NEW.sign * (NEW.span_end <= d.day + 86400000),
        NEW.sign * (NEW.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
        NEW.sign * (NEW.span_end <= coalesce(unixepoch(d.day / 1000, 'unixepoch', 'start of month', '+1 months'), 253402300800) * 1000),
        NEW.sign * (NEW.span_end <= coalesce(unixepoch(d.day / 1000, 'unixepoch', 'start of year', '+1 years'), 253402300800) * 1000),
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

DELETE FROM event_counts WHERE width = 2;
