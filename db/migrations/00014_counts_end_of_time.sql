-- An event in December 9999 could not be stored: the end of its month and
-- of its year is in year 10000, for which SQLite's date functions give
-- NULL, and the kept counts' "certain" columns are NOT NULL. Such an end is
-- 10000-01-01T00:00:00Z (253402300800 s), after every instant a date can
-- name, so every event that starts in the bucket lies within it.

-- +goose Up
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
