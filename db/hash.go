package db

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
)

// The content hashes fingerprint a record's content: everything but its id
// and clocks. A store keeps each record's beside it, so that loading a
// record again with the same content changes nothing (no write, no change
// logged, no updatedAt moved). Every store computes them here, so that the
// same record has the same hash whichever store holds it.

// SourceHash is a source's content hash.
func SourceHash(src *Source) ([]byte, error) {
	rec := *src
	rec.ID, rec.Stamps = 0, Stamps{}
	return contentHash(rec)
}

// ActorHash is an actor's content hash.
func ActorHash(a *Actor) ([]byte, error) {
	rec := *a
	rec.ID, rec.Stamps = 0, Stamps{}
	rec.Aliases, rec.Sources = noEmpty(rec.Aliases), noEmpty(rec.Sources)
	return contentHash(rec)
}

// RelationshipHash is a relationship's content hash.
func RelationshipHash(r *Relationship) ([]byte, error) {
	rec := *r
	rec.ID, rec.Stamps = 0, Stamps{}
	rec.Sources = noEmpty(rec.Sources)
	return contentHash(rec)
}

// EventHash is an event's content hash.
func EventHash(e *Event) ([]byte, error) {
	rec := *e
	rec.ID, rec.Stamps = 0, Stamps{}
	rec.Participants, rec.Links = noEmpty(rec.Participants), noEmpty(rec.Links)
	rec.Tags, rec.Sources = noEmpty(rec.Tags), noEmpty(rec.Sources)
	return contentHash(rec)
}

// StatementHash is a statement's content hash.
func StatementHash(st *Statement) ([]byte, error) {
	rec := *st
	rec.ID, rec.Stamps = 0, Stamps{}
	rec.Addressees, rec.About = noEmpty(rec.Addressees), noEmpty(rec.About)
	rec.Stances, rec.Sources = noEmpty(rec.Stances), noEmpty(rec.Sources)
	return contentHash(rec)
}

func contentHash(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("hash record: %w", err)
	}
	sum := sha256.Sum256(data)
	return sum[:], nil
}

// noEmpty makes an empty list nil before hashing: no list and an empty one
// are the same content (reads return empty lists, decoding gives nil), and
// must not count as a change.
func noEmpty[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}
