-- Indexes by label for the tags and codes filters: a value that no event
-- carries is an error naming it (db/sqlite/unknown_labels.go), which needs
-- one probe of each value, and the hint's candidates are their distinct
-- values. Event pages themselves still check each row's labels by its event
-- (event_tags' primary key, event_codes_code).

-- +goose Up
CREATE INDEX event_tags_tag ON event_tags (tag);
CREATE INDEX event_codes_scheme_code ON event_codes (scheme, code);

-- +goose Down
DROP INDEX event_codes_scheme_code;
DROP INDEX event_tags_tag;
