-- The kept counts gain the events by their participants' countries (grain
-- bit 4), as db/migrations/00020_participant_country_counts.sql (read it for
-- why, and for what each trigger keeps). Here the triggers note the changes
-- in event_count_pending, with participants true: for such a note
-- apply_event_counts writes grains 4 and 5 only, keyed by the participant's
-- country, and no span counts. A bulk load pauses them with the others
-- (geotimeline.counts_paused) and notes its events' participants' countries
-- itself (db/postgres/bulk.go).
--
-- The triggers on participants and actors run BEFORE each row changes:
-- an AFTER row trigger runs once the whole statement is done, so two
-- participants of one country inserted by one statement would each find
-- the other and neither count, where a BEFORE trigger sees the rows before
-- it, as SQLite's AFTER triggers do. An event deleted takes itself away
-- BEFORE the delete too, while its participants are there: the ON DELETE
-- CASCADE that removes them runs after the event row is gone, so their
-- trigger finds no event then.

-- +goose Up
ALTER TABLE event_count_pending ADD COLUMN participants boolean NOT NULL DEFAULT false;

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

-- +goose StatementBegin
CREATE FUNCTION participant_counts_participant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
    sign integer := 1;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD;
        sign := -1;
    ELSE
        r := NEW;
    END IF;
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN r;
    END IF;
    INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
        fatalities_high, intensity, participants)
    SELECT sign, e.occurred_at, e.span_end, e.type, a.country_id, e.fatalities, e.fatalities_low, e.fatalities_high,
        e.intensity, true
    FROM events e, actors a
    WHERE e.id = r.event_id AND a.id = r.actor_id AND a.country_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM event_participants p JOIN actors o ON o.id = p.actor_id
            WHERE p.event_id = r.event_id AND p.actor_id <> r.actor_id AND o.country_id = a.country_id);
    RETURN r;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER participant_counts_insert BEFORE INSERT ON event_participants
FOR EACH ROW EXECUTE FUNCTION participant_counts_participant();
CREATE TRIGGER participant_counts_delete BEFORE DELETE ON event_participants
FOR EACH ROW EXECUTE FUNCTION participant_counts_participant();

-- +goose StatementBegin
CREATE FUNCTION participant_counts_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN OLD;
    END IF;
    INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
        fatalities_high, intensity, participants)
    SELECT -1, OLD.occurred_at, OLD.span_end, OLD.type, c.country_id, OLD.fatalities, OLD.fatalities_low,
        OLD.fatalities_high, OLD.intensity, true
    FROM (SELECT DISTINCT a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE p.event_id = OLD.id AND a.country_id IS NOT NULL) c;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
            fatalities_high, intensity, participants)
        SELECT 1, NEW.occurred_at, NEW.span_end, NEW.type, c.country_id, NEW.fatalities, NEW.fatalities_low,
            NEW.fatalities_high, NEW.intensity, true
        FROM (SELECT DISTINCT a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
            WHERE p.event_id = NEW.id AND a.country_id IS NOT NULL) c;
    END IF;
    RETURN OLD;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER participant_counts_event_delete BEFORE DELETE ON events
FOR EACH ROW EXECUTE FUNCTION participant_counts_event();
CREATE TRIGGER participant_counts_event_update AFTER UPDATE OF occurred_at, span_end, type, fatalities, fatalities_low,
    fatalities_high, intensity ON events
FOR EACH ROW EXECUTE FUNCTION participant_counts_event();

-- +goose StatementBegin
CREATE FUNCTION participant_counts_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.counts_paused', true) = 'on' THEN
        RETURN NEW;
    END IF;
    INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
        fatalities_high, intensity, participants)
    SELECT c.sign, e.occurred_at, e.span_end, e.type, c.country_id, e.fatalities, e.fatalities_low, e.fatalities_high,
        e.intensity, true
    FROM event_participants p JOIN events e ON e.id = p.event_id,
        (VALUES (-1, OLD.country_id), (1, NEW.country_id)) c (sign, country_id)
    WHERE p.actor_id = NEW.id AND c.country_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM event_participants q JOIN actors o ON o.id = q.actor_id
            WHERE q.event_id = p.event_id AND q.actor_id <> NEW.id AND o.country_id = c.country_id);
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER participant_counts_actor_update BEFORE UPDATE OF country_id ON actors
FOR EACH ROW WHEN (OLD.country_id IS DISTINCT FROM NEW.country_id) EXECUTE FUNCTION participant_counts_actor();

-- The backfill: the events by each country of their participants, by day,
-- month and year.
INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT w.width, t.grain + 4,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    e.country,
    CASE w.width WHEN 0 THEN e.day WHEN 1 THEN ms_trunc('month', e.day) ELSE ms_trunc('year', e.day) END,
    count(*), count(*) FILTER (WHERE e.span_end <= e.day + 86400000),
    count(*) FILTER (WHERE e.span_end <= e.day - (((e.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
    count(*) FILTER (WHERE e.span_end <= ms_shift(ms_trunc('month', e.day), interval '1 month')),
    count(*) FILTER (WHERE e.span_end <= ms_shift(ms_trunc('year', e.day), interval '1 year')),
    sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT ev.occurred_at - ((ev.occurred_at % 86400000) + 86400000) % 86400000 AS day, ev.span_end, ev.type,
        pc.country_id AS country, coalesce(ev.fatalities, 0) AS fatalities, ev.fatalities_low, ev.fatalities_high,
        ev.intensity
    FROM (SELECT DISTINCT p.event_id, a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE a.country_id IS NOT NULL) pc
    JOIN events ev ON ev.id = pc.event_id) e,
    (VALUES (0), (1), (2)) w (width),
    (VALUES (0), (1)) t (grain)
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
DROP TRIGGER participant_counts_actor_update ON actors;
DROP TRIGGER participant_counts_event_update ON events;
DROP TRIGGER participant_counts_event_delete ON events;
DROP TRIGGER participant_counts_delete ON event_participants;
DROP TRIGGER participant_counts_insert ON event_participants;
DROP FUNCTION participant_counts_actor;
DROP FUNCTION participant_counts_event;
DROP FUNCTION participant_counts_participant;
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
    WHERE p.span_end > d.day + 86400000 AND (w.width = 0 OR ms_trunc('month', d.last) > ms_trunc('month', d.day))
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
DELETE FROM event_counts WHERE grain >= 4;
DELETE FROM event_count_pending WHERE participants;
ALTER TABLE event_count_pending DROP COLUMN participants;
