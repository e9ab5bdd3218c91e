-- The kept counts learn an event's span, fatality range and intensity, as
-- db/migrations/00012_event_count_spans.sql (read it for the certain_*
-- columns and why they are flags rather than a key).
--
-- The table is rebuilt with the new columns, and so are 00006's notes
-- (event_count_pending) and what adds them up at commit
-- (apply_event_counts); the backfill below is the store's rebuild. A week starts
-- on Monday: day numbers count from Thursday 1 January 1970. Month and year
-- ends come from ms_trunc and ms_shift (00002), exact to the year 10000
-- (see 00014).

-- +goose Up
DROP TRIGGER event_counts_update ON events;
DROP TRIGGER event_counts_delete ON events;
DROP TRIGGER event_counts_insert ON events;
DROP FUNCTION event_counts_trigger;
DROP TABLE event_count_pending;
DROP FUNCTION apply_event_counts;
DROP TABLE event_counts;

CREATE TABLE event_counts (
    width            integer          NOT NULL,
    grain            integer          NOT NULL,
    type             text             COLLATE "C" NOT NULL,
    country          bigint           NOT NULL,
    start            bigint           NOT NULL,
    events           bigint           NOT NULL,
    certain_day      bigint           NOT NULL,
    certain_week     bigint           NOT NULL,
    certain_month    bigint           NOT NULL,
    certain_year     bigint           NOT NULL,
    fatalities       bigint           NOT NULL,
    fatalities_low   bigint           NOT NULL,
    fatalities_high  bigint           NOT NULL,
    intensity_sum    double precision NOT NULL,
    intensity_events bigint           NOT NULL,
    PRIMARY KEY (width, grain, type, country, start)
);
CREATE INDEX event_counts_empty ON event_counts (events) WHERE events = 0;

CREATE TABLE event_count_pending (
    id              bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sign            integer          NOT NULL,
    occurred_at     bigint           NOT NULL,
    span_end        bigint           NOT NULL,
    type            text             COLLATE "C" NOT NULL,
    country_id      bigint,
    fatalities      bigint,
    fatalities_low  bigint           NOT NULL,
    fatalities_high bigint           NOT NULL,
    intensity       double precision
);

-- +goose StatementBegin
CREATE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
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

-- +goose StatementBegin
CREATE FUNCTION event_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
            fatalities_high, intensity)
        VALUES (-1, OLD.occurred_at, OLD.span_end, OLD.type, OLD.country_id, OLD.fatalities, OLD.fatalities_low,
            OLD.fatalities_high, OLD.intensity);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
            fatalities_high, intensity)
        VALUES (1, NEW.occurred_at, NEW.span_end, NEW.type, NEW.country_id, NEW.fatalities, NEW.fatalities_low,
            NEW.fatalities_high, NEW.intensity);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER event_counts_insert AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION event_counts_trigger();
CREATE TRIGGER event_counts_delete AFTER DELETE ON events
FOR EACH ROW EXECUTE FUNCTION event_counts_trigger();
CREATE TRIGGER event_counts_update AFTER UPDATE OF occurred_at, span_end, type, country_id, fatalities, fatalities_low,
    fatalities_high, intensity ON events
FOR EACH ROW EXECUTE FUNCTION event_counts_trigger();

CREATE CONSTRAINT TRIGGER event_count_pending_on_commit AFTER INSERT ON event_count_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION on_commit();

INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT w.width, t.grain + c.grain,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    CASE w.width WHEN 0 THEN e.day ELSE ms_trunc('month', e.day) END,
    count(*), count(*) FILTER (WHERE e.span_end <= e.day + 86400000),
    count(*) FILTER (WHERE e.span_end <= e.day - (((e.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
    count(*) FILTER (WHERE e.span_end <= ms_shift(ms_trunc('month', e.day), interval '1 month')),
    count(*) FILTER (WHERE e.span_end <= ms_shift(ms_trunc('year', e.day), interval '1 year')),
    sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000 AS day, span_end, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high,
        intensity FROM events) e,
    (VALUES (0), (1)) w (width),
    (VALUES (0), (1)) t (grain),
    (VALUES (0), (2)) c (grain)
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
-- 00006's tables, functions and triggers.
DROP TRIGGER event_counts_update ON events;
DROP TRIGGER event_counts_delete ON events;
DROP TRIGGER event_counts_insert ON events;
DROP FUNCTION event_counts_trigger;
DROP TABLE event_count_pending;
DROP FUNCTION apply_event_counts;
DROP TABLE event_counts;

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

CREATE TABLE event_count_pending (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sign        integer NOT NULL,
    occurred_at bigint  NOT NULL,
    type        text    COLLATE "C" NOT NULL,
    country_id  bigint,
    fatalities  bigint
);

-- The day of an instant is a floor division (it holds before 1970 too).
-- +goose StatementBegin
CREATE FUNCTION apply_event_counts() RETURNS void LANGUAGE sql AS $$
    INSERT INTO event_counts AS c (width, grain, type, country, start, events, fatalities)
    SELECT w.width, t.grain + g.grain, t.type, g.country,
        CASE w.width WHEN 0 THEN d.day ELSE ms_trunc('month', d.day) END,
        sum(p.sign), sum(p.sign * coalesce(p.fatalities, 0))
    FROM event_count_pending p
        CROSS JOIN LATERAL (SELECT p.occurred_at - ((p.occurred_at % 86400000) + 86400000) % 86400000 AS day) d
        CROSS JOIN (VALUES (0), (1)) w (width)
        CROSS JOIN LATERAL (VALUES (1, p.type), (0, '')) t (grain, type)
        CROSS JOIN LATERAL (VALUES (2, coalesce(p.country_id, 0)), (0, -1)) g (grain, country)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (width, grain, type, country, start) DO UPDATE
        SET events = c.events + excluded.events, fatalities = c.fatalities + excluded.fatalities;
    DELETE FROM event_counts WHERE events = 0;
    DELETE FROM event_count_pending;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION event_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO event_count_pending (sign, occurred_at, type, country_id, fatalities)
        VALUES (-1, OLD.occurred_at, OLD.type, OLD.country_id, OLD.fatalities);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO event_count_pending (sign, occurred_at, type, country_id, fatalities)
        VALUES (1, NEW.occurred_at, NEW.type, NEW.country_id, NEW.fatalities);
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

-- The counts first, the numbering last (see 00005).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.committing', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('geotimeline.committing', 'on', true);
    PERFORM apply_event_counts();
    PERFORM number_changes();
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER event_count_pending_on_commit AFTER INSERT ON event_count_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION on_commit();

-- Backfill from the events already stored, as SQLite's 00006.
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
