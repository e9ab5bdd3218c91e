-- The kept counts gain the events by their participants' countries: grain
-- bit 4 (4 over all types, 5 by type) holds, for each country, the events
-- with at least one participant from it, in the country column, by day,
-- month and year as the other grains. An event with two participants from
-- one country counts once there; participants without a country count
-- nowhere, as eventCounts(groupBy: PARTICIPANT_COUNTRY) reads the events.
-- The dashboard's map shaded by participants asks this over the whole
-- extent: at 1M generated events reading the events took 3.6 s (a DISTINCT
-- of 2.6M participant rows, then the join and grouping).
--
-- The counts depend on three tables, so triggers on each keep them:
--  - a participant added (removed) adds (takes away) the event in the
--    actor's country unless another participant of the event is from it;
--  - an event's time, type or figures changed moves it, in each of its
--    participants' countries, as the other grains' trigger moves it;
--  - an event deleted takes itself away from them BEFORE the delete, while
--    its participants are there: SQLite deletes the event row before its
--    ON DELETE CASCADE removes the participants, whose trigger then finds
--    no event and writes nothing;
--  - an actor's country changed moves each of its events from the old
--    country to the new one, where no other participant keeps it there.
-- All write through participant_count_changes, whose INSTEAD OF trigger
-- is event_count_change's for this grain. A paused write (event_counts_paused)
-- rebuilds these with the others (db/sqlite/event_counts.go).

-- +goose Up
CREATE VIEW participant_count_changes (sign, occurred_at, span_end, type, country_id, fatalities, fatalities_low,
    fatalities_high, intensity) AS
SELECT 0, 0, 0, '', 0, 0, 0, 0, 0 WHERE false;

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

-- +goose StatementBegin
CREATE TRIGGER participant_counts_insert AFTER INSERT ON event_participants
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO participant_count_changes
    SELECT 1, e.occurred_at, e.span_end, e.type, a.country_id, e.fatalities, e.fatalities_low, e.fatalities_high, e.intensity
    FROM events e, actors a
    WHERE e.id = NEW.event_id AND a.id = NEW.actor_id AND a.country_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM event_participants p JOIN actors o ON o.id = p.actor_id
            WHERE p.event_id = NEW.event_id AND p.actor_id <> NEW.actor_id AND o.country_id = a.country_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER participant_counts_delete AFTER DELETE ON event_participants
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO participant_count_changes
    SELECT -1, e.occurred_at, e.span_end, e.type, a.country_id, e.fatalities, e.fatalities_low, e.fatalities_high, e.intensity
    FROM events e, actors a
    WHERE e.id = OLD.event_id AND a.id = OLD.actor_id AND a.country_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM event_participants p JOIN actors o ON o.id = p.actor_id
            WHERE p.event_id = OLD.event_id AND p.actor_id <> OLD.actor_id AND o.country_id = a.country_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER participant_counts_event_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO participant_count_changes
    SELECT -1, OLD.occurred_at, OLD.span_end, OLD.type, c.country_id, OLD.fatalities, OLD.fatalities_low, OLD.fatalities_high,
        OLD.intensity
    FROM (SELECT DISTINCT a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE p.event_id = OLD.id AND a.country_id IS NOT NULL) c;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER participant_counts_event_update AFTER UPDATE OF occurred_at, span_end, type, fatalities, fatalities_low,
    fatalities_high, intensity ON events
WHEN NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO participant_count_changes
    SELECT s.sign, CASE s.sign WHEN 1 THEN NEW.occurred_at ELSE OLD.occurred_at END,
        CASE s.sign WHEN 1 THEN NEW.span_end ELSE OLD.span_end END, CASE s.sign WHEN 1 THEN NEW.type ELSE OLD.type END,
        c.country_id, CASE s.sign WHEN 1 THEN NEW.fatalities ELSE OLD.fatalities END,
        CASE s.sign WHEN 1 THEN NEW.fatalities_low ELSE OLD.fatalities_low END,
        CASE s.sign WHEN 1 THEN NEW.fatalities_high ELSE OLD.fatalities_high END,
        CASE s.sign WHEN 1 THEN NEW.intensity ELSE OLD.intensity END
    FROM (SELECT DISTINCT a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE p.event_id = NEW.id AND a.country_id IS NOT NULL) c,
        (SELECT -1 AS sign UNION ALL SELECT 1) s;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER participant_counts_actor_update AFTER UPDATE OF country_id ON actors
WHEN OLD.country_id IS NOT NEW.country_id AND NOT EXISTS (SELECT 1 FROM event_counts_paused) BEGIN
    INSERT INTO participant_count_changes
    SELECT c.sign, e.occurred_at, e.span_end, e.type, c.country_id, e.fatalities, e.fatalities_low, e.fatalities_high,
        e.intensity
    FROM event_participants p JOIN events e ON e.id = p.event_id,
        (SELECT -1 AS sign, OLD.country_id AS country_id UNION ALL SELECT 1, NEW.country_id) c
    WHERE p.actor_id = NEW.id AND c.country_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM event_participants q JOIN actors o ON o.id = q.actor_id
            WHERE q.event_id = p.event_id AND q.actor_id <> NEW.id AND o.country_id = c.country_id);
END;
-- +goose StatementEnd

-- The backfill, as the store's rebuild (db/sqlite/event_counts.go): the
-- day rows from the events, the month rows from the days, the year rows
-- from the months.
INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week,
    certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + 4,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    e.country, e.day,
    count(*), sum(e.span_end <= e.day + 86400000),
    sum(e.span_end <= e.day - (((e.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
    sum(e.span_end <= coalesce(unixepoch(e.day / 1000, 'unixepoch', 'start of month', '+1 months'), 253402300800) * 1000),
    sum(e.span_end <= coalesce(unixepoch(e.day / 1000, 'unixepoch', 'start of year', '+1 years'), 253402300800) * 1000),
    sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)
FROM (SELECT ev.occurred_at - ((ev.occurred_at % 86400000) + 86400000) % 86400000 AS day, ev.span_end, ev.type,
        pc.country_id AS country, coalesce(ev.fatalities, 0) AS fatalities, ev.fatalities_low, ev.fatalities_high,
        ev.intensity
    FROM (SELECT DISTINCT p.event_id, a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE a.country_id IS NOT NULL) pc
    JOIN events ev ON ev.id = pc.event_id) e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t
GROUP BY 2, 3, 4, 5;

INSERT INTO event_counts (width, grain, type, country, start, events, certain_day,
    certain_week, certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 1, grain, type, country, unixepoch(start / 1000, 'unixepoch', 'start of month') * 1000,
    sum(events), sum(certain_day), sum(certain_week), sum(certain_month), sum(certain_year),
    sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM event_counts WHERE width = 0 AND grain >= 4
GROUP BY grain, type, country, 5;

INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 2, grain, type, country, unixepoch(start / 1000, 'unixepoch', 'start of year') * 1000,
    sum(events), sum(certain_day), sum(certain_week), sum(certain_month), sum(certain_year),
    sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM event_counts WHERE width = 1 AND grain >= 4
GROUP BY grain, type, country, 5;

-- +goose Down
DROP TRIGGER participant_counts_actor_update;
DROP TRIGGER participant_counts_event_update;
DROP TRIGGER participant_counts_event_delete;
DROP TRIGGER participant_counts_delete;
DROP TRIGGER participant_counts_insert;
DROP TRIGGER participant_count_change;
DROP VIEW participant_count_changes;
DELETE FROM event_counts WHERE grain >= 4;
