-- The changes feed (API.md "Changes feed"): one row per record written
-- (inserted or changed) or deleted, as db/migrations/00008_change_feed.sql,
-- written by triggers on the record tables so that every write path logs
-- what it wrote in the writing transaction, and only when a record's
-- content hash changes.
--
-- Its seq is given at commit, from a counter of its own in 00005's
-- change_clock, by the same on_commit() (whose number_changes() now numbers
-- both logs): a cursor "after seq N" never skips a change that commits
-- late, on any replica.
--
-- The writer's clock: SQLite keeps it in change_feed_state.at, set by each
-- write before it writes. Here every writer would queue on that one row, so
-- the clock is the transaction-local setting geotimeline.now (Unix ms, set
-- by the store with set_config(..., true) as its write begins: Store.Now,
-- which tests replace), and the server's clock for a write that set none.
-- change_feed_state keeps the other column, the highest seq a retention
-- trim removed.

-- +goose Up
CREATE TABLE change_feed (
    id   bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq  bigint  UNIQUE, -- NULL until the writing transaction commits
    op   integer NOT NULL, -- 0 upsert, 1 delete
    kind text    COLLATE "C" NOT NULL, -- db.RefKind
    key  text    COLLATE "C" NOT NULL, -- a country's code; a relationship's identity
    at   bigint  NOT NULL -- Unix ms
);
-- The retention trim finds the old rows by time.
CREATE INDEX change_feed_at ON change_feed (at);
CREATE INDEX change_feed_unnumbered ON change_feed (id) WHERE seq IS NULL;

CREATE TABLE change_feed_state (
    one     integer PRIMARY KEY CHECK (one = 1),
    trimmed bigint  NOT NULL -- the highest seq trimmed, 0 when none
);
INSERT INTO change_feed_state (one, trimmed) VALUES (1, 0);
INSERT INTO change_clock (log, last) VALUES (1, 0);

-- +goose StatementBegin
CREATE FUNCTION change_now() RETURNS bigint LANGUAGE sql STABLE
RETURN coalesce(nullif(current_setting('geotimeline.now', true), '')::bigint,
    (extract(epoch FROM statement_timestamp()) * 1000)::bigint);
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION number_changes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n    bigint;
    base bigint;
BEGIN
    -- changes' counter, then the feed's: the one order of every writer.
    SELECT count(*) INTO n FROM changes WHERE seq IS NULL;
    IF n > 0 THEN
        UPDATE change_clock SET last = last + n WHERE log = 0 RETURNING last - n INTO base;
        UPDATE changes c SET seq = base + r.pos
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS pos FROM changes WHERE seq IS NULL) r
        WHERE c.id = r.id;
    END IF;
    SELECT count(*) INTO n FROM change_feed WHERE seq IS NULL;
    IF n > 0 THEN
        UPDATE change_clock SET last = last + n WHERE log = 1 RETURNING last - n INTO base;
        UPDATE change_feed c SET seq = base + r.pos
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS pos FROM change_feed WHERE seq IS NULL) r
        WHERE c.id = r.id;
    END IF;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER change_feed_on_commit AFTER INSERT ON change_feed
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION on_commit();

-- The tables keyed by key (TG_ARGV[0] is the db.RefKind).
-- +goose StatementBegin
CREATE FUNCTION change_feed_keyed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_feed (op, kind, key, at) VALUES (1, TG_ARGV[0], OLD.key, change_now());
    ELSE
        INSERT INTO change_feed (op, kind, key, at) VALUES (0, TG_ARGV[0], NEW.key, change_now());
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION change_feed_relationship() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_feed (op, kind, key, at) VALUES (1, 'relationship', OLD.identity, change_now());
    ELSE
        INSERT INTO change_feed (op, kind, key, at) VALUES (0, 'relationship', NEW.identity, change_now());
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION change_feed_country() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_feed (op, kind, key, at) VALUES (0, 'country', NEW.code, change_now());
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER change_feed_source_insert AFTER INSERT ON sources
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('source');
CREATE TRIGGER change_feed_source_update AFTER UPDATE ON sources
FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash) EXECUTE FUNCTION change_feed_keyed('source');
CREATE TRIGGER change_feed_source_delete AFTER DELETE ON sources
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('source');

CREATE TRIGGER change_feed_actor_insert AFTER INSERT ON actors
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('actor');
CREATE TRIGGER change_feed_actor_update AFTER UPDATE ON actors
FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash) EXECUTE FUNCTION change_feed_keyed('actor');
CREATE TRIGGER change_feed_actor_delete AFTER DELETE ON actors
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('actor');

CREATE TRIGGER change_feed_relationship_insert AFTER INSERT ON relationships
FOR EACH ROW EXECUTE FUNCTION change_feed_relationship();
CREATE TRIGGER change_feed_relationship_update AFTER UPDATE ON relationships
FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash) EXECUTE FUNCTION change_feed_relationship();
CREATE TRIGGER change_feed_relationship_delete AFTER DELETE ON relationships
FOR EACH ROW EXECUTE FUNCTION change_feed_relationship();

CREATE TRIGGER change_feed_event_insert AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('event');
CREATE TRIGGER change_feed_event_update AFTER UPDATE ON events
FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash) EXECUTE FUNCTION change_feed_keyed('event');
CREATE TRIGGER change_feed_event_delete AFTER DELETE ON events
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('event');

CREATE TRIGGER change_feed_statement_insert AFTER INSERT ON statements
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('statement');
CREATE TRIGGER change_feed_statement_update AFTER UPDATE ON statements
FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash) EXECUTE FUNCTION change_feed_keyed('statement');
CREATE TRIGGER change_feed_statement_delete AFTER DELETE ON statements
FOR EACH ROW EXECUTE FUNCTION change_feed_keyed('statement');

CREATE TRIGGER change_feed_country_insert AFTER INSERT ON countries
FOR EACH ROW WHEN (NEW.from_fixture) EXECUTE FUNCTION change_feed_country();
CREATE TRIGGER change_feed_country_update AFTER UPDATE ON countries
FOR EACH ROW WHEN (NEW.from_fixture AND (OLD.from_fixture IS DISTINCT FROM NEW.from_fixture
    OR OLD.alpha3 IS DISTINCT FROM NEW.alpha3 OR OLD.name IS DISTINCT FROM NEW.name
    OR OLD.region IS DISTINCT FROM NEW.region)) EXECUTE FUNCTION change_feed_country();

-- +goose Down
DROP TABLE change_feed_state;
DROP TABLE change_feed;
DROP FUNCTION change_feed_country;
DROP FUNCTION change_feed_relationship;
DROP FUNCTION change_feed_keyed;
DROP FUNCTION change_now;
DELETE FROM change_clock WHERE log = 1;
-- number_changes as 00005 made it: the changes log alone.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION number_changes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n    bigint;
    base bigint;
BEGIN
    SELECT count(*) INTO n FROM changes WHERE seq IS NULL;
    IF n = 0 THEN
        RETURN;
    END IF;
    UPDATE change_clock SET last = last + n WHERE log = 0 RETURNING last - n INTO base;
    UPDATE changes c SET seq = base + r.pos
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS pos FROM changes WHERE seq IS NULL) r
    WHERE c.id = r.id;
END
$$;
-- +goose StatementEnd
