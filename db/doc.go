// Package db defines geotimeline's system of record: the record types of the
// event graph (actors, countries, events, statements, sources, relationships),
// their enumerations, the rules every record obeys (key syntax, partial dates)
// and the error codes callers branch on.
//
// It imports nothing of storage or transport. The SQLite store lives in
// db/sqlite, and db/backend opens the store that --db names; the fixture
// format is in db/fixture and the built-in country list in db/iso3166.
package db
