-- The kept span counts gain the countries that event_counts has, as
-- db/migrations/00021_span_counts_by_country.sql (read it for why): a
-- column country, -1 for the grains without one, last in the key.
-- apply_event_counts writes the span rows of every grain, those of the
-- participants' notes (00020) by the participant's country; the table is
-- filled again from the events below.

-- +goose Up
ALTER TABLE event_span_counts ADD COLUMN country bigint NOT NULL DEFAULT -1;
ALTER TABLE event_span_counts ALTER COLUMN country DROP DEFAULT;
ALTER TABLE event_span_counts DROP CONSTRAINT event_span_counts_pkey;
ALTER TABLE event_span_counts ADD PRIMARY KEY (width, grain, type, start, last, country);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, certain_day, certain_week,
        certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day WHEN 1 THEN ms_trunc('month', d.day) ELSE ms_trunc('year', d.day) END,
        sum(p.sign),
        sum(p.sign * (p.span_end <= d.day + 86400000)::integer),
        sum(p.sign * (p.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000)::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('month', d.day), interval '1 month'))::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('year', d.day), interval '1 year'))::integer),
        sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN (VALUES (0), (1), (2)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (SELECT 2, coalesce(p.country_id, 0) WHERE NOT p.participants
            UNION ALL SELECT 0, -1 WHERE NOT p.participants
            UNION ALL SELECT 4, p.country_id WHERE p.participants) g (grain, country)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = c.events + excluded.events,
            certain_day = c.certain_day + excluded.certain_day, certain_week = c.certain_week + excluded.certain_week,
            certain_month = c.certain_month + excluded.certain_month, certain_year = c.certain_year + excluded.certain_year,
            fatalities = c.fatalities + excluded.fatalities,
            fatalities_low = c.fatalities_low + excluded.fatalities_low,
            fatalities_high = c.fatalities_high + excluded.fatalities_high,
            intensity_sum = c.intensity_sum + excluded.intensity_sum,
            intensity_events = c.intensity_events + excluded.intensity_events;
    DELETE FROM event_counts WHERE events = 0;
    -- The events whose span reaches past the day they start on, in
    -- event_span_counts too (SQLite: the second INSTEAD OF trigger).
    INSERT INTO event_span_counts AS c (width, grain, type, start, last, country, events, fatalities, fatalities_low,
        fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + g.grain, t.type,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        CASE w.width WHEN 0 THEN d.last ELSE ms_trunc('month', d.last) END,
        g.country,
        sum(p.sign), sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day,
            (p.span_end - 1) - (((p.span_end - 1) % 86400000) + 86400000) % 86400000 AS last) d
        CROSS JOIN (VALUES (0), (1)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (SELECT 2, coalesce(p.country_id, 0) WHERE NOT p.participants
            UNION ALL SELECT 0, -1 WHERE NOT p.participants
            UNION ALL SELECT 4, p.country_id WHERE p.participants) g (grain, country)
    WHERE p.span_end > d.day + 86400000 AND (w.width = 0 OR ms_trunc('month', d.last) > ms_trunc('month', d.day))
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (width, grain, type, start, last, country) DO UPDATE
        SET events = c.events + excluded.events,
            fatalities = c.fatalities + excluded.fatalities,
            fatalities_low = c.fatalities_low + excluded.fatalities_low,
            fatalities_high = c.fatalities_high + excluded.fatalities_high,
            intensity_sum = c.intensity_sum + excluded.intensity_sum,
            intensity_events = c.intensity_events + excluded.intensity_events;
    DELETE FROM event_span_counts WHERE events = 0;
    DELETE FROM event_count_pending;
$$;
-- +goose StatementEnd

DELETE FROM event_span_counts;
INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities, fatalities_low,
    fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + c.grain, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    count(*), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day,
        (span_end - 1) - (((span_end - 1) % 86400000) + 86400000) % 86400000 AS last, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high, intensity
    FROM events) e,
    (VALUES (0), (1)) t (grain),
    (VALUES (0), (2)) c (grain)
WHERE e.last > e.day
GROUP BY 2, 3, 4, 5, 6;

INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities, fatalities_low,
    fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + 4, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last, e.country,
    count(*), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT ev.occurred_at - ((ev.occurred_at % 86400000) + 86400000) % 86400000 AS day,
        (ev.span_end - 1) - (((ev.span_end - 1) % 86400000) + 86400000) % 86400000 AS last, ev.type,
        pc.country_id AS country, coalesce(ev.fatalities, 0) AS fatalities, ev.fatalities_low, ev.fatalities_high,
        ev.intensity
    FROM (SELECT DISTINCT p.event_id, a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE a.country_id IS NOT NULL) pc
    JOIN events ev ON ev.id = pc.event_id) e,
    (VALUES (0), (1)) t (grain)
