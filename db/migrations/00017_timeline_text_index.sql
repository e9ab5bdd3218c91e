-- Nothing changes in SQLite: its timeline's text filter already finds a
-- rare word's items from the word's matches (timeline.go counts them, up
-- to a bound, and starts from them when they are few; FTS4 reads a
-- doclist incrementally, so the count costs no more than the bound). The
-- PostgreSQL store gains the index that lets its planner do the same
-- (db/postgres/migrations/00017_timeline_text_index.sql); the two stores
-- number their schemas alike, so that version 17 means the same on both.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
