package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// The graphs below are built so that every answer is known exactly: which
// nodes, in which order, which edges, which of several shortest paths.

var all = db.GraphFilter{}

func only(kinds ...db.EdgeKind) db.GraphFilter { return db.GraphFilter{EdgeKinds: kinds} }

func testNeighborhoodChain(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, chainBatch("a", "e", 10))

	cases := []struct {
		start string
		depth int
		want  string
	}{
		{"a:a0", 1, "a:a0 e:e0"},
		{"a:a0", 2, "a:a0 e:e0 a:a1"},
		{"a:a0", 3, "a:a0 e:e0 a:a1 e:e1"},
		{"e:e0", 1, "e:e0 a:a0 a:a1"},
		{"a:a5", 1, "a:a5 e:e4 e:e5"},
		{"a:a5", 2, "a:a5 e:e4 e:e5 a:a4 a:a6"},
		{"a:a5", 3, "a:a5 e:e4 e:e5 a:a4 a:a6 e:e3 e:e6"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.start, c.depth), func(t *testing.T) {
			sub := hood(t, s, c.start, c.depth, all, 200)
			if got := nodeNames(t, s, sub.Nodes); got != c.want {
				t.Errorf("nodes = %q, want %q", got, c.want)
			}
			if sub.Truncated {
				t.Error("truncated")
			}
		})
	}

	t.Run("Edges", func(t *testing.T) {
		sub := hood(t, s, "a:a5", 3, all, 200)
		want := "a:a4>PARTICIPATION>e:e3(PARTICIPANT)@2025-01-04 a:a4>PARTICIPATION>e:e4(PARTICIPANT)@2025-01-05 " +
			"a:a5>PARTICIPATION>e:e4(PARTICIPANT)@2025-01-05 a:a5>PARTICIPATION>e:e5(PARTICIPANT)@2025-01-06 " +
			"a:a6>PARTICIPATION>e:e5(PARTICIPANT)@2025-01-06 a:a6>PARTICIPATION>e:e6(PARTICIPANT)@2025-01-07"
		if got := edgeNames(t, s, sub.Edges); got != want {
			t.Errorf("edges =\n%s\nwant\n%s", got, want)
		}
	})

	// One statement finds the start, one per level, one completes the edges
	// among the last level's nodes.
	t.Run("StatementsPerLevel", func(t *testing.T) {
		start := node(t, s, "a:a5")
		counter, ok := s.Store.(statementCounter)
		if !ok {
			t.Skip("the store does not count its read statements")
		}
		before := counter.ReadStatements()
		if _, err := s.Neighborhood(context.Background(), start, 3, all, 200); err != nil {
			t.Fatal(err)
		}
		if got, want := counter.ReadStatements()-before, int64(5); got != want {
			t.Errorf("%d statements, want %d", got, want)
		}
	})

	t.Run("Limit", func(t *testing.T) {
		sub := hood(t, s, "a:a5", 3, all, 4)
		if got, want := nodeNames(t, s, sub.Nodes), "a:a5 e:e4 e:e5 a:a4"; got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
		if !sub.Truncated {
			t.Error("not truncated")
		}
		// Exactly as many nodes as are reachable is not truncated.
		if sub := hood(t, s, "a:a5", 3, all, 7); sub.Truncated || len(sub.Nodes) != 7 {
			t.Errorf("limit 7: %d nodes, truncated %v; want 7, false", len(sub.Nodes), sub.Truncated)
		}
	})
}

