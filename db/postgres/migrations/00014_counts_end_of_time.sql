-- SQLite's 00014 lets an event in December 9999 be counted: its date
-- functions give NULL for the year 10000, where that month and year end.
-- PostgreSQL's timestamps reach the year 294276, so 00012's
-- apply_event_counts already gives 10000-01-01T00:00:00Z (253402300800 s)
-- for those ends, the value SQLite's fix writes. The version is kept so that
-- both stores number their schemas alike.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
