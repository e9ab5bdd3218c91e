-- The changes feed (API.md "Changes feed"): one row per record written
-- (inserted or changed) or deleted, of every kind a fixture writes, in
-- commit order. It is a table of its own rather than more columns of
-- `changes`: that log holds the events and statements whose timeline rows
-- were rebuilt (an actor's move to another country included, which writes
-- no record) and keeps only its newest 10 000 rows for live subscribers,
-- while the feed keeps every change for a retention of days.
--
-- Triggers write it, so that every write path — a fixture's records, a
-- delete, a cascade's set-wise rewrite of thousands of events — logs what
-- it wrote in the writing transaction without each remembering to. They
-- fire only when the content hash changes, so a record loaded again with
-- the same content logs nothing; countries only when a fixture adds or
-- changes one (the built-in ones are not records a client mirrors).
--
-- change_feed_state holds the writer's clock (at, set by each write
-- before it writes: Store.Now, which tests replace) and the highest seq a
-- retention trim removed, below which a cursor names changes no longer
-- kept. seq is AUTOINCREMENT so that a number is never reused after a trim.

-- +goose Up
CREATE TABLE change_feed (
  seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  op   INTEGER NOT NULL, -- 0 upsert, 1 delete
  kind TEXT    NOT NULL, -- db.RefKind: source, country, actor, relationship, event, statement
  key  TEXT    NOT NULL, -- a country's code; a relationship's identity (db.IdentityLabel names it)
  at   INTEGER NOT NULL  -- Unix ms
);
-- The retention trim finds the old rows by time.
CREATE INDEX change_feed_at ON change_feed (at);

CREATE TABLE change_feed_state (
  one     INTEGER PRIMARY KEY CHECK (one = 1),
  at      INTEGER NOT NULL,
  trimmed INTEGER NOT NULL -- the highest seq trimmed, 0 when none
);
INSERT INTO change_feed_state (one, at, trimmed) VALUES (1, 0, 0);

-- +goose StatementBegin
CREATE TRIGGER change_feed_source_insert AFTER INSERT ON sources BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'source', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_source_update AFTER UPDATE ON sources WHEN OLD.content_hash IS NOT NEW.content_hash BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'source', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_source_delete AFTER DELETE ON sources BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 1, 'source', OLD.key, at FROM change_feed_state;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER change_feed_actor_insert AFTER INSERT ON actors BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'actor', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_actor_update AFTER UPDATE ON actors WHEN OLD.content_hash IS NOT NEW.content_hash BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'actor', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_actor_delete AFTER DELETE ON actors BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 1, 'actor', OLD.key, at FROM change_feed_state;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER change_feed_relationship_insert AFTER INSERT ON relationships BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'relationship', NEW.identity, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_relationship_update AFTER UPDATE ON relationships WHEN OLD.content_hash IS NOT NEW.content_hash BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'relationship', NEW.identity, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_relationship_delete AFTER DELETE ON relationships BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 1, 'relationship', OLD.identity, at FROM change_feed_state;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER change_feed_event_insert AFTER INSERT ON events BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'event', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_event_update AFTER UPDATE ON events WHEN OLD.content_hash IS NOT NEW.content_hash BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'event', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_event_delete AFTER DELETE ON events BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 1, 'event', OLD.key, at FROM change_feed_state;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER change_feed_statement_insert AFTER INSERT ON statements BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'statement', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_statement_update AFTER UPDATE ON statements WHEN OLD.content_hash IS NOT NEW.content_hash BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'statement', NEW.key, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_statement_delete AFTER DELETE ON statements BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 1, 'statement', OLD.key, at FROM change_feed_state;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER change_feed_country_insert AFTER INSERT ON countries WHEN NEW.from_fixture = 1 BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'country', NEW.code, at FROM change_feed_state;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER change_feed_country_update AFTER UPDATE ON countries WHEN NEW.from_fixture = 1
  AND (OLD.from_fixture IS NOT NEW.from_fixture OR OLD.alpha3 IS NOT NEW.alpha3
    OR OLD.name IS NOT NEW.name OR OLD.region IS NOT NEW.region) BEGIN
  INSERT INTO change_feed (op, kind, key, at) SELECT 0, 'country', NEW.code, at FROM change_feed_state;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER change_feed_source_insert;
DROP TRIGGER change_feed_source_update;
DROP TRIGGER change_feed_source_delete;
DROP TRIGGER change_feed_actor_insert;
DROP TRIGGER change_feed_actor_update;
DROP TRIGGER change_feed_actor_delete;
DROP TRIGGER change_feed_relationship_insert;
DROP TRIGGER change_feed_relationship_update;
DROP TRIGGER change_feed_relationship_delete;
DROP TRIGGER change_feed_event_insert;
DROP TRIGGER change_feed_event_update;
DROP TRIGGER change_feed_event_delete;
DROP TRIGGER change_feed_statement_insert;
DROP TRIGGER change_feed_statement_update;
DROP TRIGGER change_feed_statement_delete;
DROP TRIGGER change_feed_country_insert;
DROP TRIGGER change_feed_country_update;
DROP TABLE change_feed_state;
DROP TABLE change_feed;