func testShortestPathChain(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, chainBatch("a", "e", 10))
	cases := []struct {
		from, to string
		maxDepth int
		want     string
	}{
		{"a:a0", "a:a3", 6, "a:a0 >PARTICIPATION> e:e0 >PARTICIPATION> a:a1 >PARTICIPATION> e:e1 >PARTICIPATION> " +
			"a:a2 >PARTICIPATION> e:e2 >PARTICIPATION> a:a3"},
		{"a:a3", "a:a0", 6, "a:a3 >PARTICIPATION> e:e2 >PARTICIPATION> a:a2 >PARTICIPATION> e:e1 >PARTICIPATION> " +
			"a:a1 >PARTICIPATION> e:e0 >PARTICIPATION> a:a0"},
		{"a:a0", "e:e0", 1, "a:a0 >PARTICIPATION> e:e0"},
		{"a:a0", "a:a1", 2, "a:a0 >PARTICIPATION> e:e0 >PARTICIPATION> a:a1"},
		{"a:a0", "a:a1", 1, "none"},
		{"a:a0", "e:e2", 5, "a:a0 >PARTICIPATION> e:e0 >PARTICIPATION> a:a1 >PARTICIPATION> e:e1 >PARTICIPATION> a:a2 >PARTICIPATION> e:e2"},
		{"a:a0", "e:e2", 4, "none"},
		// a0 to a9 is 18 edges, beyond the largest maxDepth (6).
		{"a:a0", "a:a4", 6, "none"},
		{"a:a0", "a:a9", 6, "none"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%s/%d", c.from, c.to, c.maxDepth), func(t *testing.T) {
			if got := path(t, s, c.from, c.to, c.maxDepth, all); got != c.want {
				t.Errorf("path =\n%s\nwant\n%s", got, c.want)
			}
		})
	}

	t.Run("Edges", func(t *testing.T) {
		p, err := s.ShortestPath(context.Background(), node(t, s, "a:a2"), node(t, s, "a:a0"), 4, all)
		if err != nil {
			t.Fatal(err)
		}
		// Edges keep their own direction whichever way the path goes.
		want := "a:a2>PARTICIPATION>e:e1(PARTICIPANT)@2025-01-02 a:a1>PARTICIPATION>e:e1(PARTICIPANT)@2025-01-02 " +
			"a:a1>PARTICIPATION>e:e0(PARTICIPANT)@2025-01-01 a:a0>PARTICIPATION>e:e0(PARTICIPANT)@2025-01-01"
		if got := edgeNames(t, s, p.Edges); got != want {
			t.Errorf("edges =\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("SameNode", func(t *testing.T) {
		p, err := s.ShortestPath(context.Background(), node(t, s, "a:a4"), node(t, s, "a:a4"), 1, all)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil || nodeNames(t, s, p.Nodes) != "a:a4" || len(p.Edges) != 0 {
			t.Errorf("path = %+v, want a:a4 alone", p)
		}
	})
}

// gridBatch is a 3×3 grid of actors gRC, each tied by ALLIED_WITH to its
// right (gR(C+1)) and lower (g(R+1)C) neighbour, plus a second tie (SUPPORTS)
// from g00 to g01. Six shortest paths of length 4 join g00 and g22. The
// actors are inserted in the order below, which sets their ids:
//
//	g20 1, g01 2, g11 3, g21 4, g12 5, g10 6, g02 7, g22 8, g00 9
//
// so that the smallest meeting node (g20) and the lexicographically smallest
// path (g00 g01 g11 g21 g22) disagree.
func gridBatch() *db.Batch {
	b := &db.Batch{}
	for _, k := range []string{"g20", "g01", "g11", "g21", "g12", "g10", "g02", "g22", "g00"} {
		b.Actors = append(b.Actors, gActor(k, ""))
	}
	for r := range 3 {
		for c := range 3 {
			if c < 2 {
				b.Relationships = append(b.Relationships,
					gRel(fmt.Sprintf("r%d%d", r, c), db.RelAlliedWith, fmt.Sprintf("g%d%d", r, c), fmt.Sprintf("g%d%d", r, c+1)))
			}
			if r < 2 {
				b.Relationships = append(b.Relationships,
					gRel(fmt.Sprintf("d%d%d", r, c), db.RelAlliedWith, fmt.Sprintf("g%d%d", r, c), fmt.Sprintf("g%d%d", r+1, c)))
			}
		}
	}
	b.Relationships = append(b.Relationships, gRel("s00", db.RelSupports, "g00", "g01"))
	return b
}

func testShortestPathTieRule(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, gridBatch())
	cases := []struct{ from, to, want string }{
		{"a:g00", "a:g22", "a:g00 a:g01 a:g11 a:g21 a:g22"},
		{"a:g22", "a:g00", "a:g22 a:g21 a:g20 a:g10 a:g00"},
		{"a:g02", "a:g20", "a:g02 a:g01 a:g11 a:g21 a:g20"},
		{"a:g10", "a:g12", "a:g10 a:g11 a:g12"},
	}
	for _, c := range cases {
		t.Run(c.from+"-"+c.to, func(t *testing.T) {
			for range 3 { // the same answer every time
				if got := pathNodes(t, s, c.from, c.to, 6, all); got != c.want {
					t.Errorf("path = %q, want %q", got, c.want)
				}
			}
		})
	}
	t.Run("ParallelEdges", func(t *testing.T) {
		// g00–g01 has two edges: the first in edge order (role
		// ALLIED_WITH before SUPPORTS) is taken.
		p, err := s.ShortestPath(context.Background(), node(t, s, "a:g01"), node(t, s, "a:g00"), 1, all)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := edgeNames(t, s, p.Edges), "a:g00>RELATIONSHIP>a:g01(ALLIED_WITH)"; got != want {
			t.Errorf("edges = %q, want %q", got, want)
		}
		sub := hood(t, s, "a:g00", 1, all, 10)
		if got, want := edgeNames(t, s, sub.Edges),
			"a:g00>RELATIONSHIP>a:g01(ALLIED_WITH) a:g00>RELATIONSHIP>a:g01(SUPPORTS) a:g00>RELATIONSHIP>a:g10(ALLIED_WITH)"; got != want {
			t.Errorf("neighbourhood edges = %q, want %q", got, want)
		}
	})
	t.Run("TooShort", func(t *testing.T) {
		if got := pathNodes(t, s, "a:g00", "a:g22", 3, all); got != "none" {
			t.Errorf("maxDepth 3: path = %q, want none", got)
		}
	})
}

