// Package migrations holds the versioned SQL schema of the SQLite store, one
// numbered file per change, embedded into the binary and applied on open.
//
// A file is never edited once it has landed: a change to the schema is a new
// file. Statements that only SQLite understands (WITHOUT ROWID, FTS) are kept
// to the files that need them so that a PostgreSQL port can replace those
// alone.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql in goose format.
//
//go:embed *.sql
var FS embed.FS
