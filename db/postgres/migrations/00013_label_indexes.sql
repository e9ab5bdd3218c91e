-- Indexes by label for the tags and codes filters, as
-- db/migrations/00013_label_indexes.sql.

-- +goose Up
CREATE INDEX event_tags_tag ON event_tags (tag);
CREATE INDEX event_codes_scheme_code ON event_codes (scheme, code);

-- +goose Down
DROP INDEX event_codes_scheme_code;
DROP INDEX event_tags_tag;
