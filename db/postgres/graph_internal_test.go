package postgres

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/synth"
)

// loadBoth loads a generated graph (db/synth) of events into a new SQLite
// store and a new PostgreSQL store, for tests that compare their answers.
func loadBoth(t *testing.T, events int, seed int64) (*sqlite.Store, *Store, *fixture.Set) {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: events, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	set := decode(t, buf.String())
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	if _, err := lite.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	pg := openClocked(t)
	set = decode(t, buf.String())
	if _, err := pg.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	return lite, pg, set
}

// graphStore is what the comparison of traversals calls on either store.
type graphStore interface {
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error)
	CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error)
	Neighborhood(ctx context.Context, start db.NodeRef, depth int, f db.GraphFilter, limit int) (db.Subgraph, error)
	ShortestPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error)
	ChronologicalPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error)
	EventChain(ctx context.Context, event db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (db.Subgraph, error)
}

// graphNames names a store's nodes by their keys, both ways, so that
// answers compare whatever ids each store gave its rows.
type graphNames struct {
	name map[db.NodeRef]string
	ref  map[string]db.NodeRef
}

func namesOf(t *testing.T, s graphStore, actors, events, statements []string) graphNames {
	t.Helper()
	ctx := context.Background()
	n := graphNames{name: map[db.NodeRef]string{}, ref: map[string]db.NodeRef{}}
	add := func(typ db.NodeType, id int64, name string) {
		r := db.NodeRef{Type: typ, ID: id}
		n.name[r], n.ref[name] = name, r
	}
	as, err := s.ActorsByKey(ctx, actors)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		add(db.NodeActor, a.ID, "a:"+a.Key)
	}
	es, err := s.EventsByKey(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		add(db.NodeEvent, e.ID, "e:"+e.Key)
	}
	ss, err := s.StatementsByKey(ctx, statements)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range ss {
		add(db.NodeStatement, st.ID, "s:"+st.Key)
	}
	var codes []string
	for _, c := range iso3166.All() {
		codes = append(codes, c.Code)
	}
	cs, err := s.CountriesByCode(ctx, codes)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		add(db.NodeCountry, c.ID, "c:"+c.Code)
	}
	return n
}

func (n graphNames) of(r db.NodeRef) string {
	if name, ok := n.name[r]; ok {
		return name
	}
	return fmt.Sprintf("?%s/%d", r.Type, r.ID)
}

func (n graphNames) edges(es []db.Edge) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, " %s>%s>%s(%s)", n.of(e.From), e.Kind, n.of(e.To), e.Role)
		if e.At != nil {
			b.WriteString("@" + e.At.Format(time.RFC3339Nano))
		}
	}
	return b.String()
}

func (n graphNames) subgraph(sub db.Subgraph, err error) string {
	if err != nil {
		return fmt.Sprintf("error %s: %s", db.ErrorCode(err), db.ErrorMessage(err))
	}
	var b strings.Builder
	for _, r := range sub.Nodes {
		b.WriteString(" " + n.of(r))
	}
	return fmt.Sprintf("nodes%s; edges%s; truncated %v", b.String(), n.edges(sub.Edges), sub.Truncated)
}

func (n graphNames) path(p *db.Path, err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("error %s: %s", db.ErrorCode(err), db.ErrorMessage(err))
	case p == nil:
		return "none"
	}
	var b strings.Builder
	for _, r := range p.Nodes {
		b.WriteString(" " + n.of(r))
	}
	return fmt.Sprintf("nodes%s; edges%s", b.String(), n.edges(p.Edges))
}

