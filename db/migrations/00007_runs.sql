-- The runs: one row per seed, import or loadFixture that wrote, in the
-- same transaction as what it wrote, so that a run is recorded exactly
-- when it happened. files is a JSON array of {"name", "sha256"}: a run's
-- files are read together and never queried apart.

-- +goose Up
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at  INTEGER NOT NULL, -- Unix ms
  finished_at INTEGER NOT NULL, -- Unix ms
  command     TEXT    NOT NULL,
  client      TEXT    NOT NULL DEFAULT '',
  files       TEXT    NOT NULL DEFAULT '[]',
  inserted    INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  unchanged   INTEGER NOT NULL
);

-- +goose Down
DROP TABLE runs;
