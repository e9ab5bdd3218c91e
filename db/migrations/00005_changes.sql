-- The change log: one row per event or statement written (inserted or
-- changed), in commit order. Live subscriptions read it from any process,
-- so a `geotimeline seed` run against the database a server has open
-- reaches that server's subscribers too. Only the newest rows are kept
-- (the write path trims it); seq is AUTOINCREMENT so that a number is never
-- reused after a trim.

-- +goose Up
CREATE TABLE changes (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  kind    INTEGER NOT NULL, -- 0 event, 1 statement (as in timeline_index)
  item_id INTEGER NOT NULL
);

-- +goose Down
DROP TABLE changes;