func testGraphStar(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, starBatch(500))
	evs := func(from, to int, prefix string) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("%s%03d", prefix, i))
		}
		return out
	}

	t.Run("Limit50", func(t *testing.T) {
		sub := hood(t, s, "a:hub", 1, all, 50)
		want := "a:hub " + strings.Join(evs(0, 49, "e:ev"), " ")
		if got := nodeNames(t, s, sub.Nodes); got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
		if !sub.Truncated {
			t.Error("not truncated")
		}
		if got, want := len(sub.Edges), 49; got != want {
			t.Errorf("%d edges, want %d", got, want)
		}
	})
	t.Run("Depth1All", func(t *testing.T) {
		sub := hood(t, s, "a:hub", 1, all, 501)
		if len(sub.Nodes) != 501 || sub.Truncated || len(sub.Edges) != 500 {
			t.Errorf("%d nodes, %d edges, truncated %v; want 501, 500, false", len(sub.Nodes), len(sub.Edges), sub.Truncated)
		}
		sub = hood(t, s, "a:hub", 1, all, 500)
		if len(sub.Nodes) != 500 || !sub.Truncated {
			t.Errorf("limit 500: %d nodes, truncated %v; want 500, true", len(sub.Nodes), sub.Truncated)
		}
	})
	t.Run("Depth2", func(t *testing.T) {
		// hub, 500 events, then the leaves of ev000 … ev498: leaf499 is
		// one too many.
		sub := hood(t, s, "a:hub", 2, all, 1000)
		want := "a:hub " + strings.Join(evs(0, 500, "e:ev"), " ") + " " + strings.Join(evs(0, 499, "a:leaf"), " ")
		if got := nodeNames(t, s, sub.Nodes); got != want {
			t.Errorf("nodes differ: got %d, want %d", len(sub.Nodes), 1000)
		}
		if !sub.Truncated {
			t.Error("not truncated")
		}
		if got, want := len(sub.Edges), 500+499; got != want {
			t.Errorf("%d edges, want %d", got, want)
		}
	})
	t.Run("Path", func(t *testing.T) {
		want := "a:leaf000 e:ev000 a:hub e:ev499 a:leaf499"
		if got := pathNodes(t, s, "a:leaf000", "a:leaf499", 6, all); got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	})
}

func testGraphTwoComponents(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, chainBatch("a", "e", 4))
	mustApply(t, s, chainBatch("b", "f", 4))
	if got := pathNodes(t, s, "a:a0", "a:b0", 6, all); got != "none" {
		t.Errorf("path a0-b0 = %q, want none", got)
	}
	if got := pathNodes(t, s, "a:a3", "e:f0", 6, all); got != "none" {
		t.Errorf("path a3-f0 = %q, want none", got)
	}
	if got, want := hoodNodes(t, s, "a:a1", 3, all), "a:a1 e:e0 e:e1 a:a0 a:a2 e:e2"; got != want {
		t.Errorf("neighbourhood of a1 = %q, want %q", got, want)
	}
	if got, want := hoodNodes(t, s, "a:b3", 3, all), "a:b3 e:f2 a:b2 e:f1"; got != want {
		t.Errorf("neighbourhood of b3 = %q, want %q", got, want)
	}
}

