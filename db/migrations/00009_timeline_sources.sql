-- The timeline index gets a facet for the sources an event or statement
-- cites (facet 4, facetSource in db/sqlite/timeline_index.go), so that a
-- `sources` filter and Source.events read one range of the index like the
-- other facets. Rows for the records already stored are added here; the
-- write path keeps them from now on.

-- +goose Up
INSERT OR IGNORE INTO timeline_index (facet, value, at, precision, key, kind, item_id, role)
SELECT 4, s.source_id, e.occurred_at, e.precision, e.key, 0, e.id, 0
FROM events e JOIN event_sources s ON s.event_id = e.id
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT OR IGNORE INTO timeline_index (facet, value, at, precision, key, kind, item_id, role)
SELECT 4, c.source_id, st.made_at, st.precision, st.key, 1, st.id, 0
FROM statements st JOIN statement_sources c ON c.statement_id = st.id
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8;

-- +goose Down
DELETE FROM timeline_index WHERE facet = 4;
