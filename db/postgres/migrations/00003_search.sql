-- The full-text index of actors, events and statements, read by search and
-- by the timeline's text filter: SQLite's FTS4 table (db/migrations/
-- 00003_search.sql) as a tsvector column with a GIN index.
--
-- One row per record, keyed by the same docid (id * 4 + kind, kind 0
-- actor, 1 event, 2 statement), with the same title and body texts; the
-- document weighs title words A and body words B, for search's "title hits
-- count twice".
--
-- search_document is what FTS4's unicode61 tokenizer with
-- remove_diacritics=2 does: unaccent folds "Pähalgam" to "Pahalgam", the
-- 'simple' configuration lowercases and splits on what is not a letter or
-- a digit, and stems nothing (SQLite's does not either). It is declared
-- IMMUTABLE though unaccent is STABLE (its dictionary is a file that could
-- change): the documents stay as written until rewritten, as SQLite's do.
-- unaccent is a trusted extension (PostgreSQL 13+), which a database owner
-- may create without being a superuser. Queries build their tsquery from
-- quoted tokens with the same function, never to_tsquery of user input.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;

-- +goose StatementBegin
CREATE FUNCTION search_document(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN setweight(to_tsvector('simple'::regconfig, unaccent('unaccent'::regdictionary, title)), 'A')
    || setweight(to_tsvector('simple'::regconfig, unaccent('unaccent'::regdictionary, body)), 'B');
-- +goose StatementEnd

CREATE TABLE search_text (
    docid    bigint   PRIMARY KEY,
    document tsvector NOT NULL
);
CREATE INDEX search_text_document ON search_text USING gin (document);

INSERT INTO search_text (docid, document)
SELECT a.id * 4, search_document(a.name || coalesce(chr(10) || (SELECT string_agg(alias, chr(10) ORDER BY position)
    FROM actor_aliases WHERE actor_id = a.id), ''), a.description)
FROM actors a;

INSERT INTO search_text (docid, document)
SELECT e.id * 4 + 1, search_document(e.title, e.summary || coalesce(chr(10) || (SELECT string_agg(tag, chr(10) ORDER BY position)
    FROM event_tags WHERE event_id = e.id), ''))
FROM events e;

INSERT INTO search_text (docid, document)
SELECT s.id * 4 + 2, search_document(s.text, s.summary)
FROM statements s;

-- +goose Down
DROP TABLE search_text;
DROP FUNCTION search_document;
