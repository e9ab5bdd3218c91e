-- The graph index: every edge of the event graph in one table, each stored
-- once from each end, as db/migrations/00002_graph_edges.sql (read it for
-- the node encoding, (type code << 48) | row id, the edge kinds and the
-- time bounds at_start, at_end).
--
-- Also the date arithmetic the schema needs, as SQL functions that
-- PostgreSQL may inline and index: SQLite's unixepoch(x, 'unixepoch',
-- '+1 months') and 'start of month'. Instants are Unix ms; like SQLite's,
-- these work on whole seconds (ms / 1000 truncates), which every date of a
-- coarse precision is.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION ms_shift(ms bigint, step interval) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (extract(epoch FROM timestamp 'epoch' + (ms / 1000) * interval '1 second' + step) * 1000)::bigint;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION ms_trunc(field text, ms bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (extract(epoch FROM date_trunc(field, timestamp 'epoch' + (ms / 1000) * interval '1 second')) * 1000)::bigint;
-- +goose StatementEnd

-- The exclusive end of the period a date of this precision rank names, as
-- db.Date.End: NULL for no date.
-- +goose StatementBegin
CREATE FUNCTION ms_period_end(at bigint, prec integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE prec
    WHEN 1 THEN ms_shift(at, interval '1 year')
    WHEN 2 THEN ms_shift(at, interval '1 month')
    WHEN 3 THEN at + 86400000
    WHEN 4 THEN at + 60000
    ELSE at + 1 END;
-- +goose StatementEnd

CREATE TABLE graph_edges (
    src      bigint  NOT NULL,
    kind     integer NOT NULL,
    dst      bigint  NOT NULL,
    forward  integer NOT NULL,
    owner    bigint  NOT NULL,
    role     text    COLLATE "C" NOT NULL DEFAULT '',
    at_start bigint,
    at_end   bigint,
    PRIMARY KEY (src, kind, dst, forward, owner, role)
);
-- The write path deletes and rewrites an owner's edges.
CREATE INDEX graph_edges_owner ON graph_edges (owner);

-- Backfill from the records already stored, as SQLite's 00002.
INSERT INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
WITH e (f, k, t, o, r, s) AS (
    SELECT (1::bigint << 48) | p.actor_id, 1, (3::bigint << 48) | v.id, (3::bigint << 48) | v.id, p.role, v.occurred_at
        FROM events v JOIN event_participants p ON p.event_id = v.id
    UNION ALL SELECT (3::bigint << 48) | v.id, 7, (3::bigint << 48) | l.target_id, (3::bigint << 48) | v.id, l.kind, v.occurred_at
        FROM events v JOIN event_links l ON l.event_id = v.id
    UNION ALL SELECT (3::bigint << 48) | v.id, 8, (2::bigint << 48) | v.country_id, (3::bigint << 48) | v.id, '', v.occurred_at
        FROM events v WHERE v.country_id IS NOT NULL
    UNION ALL SELECT (1::bigint << 48) | m.speaker_id, 2, (4::bigint << 48) | m.id, (4::bigint << 48) | m.id, '', m.made_at
        FROM statements m
    UNION ALL SELECT (1::bigint << 48) | m.delivered_by_id, 3, (4::bigint << 48) | m.id, (4::bigint << 48) | m.id, '', m.made_at
        FROM statements m WHERE m.delivered_by_id IS NOT NULL
    UNION ALL SELECT (4::bigint << 48) | m.id, 4, (1::bigint << 48) | d.actor_id, (4::bigint << 48) | m.id, '', m.made_at
        FROM statements m JOIN statement_addressees d ON d.statement_id = m.id
    UNION ALL SELECT (4::bigint << 48) | m.id, 5, (3::bigint << 48) | b.event_id, (4::bigint << 48) | m.id, '', m.made_at
        FROM statements m JOIN statement_about b ON b.statement_id = m.id
)
SELECT f, k, t, 1, o, r, s, s + 1 FROM e
UNION ALL SELECT t, k, f, 0, o, r, s, s + 1 FROM e
ON CONFLICT DO NOTHING;

INSERT INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
WITH e (f, k, t, o, r, s, x) AS (
    SELECT (1::bigint << 48) | a.id, 9, (2::bigint << 48) | a.country_id, (1::bigint << 48) | a.id, ''::text,
            NULL::bigint, NULL::bigint
        FROM actors a WHERE a.country_id IS NOT NULL
    UNION ALL SELECT (1::bigint << 48) | r.subject_id, 6,
            CASE WHEN r.object_actor_id IS NOT NULL THEN (1::bigint << 48) | r.object_actor_id
                 ELSE (2::bigint << 48) | r.object_country_id END,
            (5::bigint << 48) | r.id, r.kind, r.from_at, ms_period_end(r.to_at, r.to_precision)
        FROM relationships r
)
SELECT f, k, t, 1, o, r, s, x FROM e
UNION ALL SELECT t, k, f, 0, o, r, s, x FROM e
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE graph_edges;
DROP FUNCTION ms_period_end;
DROP FUNCTION ms_trunc;
DROP FUNCTION ms_shift;
