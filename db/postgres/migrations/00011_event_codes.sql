-- Real-data additions: an event's codes, intensity and estimates, the words
-- that named a participant, a statement's co-speakers, as
-- db/migrations/00011_event_codes.sql.

-- +goose Up
ALTER TABLE events ADD COLUMN intensity double precision;
ALTER TABLE events ADD COLUMN fatalities_low bigint NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN fatalities_high bigint NOT NULL DEFAULT 0;
UPDATE events SET fatalities_low = fatalities, fatalities_high = fatalities
WHERE fatalities IS NOT NULL;

ALTER TABLE event_participants ADD COLUMN mention text COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE event_codes (
    event_id bigint  NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position integer NOT NULL,
    scheme   text    COLLATE "C" NOT NULL,
    code     text    COLLATE "C" NOT NULL,
    label    text    COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, position)
);
CREATE UNIQUE INDEX event_codes_code ON event_codes (event_id, scheme, code);

CREATE TABLE event_estimates (
    event_id  bigint  NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    measure   text    COLLATE "C" NOT NULL,
    low       bigint,
    best      bigint,
    high      bigint,
    source_id bigint  REFERENCES sources (id),
    note      text    COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_estimates_source ON event_estimates (source_id) WHERE source_id IS NOT NULL;

CREATE TABLE statement_co_speakers (
    statement_id bigint  NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    actor_id     bigint  NOT NULL REFERENCES actors (id),
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
