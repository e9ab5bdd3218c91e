// Package cost prices GraphQL fields for gqlgen's complexity limit
// (extension.FixedComplexityLimit): each function estimates how many records
// a field makes the server read and return, so that the limit refuses a
// request by the work it asks for rather than by its length.
//
// The rules, applied bottom-up by gqlgen (childComplexity is the price of the
// field's selection set for one parent):
//
//   - A scalar or enum field costs 0 (see Options).
//   - A field returning one object costs 1 plus its children (gqlgen's
//     default).
//   - A connection costs 1 plus its page size times its children, where the
//     page size is first or last (DefaultPageSize when neither is given). Its
//     edges and nodes lists cost 1 plus their children: the page is counted
//     once, on the connection.
//   - A plain list of records costs 1 plus n times (1 plus its children),
//     n being the longest such list the store holds (Lists, measured from
//     the data) and at least ListEstimate: each element is a record.
//   - A list whose length an argument bounds uses that argument instead of
//     ListEstimate: counterparts and search their first (default 20).
//   - eventCounts costs 1 plus, per bucket it can return (EventBuckets),
//     1 plus its children.
//   - neighborhood costs 1 plus limit (default 200) times its children, and
//     shortestPath 1 plus maxDepth+1 (default 5) times its children: their
//     nodes and edges lists are priced like a connection's; eventChain
//     like a neighborhood of db.MaxChainNodes (200) nodes.
//
// Page sizes are clamped to MaxPageSize: a larger first is refused by the
// resolver with BAD_USER_INPUT, which says more than a cost would.
package cost

import (
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/complexity"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/generated"
)

const (
	// DefaultPageSize is a connection's page when neither first nor last is
	// given (API.md: Lists).
	DefaultPageSize = 20
	// MaxPageSize is the largest first or last a connection accepts.
	MaxPageSize = 100
	// ListEstimate is the number of elements assumed for a plain list of
	// records (an event's participants, a statement's sources, …): in the
	// demo data such lists hold one to four records.
	ListEstimate = 5
	// DefaultChangesPage is changes' default first (API.md: Changes feed).
	DefaultChangesPage = 100
	// MaxChangesPage is the largest first changes accepts: a change is a
	// row of the feed read without any record, so a page may be ten times
	// a connection's, and a client catching up after a bulk seed pages a
	// thousand at a time.
	MaxChangesPage = 1000
	// DefaultNeighborhoodLimit is neighborhood's default limit.
	DefaultNeighborhoodLimit = 200
	// MaxNeighborhoodLimit is the largest limit neighborhood accepts.
	MaxNeighborhoodLimit = 1000
	// DefaultMaxDepth is shortestPath's default maxDepth.
	DefaultMaxDepth = 4
	// MaxMaxDepth is the largest maxDepth shortestPath accepts.
	MaxMaxDepth = 6
)

// Options are the complexity options that go with Root: scalar and enum
// fields cost nothing, since they are read with the record that holds them.
func Options() []complexity.Option {
	return []complexity.Option{complexity.WithFixedScalarValue(0)}
}

