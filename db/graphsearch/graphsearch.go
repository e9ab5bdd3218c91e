// Package graphsearch holds the traversals of the event graph once, for
// every store: the neighbourhood walk, the event chain, the bidirectional
// shortest path and the chronological path. Each store keeps its graph
// index (graph_edges) and the SQL that reads it, and hands a traversal a
// reader of the primitives declared here (the edge rows of a frontier up
// to a limit, its degree, the key lookups between two frontiers, the
// instants of nodes, the edges among a set) in one snapshot, so that both
// stores give the same answers, refusals and truncations for the same
// budgets, and run the same statements.
//
// Nodes are the stores' numbers for them in the index (a type code and a
// row id in one integer, compared as integers: by type, then id); kinds are
// the index's kind codes. A reader decodes both (Index).
package graphsearch

import (
	gocmp "cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The bounds of the traversals' arguments.
const (
	MaxNeighborhoodDepth = 3
	MaxNeighborhoodLimit = 1000
	MaxPathDepth         = 6
	MaxChainDepth        = 10 // the most links an event chain follows from its start
)

// NullInt is a nullable integer column. It has the shape of database/sql's
// NullInt64 and of pgx's pgtype.Int8, so that a store scans into it through
// a pointer conversion, with no copy per row.
type NullInt struct {
	Int64 int64
	Valid bool
}

// Row is one row of a store's graph index: an edge seen from Src.
type Row struct {
	Src, Dst int64
	Kind     int
	Forward  bool // Src is the edge's From
	Owner    int64
	Role     string
	At       NullInt
	End      NullInt // at_end: where the edge's time ends (a relationship's end), for chronological paths
	Keep     bool    // the row passes the traversal's time window (and, for a chain, its walk and link kinds)
}

// Index decodes a store's numbers for nodes and kinds.
type Index interface {
	// Node is the node numbered n.
	Node(n int64) db.NodeRef
	// Kind is the edge kind of code ("" for an unknown code).
	Kind(code int) db.EdgeKind
}

// Reader is one traversal's view of a store's graph index: every call sees
// the same state of it, and the rows it reads are those the traversal's
// filter follows.
type Reader interface {
	Index
	// MaxRows is the traversal's budget of edge rows, fixed when it began.
	MaxRows() int
	// Nodes resolves refs to their numbers with one statement, or returns
	// a NOT_FOUND error for the first that names no stored record.
	Nodes(refs ...db.NodeRef) ([]int64, error)
	// Scan reads the edge rows of nodes in key order (src, kind, dst,
	// forward, owner, role), at most limit of them, rows outside the time
	// window with Keep false, with one statement, and hands them to fn
	// until fn returns false.
	Scan(nodes []int64, limit int, fn func(Row) bool) error
}

// Edge is the row as the edge it stands for, From → To.
func (r Row) Edge(ix Index) db.Edge {
	from, to := r.Src, r.Dst
	if !r.Forward {
		from, to = to, from
	}
	e := db.Edge{Kind: ix.Kind(r.Kind), From: ix.Node(from), To: ix.Node(to), Role: r.Role}
	if r.At.Valid {
		t := time.UnixMilli(r.At.Int64).UTC()
		e.At = &t
	}
	return e
}

// edgeKey identifies an edge whichever end it was read from.
type edgeKey struct {
	from, to, owner int64
	kind            int
	role            string
}

func (r Row) key() edgeKey {
	if r.Forward {
		return edgeKey{r.Src, r.Dst, r.Owner, r.Kind, r.Role}
	}
	return edgeKey{r.Dst, r.Src, r.Owner, r.Kind, r.Role}
}

// CompareRows is the edge order: From, kind, To (as numbered nodes: by
// type, then id), then role, time (none first) and owner.
func CompareRows(a, b Row) int {
	ka, kb := a.key(), b.key()
	return gocmp.Or(gocmp.Compare(ka.from, kb.from), gocmp.Compare(ka.kind, kb.kind), gocmp.Compare(ka.to, kb.to),
		strings.Compare(ka.role, kb.role), compareNullInt(a.At, b.At), gocmp.Compare(ka.owner, kb.owner))
}

func compareNullInt(a, b NullInt) int {
	switch {
	case a.Valid && b.Valid:
		return gocmp.Compare(a.Int64, b.Int64)
	case a.Valid:
		return 1
	case b.Valid:
		return -1
	}
	return 0
}

// KeptAmong is the rows of all that pass the time window and reach one of
// nodes (sorted): what a store's lookups among a set of nodes return.
func KeptAmong(all []Row, nodes []int64) []Row {
	var rows []Row
	for _, r := range all {
		if _, ok := slices.BinarySearch(nodes, r.Dst); ok && r.Keep {
			rows = append(rows, r)
		}
	}
	return rows
}

// read collects the rows of a Scan.
func read(g Reader, nodes []int64, limit int) ([]Row, error) {
	var out []Row
	err := g.Scan(nodes, limit, func(r Row) bool {
		out = append(out, r)
		return true
	})
	return out, err
}

// subgraph is the answer of a walk: its nodes in order, its edges sorted.
func subgraph(ix Index, order []int64, edges []Row, truncated bool) db.Subgraph {
	slices.SortFunc(edges, CompareRows)
	sub := db.Subgraph{Nodes: make([]db.NodeRef, len(order)), Edges: make([]db.Edge, len(edges)), Truncated: truncated}
	for i, n := range order {
		sub.Nodes[i] = ix.Node(n)
	}
	for i, r := range edges {
		sub.Edges[i] = r.Edge(ix)
	}
	return sub
}

// plural is "1 edge", "2 edges": the counts of the traversals' messages.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
