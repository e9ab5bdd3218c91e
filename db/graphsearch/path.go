package graphsearch

import (
	"fmt"
	"slices"

	"github.com/geotimeline/geotimeline/db"
)

// PathReader is what a shortest path reads besides a Reader's.
type PathReader interface {
	Reader
	// Degree counts the edge rows of nodes, up to limit, with one
	// statement: what reading them would read.
	Degree(nodes []int64, limit int) (int, error)
	// Meet compiles the key lookups (src, kind, dst) of the rows from the
	// nodes of one frontier to those of another (each row read from the
	// first, so Src is in from), for every pair of nodes of types some
	// kind of edge joins; lookups is how many it makes. read runs them
	// with one statement, reading at most limit rows, and returns every row
	// read (none, and no statement, when no kind can join the frontiers).
	Meet(from, to []int64) (lookups int, read func(limit int) ([]Row, error))
}

// CheckPath checks a path search's maxDepth: a BAD_USER_INPUT error when
// it is out of range.
func CheckPath(maxDepth int) error {
	if maxDepth < 1 || maxDepth > MaxPathDepth {
		return db.Errorf(db.CodeInvalid, "maxDepth must be between 1 and %d, not %d", MaxPathDepth, maxDepth)
	}
	return nil
}

// searchPath finds a path search's ends and, unless they are one node (a
// path of length 0), runs search between them.
func searchPath(g Reader, from, to db.NodeRef, search func(src, dst int64) (*db.Path, error)) (*db.Path, error) {
	ids, err := g.Nodes(from, to)
	if err != nil {
		return nil, err
	}
	if ids[0] == ids[1] {
		return &db.Path{Nodes: []db.NodeRef{g.Node(ids[0])}, Edges: []db.Edge{}}, nil
	}
	return search(ids[0], ids[1])
}

// searchSide is one half of a bidirectional search: the level of every node
// it reached, its current frontier (the deepest level, sorted), and for each
// node the rows that reached it from the level before.
type searchSide struct {
	dist     map[int64]int
	frontier []int64
	depth    int
	parents  map[int64][]Row // rows src (level i) → dst (level i+1), by dst
	// rows is the number of edge rows of the frontier, counted up to limit
	// (so at least limit when rows == limit), and measured says it was
	// counted for the current frontier: a hub's side that is never expanded
	// is counted once, not once per level.
	rows, limit int
	measured    bool
}

func newSearchSide(start int64) *searchSide {
	return &searchSide{dist: map[int64]int{start: 0}, frontier: []int64{start}, parents: map[int64][]Row{}}
}

// measure counts the side's frontier rows, up to limit, unless a count
// already says as much.
func measure(g PathReader, sd *searchSide, limit int) error {
	if sd.measured && (sd.rows < sd.limit || sd.limit >= limit) {
		return nil
	}
	n, err := g.Degree(sd.frontier, limit)
	if err != nil {
		return err
	}
	sd.rows, sd.limit, sd.measured = n, limit, true
	return nil
}

// describe is the side's frontier for a message: "1 node at distance 0,
// 20000 edge rows or more" (or an exact count when the count did not stop
// at its limit).
func (sd *searchSide) describe() string {
	rows := plural(sd.rows, "edge row")
	if sd.rows >= sd.limit {
		rows += " or more"
	}
	return fmt.Sprintf("%s at distance %d, %s", plural(len(sd.frontier), "node"), sd.depth, rows)
}

