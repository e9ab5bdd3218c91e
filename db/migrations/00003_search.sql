-- The full-text index of actors, events and statements, read by search and
-- by the timeline's text filter.
--
-- SQLite only: FTS4 (compiled into go-sqlite3's default build; FTS5 is not)
-- with the unicode61 tokenizer, which folds case, splits on anything that is
-- not a letter or a number and, with remove_diacritics=2, finds "Pähalgam"
-- under "pahalgam". A PostgreSQL port replaces this file with a tsvector
-- column and a GIN index.
--
-- One row per record, keyed by its docid alone, so the table needs no other
-- columns: docid = id * 4 + kind, kind 0 actor, 1 event, 2 statement (an
-- event's docid is thus item_id * 4 + timeline kind + 1). What goes where:
--   actors:     title = name and aliases,  body = description
--   events:     title = title,             body = summary and tags
--   statements: title = text,              body = summary
-- Search weighs title hits twice as much as body hits.
--
-- It is derived data: the store's write path (db/sqlite/search_index.go)
-- rewrites a record's row whenever its content changes, with the same
-- SELECTs as the backfill below, which indexes what an existing database
-- already holds.

-- +goose Up
CREATE VIRTUAL TABLE search_text USING fts4 (title, body, tokenize=unicode61 "remove_diacritics=2");

INSERT INTO search_text (docid, title, body)
SELECT a.id * 4, a.name || coalesce(char(10) || (SELECT group_concat(alias, char(10) ORDER BY position)
    FROM actor_aliases WHERE actor_id = a.id), ''), a.description
FROM actors a;

INSERT INTO search_text (docid, title, body)
SELECT e.id * 4 + 1, e.title, e.summary || coalesce(char(10) || (SELECT group_concat(tag, char(10) ORDER BY position)
    FROM event_tags WHERE event_id = e.id), '')
FROM events e;

INSERT INTO search_text (docid, title, body)
SELECT s.id * 4 + 2, s.text, s.summary
FROM statements s;

-- +goose Down
DROP TABLE search_text;
