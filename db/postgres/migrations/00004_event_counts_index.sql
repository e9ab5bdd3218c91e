-- eventCounts reads every event's instant, type, country and fatalities: a
-- covering index in time order, as SQLite's 00004, lets it read them by an
-- index-only scan.

-- +goose Up
CREATE INDEX events_counts ON events (occurred_at, type, country_id, fatalities);

-- +goose Down
DROP INDEX events_counts;