// kindsBatch has one edge of every kind around actor x.
func kindsBatch() *db.Batch {
	ev := gEvent("ev", day(10), "FR", "x", "y")
	ev.Participants[0].Role, ev.Participants[1].Role = db.RoleInitiator, db.RoleTarget
	ev2 := gEvent("ev2", day(11), "")
	ev2.Links = []db.Link{{Kind: db.LinkResponseTo, Event: "ev"}}
	st := db.Statement{Key: "st", Kind: db.StatementQuote, Speaker: "x", DeliveredBy: "z", Addressees: []string{"y"},
		MadeAt: day(12), Text: "t", About: []string{"ev"}}
	return &db.Batch{
		Actors:        []db.Actor{gActor("x", "IN"), gActor("y", ""), gActor("z", "")},
		Relationships: []db.Relationship{gRel("r1", db.RelAlliedWith, "x", "y")},
		Events:        []db.Event{ev, ev2},
		Statements:    []db.Statement{st},
	}
}

func testGraphEdgeKinds(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, kindsBatch())

	t.Run("All", func(t *testing.T) {
		sub := hood(t, s, "a:x", 1, all, 100)
		// x's rows by kind: participation, speaker, relationship, affiliation.
		if got, want := nodeNames(t, s, sub.Nodes), "a:x e:ev s:st a:y c:IN"; got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
		want := "a:x>PARTICIPATION>e:ev(INITIATOR)@2025-01-11 a:x>SPEAKER>s:st@2025-01-13 " +
			"a:x>RELATIONSHIP>a:y(ALLIED_WITH) a:x>AFFILIATION>c:IN a:y>PARTICIPATION>e:ev(TARGET)@2025-01-11 " +
			"s:st>ADDRESSEE>a:y@2025-01-13 s:st>ABOUT>e:ev@2025-01-13"
		if got := edgeNames(t, s, sub.Edges); got != want {
			t.Errorf("edges =\n%s\nwant\n%s", got, want)
		}
		if got, want := hoodNodes(t, s, "a:x", 2, all), "a:x e:ev s:st a:y c:IN e:ev2 c:FR a:z"; got != want {
			t.Errorf("depth 2 = %q, want %q", got, want)
		}
	})
	t.Run("Participation", func(t *testing.T) {
		if got, want := hoodNodes(t, s, "a:x", 3, only(db.EdgeParticipation)), "a:x e:ev a:y"; got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
	})
	t.Run("Relationship", func(t *testing.T) {
		sub := hood(t, s, "a:x", 3, only(db.EdgeRelationship), 100)
		if got, want := nodeNames(t, s, sub.Nodes), "a:x a:y"; got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
		if got, want := edgeNames(t, s, sub.Edges), "a:x>RELATIONSHIP>a:y(ALLIED_WITH)"; got != want {
			t.Errorf("edges = %q, want %q", got, want)
		}
	})
	t.Run("LinkAndLocation", func(t *testing.T) {
		sub := hood(t, s, "e:ev", 3, only(db.EdgeEventLink, db.EdgeLocation), 100)
		if got, want := nodeNames(t, s, sub.Nodes), "e:ev e:ev2 c:FR"; got != want {
			t.Errorf("nodes = %q, want %q", got, want)
		}
		// A link's time is its subject event's.
		if got, want := edgeNames(t, s, sub.Edges), "e:ev>LOCATION>c:FR@2025-01-11 e:ev2>EVENT_LINK>e:ev(RESPONSE_TO)@2025-01-12"; got != want {
			t.Errorf("edges = %q, want %q", got, want)
		}
	})
	t.Run("Path", func(t *testing.T) {
		if got, want := path(t, s, "a:z", "a:y", 6, all), "a:z >DELIVERER> s:st >ADDRESSEE> a:y"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
		if got := path(t, s, "a:z", "a:y", 6, only(db.EdgeParticipation, db.EdgeRelationship)); got != "none" {
			t.Errorf("path without statements = %q, want none", got)
		}
		if got, want := path(t, s, "a:z", "c:IN", 6, only(db.EdgeDeliverer, db.EdgeSpeaker, db.EdgeAffiliation)),
			"a:z >DELIVERER> s:st >SPEAKER> a:x >AFFILIATION> c:IN"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	})
}

