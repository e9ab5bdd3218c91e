-- The graph index: every edge of the event graph in one table, so that a
-- traversal step ("all edges of these nodes, of these kinds") is a range scan
-- of the primary key whatever the size of the record tables. Like the
-- timeline index it is derived data, rewritten by the store (graph_index.go)
-- whenever the record that owns an edge is written; this migration fills it
-- for the records already stored.
--
-- A node is one INTEGER: its type code in the bits from 48 up, its row id in
-- the 48 bits below ((code << 48) | id, so row ids stay under 2^48):
--   1 actor, 2 country, 3 event, 4 statement
-- and nodes sort by type (actors, countries, events, statements), then id.
-- An owner (the record that produced an edge) is encoded the same way, with
-- code 5 for a relationship, which is not a node.
--
-- kind is the edge kind's position in db.EdgeKinds, from 1:
--   1 PARTICIPATION  actor → event        role: participant role; owner: the event
--   2 SPEAKER        actor → statement                          owner: the statement
--   3 DELIVERER      actor → statement                          owner: the statement
--   4 ADDRESSEE      statement → actor                          owner: the statement
--   5 ABOUT          statement → event                          owner: the statement
--   6 RELATIONSHIP   subject actor → object actor or country    role: relationship kind; owner: the relationship
--   7 EVENT_LINK     subject event → linked event   role: link kind; owner: the subject event
--   8 LOCATION       event → country                            owner: the event
--   9 AFFILIATION    actor → country                            owner: the actor
--
-- Each edge is stored twice, once from each end: src is the end the row is
-- read from, dst the other, and forward is 1 when src is the edge's From
-- (0 when it is its To), so one range scan finds a node's edges in both
-- directions. A self-loop gives two rows that differ by forward.
--
-- at_start and at_end bound the edge's time, in Unix ms, so that a window
-- [from, to) keeps a row when (at_start IS NULL OR at_start < to) AND
-- (at_end IS NULL OR at_end > from):
--   edges owned by an event or a statement: the owner's instant,
--     at_start = instant, at_end = instant + 1;
--   relationship: [from_at, end of the period written as `to`), NULL meaning
--     open on that side;
--   affiliation: both NULL, kept by every window.

-- +goose Up
CREATE TABLE graph_edges (
    src      INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    dst      INTEGER NOT NULL,
    forward  INTEGER NOT NULL,
    owner    INTEGER NOT NULL,
    role     TEXT    NOT NULL DEFAULT '',
    at_start INTEGER,
    at_end   INTEGER,
    -- owner and role tell apart parallel edges: two relationships between
    -- the same actors, two links of different kinds between two events.
    PRIMARY KEY (src, kind, dst, forward, owner, role)
) WITHOUT ROWID;
-- The write path deletes and rewrites an owner's edges.
CREATE INDEX graph_edges_owner ON graph_edges (owner);

-- Backfill from the records already stored: the same statements as
-- graph_index.go, for every owner at once.
INSERT OR IGNORE INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
WITH e (f, k, t, o, r, s) AS (
    SELECT (1 << 48) | p.actor_id, 1, (3 << 48) | v.id, (3 << 48) | v.id, p.role, v.occurred_at
        FROM events v JOIN event_participants p ON p.event_id = v.id
    UNION ALL SELECT (3 << 48) | v.id, 7, (3 << 48) | l.target_id, (3 << 48) | v.id, l.kind, v.occurred_at
        FROM events v JOIN event_links l ON l.event_id = v.id
    UNION ALL SELECT (3 << 48) | v.id, 8, (2 << 48) | v.country_id, (3 << 48) | v.id, '', v.occurred_at
        FROM events v WHERE v.country_id IS NOT NULL
    UNION ALL SELECT (1 << 48) | m.speaker_id, 2, (4 << 48) | m.id, (4 << 48) | m.id, '', m.made_at
        FROM statements m
    UNION ALL SELECT (1 << 48) | m.delivered_by_id, 3, (4 << 48) | m.id, (4 << 48) | m.id, '', m.made_at
        FROM statements m WHERE m.delivered_by_id IS NOT NULL
    UNION ALL SELECT (4 << 48) | m.id, 4, (1 << 48) | d.actor_id, (4 << 48) | m.id, '', m.made_at
        FROM statements m JOIN statement_addressees d ON d.statement_id = m.id
    UNION ALL SELECT (4 << 48) | m.id, 5, (3 << 48) | b.event_id, (4 << 48) | m.id, '', m.made_at
        FROM statements m JOIN statement_about b ON b.statement_id = m.id
)
SELECT f, k, t, 1, o, r, s, s + 1 FROM e
UNION ALL SELECT t, k, f, 0, o, r, s, s + 1 FROM e;

INSERT OR IGNORE INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
WITH e (f, k, t, o, r, s, x) AS (
    SELECT (1 << 48) | a.id, 9, (2 << 48) | a.country_id, (1 << 48) | a.id, '', NULL, NULL
        FROM actors a WHERE a.country_id IS NOT NULL
    UNION ALL SELECT (1 << 48) | r.subject_id, 6,
            CASE WHEN r.object_actor_id IS NOT NULL THEN (1 << 48) | r.object_actor_id
                 ELSE (2 << 48) | r.object_country_id END,
            (5 << 48) | r.id, r.kind, r.from_at,
            -- the end of the period `to` names, by its precision rank
            CASE r.to_precision
                WHEN 1 THEN unixepoch(r.to_at / 1000, 'unixepoch', '+1 years') * 1000
                WHEN 2 THEN unixepoch(r.to_at / 1000, 'unixepoch', '+1 months') * 1000
                WHEN 3 THEN r.to_at + 86400000
                WHEN 4 THEN r.to_at + 60000
                ELSE r.to_at + 1 END
        FROM relationships r
)
SELECT f, k, t, 1, o, r, s, x FROM e
UNION ALL SELECT t, k, f, 0, o, r, s, x FROM e;

-- +goose Down
DROP TABLE graph_edges;
