package db

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