// ShortestPath returns a shortest path from from to to, of at most maxDepth
// edges (1 to 6, checked by the caller: CheckPath), along the edges g
// follows, in either direction. It returns nil, and no error, when there is
// none within maxDepth, and a path of length 0 (one node, no edges) when
// from is to.
//
// The search is breadth first from both ends. Each step tests the next
// length, the two frontiers' depths plus one, in one of two ways:
//
//   - expanding one side a whole level, reading every edge row of its
//     frontier: the side with fewer rows (counted from the index first;
//     from's side when equal), so that a hub's side is read only when the
//     other side is dearer still;
//   - or looking up the edges between the two frontiers by key (src, kind,
//     dst) for every pair of nodes of types some kind of edge joins, which
//     costs the same however many edges either side has elsewhere: one
//     lookup decides whether a hub and a node are adjacent. It is used when
//     the cheaper side's rows would not fit in what is left of the budget,
//     and on the last step (where no further level is needed) when it costs
//     fewer lookups than the expansion would read rows.
//
// A side with no edges left ends the search at once. When several shortest
// paths exist, the one returned has the lexicographically smallest node
// sequence, nodes compared by type (actors < countries < events <
// statements) then row id: from the start, each step takes the smallest
// node that still lies on a shortest path. Between two nodes joined by
// several edges, the first in the edge order (From, kind, To, role, time)
// is taken. Both ways of testing a length find the same set of shortest
// paths, so the answer does not depend on which was used.
//
// The steps together read at most g.MaxRows edge rows, a key lookup
// counting as a row. A step is taken only when it fits in what is left; a
// search that cannot be decided within the budget fails with
// QUERY_TOO_COMPLEX, saying how far it got and what the next step would
// read, rather than give an answer it cannot vouch for.
//
// Errors: NOT_FOUND when from or to names no stored record;
// QUERY_TOO_COMPLEX as above.
func ShortestPath(g PathReader, from, to db.NodeRef, maxDepth int) (*db.Path, error) {
	return searchPath(g, from, to, func(src, dst int64) (*db.Path, error) { return shortestPath(g, src, dst, maxDepth) })
}

// shortestPath is ShortestPath's search between two distinct nodes.
func shortestPath(g PathReader, src, dst int64, maxDepth int) (*db.Path, error) {
	fw, bw := newSearchSide(src), newSearchSide(dst)
	maxRows := g.MaxRows()
	budget := maxRows
	for fw.depth+bw.depth < maxDepth {
		if len(fw.frontier) == 0 || len(bw.frontier) == 0 {
			return nil, nil
		}
		length := fw.depth + bw.depth + 1 // the length this step tests
		last := length == maxDepth
		lookups, meet := g.Meet(fw.frontier, bw.frontier)
		// The last step only needs to know whether a side has fewer rows
		// than the lookups would make: counting a hub's rows further is
		// wasted (it is what maxDepth 1 between two hubs costs).
		limit := budget
		if last {
			limit = min(budget, lookups+1)
		}
		if err := measure(g, fw, limit); err != nil {
			return nil, err
		}
		if err := measure(g, bw, limit); err != nil {
			return nil, err
		}
		// Expand the side with fewer edges to read, not fewer nodes: one
		// hub on a side can hold more edges than a thousand quiet nodes.
		side := fw
		if bw.rows < fw.rows {
			side = bw
		}
		fits := side.rows < budget
		if lookups < budget && (!fits || last && lookups < side.rows) {
			all, err := meet(budget)
			if err != nil {
				return nil, err
			}
			// limit rows read means some may be missing (parallel edges
			// make a lookup return several).
			if len(all) >= budget {
				return nil, tooComplex(length-1, maxRows, fw, bw, budget)
			}
			var rows []Row
			for _, r := range all {
				if r.Keep {
					rows = append(rows, r)
				}
			}
			budget -= max(lookups, len(rows))
			if len(rows) > 0 {
				// Every row joins fw's frontier to bw's: taking them as
				// fw's next level makes their ends the meeting nodes.
				fw.expand(rows)
				fw.measured = false
				return pathOf(g, fw, bw, src), nil
			}
			if last {
				return nil, nil
			}
			return nil, tooComplex(length, maxRows, fw, bw, budget)
		}
		if !fits {
			return nil, tooComplex(length-1, maxRows, fw, bw, budget)
		}
		other := bw
		if side == bw {
			other = fw
		}
		rows, err := read(g, side.frontier, budget)
		if err != nil {
			return nil, err
		}
		if len(rows) >= budget { // the index changed under the count: cannot be, but never guess
			return nil, tooComplex(length-1, maxRows, fw, bw, 0)
		}
		budget -= len(rows)
		side.expand(rows)
		side.measured = false
		for _, n := range side.frontier {
			if d, ok := other.dist[n]; ok && d == other.depth {
				return pathOf(g, fw, bw, src), nil
			}
		}
	}
	return nil, nil
}

