// Package migrations holds the versioned SQL schema of the PostgreSQL store,
// embedded into the binary and applied on open with goose (dialect
// postgres), the tool that applies db/migrations to SQLite.
//
// Each file has the version number and the meaning of db/migrations' file
// of that number, in PostgreSQL's own terms (bigint identities, bytea,
// jsonb, tsvector with GIN, plpgsql triggers), so that a schema version
// means the same on both stores. Encodings the Go code depends on are
// SQLite's: Unix ms instants, precision ranks, the timeline index's facets,
// the graph index's node numbers, search docids.
//
// A PostgreSQL database is only ever made by this store, which starts at
// version 1 and applies every file, so no database holds rows at an older
// version; the backfills are translated anyway, since the later ones are
// also the reference for the store's rebuilds (as in SQLite).
//
// A file is never edited once it has landed.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql in goose format.
//
//go:embed *.sql
var FS embed.FS
