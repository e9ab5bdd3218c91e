package postgres

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// The content hashes are the SQLite store's (db/sqlite apply.go, bulk.go),
// rule for rule: a record loaded again with the same content changes
// nothing, and an empty list is no list. They belong in package db once
// both stores call them from there, once the store seam lands; until then
// TestParityWithSQLite checks that both stores store the same hashes.

// contentHash fingerprints a record's content: everything but its id and
// clocks.
func contentHash(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("hash record: %w", err)
	}
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func noEmpty[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func sourceHash(src *db.Source) ([]byte, error) {
	rec := *src
	rec.ID, rec.Stamps = 0, db.Stamps{}
	return contentHash(rec)
}

func actorHash(a *db.Actor) ([]byte, error) {
	rec := *a
	rec.ID, rec.Stamps = 0, db.Stamps{}
	rec.Aliases, rec.Sources = noEmpty(rec.Aliases), noEmpty(rec.Sources)
	return contentHash(rec)
}

func relationshipHash(r *db.Relationship) ([]byte, error) {
	rec := *r
	rec.ID, rec.Stamps = 0, db.Stamps{}
	rec.Sources = noEmpty(rec.Sources)
	return contentHash(rec)
}

func eventHash(e *db.Event) ([]byte, error) {
	rec := *e
	rec.ID, rec.Stamps = 0, db.Stamps{}
	rec.Participants, rec.Links = noEmpty(rec.Participants), noEmpty(rec.Links)
	rec.Tags, rec.Sources = noEmpty(rec.Tags), noEmpty(rec.Sources)
	return contentHash(rec)
}

func statementHash(st *db.Statement) ([]byte, error) {
	rec := *st
	rec.ID, rec.Stamps = 0, db.Stamps{}
	rec.Addressees, rec.About = noEmpty(rec.Addressees), noEmpty(rec.About)
	rec.Stances, rec.Sources = noEmpty(rec.Stances), noEmpty(rec.Sources)
	return contentHash(rec)
}
