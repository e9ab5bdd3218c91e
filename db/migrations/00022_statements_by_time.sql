-- Statements by their instant and the end of their span, so that a
-- timeline's total over a range counts its statements from a range of this
-- index, and its events from the kept counts, instead of every item of the
-- timeline index in the range (at 1M generated events, 1.2M rows over ten
-- years: 0.3 s).

-- +goose Up
CREATE INDEX statements_made_at ON statements (made_at, span_end);

-- +goose Down
DROP INDEX statements_made_at;
