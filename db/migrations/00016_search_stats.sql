-- Nothing changes in SQLite: its FTS4 table keeps the totals search ranks
-- with (the rows, and the tokens of each column, in search_text_stat).
-- The PostgreSQL store keeps them from this version on
-- (db/postgres/migrations/00016_search_stats.sql); the two stores number
-- their schemas alike, so that version 16 means the same on both.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