WHERE e.last > e.day
GROUP BY 2, 3, 4, 5, 6;

INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities, fatalities_low,
    fatalities_high, intensity_sum, intensity_events)
SELECT 1, grain, type, ms_trunc('month', start), ms_trunc('month', last), country,
    sum(events), sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM event_span_counts
WHERE width = 0 AND ms_trunc('month', last) > ms_trunc('month', start)
GROUP BY 2, 3, 4, 5, 6;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, certain_day, certain_week,
        certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day WHEN 1 THEN ms_trunc('month', d.day) ELSE ms_trunc('year', d.day) END,
        sum(p.sign),
        sum(p.sign * (p.span_end <= d.day + 86400000)::integer),
        sum(p.sign * (p.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000)::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('month', d.day), interval '1 month'))::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('year', d.day), interval '1 year'))::integer),
        sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN (VALUES (0), (1), (2)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (SELECT 2, coalesce(p.country_id, 0) WHERE NOT p.participants
            UNION ALL SELECT 0, -1 WHERE NOT p.participants
            UNION ALL SELECT 4, p.country_id WHERE p.participants) g (grain, country)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = c.events + excluded.events,
            certain_day = c.certain_day + excluded.certain_day, certain_week = c.certain_week + excluded.certain_week,
            certain_month = c.certain_month + excluded.certain_month, certain_year = c.certain_year + excluded.certain_year,
            fatalities = c.fatalities + excluded.fatalities,
            fatalities_low = c.fatalities_low + excluded.fatalities_low,
            fatalities_high = c.fatalities_high + excluded.fatalities_high,
            intensity_sum = c.intensity_sum + excluded.intensity_sum,
            intensity_events = c.intensity_events + excluded.intensity_events;
    DELETE FROM event_counts WHERE events = 0;
    -- The events whose span reaches past the day they start on, in
    -- event_span_counts too (SQLite: the second INSTEAD OF trigger).
    INSERT INTO event_span_counts AS c (width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
        intensity_sum, intensity_events)
    SELECT w.width, t.grain, t.type,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        CASE w.width WHEN 0 THEN d.last ELSE ms_trunc('month', d.last) END,
        sum(p.sign), sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day,
            (p.span_end - 1) - (((p.span_end - 1) % 86400000) + 86400000) % 86400000 AS last) d
        CROSS JOIN (VALUES (0), (1)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
    WHERE NOT p.participants AND p.span_end > d.day + 86400000 AND (w.width = 0 OR ms_trunc('month', d.last) > ms_trunc('month', d.day))
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (width, grain, type, start, last) DO UPDATE
        SET events = c.events + excluded.events,
            fatalities = c.fatalities + excluded.fatalities,
            fatalities_low = c.fatalities_low + excluded.fatalities_low,
            fatalities_high = c.fatalities_high + excluded.fatalities_high,
            intensity_sum = c.intensity_sum + excluded.intensity_sum,
            intensity_events = c.intensity_events + excluded.intensity_events;
    DELETE FROM event_span_counts WHERE events = 0;
    DELETE FROM event_count_pending;
$$;
-- +goose StatementEnd

DELETE FROM event_span_counts WHERE grain >= 2;
ALTER TABLE event_span_counts DROP CONSTRAINT event_span_counts_pkey;
ALTER TABLE event_span_counts DROP COLUMN country;
ALTER TABLE event_span_counts ADD PRIMARY KEY (width, grain, type, start, last);
