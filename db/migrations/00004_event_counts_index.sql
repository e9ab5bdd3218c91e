-- eventCounts reads every event's instant, type, country and fatalities: a
-- covering index in time order lets it scan those four columns alone, in
-- day order, instead of every row of the wide events table.

-- +goose Up
CREATE INDEX events_counts ON events (occurred_at, type, country_id, fatalities);

-- +goose Down
DROP INDEX events_counts;