// On a generated graph (db/synth: 1 500 events, their actors, statements,
// relationships and links), every traversal answers as SQLite's does:
// the same nodes in the same order, the same edges, the same truncation,
// the same refusals and errors, for starts of every type, every depth,
// limits that cut and that do not, kinds and time windows.
func TestGraphAgreesWithSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, pg, set := loadBoth(t, 1500, 11)

	var actors, events, statements []string
	for _, a := range set.Batch.Actors {
		actors = append(actors, a.Key)
	}
	for _, e := range set.Batch.Events {
		events = append(events, e.Key)
	}
	for _, st := range set.Batch.Statements {
		statements = append(statements, st.Key)
	}
	if len(statements) == 0 || len(set.Batch.Relationships) == 0 {
		t.Fatalf("the generated graph has %d statements and %d relationships: want some of each",
			len(statements), len(set.Batch.Relationships))
	}
	ln, pn := namesOf(t, lite, actors, events, statements), namesOf(t, pg, actors, events, statements)

	// Starts of every type, a few of each, spread over the batch.
	var starts []string
	pick := func(prefix string, keys []string, n int) {
		for i := range n {
			starts = append(starts, prefix+keys[i*len(keys)/n])
		}
	}
	pick("a:", actors, 12)
	pick("e:", events, 12)
	pick("s:", statements, 4)
	for _, c := range []string{"c:US", "c:UA", "c:IN"} {
		if _, ok := ln.ref[c]; ok {
			starts = append(starts, c)
		}
	}

	from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	filters := map[string]db.GraphFilter{
		"all":    {},
		"window": {From: &from, To: &to},
		"kinds":  {EdgeKinds: []db.EdgeKind{db.EdgeParticipation, db.EdgeRelationship, db.EdgeAffiliation}},
	}
	// What the answers held, so that a graph too thin to test anything
	// fails rather than agrees.
	compared, truncated, paths, chains := 0, 0, 0, 0
	check := func(what, got, want string) {
		t.Helper()
		compared++
		switch {
		case strings.HasSuffix(want, "truncated true"):
			truncated++
		case strings.HasPrefix(what, "ShortestPath") && strings.Count(want, ">") >= 4:
			paths++ // two edges or more
		case strings.HasPrefix(what, "EventChain") && strings.Contains(want, ">EVENT_LINK>"):
			chains++
		}
		if got != want {
			t.Errorf("%s:\nPostgreSQL %s\nSQLite     %s", what, got, want)
		}
	}

	t.Run("Neighborhood", func(t *testing.T) {
		for _, st := range starts {
			for fname, f := range filters {
				for _, depth := range []int{1, 2, 3} {
					for _, limit := range []int{7, 200} {
						want := ln.subgraph(lite.Neighborhood(ctx, ln.ref[st], depth, f, limit))
						got := pn.subgraph(pg.Neighborhood(ctx, pn.ref[st], depth, f, limit))
						check(fmt.Sprintf("Neighborhood(%s, %d, %s, %d)", st, depth, fname, limit), got, want)
					}
				}
			}
		}
	})

	t.Run("Paths", func(t *testing.T) {
		for i, a := range starts {
			for _, step := range []int{5, 13} {
				b := starts[(i+step)%len(starts)]
				for fname, f := range filters {
					for _, maxDepth := range []int{1, 3, 6} {
						what := fmt.Sprintf("(%s, %s, %d, %s)", a, b, maxDepth, fname)
						want := ln.path(lite.ShortestPath(ctx, ln.ref[a], ln.ref[b], maxDepth, f))
						got := pn.path(pg.ShortestPath(ctx, pn.ref[a], pn.ref[b], maxDepth, f))
						check("ShortestPath"+what, got, want)
						want = ln.path(lite.ChronologicalPath(ctx, ln.ref[a], ln.ref[b], maxDepth, f))
						got = pn.path(pg.ChronologicalPath(ctx, pn.ref[a], pn.ref[b], maxDepth, f))
						check("ChronologicalPath"+what, got, want)
					}
				}
			}
		}
	})

	// With small budgets, a search either refuses (QUERY_TOO_COMPLEX) or
	// answers what it answers with the default budget: never a wrong path.
	t.Run("PathsWithinSmallBudgets", func(t *testing.T) {
		defer func() { pg.graph.maxEdgesRead = 0 }()
		answered, refused := 0, 0
		for i, a := range starts {
			b := starts[(i+7)%len(starts)]
			for _, maxDepth := range []int{2, 4, 6} {
				want := ln.path(lite.ShortestPath(ctx, ln.ref[a], ln.ref[b], maxDepth, db.GraphFilter{}))
				for _, budget := range []int{300, 40, 12} {
					pg.graph.maxEdgesRead = budget
					p, err := pg.ShortestPath(ctx, pn.ref[a], pn.ref[b], maxDepth, db.GraphFilter{})
					if db.ErrorCode(err) == db.CodeTooComplex {
						refused++
						continue
					}
					answered++
					if got := pn.path(p, err); got != want {
						t.Errorf("ShortestPath(%s, %s, %d) within %d rows:\nPostgreSQL %s\nSQLite     %s", a, b, maxDepth, budget, got, want)
					}
				}
			}
		}
		if answered == 0 || refused == 0 {
			t.Errorf("%d paths answered, %d refused: want some of each", answered, refused)
		}
	})

	// A neighbourhood that stops reading once its limit is reached answers
	// what reading every row answers.
	t.Run("NeighborhoodStopsEarly", func(t *testing.T) {
		defer func() { pg.graph = graphLimits{} }()
		pg.graph.maxEdgesRead = 1 << 30
		for _, st := range starts {
			for fname, f := range filters {
				for _, depth := range []int{1, 2, 3} {
					for _, limit := range []int{1, 2, 10, 50, 201} {
						pg.graph.neighborhoodReadsAll = true
						want := pn.subgraph(pg.Neighborhood(ctx, pn.ref[st], depth, f, limit))
						pg.graph.neighborhoodReadsAll = false
						got := pn.subgraph(pg.Neighborhood(ctx, pn.ref[st], depth, f, limit))
						if got != want {
							t.Errorf("Neighborhood(%s, %d, %s, %d): stopping early gives\n%s\nreading all gives\n%s",
								st, depth, fname, limit, got, want)
						}
					}
				}
			}
		}
	})

	t.Run("EventChain", func(t *testing.T) {
		for i := range 40 {
			e := "e:" + events[i*len(events)/40]
			for _, dir := range []db.ChainDirection{db.ChainBackward, db.ChainForward, db.ChainBoth} {
				for _, kinds := range [][]db.LinkKind{nil, {db.LinkResponseTo, db.LinkFollows}} {
					for _, maxDepth := range []int{1, 4, 10} {
						want := ln.subgraph(lite.EventChain(ctx, ln.ref[e], dir, kinds, maxDepth))
						got := pn.subgraph(pg.EventChain(ctx, pn.ref[e], dir, kinds, maxDepth))
						check(fmt.Sprintf("EventChain(%s, %s, %v, %d)", e, dir, kinds, maxDepth), got, want)
					}
				}
			}
		}
		// By key, as the resolvers pass a reference.
		byKey := db.NodeRef{Type: db.NodeEvent, Key: events[3]}
		check("EventChain(by key)", pn.subgraph(pg.EventChain(ctx, byKey, db.ChainBoth, nil, 5)),
			ln.subgraph(lite.EventChain(ctx, byKey, db.ChainBoth, nil, 5)))
	})

	t.Run("Errors", func(t *testing.T) {
		a, e, s := "a:"+actors[0], "e:"+events[0], "s:"+statements[0]
		missing := db.NodeRef{Type: db.NodeActor, ID: 1 << 40}
		misspelt := db.NodeRef{Type: db.NodeEvent, Key: events[0] + "x"}
		unknownKind := db.GraphFilter{EdgeKinds: []db.EdgeKind{"FRIENDSHIP"}}
		sub := func(s graphStore, n graphNames, start db.NodeRef, depth int, f db.GraphFilter, limit int) string {
			return n.subgraph(s.Neighborhood(ctx, start, depth, f, limit))
		}
		for _, c := range []struct {
			what      string
			got, want string
		}{
			{"depth 0", sub(pg, pn, pn.ref[a], 0, db.GraphFilter{}, 10), sub(lite, ln, ln.ref[a], 0, db.GraphFilter{}, 10)},
			{"depth 4", sub(pg, pn, pn.ref[a], 4, db.GraphFilter{}, 10), sub(lite, ln, ln.ref[a], 4, db.GraphFilter{}, 10)},
			{"limit 1001", sub(pg, pn, pn.ref[a], 1, db.GraphFilter{}, 1001), sub(lite, ln, ln.ref[a], 1, db.GraphFilter{}, 1001)},
			{"unknown kind", sub(pg, pn, pn.ref[a], 1, unknownKind, 10), sub(lite, ln, ln.ref[a], 1, unknownKind, 10)},
			{"missing start", sub(pg, pn, missing, 1, db.GraphFilter{}, 10), sub(lite, ln, missing, 1, db.GraphFilter{}, 10)},
			{"path maxDepth 7", pn.path(pg.ShortestPath(ctx, pn.ref[a], pn.ref[e], 7, db.GraphFilter{})),
				ln.path(lite.ShortestPath(ctx, ln.ref[a], ln.ref[e], 7, db.GraphFilter{}))},
			{"path missing end", pn.path(pg.ChronologicalPath(ctx, pn.ref[a], missing, 3, db.GraphFilter{})),
				ln.path(lite.ChronologicalPath(ctx, ln.ref[a], missing, 3, db.GraphFilter{}))},
			{"path to itself", pn.path(pg.ShortestPath(ctx, pn.ref[s], pn.ref[s], 3, db.GraphFilter{})),
				ln.path(lite.ShortestPath(ctx, ln.ref[s], ln.ref[s], 3, db.GraphFilter{}))},
			{"chain of an actor", pn.subgraph(pg.EventChain(ctx, pn.ref[a], db.ChainBoth, nil, 3)),
				ln.subgraph(lite.EventChain(ctx, ln.ref[a], db.ChainBoth, nil, 3))},
			{"chain direction", pn.subgraph(pg.EventChain(ctx, pn.ref[e], "SIDEWAYS", nil, 3)),
				ln.subgraph(lite.EventChain(ctx, ln.ref[e], "SIDEWAYS", nil, 3))},
			{"chain maxDepth 11", pn.subgraph(pg.EventChain(ctx, pn.ref[e], db.ChainBoth, nil, 11)),
				ln.subgraph(lite.EventChain(ctx, ln.ref[e], db.ChainBoth, nil, 11))},
			{"chain kind", pn.subgraph(pg.EventChain(ctx, pn.ref[e], db.ChainBoth, []db.LinkKind{"CAUSES"}, 3)),
				ln.subgraph(lite.EventChain(ctx, ln.ref[e], db.ChainBoth, []db.LinkKind{"CAUSES"}, 3))},
			{"chain misspelt key", pn.subgraph(pg.EventChain(ctx, misspelt, db.ChainBoth, nil, 3)),
				ln.subgraph(lite.EventChain(ctx, misspelt, db.ChainBoth, nil, 3))},
		} {
			if !strings.HasPrefix(c.want, "error ") && c.what != "path to itself" {
				t.Errorf("%s: SQLite answered %s, want an error", c.what, c.want)
			}
			check(c.what, c.got, c.want)
		}
	})

	t.Logf("%d answers compared: %d truncated, %d paths of 2 edges or more, %d chains with links", compared, truncated, paths, chains)
	if truncated == 0 || paths == 0 || chains == 0 {
		t.Errorf("the answers compared hold %d truncated subgraphs, %d paths of 2 edges or more and %d chains with links: want some of each",
			truncated, paths, chains)
	}
}

