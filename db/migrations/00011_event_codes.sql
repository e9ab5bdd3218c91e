-- Real-data additions (FIXTURES.md): an event's codes, intensity and
-- estimates, the words that named a participant, a statement's
-- co-speakers.
--
-- Codes are a list table like tags; the unique index (event_id, scheme,
-- code) is what a `codes` filter looks up per timeline row, an exact code
-- as one probe and a prefix as one range of it (db/sqlite/timeline.go).
-- fatalities_low and fatalities_high are an event's fatality range as
-- db.Event.FatalityRange computes it, kept by the writer for eventCounts;
-- without estimates both are the event's own fatalities, which is what the
-- backfill gives the events already stored. Co-speakers are new, so no
-- timeline rows or graph edges need adding here.

-- +goose Up
ALTER TABLE events ADD COLUMN intensity REAL;
ALTER TABLE events ADD COLUMN fatalities_low INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN fatalities_high INTEGER NOT NULL DEFAULT 0;
UPDATE events SET fatalities_low = coalesce(fatalities, 0), fatalities_high = coalesce(fatalities, 0)
WHERE fatalities IS NOT NULL;

ALTER TABLE event_participants ADD COLUMN mention TEXT NOT NULL DEFAULT '';

CREATE TABLE event_codes (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    scheme   TEXT    NOT NULL,
    code     TEXT    NOT NULL,
    label    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, position)
);
CREATE UNIQUE INDEX event_codes_code ON event_codes (event_id, scheme, code);

CREATE TABLE event_estimates (
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    measure   TEXT    NOT NULL,
    low       INTEGER,
    best      INTEGER,
    high      INTEGER,
    source_id INTEGER REFERENCES sources (id),
    note      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_estimates_source ON event_estimates (source_id) WHERE source_id IS NOT NULL;

CREATE TABLE statement_co_speakers (
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    actor_id     INTEGER NOT NULL REFERENCES actors (id),
    PRIMARY KEY (statement_id, position)
);
CREATE INDEX statement_co_speakers_actor ON statement_co_speakers (actor_id);

-- +goose Down
DROP TABLE statement_co_speakers;
DROP TABLE event_estimates;
DROP TABLE event_codes;
ALTER TABLE event_participants DROP COLUMN mention;
ALTER TABLE events DROP COLUMN fatalities_high;
ALTER TABLE events DROP COLUMN fatalities_low;
ALTER TABLE events DROP COLUMN intensity;