// windowBatch: an event and a statement about it on different days, and
// relationships open-ended, closed and starting later.
func windowBatch() *db.Batch {
	year := func(y int) db.Date {
		d, _ := db.ParseDate(fmt.Sprint(y))
		return d
	}
	month, _ := db.ParseDate("2026-03")
	open := gRel("open", db.RelAlliedWith, "x", "y")
	open.From = year(2020)
	closed := gRel("closed", db.RelOpposes, "x", "z")
	closed.From, closed.To = year(2020), year(2024)
	later := gRel("later", db.RelSupports, "x", "w")
	later.From = month
	st := db.Statement{Key: "st", Kind: db.StatementQuote, Speaker: "y", MadeAt: day(12), Text: "t", About: []string{"ev"}}
	return &db.Batch{
		Actors:        []db.Actor{gActor("x", "IN"), gActor("y", ""), gActor("z", ""), gActor("w", "")},
		Relationships: []db.Relationship{open, closed, later},
		Events:        []db.Event{gEvent("ev", day(10), "", "x")},
		Statements:    []db.Statement{st},
	}
}

func testGraphTimeWindow(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, windowBatch())
	win := func(from, to string) db.GraphFilter {
		f := db.GraphFilter{}
		if from != "" {
			f.From = at(t, from)
		}
		if to != "" {
			f.To = at(t, to)
		}
		return f
	}
	cases := []struct {
		name, start string
		filter      db.GraphFilter
		want        string
	}{
		{"NoWindow", "a:x", all, "a:x e:ev a:y a:z a:w c:IN"},
		// ev is at 2025-01-11T00:00Z: [from, to) is half-open.
		{"EventAtFrom", "e:ev", win("2025-01-11T00:00:00Z", "2025-01-12T00:00:00Z"), "e:ev a:x"},
		{"EventAtTo", "e:ev", win("2025-01-10T00:00:00Z", "2025-01-11T00:00:00Z"), "e:ev"},
		{"FromJustAfterEvent", "e:ev", win("2025-01-11T00:00:00.001Z", ""), "e:ev s:st"},
		{"EventOnlyTo", "e:ev", win("", "2025-01-11T00:00:00.001Z"), "e:ev a:x"},
		// The statement's about edge has the statement's time, not the event's.
		{"AboutAtStatement", "e:ev", win("2025-01-13T00:00:00Z", "2025-01-14T00:00:00Z"), "e:ev s:st"},
		// open: from 2020, no end; closed: 2020 to the end of 2024;
		// later: from March 2026; the affiliation always.
		{"Relationships2025", "a:x", win("2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"), "a:x a:y c:IN"},
		{"ClosedLastInstant", "a:x", win("2024-12-31T23:59:59.999Z", "2025-01-01T00:00:00Z"), "a:x a:y a:z c:IN"},
		{"ClosedEnded", "a:x", win("2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"), "a:x a:y c:IN"},
		{"LaterAtTo", "a:x", win("2025-06-01T00:00:00Z", "2026-03-01T00:00:00Z"), "a:x a:y c:IN"},
		{"LaterStarted", "a:x", win("2025-06-01T00:00:00Z", "2026-03-01T00:00:00.001Z"), "a:x a:y a:w c:IN"},
		{"Before2020", "a:x", win("1990-01-01T00:00:00Z", "2020-01-01T00:00:00Z"), "a:x c:IN"},
		{"Empty", "a:x", win("2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"), "a:x c:IN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := nodeNames(t, s, hood(t, s, c.start, 1, c.filter, 100).Nodes); got != c.want {
				t.Errorf("nodes = %q, want %q", got, c.want)
			}
		})
	}
	t.Run("Path", func(t *testing.T) {
		// x–y (open) is in every window from 2020: with it, y's
		// statement is two steps away whatever the day.
		f := win("2025-01-13T00:00:00Z", "2025-01-14T00:00:00Z")
		if got, want := pathNodes(t, s, "a:x", "s:st", 6, f), "a:x a:y s:st"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
		// Through the event: its participation is on 11 January only.
		f.EdgeKinds = []db.EdgeKind{db.EdgeParticipation, db.EdgeAbout}
		if got := pathNodes(t, s, "a:x", "s:st", 6, f); got != "none" {
			t.Errorf("path = %q, want none", got)
		}
		f.From = at(t, "2025-01-11T00:00:00Z")
		if got, want := pathNodes(t, s, "a:x", "s:st", 6, f), "a:x e:ev s:st"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	})
}

