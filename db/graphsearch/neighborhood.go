package graphsearch

import (
	"slices"

	"github.com/geotimeline/geotimeline/db"
)

// NeighborhoodReader is what a neighbourhood reads besides a Reader's.
type NeighborhoodReader interface {
	Reader
	// ScanLevel is Scan for a level's read, which stops early once the
	// limit is reached (at a hub, usually): a store whose results cross
	// the wire whole may page it.
	ScanLevel(nodes []int64, limit int, fn func(Row) bool) error
	// ReadsAll makes every level read all its rows, within the budget,
	// instead of stopping once the limit is reached: the reference the
	// early stop is tested against.
	ReadsAll() bool
	// EdgesFrom reads the rows of last.Src from the row last on (in key
	// order) that join it to one of others and pass the time window, by
	// key lookups alone, however many edges it has; at most limit rows,
	// read saying how many were read (limit: some may be missing).
	EdgesFrom(last Row, others []int64, limit int) (rows []Row, read int, err error)
	// EdgesAmong reads the rows that join two of nodes and pass the time
	// window, at most limit rows, read saying how many were read.
	EdgesAmong(nodes []int64, limit int) (rows []Row, read int, err error)
}

// CheckNeighborhood checks a neighbourhood's depth and limit: a
// BAD_USER_INPUT error for either out of range.
func CheckNeighborhood(depth, limit int) error {
	if depth < 1 || depth > MaxNeighborhoodDepth {
		return db.Errorf(db.CodeInvalid, "depth must be between 1 and %d, not %d", MaxNeighborhoodDepth, depth)
	}
	if limit < 1 || limit > MaxNeighborhoodLimit {
		return db.Errorf(db.CodeInvalid, "limit must be between 1 and %d, not %d", MaxNeighborhoodLimit, limit)
	}
	return nil
}

// Neighborhood returns everything within depth hops of start (1 to 3) along
// the edges g follows, at most limit nodes (1 to 1000); the caller has
// checked both (CheckNeighborhood).
//
// Nodes come in the order a breadth-first walk reaches them: start first,
// then level by level, and within a level in the order the edges are read,
// by the node they are read from, then kind, then the node reached (nodes
// compare by type, actors < countries < events < statements, then row id).
// Edges are every edge among the returned nodes that passes the filter,
// each once From → To, sorted by From, kind, To, role and time.
//
// Work is bounded: one statement finds start, one per level reads the
// edges of the level's nodes, and at most two more find the edges among the
// nodes the walk did not expand by key lookups. A level stops reading once
// limit nodes are found and one more is seen: the node it was reading (a
// hub, with thousands of rows) then has its edges to the nodes returned
// looked up instead, so a hub costs what its limit needs, not its degree.
// The levels share a budget of g.MaxRows edge rows read, and the last
// statements share as much again. Truncated is set when the limit left out
// a node that was reachable, or when a budget ran out, in which case nodes
// or edges may be missing (a query that fills its budget counts as cut).
//
// Errors: NOT_FOUND when start names no stored record.
func Neighborhood(g NeighborhoodReader, start db.NodeRef, depth, limit int) (db.Subgraph, error) {
	ids, err := g.Nodes(start)
	if err != nil {
		return db.Subgraph{}, err
	}

	order := []int64{ids[0]}
	seen := map[int64]bool{ids[0]: true}
	// expanded holds the nodes whose every row was read; the rows kept
	// from them hold every edge between them and any other node.
	expanded := map[int64]bool{}
	var read []Row
	truncated := false
	budget := g.MaxRows()
	frontier := []int64{ids[0]}
	// partial is the node whose rows a level stopped reading part way
	// through (at the row stop), once the limit was reached and a node
	// beyond it was seen: the walk ends there, and its edges after stop to
	// the nodes returned are looked up by key instead of read with all its
	// others (a hub's thousands).
	var partial int64
	var stop Row
	stopped := false
	for level := 1; level <= depth && len(frontier) > 0 && !truncated; level++ {
		if budget <= 0 {
			truncated = true
			break
		}
		// Rows come by src, so when reading stops every src before the
		// last one read was read in full.
		var rows []Row
		var next []int64
		err := g.ScanLevel(frontier, budget, func(r Row) bool {
			rows = append(rows, r)
			if !r.Keep || seen[r.Dst] {
				return true
			}
			if len(order) == limit {
				truncated = true
				if g.ReadsAll() {
					return true
				}
				stopped, partial, stop = true, r.Src, r
				return false
			}
			seen[r.Dst] = true
			order = append(order, r.Dst)
			next = append(next, r.Dst)
			return true
		})
		if err != nil {
			return db.Subgraph{}, err
		}
		budget -= len(rows)
		cut := !stopped && budget == 0
		if cut {
			partial, stop = rows[len(rows)-1].Src, rows[len(rows)-1]
		}
		for _, n := range frontier {
			if !(stopped || cut) || n < partial {
				expanded[n] = true
			}
		}
		for _, r := range rows {
			if r.Keep && (expanded[r.Src] || (stopped || cut) && r.Src == partial) {
				read = append(read, r)
			}
		}
		if cut {
			truncated = true
		}
		stopped = stopped || cut
		frontier = next
	}

	// The edges between two nodes that were not expanded are missing: one
	// query looks up those of the node read in part, another reads those
	// among the nodes not read at all; they share a budget of MaxRows.
	last := g.MaxRows()
	if stopped {
		// Itself too, for a loop; the expanded nodes' rows held their edges to it.
		others := slices.DeleteFunc(slices.Clone(order), func(n int64) bool { return expanded[n] })
		rows, n, err := g.EdgesFrom(stop, others, last)
		if err != nil {
			return db.Subgraph{}, err
		}
		last -= n
		read = append(read, rows...)
	}
	var rest []int64
	for _, n := range order {
		if !expanded[n] && !(stopped && n == partial) {
			rest = append(rest, n)
		}
	}
	if len(rest) > 0 && last > 0 {
		rows, n, err := g.EdgesAmong(rest, last)
		if err != nil {
			return db.Subgraph{}, err
		}
		last -= n
		read = append(read, rows...)
	}
	if last == 0 {
		truncated = true // a query that fills its budget counts as cut
	}

	var edges []Row
	done := map[edgeKey]bool{}
	for _, r := range read {
		if k := r.key(); seen[r.Dst] && !done[k] {
			done[k] = true
			edges = append(edges, r)
		}
	}
	return subgraph(g, order, edges, truncated), nil
}
