package storetest

import (
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// chronoBatch is built so that each chronological answer is known:
//
//   - p and q meet only through x: p and x in e1 (day 1), x and q in e2
//     (day 5). p → q passes e1 then e2, forward in time; q → p would pass
//     e2 then e1, backward.
//   - u and w are allies from day 10 to day 20 (rel, its `to` a day: the
//     tie holds until the end of day 20); u is in g1 (day 12) and g3 (day
//     25), w in g2 (day 14) and g4 (day 26). g1 → g2 crosses the tie on
//     day 12, when it held; g3 → g4 would cross it on day 25, when it no
//     longer did.
//   - s1, a statement by x on day 3 about e2: after e1, before e2.
func chronoBatch() *db.Batch {
	rel := gRel("rel", db.RelAlliedWith, "u", "w")
	rel.From, rel.To = day(10), day(20)
	return &db.Batch{
		Actors: []db.Actor{gActor("p", ""), gActor("q", ""), gActor("x", ""), gActor("u", ""), gActor("w", "")},
		Events: []db.Event{
			gEvent("e1", day(1), "", "p", "x"), gEvent("e2", day(5), "", "x", "q"),
			gEvent("g1", day(12), "", "u"), gEvent("g2", day(14), "", "w"),
			gEvent("g3", day(25), "", "u"), gEvent("g4", day(26), "", "w"),
		},
		Statements:    []db.Statement{{Key: "s1", Kind: db.StatementQuote, Speaker: "x", MadeAt: day(3), Text: "s1", About: []string{"e2"}}},
		Relationships: []db.Relationship{rel},
	}
}

// chronoPathNames is ChronologicalPath, failing the test on an error.
func chronoPathNames(tb testing.TB, s *testStore, from, to db.NodeRef, maxDepth int) *db.Path {
	tb.Helper()
	p, err := s.ChronologicalPath(context.Background(), from, to, maxDepth, all)
	if err != nil {
		tb.Fatalf("ChronologicalPath: %v", err)
	}
	return p
}

func testChronologicalPath(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, chronoBatch())
	cases := []struct {
		name, from, to string
		maxDepth       int
		plain, chrono  string
	}{
		{"Forward", "a:p", "a:q", 6, "a:p e:e1 a:x e:e2 a:q", "a:p e:e1 a:x e:e2 a:q"},
		{"Backward", "a:q", "a:p", 6, "a:q e:e2 a:x e:e1 a:p", "none"},
		// Between events the ends count: e2 (day 5) is after e1 (day 1).
		{"EventsForward", "e:e1", "e:e2", 6, "e:e1 a:x e:e2", "e:e1 a:x e:e2"},
		{"EventsBackward", "e:e2", "e:e1", 6, "e:e2 a:x e:e1", "none"},
		{"TooShort", "a:p", "a:q", 3, "none", "none"},
		// The statement (day 3) comes after e1 and before e2.
		{"StatementForward", "e:e1", "s:s1", 6, "e:e1 a:x s:s1", "e:e1 a:x s:s1"},
		{"StatementBackward", "e:e2", "s:s1", 6, "e:e2 s:s1", "none"},
		// The tie held on day 12, not on day 25.
		{"TieHeld", "e:g1", "e:g2", 6, "e:g1 a:u a:w e:g2", "e:g1 a:u a:w e:g2"},
		{"TieOver", "e:g3", "e:g4", 6, "e:g3 a:u a:w e:g4", "none"},
		// From an actor no instant is reached before the tie: it counts.
		{"TieFirst", "a:u", "e:g4", 6, "a:u a:w e:g4", "a:u a:w e:g4"},
		{"Same", "a:p", "a:p", 1, "a:p", "a:p"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pathNodes(t, s, c.from, c.to, c.maxDepth, all); got != c.plain {
				t.Errorf("plain path = %q, want %q", got, c.plain)
			}
			p := chronoPathNames(t, s, node(t, s, c.from), node(t, s, c.to), c.maxDepth)
			got := "none"
			if p != nil {
				got = nodeNames(t, s, p.Nodes)
				if len(p.Edges) != len(p.Nodes)-1 {
					t.Fatalf("%d nodes, %d edges", len(p.Nodes), len(p.Edges))
				}
			}
			if got != c.chrono {
				t.Errorf("chronological path = %q, want %q", got, c.chrono)
			}
		})
	}

	t.Run("Edges", func(t *testing.T) {
		p := chronoPathNames(t, s, node(t, s, "e:g1"), node(t, s, "e:g2"), 6)
		want := "a:u>PARTICIPATION>e:g1(PARTICIPANT)@2025-01-13 a:u>RELATIONSHIP>a:w(ALLIED_WITH)@2025-01-11 " +
			"a:w>PARTICIPATION>e:g2(PARTICIPANT)@2025-01-15"
		if got := edgeNames(t, s, p.Edges); got != want {
			t.Errorf("edges =\n%s\nwant\n%s", got, want)
		}
	})

}
