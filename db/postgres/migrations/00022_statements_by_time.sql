-- Statements by their instant and the end of their span, as
-- db/migrations/00022_statements_by_time.sql (read it for why).

-- +goose Up
CREATE INDEX statements_made_at ON statements (made_at, span_end);

-- +goose Down
DROP INDEX statements_made_at;