// Root returns the complexity functions of every field that reads more than
// one record, pricing plain lists by lists (which may be nil). Fields it leaves nil get gqlgen's default, 1 plus their
// children for an object and 0 for a scalar (with Options).
func Root(lists *Lists) generated.ComplexityRoot {
	var c generated.ComplexityRoot

	// Root lists.
	c.Query.Actors = func(child int, _ *generated.ActorFilter, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Query.Events = func(child int, _ *generated.EventFilter, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Query.Statements = func(child int, _ *generated.StatementFilter, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Query.Countries = func(child int, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Query.Runs = func(child int, first *int, _ *string) int {
		return Connection(child, first, nil)
	}
	c.Query.Changes = func(child int, _ *string, first *int) int {
		return Bounded(child, first, DefaultChangesPage, MaxChangesPage)
	}
	c.Query.Timeline = func(child int, _ *generated.TimelineFilter, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	// A subgraph or a path is priced like a connection: its nodes and edges
	// lists cost 1 plus their children, times the number of nodes.
	c.Query.Neighborhood = func(child int, _ string, _ *int, _ *generated.GraphFilter, limit *int) int {
		return add(1, mul(arg(limit, DefaultNeighborhoodLimit, MaxNeighborhoodLimit), child))
	}
	c.Query.ShortestPath = func(child int, _, _ string, maxDepth *int, _ *generated.GraphFilter, _ *bool) int {
		// A path of n edges has n+1 nodes.
		return add(1, mul(arg(maxDepth, DefaultMaxDepth, MaxMaxDepth)+1, child))
	}
	// A chain takes no limit: it returns at most db.MaxChainNodes events.
	c.Query.EventChain = func(child int, _ string, _ *db.ChainDirection, _ []db.LinkKind, _ *int) int {
		return add(1, mul(db.MaxChainNodes, child))
	}
	c.Query.Search = func(child int, _ string, first *int) int {
		return Bounded(child, first, DefaultPageSize, MaxPageSize)
	}
	c.Query.EventCounts = func(child int, f *generated.EventFilter, interval db.Interval, groupBy *db.CountGroup, _ *db.TimeMatch) int {
		var from, to *time.Time
		if f != nil {
			from, to = f.From, f.To
		}
		return add(1, mul(EventBuckets(from, to, interval, groupBy), add(1, child)))
	}

	// Nested connections: one SQL query per parent.
	c.Actor.Events = func(child int, _ *generated.EventFilter, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Actor.Statements = func(child int, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Source.Events = func(child int, _ *generated.EventFilter, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Source.Statements = func(child int, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Country.Actors = func(child int, _ *generated.ActorFilter, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Country.Events = func(child int, _ *generated.EventFilter, _ *db.SortOrder, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Actor.Counterparts = func(child int, first *int, _, _ *time.Time) int {
		return Bounded(child, first, DefaultPageSize, MaxPageSize)
	}

	// Plain lists of records, as long as the longest the store holds.
	list := func(n func(db.ListLengths) int) func(int) int {
		return func(child int) int { return listOf(child, n(lists.Get())) }
	}
	c.Actor.Sources = list(func(l db.ListLengths) int { return l.ActorSources })
	relationships := list(func(l db.ListLengths) int { return l.ActorRelationships })
	c.Actor.Relationships = func(child int, _ []db.RelationshipKind, _ *time.Time) int { return relationships(child) }
	c.Event.Participants = list(func(l db.ListLengths) int { return l.Participants })
	c.Event.Links = list(func(l db.ListLengths) int { return l.Links })
	c.Event.LinkedFrom = list(func(l db.ListLengths) int { return l.LinkedFrom })
	c.Event.Statements = list(func(l db.ListLengths) int { return l.EventStatements })
	c.Event.Sources = list(func(l db.ListLengths) int { return l.EventSources })
	estimates := list(func(l db.ListLengths) int { return l.Estimates })
	c.Event.Estimates = func(child int, _ *db.Measure) int { return estimates(child) }
	c.Statement.Addressees = list(func(l db.ListLengths) int { return l.Addressees })
	c.Statement.CoSpeakers = list(func(l db.ListLengths) int { return l.CoSpeakers })
	c.Statement.About = list(func(l db.ListLengths) int { return l.About })
	c.Statement.Sources = list(func(l db.ListLengths) int { return l.StatementSources })
	c.Relationship.Sources = list(func(l db.ListLengths) int { return l.RelationshipSources })
	return c
}

// Lists holds the list lengths Root prices plain lists by, measured from
// the store and replaced as it changes; safe for concurrent use. A nil
// *Lists, or one never set, prices every list at ListEstimate.
type Lists struct {
	p atomic.Pointer[db.ListLengths]
}

// Set replaces the lengths.
func (l *Lists) Set(v db.ListLengths) { l.p.Store(&v) }

// Get returns the lengths prices use now.
func (l *Lists) Get() db.ListLengths {
	if l == nil {
		return db.ListLengths{}
	}
	if v := l.p.Load(); v != nil {
		return *v
	}
	return db.ListLengths{}
}

// listOf is the price of a plain list whose longest instance holds n
// records: 1 plus that many elements, and never fewer than ListEstimate,
// since a write may lengthen a list before the lengths are measured again.
func listOf(child, n int) int {
	return add(1, mul(max(n, ListEstimate), add(1, child)))
}

// countryGroups is how many keys eventCounts by COUNTRY can have: the
// ISO 3166-1 countries and "" for events without one.
const countryGroups = 250

// EventBuckets is the most buckets eventCounts can answer with: one per
// interval between from and to (db.MaxEventBuckets' worth when either is
// open, since the data's span is not known here), times the keys of the
// grouping, and never more than db.MaxEventBuckets, past which the store
// refuses the question.
func EventBuckets(from, to *time.Time, interval db.Interval, groupBy *db.CountGroup) int {
	buckets := db.MaxEventBuckets
	if from != nil && to != nil {
		buckets = intervalsBetween(*from, *to, interval)
	}
	groups := 1
	if groupBy != nil {
		switch *groupBy {
		case db.GroupType:
			groups = len(db.EventTypes)
		case db.GroupCountry, db.GroupParticipantCountry:
			groups = countryGroups
		case db.GroupActor:
			// Any number of actors: the store's bucket bound is the price.
			groups = db.MaxEventBuckets
		}
	}
	return min(mul(buckets, groups), db.MaxEventBuckets)
}

// intervalsBetween counts the buckets of width interval that [from, to)
// touches, at least one. Months and years are counted on the calendar, and
// days from whole hours, so that the 9,998 years the API accepts do not
// overflow a time.Duration (it holds 292).
func intervalsBetween(from, to time.Time, interval db.Interval) int {
	from, to = from.UTC(), to.UTC()
	if !to.After(from) {
		return 1
	}
	years := to.Year() - from.Year()
	switch interval {
	case db.IntervalYear:
		return years + 1
	case db.IntervalMonth:
		return years*12 + int(to.Month()) - int(from.Month()) + 1
	}
	days := int(to.Unix()/86400-from.Unix()/86400) + 1
	if interval == db.IntervalWeek {
		return days/7 + 2 // a partial week at each end
	}
	return days
}

// Connection is the price of a connection field: 1 plus its page size times
// the price of its selection.
func Connection(child int, first, last *int) int {
	n := DefaultPageSize
	switch {
	case first != nil && last != nil:
		n = max(clamp(*first, 0, MaxPageSize), clamp(*last, 0, MaxPageSize))
	case first != nil:
		n = clamp(*first, 0, MaxPageSize)
	case last != nil:
		n = clamp(*last, 0, MaxPageSize)
	}
	return add(1, mul(n, child))
}

// List is the price of a plain list of records of unknown length: 1 plus
// ListEstimate times the price of one element, itself included.
func List(child int) int { return listOf(child, ListEstimate) }

// Bounded is the price of a list whose length an argument bounds: 1 plus
// that many elements, the argument taken as def when absent and clamped to
// [0, most].
func Bounded(child int, n *int, def, most int) int {
	return add(1, mul(arg(n, def, most), add(1, child)))
}

// arg is an argument that sizes a list: def when absent, else clamped to
// [0, most].
func arg(n *int, def, most int) int {
	if n == nil {
		return def
	}
	return clamp(*n, 0, most)
}

func clamp(n, lo, hi int) int {
	return min(max(n, lo), hi)
}

const maxInt = int(^uint(0) >> 1)

// add and mul saturate instead of overflowing, so that a deeply nested
// query cannot wrap its price around to a small number.
func add(a, b int) int {
	if a > maxInt-b {
		return maxInt
	}
	return a + b
}

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > maxInt/b {
		return maxInt
	}
	return a * b
}