// tooComplex is the refusal of a search that found no path of ruledOut
// edges or fewer and cannot afford its next step with left rows of the
// budget of maxRows.
func tooComplex(ruledOut, maxRows int, fw, bw *searchSide, left int) error {
	return db.Errorf(db.CodeTooComplex,
		"shortestPath would read more than %d edges: there is no path of %s or fewer, and looking further means "+
			"reading the edges of the start's side (%s) or the end's (%s), which does not fit in the %d left; "+
			"lower maxDepth or narrow the filter",
		maxRows, plural(ruledOut, "edge"), fw.describe(), bw.describe(), left)
}

// expand takes the rows of the side's frontier and makes the next level.
func (sd *searchSide) expand(rows []Row) {
	level := sd.depth + 1
	var next []int64
	for _, r := range rows {
		if _, ok := sd.dist[r.Dst]; r.Keep && !ok {
			sd.dist[r.Dst] = level
			next = append(next, r.Dst)
		}
	}
	for _, r := range rows {
		if r.Keep && sd.dist[r.Dst] == level {
			sd.parents[r.Dst] = append(sd.parents[r.Dst], r)
		}
	}
	slices.Sort(next)
	sd.frontier, sd.depth = next, level
}

// pathOf builds the path once the two sides have met: their last
// levels share the meeting nodes, at fw.depth from the start and bw.depth
// from the end.
func pathOf(ix Index, fw, bw *searchSide, start int64) *db.Path {
	// onPath marks the nodes of fw's levels that lie on a shortest path: the
	// meeting nodes, and whatever reaches one level by level.
	onPath := map[int64]bool{}
	children := map[int64][]Row{}
	var level []int64
	for _, n := range fw.frontier {
		if d, ok := bw.dist[n]; ok && d == bw.depth {
			onPath[n] = true
			level = append(level, n)
		}
	}
	for range fw.depth {
		var up []int64
		for _, n := range level {
			for _, r := range fw.parents[n] {
				children[r.Src] = append(children[r.Src], r)
				if !onPath[r.Src] {
					onPath[r.Src] = true
					up = append(up, r.Src)
				}
			}
		}
		level = up
	}

	// step picks, among rows joining cur to a candidate node, the smallest
	// node and the first edge to it.
	step := func(cands []Row, node func(Row) int64) (int64, Row) {
		var best Row
		bestNode := int64(-1)
		for _, r := range cands {
			n := node(r)
			if bestNode < 0 || n < bestNode || n == bestNode && CompareRows(r, best) < 0 {
				best, bestNode = r, n
			}
		}
		return bestNode, best
	}
	path := &db.Path{Nodes: []db.NodeRef{ix.Node(start)}}
	cur := start
	for range fw.depth {
		var cands []Row
		for _, r := range children[cur] {
			if onPath[r.Dst] {
				cands = append(cands, r)
			}
		}
		n, r := step(cands, func(r Row) int64 { return r.Dst })
		path.Nodes = append(path.Nodes, ix.Node(n))
		path.Edges = append(path.Edges, r.Edge(ix))
		cur = n
	}
	// From the meeting node on, every neighbour one level nearer the end on
	// bw's side lies on a shortest path.
	for range bw.depth {
		n, r := step(bw.parents[cur], func(r Row) int64 { return r.Src })
		path.Nodes = append(path.Nodes, ix.Node(n))
		path.Edges = append(path.Edges, r.Edge(ix))
		cur = n
	}
	return path
}
