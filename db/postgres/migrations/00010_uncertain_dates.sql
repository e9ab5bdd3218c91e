-- Uncertain dates: intervals, every item's span end, and timeline_spans'
-- longest span, as db/migrations/00010_uncertain_dates.sql (read it for
-- what each column holds and why).

-- +goose Up
ALTER TABLE events ADD COLUMN occurred_interval text COLLATE "C";
ALTER TABLE events ADD COLUMN ended_interval text COLLATE "C";
ALTER TABLE events ADD COLUMN span_end bigint NOT NULL DEFAULT 0;
ALTER TABLE statements ADD COLUMN made_interval text COLLATE "C";
ALTER TABLE statements ADD COLUMN span_end bigint NOT NULL DEFAULT 0;
ALTER TABLE timeline_index ADD COLUMN span_end bigint NOT NULL DEFAULT 0;

UPDATE events SET span_end = ms_period_end(coalesce(ended_at, occurred_at), coalesce(ended_precision, precision));
UPDATE statements SET span_end = ms_period_end(made_at, precision);
UPDATE timeline_index t SET span_end = e.span_end FROM events e WHERE t.kind = 0 AND e.id = t.item_id;
UPDATE timeline_index t SET span_end = s.span_end FROM statements s WHERE t.kind = 1 AND s.id = t.item_id;

CREATE TABLE timeline_spans (
    id      integer PRIMARY KEY CHECK (id = 1),
    longest bigint  NOT NULL
);
INSERT INTO timeline_spans (id, longest) SELECT 1, greatest(
    coalesce((SELECT max(span_end - occurred_at) FROM events), 0),
    coalesce((SELECT max(span_end - made_at) FROM statements), 0));

-- Only a longer span than any before updates (and so locks) the row: most
-- writes leave it, and concurrent writers do not queue on it.
-- +goose StatementBegin
CREATE FUNCTION timeline_spans_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE timeline_spans SET longest = NEW.span_end - NEW.occurred_at WHERE longest < NEW.span_end - NEW.occurred_at;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION timeline_spans_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE timeline_spans SET longest = NEW.span_end - NEW.made_at WHERE longest < NEW.span_end - NEW.made_at;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER timeline_spans_event_insert AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION timeline_spans_event();
CREATE TRIGGER timeline_spans_event_update AFTER UPDATE OF occurred_at, span_end ON events
FOR EACH ROW EXECUTE FUNCTION timeline_spans_event();
CREATE TRIGGER timeline_spans_statement_insert AFTER INSERT ON statements
FOR EACH ROW EXECUTE FUNCTION timeline_spans_statement();
CREATE TRIGGER timeline_spans_statement_update AFTER UPDATE OF made_at, span_end ON statements
FOR EACH ROW EXECUTE FUNCTION timeline_spans_statement();

-- +goose Down
DROP TRIGGER timeline_spans_statement_update ON statements;
DROP TRIGGER timeline_spans_statement_insert ON statements;
DROP TRIGGER timeline_spans_event_update ON events;
DROP TRIGGER timeline_spans_event_insert ON events;
DROP FUNCTION timeline_spans_statement;
DROP FUNCTION timeline_spans_event;
DROP TABLE timeline_spans;
ALTER TABLE timeline_index DROP COLUMN span_end;
ALTER TABLE statements DROP COLUMN span_end;
ALTER TABLE statements DROP COLUMN made_interval;
ALTER TABLE events DROP COLUMN span_end;
ALTER TABLE events DROP COLUMN ended_interval;
ALTER TABLE events DROP COLUMN occurred_interval;
