package db

import "time"

// ChangeOp is what a change of the changes feed did to its record.
type ChangeOp int

const (
	// ChangeUpsert: the record was inserted or its content changed.
	ChangeUpsert ChangeOp = iota
	// ChangeDelete: the record was deleted (a tombstone).
	ChangeDelete
)

// FeedChange is one change of the changes feed (API.md "Changes feed"):
// a record written or deleted, at its place in commit order.
type FeedChange struct {
	Seq  int64
	Op   ChangeOp
	Kind RefKind
	// Key is the record's key; a country's code; a relationship without a
	// key's identity.
	Key string
	At  time.Time
}
