-- The kept counts learn where spans end, for the events whose span reaches
-- past the day it starts on, as db/migrations/00015_event_span_counts.sql
-- (read it for how a bucket by overlap is computed from them): keyed by the
-- day they start on and the day of their last instant, grain 0 for all
-- types together and 1 for one type. apply_event_counts (00012) adds them
-- up at commit too; the backfill below is the store's rebuild.

-- +goose Up
CREATE TABLE event_span_counts (
    grain            integer          NOT NULL,
    type             text             COLLATE "C" NOT NULL,
    start            bigint           NOT NULL,
    last             bigint           NOT NULL,
    events           bigint           NOT NULL,
    fatalities       bigint           NOT NULL,
    fatalities_low   bigint           NOT NULL,
    fatalities_high  bigint           NOT NULL,
    intensity_sum    double precision NOT NULL,
    intensity_events bigint           NOT NULL,
    PRIMARY KEY (grain, type, start, last)
);
-- A row whose count has just fallen to zero is found through this index,
-- as event_counts_empty finds event_counts' (SQLite's table has none and
-- scans: its rows are few).
CREATE INDEX event_span_counts_empty ON event_span_counts (events) WHERE events = 0;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, certain_day, certain_week,
        certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        sum(p.sign),
        sum(p.sign * (p.span_end <= d.day + 86400000)::integer),
        sum(p.sign * (p.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000)::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('month', d.day), interval '1 month'))::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('year', d.day), interval '1 year'))::integer),
        sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN (VALUES (0), (1)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (VALUES (2, coalesce(p.country_id, 0)), (0, -1)) g (grain, country)
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
    INSERT INTO event_span_counts AS c (grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
        intensity_sum, intensity_events)
    SELECT t.grain, t.type, d.day, (p.span_end - 1) - (((p.span_end - 1) % 86400000) + 86400000) % 86400000,
        sum(p.sign), sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
    WHERE p.span_end > d.day + 86400000
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (grain, type, start, last) DO UPDATE
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

INSERT INTO event_span_counts (grain, type, start, last, events, fatalities, fatalities_low, fatalities_high,
    intensity_sum, intensity_events)
SELECT t.grain, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last,
    count(*), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day,
        (span_end - 1) - (((span_end - 1) % 86400000) + 86400000) % 86400000 AS last, type,
        coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high, intensity
    FROM events) e,
    (VALUES (0), (1)) t (grain)
WHERE e.last > e.day
GROUP BY 1, 2, 3, 4;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, certain_day, certain_week,
        certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        sum(p.sign),
        sum(p.sign * (p.span_end <= d.day + 86400000)::integer),
        sum(p.sign * (p.span_end <= d.day - (((d.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000)::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('month', d.day), interval '1 month'))::integer),
        sum(p.sign * (p.span_end <= ms_shift(ms_trunc('year', d.day), interval '1 year'))::integer),
        sum(p.sign * coalesce(p.fatalities, 0)), sum(p.sign * p.fatalities_low), sum(p.sign * p.fatalities_high),
        coalesce(sum(p.sign * p.intensity), 0), sum(p.sign * (p.intensity IS NOT NULL)::integer)
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN (VALUES (0), (1)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (VALUES (2, coalesce(p.country_id, 0)), (0, -1)) g (grain, country)
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
    DELETE FROM event_count_pending;
$$;
-- +goose StatementEnd
DROP TABLE event_span_counts;
