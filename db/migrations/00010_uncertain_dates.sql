-- Uncertain dates (FIXTURES.md, "Uncertain dates: intervals"): an event's or
-- a statement's date may be an interval "START/END", and every item gets the
-- span it may lie in, so that filters can ask whether it overlaps or lies
-- within a window.
--
--   occurred_at, made_at, ended_at   START's instant, as before
--   precision, ended_precision       the span's precision: the coarser
--                                    end's for an interval, so that items
--                                    sort by it as FIXTURES.md says
--   occurred_interval, ended_interval, made_interval
--                                    the interval as written ("2025-04/2025-05"),
--                                    NULL for a plain date form; it is read
--                                    back only to give the written form again
--   span_end                         the exclusive end of the item's span:
--                                    of endedAt's period when an event has
--                                    one, else of occurredAt's (madeAt's)
--
-- The timeline index carries span_end beside each row's instant, so that
-- OVERLAPS and WITHIN filter the rows of one range scan. An OVERLAPS window
-- [from, to) needs the rows whose instant lies in (from - longest, to),
-- where longest is the longest span of any item: timeline_spans keeps it.
-- It only grows (a deletion leaves it), which keeps it a safe bound.

-- +goose Up
ALTER TABLE events ADD COLUMN occurred_interval TEXT;
ALTER TABLE events ADD COLUMN ended_interval TEXT;
ALTER TABLE events ADD COLUMN span_end INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statements ADD COLUMN made_interval TEXT;
ALTER TABLE statements ADD COLUMN span_end INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timeline_index ADD COLUMN span_end INTEGER NOT NULL DEFAULT 0;

-- The end of a plain date's period by its precision rank, as db.Date.End
-- computes it (every date stored so far is plain).
UPDATE events SET span_end = CASE coalesce(ended_precision, precision)
    WHEN 1 THEN unixepoch(coalesce(ended_at, occurred_at) / 1000, 'unixepoch', '+1 years') * 1000
    WHEN 2 THEN unixepoch(coalesce(ended_at, occurred_at) / 1000, 'unixepoch', '+1 months') * 1000
    WHEN 3 THEN coalesce(ended_at, occurred_at) + 86400000
    WHEN 4 THEN coalesce(ended_at, occurred_at) + 60000
    ELSE coalesce(ended_at, occurred_at) + 1 END;
UPDATE statements SET span_end = CASE precision
    WHEN 1 THEN unixepoch(made_at / 1000, 'unixepoch', '+1 years') * 1000
    WHEN 2 THEN unixepoch(made_at / 1000, 'unixepoch', '+1 months') * 1000
    WHEN 3 THEN made_at + 86400000
    WHEN 4 THEN made_at + 60000
    ELSE made_at + 1 END;
UPDATE timeline_index SET span_end = (SELECT e.span_end FROM events e WHERE e.id = timeline_index.item_id)
    WHERE kind = 0;
UPDATE timeline_index SET span_end = (SELECT s.span_end FROM statements s WHERE s.id = timeline_index.item_id)
    WHERE kind = 1;

CREATE TABLE timeline_spans (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    longest INTEGER NOT NULL
);
INSERT INTO timeline_spans (id, longest) SELECT 1, max(
    coalesce((SELECT max(span_end - occurred_at) FROM events), 0),
    coalesce((SELECT max(span_end - made_at) FROM statements), 0));

-- +goose StatementBegin
CREATE TRIGGER timeline_spans_event_insert AFTER INSERT ON events BEGIN
    UPDATE timeline_spans SET longest = NEW.span_end - NEW.occurred_at WHERE longest < NEW.span_end - NEW.occurred_at;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER timeline_spans_event_update AFTER UPDATE OF occurred_at, span_end ON events BEGIN
    UPDATE timeline_spans SET longest = NEW.span_end - NEW.occurred_at WHERE longest < NEW.span_end - NEW.occurred_at;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER timeline_spans_statement_insert AFTER INSERT ON statements BEGIN
    UPDATE timeline_spans SET longest = NEW.span_end - NEW.made_at WHERE longest < NEW.span_end - NEW.made_at;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER timeline_spans_statement_update AFTER UPDATE OF made_at, span_end ON statements BEGIN
    UPDATE timeline_spans SET longest = NEW.span_end - NEW.made_at WHERE longest < NEW.span_end - NEW.made_at;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER timeline_spans_statement_update;
DROP TRIGGER timeline_spans_statement_insert;
DROP TRIGGER timeline_spans_event_update;
DROP TRIGGER timeline_spans_event_insert;
DROP TABLE timeline_spans;
ALTER TABLE timeline_index DROP COLUMN span_end;
ALTER TABLE statements DROP COLUMN span_end;
ALTER TABLE statements DROP COLUMN made_interval;
ALTER TABLE events DROP COLUMN span_end;
ALTER TABLE events DROP COLUMN ended_interval;
ALTER TABLE events DROP COLUMN occurred_interval;
