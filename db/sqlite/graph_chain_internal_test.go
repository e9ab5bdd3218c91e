package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// fanBatch is event e0 and n0 … n5 (ids 1 to 7) that each respond to it,
// all on one day.
func fanBatch() *db.Batch {
	day := db.Date{At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionDay}
	b := &db.Batch{Events: []db.Event{{Key: "e0", Type: db.EventMeeting, Title: "e0", OccurredAt: day}}}
	for i := range 6 {
		k := fmt.Sprintf("n%d", i)
		b.Events = append(b.Events, db.Event{Key: k, Type: db.EventMeeting, Title: k, OccurredAt: day,
			Links: []db.Link{{Kind: db.LinkResponseTo, Event: "e0"}}})
	}
	return b
}

// TestEventChainBounds checks the bounds of an event chain on the fan.
func TestEventChainBounds(t *testing.T) {
	s := openGraphTest(t)
	applyGraphTest(t, s, fanBatch())
	start := db.NodeRef{Type: db.NodeEvent, ID: 1}
	ids := func(sub db.Subgraph) string {
		out := ""
		for _, n := range sub.Nodes {
			out += fmt.Sprintf(" %d", n.ID)
		}
		return out
	}
	cases := []struct {
		name          string
		nodes, budget int
		want          string
		edges         int
		truncated     bool
	}{
		{"Fits", 7, defaultMaxEdgesRead, " 1 2 3 4 5 6 7", 6, false},
		// The limit leaves out a reachable event.
		{"Limit", 4, defaultMaxEdgesRead, " 1 2 3 4", 3, true},
		// The walk (maxDepth 1) reads e0's six rows: a budget of six is
		// used up. The last query, with a budget of its own, reads the
		// found events' twelve link rows, e0's six first (each link is
		// kept once, from its subject): a budget of six finds no edge, one
		// of twelve is filled, one of thirteen is not.
		{"Budget6", 7, 6, " 1 2 3 4 5 6 7", 0, true},
		{"Budget12", 7, 12, " 1 2 3 4 5 6 7", 6, true},
		{"Budget13", 7, 13, " 1 2 3 4 5 6 7", 6, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.maxChainNodes, s.maxEdgesRead = c.nodes, c.budget
			defer func() { s.maxChainNodes, s.maxEdgesRead = db.MaxChainNodes, defaultMaxEdgesRead }()
			sub, err := s.EventChain(context.Background(), start, db.ChainForward, nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(sub); got != c.want {
				t.Errorf("nodes =%s, want%s", got, c.want)
			}
			if got := len(sub.Edges); got != c.edges {
				t.Errorf("%d edges, want %d", got, c.edges)
			}
			if sub.Truncated != c.truncated {
				t.Errorf("truncated = %v, want %v", sub.Truncated, c.truncated)
			}
		})
	}
}

// TestChronologicalPathBudget checks that a chronological search that
// cannot read a level within the budget refuses rather than answer.
func TestChronologicalPathBudget(t *testing.T) {
	s := openGraphTest(t)
	applyGraphTest(t, s, fanBatch())
	e0, n5 := db.NodeRef{Type: db.NodeEvent, ID: 1}, db.NodeRef{Type: db.NodeEvent, ID: 7}
	// e0's six links fit in seven rows, and reach n5.
	s.maxEdgesRead = 7
	p, err := s.ChronologicalPath(context.Background(), e0, n5, 2, db.GraphFilter{})
	if err != nil || p == nil || len(p.Edges) != 1 {
		t.Fatalf("budget 7: %+v, %v; want one edge", p, err)
	}
	s.maxEdgesRead = 6
	_, err = s.ChronologicalPath(context.Background(), e0, n5, 2, db.GraphFilter{})
	want := "shortestPath would read more than 6 edges: there is no chronological path of 0 edges or fewer, and the " +
		"edges of the next 1 node do not fit in the 6 left; lower maxDepth or narrow the filter"
	if db.ErrorCode(err) != db.CodeTooComplex || db.ErrorMessage(err) != want {
		t.Errorf("budget 6: %v\nwant %s %q", err, db.CodeTooComplex, want)
	}
}