func testGraphIndexFollowsUpdates(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ev2 := gEvent("ev2", day(3), "", "y")
	ev2.Links = []db.Link{{Kind: db.LinkFollows, Event: "ev"}}
	b := &db.Batch{
		Actors:        []db.Actor{gActor("x", "IN"), gActor("y", ""), gActor("z", "")},
		Relationships: []db.Relationship{gRel("r1", db.RelAlliedWith, "x", "y")},
		Events:        []db.Event{gEvent("ev", day(0), "", "x", "y"), ev2},
	}
	mustApply(t, s, b)
	check := func(start, want string) {
		t.Helper()
		if got := hoodNodes(t, s, start, 1, all); got != want {
			t.Errorf("neighbourhood of %s = %q, want %q", start, got, want)
		}
	}
	check("e:ev", "e:ev a:x a:y e:ev2")
	check("a:x", "a:x e:ev a:y c:IN")
	check("a:z", "a:z")

	// Participants, country, object and time change; the link goes.
	b.Events[0] = gEvent("ev", day(5), "", "x", "z")
	b.Events[1].Links = nil
	b.Actors[0].Country = "PK"
	b.Relationships[0].Object.Actor = "z"
	if sum := mustApply(t, s, b); sum.Updated != 4 {
		t.Fatalf("summary %v, want 4 updated", sum)
	}
	check("e:ev", "e:ev a:x a:z")
	check("a:x", "a:x e:ev a:z c:PK")
	check("a:y", "a:y e:ev2")
	check("a:z", "a:z e:ev a:x")
	check("c:IN", "c:IN")

	// The edges moved with the event's time.
	f := db.GraphFilter{From: at(t, "2025-01-06T00:00:00Z"), To: at(t, "2025-01-07T00:00:00Z")}
	if got, want := nodeNames(t, s, hood(t, s, "e:ev", 1, f, 10).Nodes), "e:ev a:x a:z"; got != want {
		t.Errorf("at the new time: %q, want %q", got, want)
	}
	f = db.GraphFilter{From: at(t, "2025-01-01T00:00:00Z"), To: at(t, "2025-01-02T00:00:00Z")}
	if got, want := nodeNames(t, s, hood(t, s, "e:ev", 1, f, 10).Nodes), "e:ev"; got != want {
		t.Errorf("at the old time: %q, want %q", got, want)
	}

	// The same batch again changes nothing.
	before := hood(t, s, "a:x", 3, all, 1000)
	if sum := mustApply(t, s, b); sum.Updated != 0 || sum.Inserted != 0 {
		t.Fatalf("summary %v, want all unchanged", sum)
	}
	after := hood(t, s, "a:x", 3, all, 1000)
	if g, w := edgeNames(t, s, after.Edges), edgeNames(t, s, before.Edges); g != w {
		t.Errorf("edges after reload =\n%s\nwant\n%s", g, w)
	}
}

