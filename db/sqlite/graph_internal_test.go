package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/migrations"
)

// Tests of the graph index and traversals that need the package's insides:
// the encoding, the rows read, the plans, the table itself.

func openGraphTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func applyGraphTest(t *testing.T, s *Store, b *db.Batch) db.Summary {
	t.Helper()
	sum, err := s.Apply(context.Background(), b, nil)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return sum
}

// dumpGraphEdges is the whole edge table, one row a line, in key order.
func dumpGraphEdges(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.write.Query(`SELECT src, kind, dst, forward, owner, role, coalesce(at_start, 'null'),
		coalesce(at_end, 'null') FROM graph_edges ORDER BY src, kind, dst, forward, owner, role`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var src, dst, owner int64
		var kind, forward int
		var role, start, end string
		if err := rows.Scan(&src, &kind, &dst, &forward, &owner, &role, &start, &end); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s %d %d/%d %q %s %s\n", decodeNode(src).Type, decodeNode(src).ID, edgeKindOf(kind),
			decodeNode(dst).ID, forward, owner, role, start, end)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func graphTestDate(s string) db.Date {
	d, err := db.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// graphTestBatch has an edge of every kind; a statement names an addressee
// twice, which gives one edge.
func graphTestBatch() *db.Batch {
	ev := db.Event{Key: "ev", Type: db.EventMeeting, Title: "ev", OccurredAt: graphTestDate("2025-03-01"),
		Location:     db.Location{Country: "FR"},
		Participants: []db.Participant{{Actor: "x", Role: db.RoleInitiator}, {Actor: "y", Role: db.RoleTarget}}}
	ev2 := db.Event{Key: "ev2", Type: db.EventCall, Title: "ev2", OccurredAt: graphTestDate("2025-03-02T10:00Z"),
		Links: []db.Link{{Kind: db.LinkResponseTo, Event: "ev"}, {Kind: db.LinkFollows, Event: "ev"}}}
	st := db.Statement{Key: "st", Kind: db.StatementQuote, Speaker: "x", DeliveredBy: "y", Addressees: []string{"y", "y"},
		MadeAt: graphTestDate("2025-03-03"), Text: "t", About: []string{"ev"}}
	return &db.Batch{
		Actors: []db.Actor{{Key: "x", Name: "x", Kind: db.ActorState, Country: "IN"}, {Key: "y", Name: "y", Kind: db.ActorPerson}},
		Relationships: []db.Relationship{
			{Key: "r", Kind: db.RelAlliedWith, Subject: "x", Object: db.RelationshipObject{Actor: "y"},
				From: graphTestDate("2020"), To: graphTestDate("2024-02")},
			{Kind: db.RelBasedIn, Subject: "y", Object: db.RelationshipObject{Country: "FR"}},
		},
		Events:     []db.Event{ev, ev2},
		Statements: []db.Statement{st},
	}
}

func TestGraphEncoding(t *testing.T) {
	for i, k := range db.EdgeKinds {
		if got := edgeKindCode(k); got != i+1 {
			t.Errorf("code of %s = %d, want %d", k, got, i+1)
		}
	}
	consts := []int{edgeParticipation, edgeSpeaker, edgeDeliverer, edgeAddressee, edgeAbout, edgeRelationship,
		edgeEventLink, edgeLocation, edgeAffiliation}
	for i, c := range consts {
		if edgeKindOf(c) != db.EdgeKinds[i] {
			t.Errorf("constant %d is %s, want %s", c, edgeKindOf(c), db.EdgeKinds[i])
		}
	}
	n := db.NodeRef{Type: db.NodeEvent, ID: 42}
	v, ok := encodeNode(n)
	if !ok || v != 3<<48|42 || decodeNode(v) != n {
		t.Errorf("encodeNode(%+v) = %d, %v", n, v, ok)
	}
	if _, ok := encodeNode(db.NodeRef{Type: db.NodeActor, ID: 1 << 48}); ok {
		t.Error("an id of 2^48 encodes")
	}
}

// The edge table of graphTestBatch, row by row: both directions, the times
// (a relationship's end is the end of February 2024), the owners.
func TestGraphIndexRows(t *testing.T) {
	s := openGraphTest(t)
	applyGraphTest(t, s, graphTestBatch())
	var in, fr int64
	if err := s.write.QueryRow(`SELECT (SELECT id FROM countries WHERE code = 'IN'), (SELECT id FROM countries WHERE code = 'FR')`).
		Scan(&in, &fr); err != nil {
		t.Fatal(err)
	}
	ms := func(s string) int64 { return graphTestDate(s).Millis() }
	ev, ev2, st := ms("2025-03-01"), ms("2025-03-02T10:00Z"), ms("2025-03-03")
	a, e, m, r := int64(1<<48), int64(3<<48), int64(4<<48), int64(5<<48)
	rows := []string{
		// actor x (1)
		fmt.Sprintf("ACTOR 1 PARTICIPATION 1 1/%d \"INITIATOR\" %d %d", e|1, ev, ev+1),
		fmt.Sprintf("ACTOR 1 SPEAKER 1 1/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("ACTOR 1 RELATIONSHIP 2 1/%d \"ALLIED_WITH\" %d %d", r|1, ms("2020"), ms("2024-03")),
		fmt.Sprintf("ACTOR 1 AFFILIATION %d 1/%d \"\" null null", in, a|1),
		// actor y (2)
		fmt.Sprintf("ACTOR 2 PARTICIPATION 1 1/%d \"TARGET\" %d %d", e|1, ev, ev+1),
		fmt.Sprintf("ACTOR 2 DELIVERER 1 1/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("ACTOR 2 ADDRESSEE 1 0/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("ACTOR 2 RELATIONSHIP 1 0/%d \"ALLIED_WITH\" %d %d", r|1, ms("2020"), ms("2024-03")),
		fmt.Sprintf("ACTOR 2 RELATIONSHIP %d 1/%d \"BASED_IN\" null null", fr, r|2),
	}
	// Countries sort by id: whichever of IN and FR is smaller comes first.
	countries := map[int64][]string{
		in: {fmt.Sprintf("COUNTRY %d AFFILIATION 1 0/%d \"\" null null", in, a|1)},
		fr: {fmt.Sprintf("COUNTRY %d RELATIONSHIP 2 0/%d \"BASED_IN\" null null", fr, r|2),
			fmt.Sprintf("COUNTRY %d LOCATION 1 0/%d \"\" %d %d", fr, e|1, ev, ev+1)},
	}
	rows = append(rows, countries[min(in, fr)]...)
	rows = append(rows, countries[max(in, fr)]...)
	rows = append(rows,
		// event ev (1)
		fmt.Sprintf("EVENT 1 PARTICIPATION 1 0/%d \"INITIATOR\" %d %d", e|1, ev, ev+1),
		fmt.Sprintf("EVENT 1 PARTICIPATION 2 0/%d \"TARGET\" %d %d", e|1, ev, ev+1),
		fmt.Sprintf("EVENT 1 ABOUT 1 0/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("EVENT 1 EVENT_LINK 2 0/%d \"FOLLOWS\" %d %d", e|2, ev2, ev2+1),
		fmt.Sprintf("EVENT 1 EVENT_LINK 2 0/%d \"RESPONSE_TO\" %d %d", e|2, ev2, ev2+1),
		fmt.Sprintf("EVENT 1 LOCATION %d 1/%d \"\" %d %d", fr, e|1, ev, ev+1),
		// event ev2 (2): its links, at its own time
		fmt.Sprintf("EVENT 2 EVENT_LINK 1 1/%d \"FOLLOWS\" %d %d", e|2, ev2, ev2+1),
		fmt.Sprintf("EVENT 2 EVENT_LINK 1 1/%d \"RESPONSE_TO\" %d %d", e|2, ev2, ev2+1),
		// statement st (1)
		fmt.Sprintf("STATEMENT 1 SPEAKER 1 0/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("STATEMENT 1 DELIVERER 2 0/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("STATEMENT 1 ADDRESSEE 2 1/%d \"\" %d %d", m|1, st, st+1),
		fmt.Sprintf("STATEMENT 1 ABOUT 1 1/%d \"\" %d %d", m|1, st, st+1),
	)
	want := strings.Join(rows, "\n") + "\n"
	if got := dumpGraphEdges(t, s); got != want {
		t.Errorf("graph_edges =\n%s\nwant\n%s", got, want)
	}
}

// Loading the same records again leaves the table as it was; migration
// 00002's backfill builds exactly what the write path does.
func TestGraphIndexIsExact(t *testing.T) {
	ctx := context.Background()
	s := openGraphTest(t)
	applyGraphTest(t, s, graphTestBatch())
	want := dumpGraphEdges(t, s)
	if sum := applyGraphTest(t, s, graphTestBatch()); sum.Inserted+sum.Updated != 0 {
		t.Fatalf("second load: %v", sum)
	}
	if got := dumpGraphEdges(t, s); got != want {
		t.Errorf("after a second load:\n%s\nwant\n%s", got, want)
	}

	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 2, false); err != nil {
		t.Fatalf("down 2: %v", err)
	}
	if _, err := p.ApplyVersion(ctx, 2, true); err != nil {
		t.Fatalf("up 2: %v", err)
	}
	if got := dumpGraphEdges(t, s); got != want {
		t.Errorf("after the migration's backfill:\n%s\nwant\n%s", got, want)
	}
}

// Every read of the edge table is a range scan of the primary key in key
// order (no sort, so LIMIT bounds the rows read), and the write path finds
// an owner's rows through its index.
func TestGraphPlans(t *testing.T) {
	s := openGraphTest(t)
	applyGraphTest(t, s, graphTestBatch())
	plan := func(query string, args ...any) string {
		t.Helper()
		return queryPlan(t, s, query, args...)
	}
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	filters := map[string]db.GraphFilter{
		"All":    {},
		"Kinds":  {EdgeKinds: []db.EdgeKind{db.EdgeParticipation, db.EdgeRelationship}},
		"Window": {From: &day, To: &day},
		"Both":   {EdgeKinds: []db.EdgeKind{db.EdgeAbout}, From: &day},
	}
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			q, err := compileGraphFilter(f)
			if err != nil {
				t.Fatal(err)
			}
			text := plan(q.edgesSQL(), append(q.args, "[1]", 10)...)
			if !strings.Contains(text, "SEARCH graph_edges USING PRIMARY KEY (src=?") {
				t.Errorf("no range scan of the key:\n%s", text)
			}
			if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN graph_edges") {
				t.Errorf("plan sorts or scans:\n%s", text)
			}
		})
	}
	t.Run("Pairs", func(t *testing.T) {
		q, err := compileGraphFilter(db.GraphFilter{From: &day})
		if err != nil {
			t.Fatal(err)
		}
		text := plan(q.pairsSQL("2, 3, 4"), append(q.args, "[1,2]", "[3,4]")...)
		if !strings.Contains(text, "SEARCH graph_edges USING PRIMARY KEY (src=? AND kind=? AND dst=?)") ||
			strings.Contains(text, "SCAN graph_edges") {
			t.Errorf("pairs are not key lookups:\n%s", text)
		}
	})
	t.Run("Owner", func(t *testing.T) {
		text := plan(`SELECT 1 FROM graph_edges WHERE owner = ?`, 1)
		if !strings.Contains(text, "USING COVERING INDEX graph_edges_owner (owner=?)") {
			t.Errorf("owner lookup does not use its index:\n%s", text)
		}
	})
}

