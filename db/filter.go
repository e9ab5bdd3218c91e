package db

import "time"

// TimelineFilter selects timeline items; every field is optional and all
// given fields must hold. It serves the timeline and, with Include fixed, the
// event and statement lists.
type TimelineFilter struct {
	// Actors keeps events with any of these actors (keys) as participant and
	// statements with any of them as speaker, deliverer or addressee.
	Actors []string
	// Roles, for events, keeps only participation in one of these roles
	// (by the listed Actors when there are any, by anyone otherwise).
	Roles []ParticipantRole
	// Countries (alpha-2) keeps events located in one of them or with a
	// participant affiliated to one, and statements whose speaker (or a
	// co-speaker) is affiliated to one.
	Countries []string
	// EventTypes restricts events; statements are not affected.
	EventTypes []EventType
	// Include restricts the kinds of item; empty means both.
	Include []ItemKind
	// From and To bound the item's time to [From, To): its start instant,
	// or its span as TimeMatch says.
	From, To *time.Time
	// TimeMatch is how From and To apply to an item's span (its When);
	// "" is MatchStart.
	TimeMatch TimeMatch
	// Precisions keeps items whose span has one of these precisions.
	Precisions []Precision
	// Text, when not empty, keeps items holding every word of it in an
	// event's title, summary or tags or a statement's text or summary,
	// whatever their case and diacritics; a last word of three or more
	// letters written with a "*" right after it matches as a prefix. Only
	// letters and digits count, the rest separates words: text with no word,
	// more than 16 words or more than 1 000 bytes is a BAD_USER_INPUT error.
	// It is read as full-text search reads it (db/sqlite, Store.Search).
	Text string
	// Sources (keys) keeps the events and statements that cite any of
	// them.
	Sources []string
	// Tags keeps events with any of these tags; statements are not
	// affected.
	Tags []string
	// Codes keeps events with a code that one of these matches (exactly,
	// or by prefix); statements are not affected.
	Codes []CodeMatch
	// StatementKinds and Stances keep statements of one of these kinds
	// and taking one of these stances; events are not affected.
	StatementKinds []StatementKind
	Stances        []Stance
	// About, when set, keeps statements about at least one event it keeps
	// ("statements by X about strikes"); events are not affected. Its own
	// Include is events only.
	About *TimelineFilter
}

// TimeMatch is how a time window [from, to) selects items with a span.
type TimeMatch string

// The ways a window selects: by the item's start instant (as before spans
// existed), by any overlap of its span with the window, or by its whole span
// lying inside the window.
const (
	MatchStart    TimeMatch = "START"
	MatchOverlaps TimeMatch = "OVERLAPS"
	MatchWithin   TimeMatch = "WITHIN"
)

// Matches reports whether an item with span s lies in [from, to) (a nil
// bound is open) as m says. Stores compile the same reading into their
// queries; this is the definition their tests check them against.
func (m TimeMatch) Matches(s Span, from, to *time.Time) bool {
	switch m {
	case MatchOverlaps:
		return (to == nil || s.Earliest.Before(*to)) && (from == nil || s.Latest.After(*from))
	case MatchWithin:
		return (from == nil || !s.Earliest.Before(*from)) && (to == nil || !s.Latest.After(*to))
	}
	return (from == nil || !s.Earliest.Before(*from)) && (to == nil || s.Earliest.Before(*to))
}

// OnlyTypesAndTime reports whether f restricts items by nothing but their
// kind, event type and start instant: all that the store's kept counts record, so
// such a filter is counted from them. A field added to TimelineFilter must
// be added here too.
func (f TimelineFilter) OnlyTypesAndTime() bool {
	return len(f.Actors)+len(f.Roles)+len(f.Countries)+len(f.Sources)+len(f.Tags)+len(f.Codes)+
		len(f.StatementKinds)+len(f.Stances)+len(f.Precisions) == 0 && f.Text == "" && f.About == nil &&
		(f.TimeMatch == "" || f.TimeMatch == MatchStart || (f.From == nil && f.To == nil))
}

// OnlyTypesAndTimeOfAnyMatch reports whether f restricts items by nothing
// but their kind, event type and time, whatever its TimeMatch: all that the
// items' instants and spans, and the kept counts by span, record.
func (f TimelineFilter) OnlyTypesAndTimeOfAnyMatch() bool {
	f.TimeMatch = ""
	return f.OnlyTypesAndTime()
}

// Position is where an item sits in a sorted list, what cursors encode. Time
// ordered lists sort by instant (Unix ms), precision rank, key and kind; key
// ordered lists use Key alone.
type Position struct {
	At   int64
	Rank int
	Key  string
	Kind ItemKind
}

// Page asks for one page of a list, Relay style: Limit items after After
// (forward) or, when Backward, the last Limit items before Before. Either
// cursor may be nil.
type Page struct {
	Limit    int
	After    *Position
	Before   *Position
	Backward bool
}

// ItemRef names one timeline item and its position.
type ItemRef struct {
	Kind ItemKind
	ID   int64
	Pos  Position
}

// ItemPage is one page of timeline items, in the requested order.
type ItemPage struct {
	Items           []ItemRef
	HasNextPage     bool
	HasPreviousPage bool
}

// IDs splits the page's items into the row ids of its events and of its
// statements, each in page order: what their records are read by.
func (p ItemPage) IDs() (events, statements []int64) {
	for _, it := range p.Items {
		if it.Kind == ItemEvent {
			events = append(events, it.ID)
		} else {
			statements = append(statements, it.ID)
		}
	}
	return events, statements
}

// ActorFilter selects actors; every field is optional.
type ActorFilter struct {
	Kinds     []ActorKind
	Countries []string // alpha-2
}

// KeyPage is one page of a key-ordered list (actors, countries), as row ids in order.
type KeyPage struct {
	IDs             []int64
	Positions       []Position
	HasNextPage     bool
	HasPreviousPage bool
}

// ItemID names one timeline item: an event or a statement by row id.
type ItemID struct {
	Kind ItemKind
	ID   int64
}

// Change is one row of the change log: an item written (inserted or
// changed) and its place in commit order.
type Change struct {
	Seq  int64
	Item ItemID
}
