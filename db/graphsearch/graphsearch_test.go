package graphsearch

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// index numbers nodes as the stores do: a type code (1 actor, 2 country,
// 3 event, 4 statement) shifted left by 48, or'ed with the row id; kinds
// are their position in db.EdgeKinds, from 1.
type index struct{}

func (index) Node(n int64) db.NodeRef {
	types := map[int64]db.NodeType{1: db.NodeActor, 2: db.NodeCountry, 3: db.NodeEvent, 4: db.NodeStatement}
	return db.NodeRef{Type: types[n>>48], ID: n & (1<<48 - 1)}
}

func (index) Kind(code int) db.EdgeKind {
	if code < 1 || code > len(db.EdgeKinds) {
		return ""
	}
	return db.EdgeKinds[code-1]
}

func actor(id int64) int64 { return 1<<48 | id }
func event(id int64) int64 { return 3<<48 | id }

const participation, relationship = 1, 6

func at(ms int64) NullInt { return NullInt{Int64: ms, Valid: true} }

// A row read from either end stands for the same edge, From → To.
func TestRowEdge(t *testing.T) {
	ms := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).UnixMilli()
	fw := Row{Src: actor(1), Dst: event(2), Kind: participation, Forward: true, Owner: event(2), Role: "TARGET", At: at(ms), Keep: true}
	bw := Row{Src: event(2), Dst: actor(1), Kind: participation, Forward: false, Owner: event(2), Role: "TARGET", At: at(ms), Keep: true}
	for _, r := range []Row{fw, bw} {
		e := r.Edge(index{})
		if got, want := fmt.Sprintf("%s %s/%d>%s/%d %s %s", e.Kind, e.From.Type, e.From.ID, e.To.Type, e.To.ID, e.Role,
			e.At.Format(time.RFC3339)), "PARTICIPATION ACTOR/1>EVENT/2 TARGET 2025-03-01T12:00:00Z"; got != want {
			t.Errorf("Edge of %+v = %s, want %s", r, got, want)
		}
	}
	if fw.key() != bw.key() || CompareRows(fw, bw) != 0 {
		t.Errorf("the two rows of one edge differ: keys %v and %v", fw.key(), bw.key())
	}
	if e := (Row{Src: actor(1), Dst: 2<<48 | 5, Kind: 9, Forward: true}).Edge(index{}); e.At != nil {
		t.Errorf("an edge without a time has At %v", e.At)
	}
}

// The edge order: From, kind, To, role, time (none first), owner.
func TestCompareRows(t *testing.T) {
	base := Row{Src: actor(1), Dst: event(1), Kind: participation, Forward: true, Owner: event(1), Role: "A", At: at(5)}
	with := func(f func(*Row)) Row { r := base; f(&r); return r }
	ordered := []Row{
		with(func(r *Row) { r.At = NullInt{} }),
		base,
		with(func(r *Row) { r.Owner = event(2) }),
		with(func(r *Row) { r.At = at(6) }),
		with(func(r *Row) { r.Role = "B" }),
		with(func(r *Row) { r.Dst, r.Owner = event(2), event(2) }),
		// Read from the event's end, it is still From the actor.
		with(func(r *Row) { r.Src, r.Dst, r.Forward, r.Owner = event(3), actor(1), false, event(3) }),
		with(func(r *Row) { r.Kind, r.Dst, r.Owner, r.Role = relationship, actor(0), 5<<48|1, "" }),
		with(func(r *Row) { r.Src = actor(2) }),
	}
	for i := range ordered {
		for j := range ordered {
			if got, want := CompareRows(ordered[i], ordered[j]), cmp.Compare(i, j); got != want {
				t.Errorf("CompareRows(row %d, row %d) = %d, want %d", i, j, got, want)
			}
		}
	}
	shuffled := slices.Clone(ordered)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, CompareRows)
	if !slices.Equal(shuffled, ordered) {
		t.Errorf("sorted:\n%+v\nwant\n%+v", shuffled, ordered)
	}
}

// KeptAmong keeps the rows in the window that reach one of the nodes.
func TestKeptAmong(t *testing.T) {
	rows := []Row{
		{Src: actor(1), Dst: event(1), Keep: true},
		{Src: actor(1), Dst: event(2), Keep: false},
		{Src: actor(1), Dst: event(3), Keep: true},
		{Src: actor(1), Dst: event(4), Keep: true},
	}
	got := KeptAmong(rows, []int64{event(1), event(2), event(4)})
	if want := []Row{rows[0], rows[3]}; !slices.Equal(got, want) {
		t.Errorf("KeptAmong = %+v, want %+v", got, want)
	}
}

