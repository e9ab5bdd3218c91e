-- The event graph: records, their lists, and the timeline index.
-- Instants are Unix milliseconds (UTC); precisions are ranks 1 (YEAR) to
-- 5 (SECOND), so that ORDER BY at, precision sorts coarser first.
-- content_hash lets an upsert of unchanged content leave the row (and its
-- updated_at) untouched.

-- +goose Up
CREATE TABLE countries (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,  -- ISO 3166-1 alpha-2
    alpha3       TEXT    NOT NULL DEFAULT '',
    name         TEXT    NOT NULL,
    region       TEXT    NOT NULL DEFAULT '',
    from_fixture INTEGER NOT NULL DEFAULT 0 -- 1 when a fixture added or overrode it; export writes these
);

CREATE TABLE sources (
    id                  INTEGER PRIMARY KEY,
    key                 TEXT    NOT NULL UNIQUE,
    url                 TEXT    NOT NULL DEFAULT '',
    title               TEXT    NOT NULL DEFAULT '',
    publisher           TEXT    NOT NULL DEFAULT '',
    author              TEXT    NOT NULL DEFAULT '',
    published_at        INTEGER,
    published_precision INTEGER,
    content_hash        BLOB    NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE actors (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    country_id   INTEGER REFERENCES countries (id),
    description  TEXT    NOT NULL DEFAULT '',
    content_hash BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX actors_country ON actors (country_id, key);

CREATE TABLE actor_aliases (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    alias    TEXT    NOT NULL,
    PRIMARY KEY (actor_id, position)
);

CREATE TABLE actor_sources (
    actor_id  INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    PRIMARY KEY (actor_id, position)
);
CREATE INDEX actor_sources_source ON actor_sources (source_id);

CREATE TABLE relationships (
    id                INTEGER PRIMARY KEY,
    key               TEXT UNIQUE,
    -- identity is "k:" + key, or for a relationship without a key
    -- "t:" + kind, subject, object, title and from: what FIXTURES.md
    -- identifies it by.
    identity          TEXT    NOT NULL UNIQUE,
    kind              TEXT    NOT NULL,
    subject_id        INTEGER NOT NULL REFERENCES actors (id),
    object_actor_id   INTEGER REFERENCES actors (id),
    object_country_id INTEGER REFERENCES countries (id),
    title             TEXT    NOT NULL DEFAULT '',
    from_at           INTEGER,
    from_precision    INTEGER,
    to_at             INTEGER,
    to_precision      INTEGER,
    content_hash      BLOB    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CHECK ((object_actor_id IS NULL) <> (object_country_id IS NULL))
);
CREATE INDEX relationships_subject ON relationships (subject_id, kind);
CREATE INDEX relationships_object_actor ON relationships (object_actor_id, kind);
CREATE INDEX relationships_object_country ON relationships (object_country_id, kind);

CREATE TABLE relationship_sources (
    relationship_id INTEGER NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    source_id       INTEGER NOT NULL REFERENCES sources (id),
    PRIMARY KEY (relationship_id, position)
);
CREATE INDEX relationship_sources_source ON relationship_sources (source_id);

CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    key                TEXT    NOT NULL UNIQUE,
    type               TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    summary            TEXT    NOT NULL DEFAULT '',
    occurred_at        INTEGER NOT NULL,
    precision          INTEGER NOT NULL,
    ended_at           INTEGER,
    ended_precision    INTEGER,
    country_id         INTEGER REFERENCES countries (id),
    place              TEXT    NOT NULL DEFAULT '',
    lat                REAL,
    lon                REAL,
    fatalities         INTEGER,
    injured            INTEGER,
    content_hash       BLOB    NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX events_country ON events (country_id);

CREATE TABLE event_participants (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    role     TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (event_id, actor_id)
);
CREATE INDEX event_participants_actor ON event_participants (actor_id, event_id);

CREATE TABLE event_links (
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    target_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (event_id, position),
    UNIQUE (event_id, kind, target_id)
);
CREATE INDEX event_links_target ON event_links (target_id);

CREATE TABLE event_tags (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    tag      TEXT    NOT NULL,
    PRIMARY KEY (event_id, position)
);

CREATE TABLE event_sources (
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_sources_source ON event_sources (source_id);

CREATE TABLE statements (
    id              INTEGER PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    speaker_id      INTEGER NOT NULL REFERENCES actors (id),
    delivered_by_id INTEGER REFERENCES actors (id),
    made_at         INTEGER NOT NULL,
    precision       INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    summary         TEXT    NOT NULL DEFAULT '',
    content_hash    BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX statements_speaker ON statements (speaker_id);
CREATE INDEX statements_delivered_by ON statements (delivered_by_id);

CREATE TABLE statement_addressees (
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    actor_id     INTEGER NOT NULL REFERENCES actors (id),
    PRIMARY KEY (statement_id, position)
);
CREATE INDEX statement_addressees_actor ON statement_addressees (actor_id);

CREATE TABLE statement_about (
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    event_id     INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (statement_id, position)
);
CREATE INDEX statement_about_event ON statement_about (event_id);

CREATE TABLE statement_stances (
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    stance       TEXT    NOT NULL,
    PRIMARY KEY (statement_id, position)
);

CREATE TABLE statement_sources (
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source_id    INTEGER NOT NULL REFERENCES sources (id),
    PRIMARY KEY (statement_id, position)
);
CREATE INDEX statement_sources_source ON statement_sources (source_id);

-- The timeline index: one row per (facet, value) an item can be filtered by,
-- each carrying the item's sort position, so that a time-ordered page
-- filtered by any one facet is a range scan of the primary key, whatever the
-- size of the tables. It is derived data, rewritten by the store whenever an
-- item or what it depends on (a participant's affiliation) changes.
--   facet 0: every item (value 0)
--   facet 1: actor (value actors.id; role 1-5 participant role rank,
--            11 speaker, 12 deliverer, 13 addressee)
--   facet 2: country (value countries.id: event location, participant or
--            speaker affiliation)
--   facet 3: event type (value: rank of the type)
-- kind is 0 for events and 1 for statements.
CREATE TABLE timeline_index (
    facet     INTEGER NOT NULL,
    value     INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    precision INTEGER NOT NULL,
    key       TEXT    NOT NULL,
    kind      INTEGER NOT NULL,
    item_id   INTEGER NOT NULL,
    role      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (facet, value, at, precision, key, kind, item_id, role)
) WITHOUT ROWID;
CREATE INDEX timeline_index_item ON timeline_index (kind, item_id, facet, value, role);

-- +goose Down
DROP TABLE timeline_index;
DROP TABLE statement_sources;
DROP TABLE statement_stances;
DROP TABLE statement_about;
DROP TABLE statement_addressees;
DROP TABLE statements;
DROP TABLE event_sources;
DROP TABLE event_tags;
DROP TABLE event_links;
DROP TABLE event_participants;
DROP TABLE events;
DROP TABLE relationship_sources;
DROP TABLE relationships;
DROP TABLE actor_sources;
DROP TABLE actor_aliases;
DROP TABLE actors;
DROP TABLE sources;
DROP TABLE countries;
