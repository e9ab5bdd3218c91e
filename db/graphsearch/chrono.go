package graphsearch

import (
	gocmp "cmp"
	"math"
	"slices"

	"github.com/geotimeline/geotimeline/db"
)

// ChronoReader is what a chronological path reads besides a Reader's.
type ChronoReader interface {
	Reader
	// Instants adds to out the start instants (Unix ms) of the events and
	// statements among nodes that it does not hold yet, with one statement
	// (none when there is nothing to add).
	Instants(nodes []int64, out map[int64]int64) error
}

// noInstant is the instant of a path that has met no event or statement
// yet: before every instant.
const noInstant = math.MinInt64

// timedNode is a state of a chronological search: a node, reached at the
// instant (Unix ms) of the last event or statement on the path to it. The
// same node reached at two instants is two states, since neither is always
// the better one to go on from: an earlier instant admits more events
// after it, a later one more relationships that started since.
type timedNode struct {
	node, at int64
}

func compareTimedNodes(a, b timedNode) int {
	return gocmp.Or(gocmp.Compare(a.node, b.node), gocmp.Compare(a.at, b.at))
}

// chronoStep is how a state was reached: from prev, along row.
type chronoStep struct {
	prev timedNode
	row  Row
}

// ChronologicalPath is ShortestPath restricted to paths along which the
// start instants of the events and statements, from and to included, never
// decrease (a chain of cause and response), and on which a relationship
// edge counts only where the relationship held at the instant reached so
// far: the instant of the last event or statement before it (a
// relationship met before any counts whatever its dates). It returns nil
// when no such path lies within maxDepth.
//
// The search is breadth first from from alone, over states (node, instant
// reached), each state visited once; every level reads the edge rows of its
// nodes with one statement, and looks up the instants of the events and
// statements reached with one more. Among several shortest paths the one
// returned is the first reached: levels are expanded by node, then instant,
// and each node's rows in key order (kind, node reached, …). The levels
// share g.MaxRows rows; a level that would not fit in what is left fails
// with QUERY_TOO_COMPLEX rather than answer wrongly.
//
// Errors: as ShortestPath.
func ChronologicalPath(g ChronoReader, from, to db.NodeRef, maxDepth int) (*db.Path, error) {
	return searchPath(g, from, to, func(src, dst int64) (*db.Path, error) { return chronologicalPath(g, src, dst, maxDepth) })
}

// chronologicalPath is ChronologicalPath's search between two distinct nodes.
func chronologicalPath(g ChronoReader, src, dst int64, maxDepth int) (*db.Path, error) {
	instants := map[int64]int64{}
	if err := g.Instants([]int64{src, dst}, instants); err != nil {
		return nil, err
	}
	start := timedNode{src, noInstant}
	if at, ok := instants[src]; ok {
		start.at = at
	}
	steps := map[timedNode]chronoStep{start: {}}
	frontier := []timedNode{start}
	maxRows := g.MaxRows()
	budget := maxRows
	for depth := 1; depth <= maxDepth && len(frontier) > 0; depth++ {
		states := map[int64][]timedNode{} // the frontier's states by node, in order
		var nodes []int64
		for _, st := range frontier {
			if len(states[st.node]) == 0 {
				nodes = append(nodes, st.node)
			}
			states[st.node] = append(states[st.node], st)
		}
		rows, err := read(g, nodes, budget)
		if err != nil {
			return nil, err
		}
		if len(rows) >= budget {
			return nil, db.Errorf(db.CodeTooComplex,
				"shortestPath would read more than %d edges: there is no chronological path of %s or fewer, and the "+
					"edges of the next %s do not fit in the %d left; lower maxDepth or narrow the filter",
				maxRows, plural(depth-1, "edge"), plural(len(nodes), "node"), budget)
		}
		budget -= len(rows)
		var reached []int64
		for _, r := range rows {
			if r.Keep {
				reached = append(reached, r.Dst)
			}
		}
		if err := g.Instants(reached, instants); err != nil {
			return nil, err
		}
		var next []timedNode
		for _, r := range rows {
			if !r.Keep {
				continue
			}
			for _, st := range states[r.Src] {
				at, ok := chronoAt(g, st.at, r, instants)
				if !ok {
					continue
				}
				n := timedNode{r.Dst, at}
				if _, seen := steps[n]; seen {
					continue
				}
				steps[n] = chronoStep{st, r}
				if r.Dst == dst {
					return chronoPath(g, steps, start, n), nil
				}
				next = append(next, n)
			}
		}
		slices.SortFunc(next, compareTimedNodes)
		frontier = next
	}
	return nil, nil
}

// chronoAt is the instant reached by following r from a state at instant
// at, and whether r may be followed: a relationship must hold at at, an
// event or statement must not lie before it (and its instant is the new
// one).
func chronoAt(ix Index, at int64, r Row, instants map[int64]int64) (int64, bool) {
	if at != noInstant && ix.Kind(r.Kind) == db.EdgeRelationship {
		if r.At.Valid && r.At.Int64 > at || r.End.Valid && at >= r.End.Int64 {
			return 0, false
		}
	}
	if u, ok := instants[r.Dst]; ok {
		return u, u >= at
	}
	return at, true
}

// chronoPath walks the steps back from end to start.
func chronoPath(ix Index, steps map[timedNode]chronoStep, start, end timedNode) *db.Path {
	var nodes []db.NodeRef
	var edges []db.Edge
	for n := end; n != start; n = steps[n].prev {
		nodes = append(nodes, ix.Node(n.node))
		edges = append(edges, steps[n].row.Edge(ix))
	}
	nodes = append(nodes, ix.Node(start.node))
	slices.Reverse(nodes)
	slices.Reverse(edges)
	return &db.Path{Nodes: nodes, Edges: edges}
}
