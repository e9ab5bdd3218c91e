// Package model holds the Go types that schema.graphql binds to where the
// db record types do not fit: connections, edges and the abstract types.
// They are written by hand; gqlgen's own output lives in graph/generated.
package model

import (
	"context"
	"sync"

	"github.com/geotimeline/geotimeline/db"
)

// Node is any object with a global ID: *db.Actor, *db.Country, *db.Event,
// *db.Statement, *db.Relationship or *db.Source.
type Node interface{}

// TimelineItem is *db.Event or *db.Statement.
type TimelineItem interface{}

// RelationshipObject is *db.Actor or *db.Country.
type RelationshipObject interface{}

// PageInfo tells where a page sits in its list.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Counter counts a whole list. Connections call it only when totalCount is
// selected, and at most once.
type Counter func(ctx context.Context) (int, error)

// Total memoises a Counter; connections embed it for their totalCount.
type Total struct {
	once  sync.Once
	count Counter
	n     int
	err   error
}

// TotalCount runs the counter on first use.
func (t *Total) TotalCount(ctx context.Context) (int, error) {
	t.once.Do(func() { t.n, t.err = t.count(ctx) })
	return t.n, t.err
}

// NewTotal wraps a counter for a connection.
func NewTotal(c Counter) *Total { return &Total{count: c} }

// ActorEdge is an actor with its cursor.
type ActorEdge struct {
	Cursor string
	Node   *db.Actor
}

// ActorConnection is a page of actors.
type ActorConnection struct {
	*Total
	Edges    []*ActorEdge
	Nodes    []*db.Actor
	PageInfo *PageInfo
}

// EventEdge is an event with its cursor.
type EventEdge struct {
	Cursor string
	Node   *db.Event
}

// EventConnection is a page of events.
type EventConnection struct {
	*Total
	Edges    []*EventEdge
	Nodes    []*db.Event
	PageInfo *PageInfo
}

// StatementEdge is a statement with its cursor.
type StatementEdge struct {
	Cursor string
	Node   *db.Statement
}

// StatementConnection is a page of statements.
type StatementConnection struct {
	*Total
	Edges    []*StatementEdge
	Nodes    []*db.Statement
	PageInfo *PageInfo
}

// CountryEdge is a country with its cursor.
type CountryEdge struct {
	Cursor string
	Node   *db.Country
}

// CountryConnection is a page of countries.
type CountryConnection struct {
	*Total
	Edges    []*CountryEdge
	Nodes    []*db.Country
	PageInfo *PageInfo
}

// RunEdge is a run with its cursor.
type RunEdge struct {
	Cursor string
	Node   *db.Run
}

// RunConnection is a page of runs, newest first.
type RunConnection struct {
	*Total
	Edges    []*RunEdge
	Nodes    []*db.Run
	PageInfo *PageInfo
}

// ChangeEdge is a change of the changes feed with its cursor.
type ChangeEdge struct {
	Cursor string
	Node   *db.FeedChange
}

// ChangeConnection is a page of the changes feed, oldest first.
type ChangeConnection struct {
	Edges      []*ChangeEdge
	Nodes      []*db.FeedChange
	PageInfo   *PageInfo
	HeadCursor string
}

// TimelineEdge is a timeline item with its cursor.
type TimelineEdge struct {
	Cursor string
	Node   TimelineItem
}

// TimelineConnection is a page of the timeline.
type TimelineConnection struct {
	*Total
	Edges    []*TimelineEdge
	Nodes    []TimelineItem
	PageInfo *PageInfo
}

// Location is where an event took place, its country already loaded (the
// Event.location batch resolver loads the countries of a whole page at once).
type Location struct {
	Country *db.Country
	Place   *string
	Lat     *float64
	Lon     *float64
}

// Participant is an actor's part in an event, its actor already loaded:
// Event.participants loads the actors of all its events at once, and a
// field of a struct is read inline where a resolver would run once per
// participant.
type Participant struct {
	Actor *db.Actor
	Role  db.ParticipantRole
	As    string
}

// AsOrNil is the words that named the actor, nil when none were given.
func (p *Participant) AsOrNil() *string {
	if p.As == "" {
		return nil
	}
	return &p.As
}

// Subgraph is a neighbourhood with its nodes loaded.
type Subgraph struct {
	Nodes     []Node
	Edges     []*db.Edge
	Truncated bool
}

// Path is a shortest path with its nodes loaded.
type Path struct {
	Length int
	Nodes  []Node
	Edges  []*db.Edge
}

// SearchItem is *db.Actor, *db.Event or *db.Statement.
type SearchItem interface{}

// SearchHit is one search result, its record loaded.
type SearchHit struct {
	Node  SearchItem
	Score float64
}
