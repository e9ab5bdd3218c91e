package storetest

import (
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// linkBatch is events a, b, c, d, e and x (inserted in that order, on days
// 0 to 5, so ids follow the letters) with the links, subject → linked event:
//
//	b RESPONSE_TO a, c RESPONSE_TO b: the chain a ← b ← c (c answers b, which answers a);
//	a FOLLOWS c: a cycle a → c → b → a;
//	d ESCALATION_OF b: a branch, a second response to b;
//	e PART_OF d;
//
// and x linked to nothing.
func linkBatch() *db.Batch {
	b := &db.Batch{}
	links := map[string][]db.Link{
		"a": {{Kind: db.LinkFollows, Event: "c"}},
		"b": {{Kind: db.LinkResponseTo, Event: "a"}},
		"c": {{Kind: db.LinkResponseTo, Event: "b"}},
		"d": {{Kind: db.LinkEscalationOf, Event: "b"}},
		"e": {{Kind: db.LinkPartOf, Event: "d"}},
	}
	for i, k := range []string{"a", "b", "c", "d", "e", "x"} {
		e := gEvent(k, day(i), "")
		e.Links = links[k]
		b.Events = append(b.Events, e)
	}
	return b
}

// chain is EventChain from a named event as its node names and edge names.
func chain(tb testing.TB, s *testStore, start string, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (nodes, edges string) {
	tb.Helper()
	sub, err := s.EventChain(context.Background(), node(tb, s, start), dir, kinds, maxDepth)
	if err != nil {
		tb.Fatalf("EventChain(%s, %s, %v, %d): %v", start, dir, kinds, maxDepth, err)
	}
	if sub.Truncated {
		tb.Errorf("EventChain(%s, %s, %v, %d): truncated", start, dir, kinds, maxDepth)
	}
	return nodeNames(tb, s, sub.Nodes), edgeNames(tb, s, sub.Edges)
}

func testEventChain(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, linkBatch())
	const (
		aFollowsC = "e:a>EVENT_LINK>e:c(FOLLOWS)@2025-01-01"
		bRespA    = "e:b>EVENT_LINK>e:a(RESPONSE_TO)@2025-01-02"
		cRespB    = "e:c>EVENT_LINK>e:b(RESPONSE_TO)@2025-01-03"
		dEscB     = "e:d>EVENT_LINK>e:b(ESCALATION_OF)@2025-01-04"
		ePartD    = "e:e>EVENT_LINK>e:d(PART_OF)@2025-01-05"
	)
	causes := []db.LinkKind{db.LinkResponseTo, db.LinkEscalationOf}
	cases := []struct {
		name     string
		start    string
		dir      db.ChainDirection
		kinds    []db.LinkKind
		maxDepth int
		nodes    string
		edges    string
	}{
		// c answers b, b answers a, a follows c: the cycle ends at c.
		{"BackwardCycle", "e:c", db.ChainBackward, nil, 5, "e:c e:b e:a", aFollowsC + " " + bRespA + " " + cRespB},
		// Without FOLLOWS the cycle is gone: c back to a and no further.
		{"BackwardKinds", "e:c", db.ChainBackward, causes, 5, "e:c e:b e:a", bRespA + " " + cRespB},
		{"BackwardDepth1", "e:c", db.ChainBackward, nil, 1, "e:c e:b", cRespB},
		// The branch d is reached from b, as one of its responses.
		{"Forward", "e:c", db.ChainForward, nil, 5, "e:c e:a e:b e:d e:e",
			aFollowsC + " " + bRespA + " " + cRespB + " " + dEscB + " " + ePartD},
		// At depth 2 the link c → b joins two events found, though b is not
		// expanded: it is among the edges.
		{"ForwardDepth2", "e:c", db.ChainForward, nil, 2, "e:c e:a e:b", aFollowsC + " " + bRespA + " " + cRespB},
		{"ForwardKinds", "e:b", db.ChainForward, causes, 5, "e:b e:c e:d", cRespB + " " + dEscB},
		// What led to d (b, then a, then c by FOLLOWS) and what followed it
		// (e); the other responses to b are not d's (c is reached
		// backward, through a).
		{"Both", "e:d", db.ChainBoth, nil, 5, "e:d e:b e:e e:a e:c",
			aFollowsC + " " + bRespA + " " + cRespB + " " + dEscB + " " + ePartD},
		{"BothKinds", "e:d", db.ChainBoth, causes, 5, "e:d e:b e:a", bRespA + " " + dEscB},
		{"BothDepth1", "e:d", db.ChainBoth, nil, 1, "e:d e:b e:e", dEscB + " " + ePartD},
		// The same kind twice, or every kind, is no filter at all.
		{"EveryKind", "e:c", db.ChainBackward, append(db.LinkKinds, db.LinkFollows), 5, "e:c e:b e:a", aFollowsC + " " + bRespA + " " + cRespB},
		{"NoLinksOfKind", "e:c", db.ChainBoth, []db.LinkKind{db.LinkPartOf}, 5, "e:c", ""},
		{"Unlinked", "e:x", db.ChainBoth, nil, 10, "e:x", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nodes, edges := chain(t, s, c.start, c.dir, c.kinds, c.maxDepth)
			if nodes != c.nodes {
				t.Errorf("nodes = %q, want %q", nodes, c.nodes)
			}
			if edges != c.edges {
				t.Errorf("edges =\n%s\nwant\n%s", edges, c.edges)
			}
		})
	}

	t.Run("ByKey", func(t *testing.T) {
		sub, err := s.EventChain(context.Background(), db.NodeRef{Type: db.NodeEvent, Key: "c"}, db.ChainBackward, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := nodeNames(t, s, sub.Nodes), "e:c e:b"; got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
	})

	// One statement finds the start, one per level that has a frontier,
	// one reads the links among the events found.
	t.Run("StatementsPerLevel", func(t *testing.T) {
		start := node(t, s, "e:c")
		counter, ok := s.Store.(statementCounter)
		if !ok {
			t.Skip("the store does not count its read statements")
		}
		before := counter.ReadStatements()
		if _, err := s.EventChain(context.Background(), start, db.ChainForward, nil, 10); err != nil {
			t.Fatal(err)
		}
		// Levels 1 to 5 (e at 4 has no responses; level 5 reads its rows).
		if got, want := counter.ReadStatements()-before, int64(1+5+1); got != want {
			t.Errorf("%d statements, want %d", got, want)
		}
	})
}