func testGraphErrors(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, chainBatch("a", "e", 3))
	ctx := context.Background()
	a0, e0 := node(t, s, "a:a0"), node(t, s, "e:e0")
	cases := []struct {
		name string
		err  error
		code db.Code
		msg  string
	}{
		{"Depth0", second(s.Neighborhood(ctx, a0, 0, all, 10)), db.CodeInvalid, "depth must be between 1 and 3, not 0"},
		{"Depth4", second(s.Neighborhood(ctx, a0, 4, all, 10)), db.CodeInvalid, "depth must be between 1 and 3, not 4"},
		{"Limit0", second(s.Neighborhood(ctx, a0, 1, all, 0)), db.CodeInvalid, "limit must be between 1 and 1000, not 0"},
		{"Limit1001", second(s.Neighborhood(ctx, a0, 1, all, 1001)), db.CodeInvalid, "limit must be between 1 and 1000, not 1001"},
		{"MaxDepth0", second(s.ShortestPath(ctx, a0, a0, 0, all)), db.CodeInvalid, "maxDepth must be between 1 and 6, not 0"},
		{"MaxDepth7", second(s.ShortestPath(ctx, a0, a0, 7, all)), db.CodeInvalid, "maxDepth must be between 1 and 6, not 7"},
		{"UnknownKind", second(s.Neighborhood(ctx, a0, 1, only("BOGUS"), 10)), db.CodeInvalid, `filter: unknown edge kind "BOGUS"`},
		{"UnknownKindPath", second(s.ShortestPath(ctx, a0, a0, 1, only(db.EdgeAbout, "BOGUS"))), db.CodeInvalid, `filter: unknown edge kind "BOGUS"`},
		{"UnknownStart", second(s.Neighborhood(ctx, db.NodeRef{Type: db.NodeActor, ID: 999}, 1, all, 10)), db.CodeNotFound, "no node ACTOR 999"},
		{"UnknownEvent", second(s.Neighborhood(ctx, db.NodeRef{Type: db.NodeEvent, ID: 3}, 1, all, 10)), db.CodeNotFound, "no node EVENT 3"},
		{"UnknownType", second(s.Neighborhood(ctx, db.NodeRef{Type: "PLANET", ID: 1}, 1, all, 10)), db.CodeNotFound, "no node PLANET 1"},
		{"UnknownTo", second(s.ShortestPath(ctx, a0, db.NodeRef{Type: db.NodeStatement, ID: 1}, 3, all)), db.CodeNotFound, "no node STATEMENT 1"},
		{"UnknownFrom", second(s.ShortestPath(ctx, db.NodeRef{Type: db.NodeCountry, ID: 100000}, a0, 3, all)), db.CodeNotFound, "no node COUNTRY 100000"},
		{"ChainMaxDepth0", second(s.EventChain(ctx, e0, db.ChainBoth, nil, 0)), db.CodeInvalid, "maxDepth must be between 1 and 10, not 0"},
		{"ChainMaxDepth11", second(s.EventChain(ctx, e0, db.ChainBoth, nil, 11)), db.CodeInvalid, "maxDepth must be between 1 and 10, not 11"},
		{"ChainDirection", second(s.EventChain(ctx, e0, "SIDEWAYS", nil, 1)), db.CodeInvalid, `direction: unknown chain direction "SIDEWAYS"`},
		{"ChainKind", second(s.EventChain(ctx, e0, db.ChainBoth, []db.LinkKind{"CAUSED"}, 1)), db.CodeInvalid, `kinds: unknown link kind "CAUSED"`},
		{"ChainFromActor", second(s.EventChain(ctx, a0, db.ChainBoth, nil, 1)), db.CodeInvalid, "event: names an actor, not an event"},
		// A reference to another type is refused before it is looked up.
		{"ChainFromUnknownActor", second(s.EventChain(ctx, db.NodeRef{Type: db.NodeActor, Key: "nobody"}, db.ChainBoth, nil, 1)), db.CodeInvalid,
			"event: names an actor, not an event"},
		{"ChainFromStatement", second(s.EventChain(ctx, db.NodeRef{Type: db.NodeStatement, ID: 1}, db.ChainBoth, nil, 1)), db.CodeInvalid,
			"event: names a statement, not an event"},
		{"ChainUnknownID", second(s.EventChain(ctx, db.NodeRef{Type: db.NodeEvent, ID: 999}, db.ChainBoth, nil, 1)), db.CodeNotFound, "no node EVENT 999"},
		{"ChainUnknownKey", second(s.EventChain(ctx, db.NodeRef{Type: db.NodeEvent, Key: "zz"}, db.ChainBoth, nil, 1)), db.CodeNotFound, `no event "zz"`},
		{"ChronoMaxDepth7", second(s.ChronologicalPath(ctx, a0, a0, 7, all)), db.CodeInvalid, "maxDepth must be between 1 and 6, not 7"},
		{"ChronoUnknownTo", second(s.ChronologicalPath(ctx, a0, db.NodeRef{Type: db.NodeEvent, ID: 999}, 3, all)), db.CodeNotFound, "no node EVENT 999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := db.ErrorCode(c.err); got != c.code {
				t.Errorf("code = %q, want %q (err %v)", got, c.code, c.err)
			}
			if got := db.ErrorMessage(c.err); got != c.msg {
				t.Errorf("message = %q, want %q", got, c.msg)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }
