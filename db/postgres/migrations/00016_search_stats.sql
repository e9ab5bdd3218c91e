-- The totals search ranks with, kept rather than counted, as
-- db/migrations/00016_search_stats.sql: the rows of the full-text index and
-- the tokens of their titles and bodies. SQLite's FTS4 keeps these itself
-- (its %_stat table), and its BM25 divides a row's length by the average of
-- every row's; without them this store averaged the rows a search matched,
-- and ranked close hits in another order, and counted the whole index at
-- every search.
--
-- search_text's writers note what their statements add and take away in
-- search_stat_pending (one row a statement, from its transition tables),
-- and on_commit adds the notes up into the one row of search_stats, as
-- 00012 does for the kept counts: the row is locked at commit only, before
-- the change logs' counters, so writers in several processes do not queue
-- on it for the length of their transactions.
--
-- A document's title tokens are its positions weighted A, its body's those
-- weighted B (00003's search_document), as the store counts them in a
-- document's text form (search.go), but for the positions of hyphenated
-- words: the parser gives "Timor-Leste" three, 'timor-leste', 'timor' and
-- 'leste', where FTS4's tokenizer sees two tokens, and only the compound
-- holds a hyphen.

-- +goose Up
CREATE TABLE search_stats (
    id           integer PRIMARY KEY CHECK (id = 0),
    docs         bigint  NOT NULL,
    title_tokens bigint  NOT NULL,
    body_tokens  bigint  NOT NULL
);

CREATE TABLE search_stat_pending (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    docs         bigint NOT NULL,
    title_tokens bigint NOT NULL,
    body_tokens  bigint NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION search_tokens(document tsvector, OUT title bigint, OUT body bigint)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT ROW(count(*) FILTER (WHERE w = 'A'), count(*) FILTER (WHERE w = 'B'))
    FROM unnest(document) u, unnest(u.weights) w WHERE strpos(u.lexeme, '-') = 0);
-- +goose StatementEnd

INSERT INTO search_stats (id, docs, title_tokens, body_tokens)
SELECT 0, count(*), coalesce(sum(t.title), 0), coalesce(sum(t.body), 0)
FROM search_text s, search_tokens(s.document) t;

-- +goose StatementBegin
CREATE FUNCTION search_stats_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO search_stat_pending (docs, title_tokens, body_tokens)
        SELECT -count(*), -coalesce(sum(t.title), 0), -coalesce(sum(t.body), 0)
        FROM old_rows o, search_tokens(o.document) t
        HAVING count(*) > 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search_stat_pending (docs, title_tokens, body_tokens)
        SELECT count(*), coalesce(sum(t.title), 0), coalesce(sum(t.body), 0)
        FROM new_rows n, search_tokens(n.document) t
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER search_stats_insert AFTER INSERT ON search_text
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_stats_note();
CREATE TRIGGER search_stats_delete AFTER DELETE ON search_text
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_stats_note();
CREATE TRIGGER search_stats_update AFTER UPDATE ON search_text
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_stats_note();

-- +goose StatementBegin
CREATE FUNCTION apply_search_stats() RETURNS void LANGUAGE sql AS $$
    UPDATE search_stats s SET docs = s.docs + p.docs, title_tokens = s.title_tokens + p.title_tokens,
        body_tokens = s.body_tokens + p.body_tokens
    FROM (SELECT sum(docs) AS docs, sum(title_tokens) AS title_tokens, sum(body_tokens) AS body_tokens
        FROM search_stat_pending HAVING count(*) > 0) p
    WHERE s.id = 0;
    DELETE FROM search_stat_pending;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.committing', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('geotimeline.committing', 'on', true);
    PERFORM apply_event_counts();
    PERFORM apply_search_stats();
    PERFORM number_changes();
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER search_stat_pending_on_commit AFTER INSERT ON search_stat_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION on_commit();

-- +goose Down
DROP TRIGGER search_stat_pending_on_commit ON search_stat_pending;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('geotimeline.committing', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('geotimeline.committing', 'on', true);
    PERFORM apply_event_counts();
    PERFORM number_changes();
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP FUNCTION apply_search_stats;
DROP TRIGGER search_stats_update ON search_text;
DROP TRIGGER search_stats_delete ON search_text;
DROP TRIGGER search_stats_insert ON search_text;
DROP FUNCTION search_stats_note;
DROP FUNCTION search_tokens;
DROP TABLE search_stat_pending;
DROP TABLE search_stats;
