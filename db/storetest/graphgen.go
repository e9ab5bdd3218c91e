package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Builders and readers for the graph tests: graphs are written with
// store.Apply from db records, and nodes are named "a:key" (actor),
// "c:CODE" (country), "e:key" (event) and "s:key" (statement), so that whole
// answers compare as strings.

// day is 2025-01-01 plus n days, precise to the day.
func day(n int) db.Date {
	return db.Date{At: time.Date(2025, 1, 1+n, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionDay}
}

func gActor(key, country string) db.Actor {
	return db.Actor{Key: key, Name: key, Kind: db.ActorPerson, Country: country}
}

// gEvent is an event on the given day, located in country (or nowhere), with
// the given actors as participants.
func gEvent(key string, when db.Date, country string, actors ...string) db.Event {
	e := db.Event{Key: key, Type: db.EventMeeting, Title: key, OccurredAt: when, Location: db.Location{Country: country}}
	for _, a := range actors {
		e.Participants = append(e.Participants, db.Participant{Actor: a, Role: db.RoleParticipant})
	}
	return e
}

func gRel(key string, kind db.RelationshipKind, subject, object string) db.Relationship {
	return db.Relationship{Key: key, Kind: kind, Subject: subject, Object: db.RelationshipObject{Actor: object}}
}

func mustApply(tb testing.TB, s *testStore, b *db.Batch) db.Summary {
	tb.Helper()
	sum, err := s.Apply(context.Background(), b, nil)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	return sum
}

// node resolves a node name to its NodeRef.
func node(tb testing.TB, s *testStore, name string) db.NodeRef {
	tb.Helper()
	typ, key, _ := strings.Cut(name, ":")
	ctx := context.Background()
	var ids []int64
	var t db.NodeType
	switch typ {
	case "a":
		t = db.NodeActor
		as, err := s.ActorsByKey(ctx, []string{key})
		if err != nil {
			tb.Fatal(err)
		}
		for _, a := range as {
			ids = append(ids, a.ID)
		}
	case "c":
		t = db.NodeCountry
		cs, err := s.CountriesByCode(ctx, []string{key})
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
	case "e":
		t = db.NodeEvent
		es, err := s.EventsByKey(ctx, []string{key})
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range es {
			ids = append(ids, e.ID)
		}
	case "s":
		t = db.NodeStatement
		ss, err := s.StatementsByKey(ctx, []string{key})
		if err != nil {
			tb.Fatal(err)
		}
		for _, st := range ss {
			ids = append(ids, st.ID)
		}
	}
	if len(ids) != 1 {
		tb.Fatalf("node %q: %d records", name, len(ids))
	}
	return db.NodeRef{Type: t, ID: ids[0]}
}

// nodeName is the name of a NodeRef.
func nodeName(tb testing.TB, s *testStore, n db.NodeRef) string {
	tb.Helper()
	ctx := context.Background()
	ids := []int64{n.ID}
	var names []string
	var err error
	switch n.Type {
	case db.NodeActor:
		var as []*db.Actor
		as, err = s.ActorsByID(ctx, ids)
		for _, a := range as {
			names = append(names, "a:"+a.Key)
		}
	case db.NodeCountry:
		var cs []*db.Country
		cs, err = s.CountriesByID(ctx, ids)
		for _, c := range cs {
			names = append(names, "c:"+c.Code)
		}
	case db.NodeEvent:
		var es []*db.Event
		es, err = s.EventsByID(ctx, ids)
		for _, e := range es {
			names = append(names, "e:"+e.Key)
		}
	case db.NodeStatement:
		var ss []*db.Statement
		ss, err = s.StatementsByID(ctx, ids)
		for _, st := range ss {
			names = append(names, "s:"+st.Key)
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	if len(names) != 1 {
		tb.Fatalf("node %+v: %d records", n, len(names))
	}
	return names[0]
}

// nodeNames writes nodes as their names joined by spaces.
func nodeNames(tb testing.TB, s *testStore, nodes []db.NodeRef) string {
	tb.Helper()
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = nodeName(tb, s, n)
	}
	return strings.Join(out, " ")
}

// edgeNames writes edges as "from>KIND>to", with "(role)" and "@date" when
// they have them, joined by spaces.
func edgeNames(tb testing.TB, s *testStore, edges []db.Edge) string {
	tb.Helper()
	out := make([]string, len(edges))
	for i, e := range edges {
		out[i] = nodeName(tb, s, e.From) + ">" + string(e.Kind) + ">" + nodeName(tb, s, e.To)
		if e.Role != "" {
			out[i] += "(" + e.Role + ")"
		}
		if e.At != nil {
			out[i] += "@" + e.At.Format("2006-01-02")
		}
	}
	return strings.Join(out, " ")
}

// hood is Neighborhood from a named node, failing the test on an error.
func hood(tb testing.TB, s *testStore, start string, depth int, f db.GraphFilter, limit int) db.Subgraph {
	tb.Helper()
	sub, err := s.Neighborhood(context.Background(), node(tb, s, start), depth, f, limit)
	if err != nil {
		tb.Fatalf("Neighborhood(%s, %d, %+v, %d): %v", start, depth, f, limit, err)
	}
	return sub
}

// hoodNodes is the names of the nodes of a neighbourhood.
func hoodNodes(tb testing.TB, s *testStore, start string, depth int, f db.GraphFilter) string {
	tb.Helper()
	return nodeNames(tb, s, hood(tb, s, start, depth, f, 1000).Nodes)
}

// path is ShortestPath between named nodes as "node >edge> node …", or
// "none" when there is no path.
func path(tb testing.TB, s *testStore, from, to string, maxDepth int, f db.GraphFilter) string {
	tb.Helper()
	p, err := s.ShortestPath(context.Background(), node(tb, s, from), node(tb, s, to), maxDepth, f)
	if err != nil {
		tb.Fatalf("ShortestPath(%s, %s, %d): %v", from, to, maxDepth, err)
	}
	if p == nil {
		return "none"
	}
	if len(p.Edges) != len(p.Nodes)-1 {
		tb.Fatalf("ShortestPath(%s, %s): %d nodes, %d edges", from, to, len(p.Nodes), len(p.Edges))
	}
	var b strings.Builder
	for i, n := range p.Nodes {
		if i > 0 {
			e := p.Edges[i-1]
			// The edge joins the two nodes, in either direction.
			if !(e.From == p.Nodes[i-1] && e.To == n) && !(e.From == n && e.To == p.Nodes[i-1]) {
				tb.Fatalf("ShortestPath(%s, %s): edge %d %+v does not join %+v and %+v", from, to, i-1, e, p.Nodes[i-1], n)
			}
			fmt.Fprintf(&b, " >%s> ", e.Kind)
		}
		b.WriteString(nodeName(tb, s, n))
	}
	return b.String()
}

// pathNodes is only the nodes of path, joined by spaces.
func pathNodes(tb testing.TB, s *testStore, from, to string, maxDepth int, f db.GraphFilter) string {
	tb.Helper()
	p := path(tb, s, from, to, maxDepth, f)
	if p == "none" {
		return p
	}
	var nodes []string
	for i, w := range strings.Fields(p) {
		if i%2 == 0 {
			nodes = append(nodes, w)
		}
	}
	return strings.Join(nodes, " ")
}

// chainBatch is n actors a+"0" … linked through n-1 events e+"0" …: event
// i, on day i, has participants a+i and a+(i+1). Records are inserted in
// order, so ids follow the index.
func chainBatch(a, e string, n int) *db.Batch {
	b := &db.Batch{}
	for i := range n {
		b.Actors = append(b.Actors, gActor(fmt.Sprintf("%s%d", a, i), ""))
	}
	for i := range n - 1 {
		b.Events = append(b.Events, gEvent(fmt.Sprintf("%s%d", e, i), day(i), "",
			fmt.Sprintf("%s%d", a, i), fmt.Sprintf("%s%d", a, i+1)))
	}
	return b
}

// starBatch is a hub actor taking part in n events, event i (ev000, …) with
// its own second participant leaf000, ….
func starBatch(n int) *db.Batch {
	b := &db.Batch{Actors: []db.Actor{gActor("hub", "")}}
	for i := range n {
		leaf := fmt.Sprintf("leaf%03d", i)
		b.Actors = append(b.Actors, gActor(leaf, ""))
		b.Events = append(b.Events, gEvent(fmt.Sprintf("ev%03d", i), day(i%300), "", "hub", leaf))
	}
	return b
}

// hubsBatch is two hubs, hubA and hubB, each the only participant of n
// events of its own (ha00000 …, hb00000 …: n edges each), tied by one
// relationship (rAB), and both taking part in event mAB. Around hubA, in
// this order (which sets the ids):
//
//   - x takes part in m2 and m1 with hubA: m2, inserted first, has the
//     smaller id, so hubA m2 x is the smaller of the two paths;
//   - y is four edges from hubA by two routes, hubA m3 z1 m4 y and
//     hubA m5 z2 m6 y; m5 is inserted before m3, so the second wins.
func hubsBatch(n int) *db.Batch {
	b := &db.Batch{Actors: []db.Actor{gActor("huba", ""), gActor("hubb", ""),
		gActor("x", ""), gActor("y", ""), gActor("z1", ""), gActor("z2", "")}}
	for i := range n {
		b.Events = append(b.Events, gEvent(fmt.Sprintf("ha%05d", i), day(i%300), "", "huba"),
			gEvent(fmt.Sprintf("hb%05d", i), day(i%300), "", "hubb"))
	}
	b.Events = append(b.Events,
		gEvent("m2", day(1), "", "huba", "x"), gEvent("m1", day(1), "", "huba", "x"),
		gEvent("m5", day(1), "", "huba", "z2"), gEvent("m3", day(1), "", "huba", "z1"),
		gEvent("m4", day(1), "", "z1", "y"), gEvent("m6", day(1), "", "z2", "y"),
		gEvent("mab", day(1), "", "huba", "hubb"))
	b.Relationships = []db.Relationship{gRel("rab", db.RelAlliedWith, "huba", "hubb")}
	return b
}