// The checks of the arguments, in the order and words the stores answer.
func TestChecks(t *testing.T) {
	ev := db.NodeRef{Type: db.NodeEvent, ID: 1}
	chain := func(n db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) error {
		_, _, err := CheckChain(n, dir, kinds, maxDepth)
		return err
	}
	many := make([]db.LinkKind, db.MaxListLength+1)
	for i := range many {
		many[i] = db.LinkFollows
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"depth 0", CheckNeighborhood(0, 10), "depth must be between 1 and 3, not 0"},
		{"depth 4", CheckNeighborhood(4, 2000), "depth must be between 1 and 3, not 4"},
		{"limit 0", CheckNeighborhood(1, 0), "limit must be between 1 and 1000, not 0"},
		{"limit 1001", CheckNeighborhood(3, 1001), "limit must be between 1 and 1000, not 1001"},
		{"neighbourhood", CheckNeighborhood(3, 1000), ""},
		{"maxDepth 0", CheckPath(0), "maxDepth must be between 1 and 6, not 0"},
		{"maxDepth 7", CheckPath(7), "maxDepth must be between 1 and 6, not 7"},
		{"path", CheckPath(6), ""},
		{"chain of an actor", chain(db.NodeRef{Type: db.NodeActor, ID: 1}, "SIDEWAYS", nil, 0), "event: names an actor, not an event"},
		{"chain direction", chain(ev, "SIDEWAYS", nil, 0), `direction: unknown chain direction "SIDEWAYS"`},
		{"chain maxDepth", chain(ev, db.ChainBoth, []db.LinkKind{"CAUSES"}, 11), "maxDepth must be between 1 and 10, not 11"},
		{"chain kinds", chain(ev, db.ChainBoth, many, 10),
			fmt.Sprintf("kinds has %d values, more than the limit of %d", db.MaxListLength+1, db.MaxListLength)},
		{"chain kind", chain(ev, db.ChainBoth, []db.LinkKind{db.LinkFollows, "CAUSES"}, 10), `kinds: unknown link kind "CAUSES"`},
		{"chain", chain(ev, db.ChainForward, nil, 1), ""},
	} {
		if c.want == "" {
			if c.err != nil {
				t.Errorf("%s: %v, want no error", c.name, c.err)
			}
			continue
		}
		if db.ErrorCode(c.err) != db.CodeInvalid || db.ErrorMessage(c.err) != c.want {
			t.Errorf("%s: %s %q, want %s %q", c.name, db.ErrorCode(c.err), db.ErrorMessage(c.err), db.CodeInvalid, c.want)
		}
	}

	// The walks of each direction, and the link kinds: without repeats, in
	// the order of db.LinkKinds, nil for every kind.
	for _, c := range []struct {
		dir   db.ChainDirection
		kinds []db.LinkKind
		walks Walks
		roles []string
	}{
		{db.ChainBackward, nil, WalkBackward, nil},
		{db.ChainForward, []db.LinkKind{db.LinkFollows, db.LinkResponseTo, db.LinkFollows}, WalkForward, []string{"RESPONSE_TO", "FOLLOWS"}},
		{db.ChainBoth, db.LinkKinds, WalkBackward | WalkForward, nil},
	} {
		walks, roles, err := CheckChain(ev, c.dir, c.kinds, 3)
		if err != nil || walks != c.walks || !slices.Equal(roles, c.roles) || (roles == nil) != (c.roles == nil) {
			t.Errorf("CheckChain(%s, %v) = %d, %q, %v; want %d, %q", c.dir, c.kinds, walks, roles, err, c.walks, c.roles)
		}
	}
}

// A relationship counts only where it held at the instant reached; an
// event or statement may not lie before it, and its instant is the new one.
func TestChronoAt(t *testing.T) {
	rel := Row{Src: actor(1), Dst: actor(2), Kind: relationship, Forward: true, At: at(100), End: at(200), Keep: true}
	open := Row{Src: actor(1), Dst: actor(2), Kind: relationship, Forward: true, Keep: true}
	part := Row{Src: actor(1), Dst: event(1), Kind: participation, Forward: true, At: at(150), Keep: true}
	instants := map[int64]int64{event(1): 150}
	for _, c := range []struct {
		name   string
		from   int64
		r      Row
		at     int64
		follow bool
	}{
		{"relationship before any instant", noInstant, rel, noInstant, true},
		{"relationship not begun", 99, rel, 0, false},
		{"relationship holds", 100, rel, 100, true},
		{"relationship holds to its end", 199, rel, 199, true},
		{"relationship ended", 200, rel, 0, false},
		{"relationship without dates", 5, open, 5, true},
		{"event after", 150, part, 150, true},
		{"event before", 151, part, 0, false},
		{"event first", noInstant, part, 150, true},
	} {
		got, ok := chronoAt(index{}, c.from, c.r, instants)
		if ok != c.follow || ok && got != c.at {
			t.Errorf("%s: chronoAt = %d, %v; want %d, %v", c.name, got, ok, c.at, c.follow)
		}
	}
}

// Two sides that met: the path takes, from the start, the smallest node on
// a shortest path at each step, and the first edge to it in the edge order.
func TestPathOf(t *testing.T) {
	// a1 - e1 - a3 and a1 - e2 - a3, e1 < e2, two edges between a1 and e1.
	row := func(src, dst int64, role string) Row {
		return Row{Src: src, Dst: dst, Kind: participation, Forward: src>>48 == 1, Owner: max(src, dst), Role: role, Keep: true}
	}
	fw, bw := newSearchSide(actor(1)), newSearchSide(actor(3))
	fw.expand([]Row{row(actor(1), event(2), "P"), row(actor(1), event(1), "T"), row(actor(1), event(1), "I")})
	if !slices.Equal(fw.frontier, []int64{event(1), event(2)}) || fw.depth != 1 {
		t.Fatalf("frontier %v at depth %d", fw.frontier, fw.depth)
	}
	bw.expand([]Row{row(actor(3), event(2), "P"), row(actor(3), event(1), "P")})
	p := pathOf(index{}, fw, bw, actor(1))
	var got string
	for i, n := range p.Nodes {
		got += fmt.Sprintf(" %s/%d", n.Type, n.ID)
		if i < len(p.Edges) {
			got += " (" + p.Edges[i].Role + ")"
		}
	}
	if want := " ACTOR/1 (I) EVENT/1 (P) ACTOR/3"; got != want {
		t.Errorf("path =%s, want%s", got, want)
	}
	if got, want := fw.describe(), "2 nodes at distance 1, 0 edge rows or more"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	fw.rows, fw.limit = 7, 20
	if got, want := fw.describe(), "2 nodes at distance 1, 7 edge rows"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
}
