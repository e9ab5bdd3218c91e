package db

import "fmt"

// Feeder writes the records of one streamed write (a store's ApplyStream),
// each as it is given, with the rules of a batch write: insert, replace
// when the content changed, or leave alone. It is an interface so that the
// write path above the store (db/seed, the importers) feeds every backend
// the same way.
//
// Records refer to records of earlier kinds, so they must come kind by kind
// in this order: countries, sources, actors, relationships, event rows,
// event lists, statements. Events come twice: every event's row first
// (EventRow), then every event's lists (EventLists), since a link may point
// at an event that comes later. A call out of this order is an error.
type Feeder interface {
	// Country writes a country that a fixture adds or changes.
	Country(c *Country) error
	// Source writes a source.
	Source(s *Source) error
	// Actor writes an actor with its aliases and sources.
	Actor(a *Actor) error
	// Relationship writes a relationship with its sources.
	Relationship(r *Relationship) error
	// EventRow writes an event's own columns; EventLists writes its lists.
	EventRow(e *Event) error
	// EventLists writes the participants, links, tags and sources of an
	// event whose row EventRow wrote in this write, when that row changed.
	EventLists(e *Event) error
	// Statement writes a statement with its lists.
	Statement(s *Statement) error
}

// KeyFeed lists the keys of a run's records — sources, actors, events and
// statements by key, relationships by Identity (kind RefRelationship) —
// to add, before the run writes; it stops when add returns an error, and
// returns that error. A store uses it to learn that a run adds only new
// records, which it can then write in bulk.
type KeyFeed func(add func(kind RefKind, key string) error) error

// SourceOwner names a record type that has a source list.
type SourceOwner string

// The record types with sources.
const (
	OwnerActor        SourceOwner = "actor"
	OwnerEvent        SourceOwner = "event"
	OwnerStatement    SourceOwner = "statement"
	OwnerRelationship SourceOwner = "relationship"
)

// Pool names the connection pool a timing of a store's SQL is for (see a
// store's ObserveSQL): reads run many at a time, writes one at a time, so
// the metrics keep them apart.
type Pool string

// The pools.
const (
	PoolRead  Pool = "read"
	PoolWrite Pool = "write"
)

// MaxDryRunRecords bounds the updated records a dry run hands back, for
// their changed fields: a run that updates more is summed, and its first
// MaxDryRunRecords are shown.
const MaxDryRunRecords = 1000

// Updates collects, for a dry run, the records the write would update, as
// given (the new content), up to MaxDryRunRecords. A nil *Updates (a real
// write) notes nothing.
type Updates struct {
	Batch Batch
	n     int
}

// Note keeps a copy of rec, an updated record. The feed may reuse what
// rec points to, hence the copy.
func (u *Updates) Note(rec any) {
	if u == nil || u.n >= MaxDryRunRecords {
		return
	}
	u.n++
	switch r := rec.(type) {
	case *Country:
		u.Batch.Countries = append(u.Batch.Countries, *r)
	case *Source:
		u.Batch.Sources = append(u.Batch.Sources, *r)
	case *Actor:
		u.Batch.Actors = append(u.Batch.Actors, *r)
	case *Relationship:
		u.Batch.Relationships = append(u.Batch.Relationships, *r)
	case *Event:
		u.Batch.Events = append(u.Batch.Events, *r)
	case *Statement:
		u.Batch.Statements = append(u.Batch.Statements, *r)
	}
}

// FeedPhase is a kind of record, in the order a Feeder takes them.
type FeedPhase int

// The phases of a Feeder, in order.
const (
	FeedCountries FeedPhase = iota
	FeedSources
	FeedActors
	FeedRelationships
	FeedEventRows
	FeedEventLists
	FeedStatements
	FeedDone
)

var feedPhaseNames = [...]string{"country", "source", "actor", "relationship", "event row", "event lists",
	"statement", "end of the transaction"}

// FeedOrder holds a Feeder to its order: a store's feeder enters each
// record's phase before writing it.
type FeedOrder struct{ phase FeedPhase }

// Enter moves to phase p, refusing to go back, and reports whether p is a
// later phase than the one before (the records of p refer to those
// before, which a store writing in bulk must write out first).
func (o *FeedOrder) Enter(p FeedPhase) (advanced bool, err error) {
	if p < o.phase {
		return false, fmt.Errorf("%s written after %s: records must come kind by kind, in dependency order",
			feedPhaseNames[p], feedPhaseNames[o.phase])
	}
	advanced = p > o.phase
	o.phase = p
	return advanced, nil
}

// Feed feeds b's records to f, kind by kind, in the order a Feeder takes
// them: a batch held in memory written by a store's streamed write.
func (b *Batch) Feed(f Feeder) error {
	for i := range b.Countries {
		if err := f.Country(&b.Countries[i]); err != nil {
			return err
		}
	}
	for i := range b.Sources {
		if err := f.Source(&b.Sources[i]); err != nil {
			return err
		}
	}
	for i := range b.Actors {
		if err := f.Actor(&b.Actors[i]); err != nil {
			return err
		}
	}
	for i := range b.Relationships {
		if err := f.Relationship(&b.Relationships[i]); err != nil {
			return err
		}
	}
	for i := range b.Events {
		if err := f.EventRow(&b.Events[i]); err != nil {
			return err
		}
	}
	for i := range b.Events {
		if err := f.EventLists(&b.Events[i]); err != nil {
			return err
		}
	}
	for i := range b.Statements {
		if err := f.Statement(&b.Statements[i]); err != nil {
			return err
		}
	}
	return nil
}

// IDSet is a set of row ids, a bit each: what a streamed write keeps of
// every event it wrote, however many.
type IDSet []uint64

// Add puts id in the set.
func (b *IDSet) Add(id int64) {
	i := int(id >> 6)
	if i >= len(*b) {
		*b = append(*b, make([]uint64, i+1-len(*b))...)
	}
	(*b)[i] |= 1 << (id & 63)
}

// Has reports whether id is in the set.
func (b IDSet) Has(id int64) bool {
	i := int(id >> 6)
	return id >= 0 && i < len(b) && b[i]&(1<<(id&63)) != 0
}

// Keys lists the keys of b's records, as a KeyFeed: what a store writing
// b as a run is told the run adds.
func (b *Batch) Keys() KeyFeed {
	return func(add func(RefKind, string) error) error {
		for i := range b.Sources {
			if err := add(RefSource, b.Sources[i].Key); err != nil {
				return err
			}
		}
		for i := range b.Actors {
			if err := add(RefActor, b.Actors[i].Key); err != nil {
				return err
			}
		}
		for i := range b.Relationships {
			if err := add(RefRelationship, b.Relationships[i].Identity()); err != nil {
				return err
			}
		}
		for i := range b.Events {
			if err := add(RefEvent, b.Events[i].Key); err != nil {
				return err
			}
		}
		for i := range b.Statements {
			if err := add(RefStatement, b.Statements[i].Key); err != nil {
				return err
			}
		}
		return nil
	}
}