// graphStar is a hub actor in n events located in France, each with its own
// second actor.
func graphStar(n int) *db.Batch {
	b := &db.Batch{Actors: []db.Actor{{Key: "hub", Name: "hub", Kind: db.ActorState}}}
	for i := range n {
		leaf := fmt.Sprintf("leaf%03d", i)
		b.Actors = append(b.Actors, db.Actor{Key: leaf, Name: leaf, Kind: db.ActorPerson})
		b.Events = append(b.Events, db.Event{Key: fmt.Sprintf("ev%03d", i), Type: db.EventCall, Title: "e",
			Location:     db.Location{Country: "FR"},
			OccurredAt:   db.Date{At: time.Date(2025, 1, 1, 0, i, 0, 0, time.UTC), Precision: db.PrecisionMinute},
			Participants: []db.Participant{{Actor: "hub", Role: db.RoleInitiator}, {Actor: leaf, Role: db.RoleTarget}}})
	}
	return b
}

// With the budget lowered to 100 rows, a hub of 300 events costs at most
// the budget per query: the neighbourhood is cut short and says so, and a
// path through the hub is refused rather than guessed.
func TestGraphReadBudget(t *testing.T) {
	ctx := context.Background()
	s := openGraphTest(t)
	b := graphStar(300)
	b.Actors = append(b.Actors, db.Actor{Key: "solo", Name: "solo", Kind: db.ActorPerson, Country: "FR"})
	b.Events = append(b.Events, db.Event{Key: "solo-ev", Type: db.EventCall, Title: "e", OccurredAt: graphTestDate("2025"),
		Location: db.Location{Country: "FR"}, Participants: []db.Participant{{Actor: "solo", Role: db.RoleParticipant}}})
	applyGraphTest(t, s, b)
	solo := db.NodeRef{Type: db.NodeActor, ID: 302}
	s.maxEdgesRead = 100
	hub := db.NodeRef{Type: db.NodeActor, ID: 1}
	leaf := func(i int) db.NodeRef { return db.NodeRef{Type: db.NodeActor, ID: int64(i + 2)} }

	t.Run("Neighborhood", func(t *testing.T) {
		before := s.graphRowsRead.Load()
		sub, err := s.Neighborhood(ctx, hub, 2, db.GraphFilter{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if read := s.graphRowsRead.Load() - before; read > 2*100 {
			t.Errorf("%d rows read, want at most 200", read)
		}
		// The first 100 of the hub's rows: the hub and ev000 … ev099.
		if !sub.Truncated || len(sub.Nodes) != 101 || sub.Nodes[0] != hub || sub.Nodes[100] != (db.NodeRef{Type: db.NodeEvent, ID: 100}) {
			t.Errorf("%d nodes (first %v), truncated %v; want 101 from the hub, truncated", len(sub.Nodes), sub.Nodes[0], sub.Truncated)
		}
		if len(sub.Edges) != 100 {
			t.Errorf("%d edges, want 100", len(sub.Edges))
		}
	})
	t.Run("NeighborhoodOfALeaf", func(t *testing.T) {
		// The hub and France are in the last level: the edges among the
		// last level are looked up pair by pair, whatever their size.
		before := s.graphRowsRead.Load()
		sub, err := s.Neighborhood(ctx, leaf(7), 2, db.GraphFilter{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if read := s.graphRowsRead.Load() - before; read > 10 {
			t.Errorf("%d rows read, want at most 10", read)
		}
		if sub.Truncated || len(sub.Nodes) != 4 || len(sub.Edges) != 3 {
			t.Errorf("%d nodes, %d edges, truncated %v; want 4, 3, false", len(sub.Nodes), len(sub.Edges), sub.Truncated)
		}
	})
	t.Run("CountryInTheLastLevel", func(t *testing.T) {
		// solo, affiliated to France, took part in one event there: the
		// event's location edge is found without reading France's 300
		// other events.
		before := s.graphRowsRead.Load()
		sub, err := s.Neighborhood(ctx, solo, 1, db.GraphFilter{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if read := s.graphRowsRead.Load() - before; read > 10 {
			t.Errorf("%d rows read, want at most 10", read)
		}
		if sub.Truncated || len(sub.Nodes) != 3 || len(sub.Edges) != 3 {
			t.Errorf("%d nodes, %d edges, truncated %v; want 3, 3, false", len(sub.Nodes), len(sub.Edges), sub.Truncated)
		}
	})
	t.Run("ShortestPath", func(t *testing.T) {
		before := s.graphRowsRead.Load()
		// Between the hub and France both ends hold 300 edges or more:
		// whichever side is expanded passes the budget.
		france := db.NodeRef{Type: db.NodeCountry, ID: countryIDOf(t, s, "FR")}
		_, err := s.ShortestPath(ctx, hub, france, 6, db.GraphFilter{})
		if got, want := db.ErrorCode(err), db.CodeTooComplex; got != want {
			t.Fatalf("code = %q (err %v), want %q", got, err, want)
		}
		if got, want := db.ErrorMessage(err), "shortestPath would read more than 100 edges: there is no path of 1 edge or fewer, "+
			"and looking further means reading the edges of the start's side (1 node at distance 0, 100 edge rows or more) "+
			"or the end's (1 node at distance 0, 100 edge rows or more), which does not fit in the 98 left; lower maxDepth or narrow the filter"; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if read := s.graphRowsRead.Load() - before; read > 100 {
			t.Errorf("%d rows read, want at most 100", read)
		}
		// With every kind, the search from both ends meets at the hub and
		// France without reading either: hub < FR (actors first).
		p, err := s.ShortestPath(ctx, leaf(0), leaf(299), 6, db.GraphFilter{})
		if err != nil || p == nil || len(p.Nodes) != 5 || p.Nodes[2] != hub {
			t.Errorf("leaf000 to leaf299: %+v, %v; want 4 edges through the hub", p, err)
		}
		// Through the hub by participation only: each end is one quiet
		// leaf, so the cheap sides are expanded and the hub's 300 events
		// are never read.
		before = s.graphRowsRead.Load()
		p, err = s.ShortestPath(ctx, leaf(0), leaf(299), 6, db.GraphFilter{EdgeKinds: []db.EdgeKind{db.EdgeParticipation}})
		if err != nil || p == nil || len(p.Edges) != 4 || p.Nodes[2] != hub {
			t.Errorf("leaf000 to leaf299 by participation: %+v, %v; want 4 edges through the hub", p, err)
		}
		if read := s.graphRowsRead.Load() - before; read > 20 {
			t.Errorf("%d rows read, want at most 20", read)
		}
		// From the hub to a leaf of it: the leaf's side is expanded and
		// looked up against the hub, whose 300 events are never read.
		before = s.graphRowsRead.Load()
		p, err = s.ShortestPath(ctx, hub, leaf(5), 2, db.GraphFilter{})
		if err != nil || p == nil || len(p.Edges) != 2 || p.Nodes[1] != (db.NodeRef{Type: db.NodeEvent, ID: 6}) {
			t.Errorf("hub to leaf005: %+v, %v; want hub ev005 leaf005", p, err)
		}
		if read := s.graphRowsRead.Load() - before; read > 10 {
			t.Errorf("%d rows read, want at most 10", read)
		}
		// Away from the hub the budget is enough.
		p, err = s.ShortestPath(ctx, leaf(0), hub, 6, db.GraphFilter{})
		if err != nil || p == nil || len(p.Edges) != 2 {
			t.Errorf("leaf000 to hub: %+v, %v; want 2 edges", p, err)
		}
	})
	t.Run("TimeWindowCounts", func(t *testing.T) {
		// Rows outside the window are read too, and count.
		from := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		before := s.graphRowsRead.Load()
		sub, err := s.Neighborhood(ctx, hub, 1, db.GraphFilter{From: &from}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if read := s.graphRowsRead.Load() - before; read > 200 {
			t.Errorf("%d rows read, want at most 200", read)
		}
		if !sub.Truncated || len(sub.Nodes) != 1 {
			t.Errorf("%d nodes, truncated %v; want 1, true", len(sub.Nodes), sub.Truncated)
		}
	})
}

// countryIDOf is the row id of the country with this alpha-2 code.
func countryIDOf(t *testing.T, s *Store, code string) int64 {
	t.Helper()
	var id int64
	if err := s.read.QueryRowContext(context.Background(), `SELECT id FROM countries WHERE code = ?`, code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