// fanBatch is event e0 and n0 … n5 (ids 1 to 7) that each respond to it,
// all on one day.
func fanBatch() string {
	events := `{"key": "e0", "type": "MEETING", "title": "e0", "occurredAt": "2025-01-01"}`
	for i := range 6 {
		events += fmt.Sprintf(`, {"key": "n%d", "type": "MEETING", "title": "n%d", "occurredAt": "2025-01-01",
			"links": [{"kind": "RESPONSE_TO", "event": "e0"}]}`, i, i)
	}
	return `{"version": 1, "events": [` + events + `]}`
}

// The bounds of an event chain on the fan, as db/sqlite's
// TestEventChainBounds pins them.
func TestEventChainBounds(t *testing.T) {
	t.Parallel()
	s := openClocked(t)
	load(t, s, fanBatch())
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
		// The walk reads e0's six rows, using up a budget of six; the
		// last query reads the found events' twelve link rows, e0's six
		// first, within a budget of its own.
		{"Budget6", 7, 6, " 1 2 3 4 5 6 7", 0, true},
		{"Budget12", 7, 12, " 1 2 3 4 5 6 7", 6, true},
		{"Budget13", 7, 13, " 1 2 3 4 5 6 7", 6, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.graph = graphLimits{maxChainNodes: c.nodes, maxEdgesRead: c.budget}
			defer func() { s.graph = graphLimits{} }()
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

// A chronological search that cannot read a level within the budget
// refuses rather than answer, in SQLite's words.
func TestChronologicalPathBudget(t *testing.T) {
	t.Parallel()
	s := openClocked(t)
	load(t, s, fanBatch())
	e0, n5 := db.NodeRef{Type: db.NodeEvent, ID: 1}, db.NodeRef{Type: db.NodeEvent, ID: 7}
	// e0's six links fit in seven rows, and reach n5.
	s.graph.maxEdgesRead = 7
	p, err := s.ChronologicalPath(context.Background(), e0, n5, 2, db.GraphFilter{})
	if err != nil || p == nil || len(p.Edges) != 1 {
		t.Fatalf("budget 7: %+v, %v; want one edge", p, err)
	}
	s.graph.maxEdgesRead = 6
	_, err = s.ChronologicalPath(context.Background(), e0, n5, 2, db.GraphFilter{})
	want := "shortestPath would read more than 6 edges: there is no chronological path of 0 edges or fewer, and the " +
		"edges of the next 1 node do not fit in the 6 left; lower maxDepth or narrow the filter"
	if db.ErrorCode(err) != db.CodeTooComplex || db.ErrorMessage(err) != want {
		t.Errorf("budget 6: %v\nwant %s %q", err, db.CodeTooComplex, want)
	}
}
