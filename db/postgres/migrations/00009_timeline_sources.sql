-- The timeline index's facet 4, the sources an event or statement cites, as
-- db/migrations/00009_timeline_sources.sql: rows for the records already
-- stored; the write path keeps them from now on.

-- +goose Up
INSERT INTO timeline_index (facet, value, at, precision, key, kind, item_id, role)
SELECT 4, s.source_id, e.occurred_at, e.precision, e.key, 0, e.id, 0
FROM events e JOIN event_sources s ON s.event_id = e.id
ON CONFLICT DO NOTHING;

INSERT INTO timeline_index (facet, value, at, precision, key, kind, item_id, role)
SELECT 4, c.source_id, st.made_at, st.precision, st.key, 1, st.id, 0
FROM statements st JOIN statement_sources c ON c.statement_id = st.id
ON CONFLICT DO NOTHING;

-- +goose Down
DELETE FROM timeline_index WHERE facet = 4;
