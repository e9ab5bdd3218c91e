package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/graphsearch"
)

// The traversals (db/graphsearch) walk the graph index (graph_index.go)
// breadth first from Go, one batched query per level, through the
// primitives of graphReader below: "every edge of these nodes, of these
// kinds" is one range scan of the primary key per node, read in key order
// (src, kind, dst, …) so that no query sorts and a LIMIT bounds the rows
// each one reads, not only those it returns. A time window is computed in
// SQL as a column of each row instead of a WHERE condition, so that rows it
// rejects still count against the limit: a country with 100 000 events out
// of the window costs what one inside it does.

// defaultMaxEdgesRead is Store.maxEdgesRead's default: the number of edge
// rows one traversal may read. The levels of a walk share it, and the query
// that completes a neighbourhood's edges has as much again.
const defaultMaxEdgesRead = 20000

// graphQuery is a db.GraphFilter compiled to SQL.
type graphQuery struct {
	codes map[int]bool // the kind codes to follow, nil for every kind
	kinds string       // " AND kind IN (1, 6)", or "" for every kind
	keep  string       // an SQL expression true when a row's time is in the window
	args  []any        // keep's arguments
}

func compileGraphFilter(f db.GraphFilter) (graphQuery, error) {
	q := graphQuery{keep: "1"}
	if len(f.EdgeKinds) > 0 {
		var codes []int
		for _, k := range f.EdgeKinds {
			c := edgeKindCode(k)
			if c == 0 {
				return q, db.Errorf(db.CodeInvalid, "filter: unknown edge kind %q", string(k))
			}
			codes = append(codes, c)
		}
		slices.Sort(codes)
		codes = slices.Compact(codes)
		if len(codes) < len(db.EdgeKinds) {
			q.codes = map[int]bool{}
			parts := make([]string, len(codes))
			for i, c := range codes {
				q.codes[c] = true
				parts[i] = strconv.Itoa(c)
			}
			q.kinds = " AND kind IN (" + strings.Join(parts, ", ") + ")"
		}
	}
	var conds []string
	if f.To != nil {
		conds = append(conds, "(at_start IS NULL OR at_start < ?)")
		q.args = append(q.args, f.To.UnixMilli())
	}
	if f.From != nil {
		conds = append(conds, "(at_end IS NULL OR at_end > ?)")
		q.args = append(q.args, f.From.UnixMilli())
	}
	if len(conds) > 0 {
		q.keep = strings.Join(conds, " AND ")
	}
	return q, nil
}

// graphReader runs a traversal's queries in one snapshot (the request's,
// or one of its own), so that every level sees the same state of the
// index; they go through the read pool, counted and timed like any read.
type graphReader struct {
	ctx     context.Context
	release func()
	s       *Store
	q       graphQuery
	// maxRows is the store's maxEdgesRead, read once so that a traversal
	// keeps one budget from its first level to its last.
	maxRows int
}

func (s *Store) beginGraph(ctx context.Context, q graphQuery) (*graphReader, error) {
	ctx, release := s.Snapshot(ctx)
	return &graphReader{ctx: ctx, release: release, s: s, q: q, maxRows: s.maxEdgesRead}, nil
}

func (g *graphReader) close() { g.release() }

// MaxRows is the traversal's budget (graphsearch.Reader).
func (g *graphReader) MaxRows() int { return g.maxRows }

// ReadsAll is the store's neighborhoodReadsAll (graphsearch.NeighborhoodReader).
func (g *graphReader) ReadsAll() bool { return g.s.neighborhoodReadsAll }

// Node decodes a node of graph_edges (graphsearch.Index).
func (g *graphReader) Node(n int64) db.NodeRef { return decodeNode(n) }

// Kind decodes a kind code of graph_edges (graphsearch.Index).
func (g *graphReader) Kind(code int) db.EdgeKind { return edgeKindOf(code) }

// Scan reads the rows of nodes in key order, as SQLite steps to them
// (graphsearch.Reader).
func (g *graphReader) Scan(nodes []int64, limit int, fn func(graphsearch.Row) bool) error {
	return g.scan(g.q.edgesSQL(), append(slices.Clone(g.q.args), jsonInts(nodes), limit), fn)
}

// ScanLevel is Scan: SQLite never steps past the row a level stops at
// (graphsearch.NeighborhoodReader).
func (g *graphReader) ScanLevel(nodes []int64, limit int, fn func(graphsearch.Row) bool) error {
	return g.Scan(nodes, limit, fn)
}

// Nodes resolves refs to their encoded nodes with one statement, or returns
// a NOT_FOUND error for the first that names no stored record.
func (g *graphReader) Nodes(refs ...db.NodeRef) ([]int64, error) {
	tables := map[db.NodeType]string{db.NodeActor: "actors", db.NodeCountry: "countries",
		db.NodeEvent: "events", db.NodeStatement: "statements"}
	ids := make([]int64, len(refs))
	var cols []string
	var args []any
	for i, r := range refs {
		v, ok := encodeNode(r)
		if !ok {
			return nil, db.Errorf(db.CodeNotFound, "no node %s %d", r.Type, r.ID)
		}
		ids[i] = v
		cols = append(cols, `EXISTS (SELECT 1 FROM `+tables[r.Type]+` WHERE id = ?)`)
		args = append(args, r.ID)
	}
	exists := make([]bool, len(refs))
	dest := make([]any, len(refs))
	for i := range exists {
		dest[i] = &exists[i]
	}
	if err := g.s.read.QueryRowContext(g.ctx, `SELECT `+strings.Join(cols, ", "), args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("graph: look up nodes: %w", err)
	}
	for i, ok := range exists {
		if !ok {
			return nil, db.Errorf(db.CodeNotFound, "no node %s %d", refs[i].Type, refs[i].ID)
		}
	}
	return ids, nil
}

// edgesOf reads the edge rows of nodes, of the filter's kinds, in key order
// (src, kind, dst, forward, owner, role), at most limit of them. Rows outside
// the time window are read and returned with keep false. The caller knows
// the read was cut when it returns limit rows.
func (g *graphReader) edgesOf(nodes []int64, limit int) ([]graphsearch.Row, error) {
	args := append(slices.Clone(g.q.args), jsonInts(nodes), limit)
	return g.query(g.q.edgesSQL(), args)
}

// jsonInts writes nodes as a JSON array, sorted, for json_each.
func jsonInts(nodes []int64) string {
	sorted := slices.Clone(nodes)
	slices.Sort(sorted)
	b := make([]byte, 0, 16*len(sorted)+2)
	b = append(b, '[')
	for i, n := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, ']'))
}

// Degree counts the edge rows of nodes, up to limit: what expanding them
// would read. Counting index entries is far cheaper than reading the rows.
func (g *graphReader) Degree(nodes []int64, limit int) (int, error) {
	var n int
	err := g.s.read.QueryRowContext(g.ctx, `SELECT count(*) FROM (SELECT 1 FROM graph_edges
		WHERE src IN (SELECT value FROM json_each(?))`+g.q.kinds+` LIMIT ?)`,
		jsonInts(nodes), limit).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("graph: %w", err)
	}
	return n, nil
}

// edgesSQL reads the rows of a JSON list of nodes in key order.
func (q graphQuery) edgesSQL() string {
	return `SELECT src, kind, dst, forward, owner, role, at_start, at_end, ` + q.keep + ` FROM graph_edges
		WHERE src IN (SELECT value FROM json_each(?))` + q.kinds + `
		ORDER BY src, kind, dst, forward, owner, role LIMIT ?`
}

// pairsSQL reads the rows from one JSON list of nodes to another, of the
// given kinds: one lookup of the key per node, kind and node.
func (q graphQuery) pairsSQL(kinds string) string {
	return `SELECT src, kind, dst, forward, owner, role, at_start, at_end, ` + q.keep + ` FROM graph_edges
		WHERE src IN (SELECT value FROM json_each(?)) AND kind IN (` + kinds + `)
		AND dst IN (SELECT value FROM json_each(?))`
}

// query runs a query for edge rows.
func (g *graphReader) query(query string, args []any) ([]graphsearch.Row, error) {
	var out []graphsearch.Row
	err := g.scan(query, args, func(r graphsearch.Row) bool {
		out = append(out, r)
		return true
	})
	return out, err
}

// scan runs a query for edge rows and hands them to fn one at a time, as
// SQLite steps to them, until fn returns false: the rows after it are never
// read.
func (g *graphReader) scan(query string, args []any, fn func(graphsearch.Row) bool) error {
	rows, err := g.s.read.QueryContext(g.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("graph: read edges: %w", err)
	}
	defer rows.Close()
	n := 0
	defer func() { g.s.graphRowsRead.Add(int64(n)) }()
	for rows.Next() {
		var r graphsearch.Row
		if err := rows.Scan(&r.Src, &r.Kind, &r.Dst, &r.Forward, &r.Owner, &r.Role, (*sql.NullInt64)(&r.At), (*sql.NullInt64)(&r.End), &r.Keep); err != nil {
			return fmt.Errorf("graph: read edges: %w", err)
		}
		n++
		if !fn(r) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("graph: read edges: %w", err)
	}
	return nil
}

// EdgesAmong reads the rows that join two of nodes and pass the time
// window, reading at most the store's maxEdgesRead rows; cut reports that
// the bound may have left some out.
//
// When the lookups are few enough, the query looks up the key (src, kind,
// dst) for every pair of nodes of types some kind of edge joins (an actor
// and an event for PARTICIPATION, …), which costs the same however many
// edges the nodes have elsewhere: a country of 100 000 events among them
// costs one lookup per other node. Otherwise it reads every row of the
// nodes, up to the bound.
func (g *graphReader) EdgesAmong(nodes []int64, limit int) (rows []graphsearch.Row, read int, err error) {
	nodes = slices.Clone(nodes)
	slices.Sort(nodes)
	byType := nodesByType(nodes)
	var parts []string
	var args []any
	lookups := 0
	for _, pk := range pairKinds {
		from, to, kinds := byType[pk.types[0]], byType[pk.types[1]], g.kindsOf(pk.kinds)
		if len(from) == 0 || len(to) == 0 || len(kinds) == 0 {
			continue
		}
		lookups += len(from) * len(kinds) * len(to)
		parts = append(parts, g.q.pairsSQL(strings.Join(kinds, ", ")))
		args = append(append(args, g.q.args...), jsonInts(from), jsonInts(to))
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	var all []graphsearch.Row
	if lookups <= limit {
		all, err = g.query(strings.Join(parts, "\nUNION ALL ")+"\nLIMIT ?", append(args, limit))
	} else {
		all, err = g.edgesOf(nodes, limit)
	}
	if err != nil {
		return nil, 0, err
	}
	return graphsearch.KeptAmong(all, nodes), len(all), nil
}

// EdgesFrom reads the rows of node from the row last on (in key order) that
// join it to one of others and pass the time window, by key lookups alone
// (each kind that can join their types, for each of others), however many
// edges node has: what a hub whose rows were read up to last needs. It
// reads at most limit rows, and says how many it read: limit means the
// bound may have left some out.
func (g *graphReader) EdgesFrom(last graphsearch.Row, others []int64, limit int) (rows []graphsearch.Row, read int, err error) {
	node := last.Src
	others = slices.Clone(others)
	slices.Sort(others)
	byType := nodesByType(others)
	var parts []string
	var args []any
	for _, pk := range pairKinds {
		var to []int64
		switch node >> nodeShift {
		case pk.types[0]:
			to = byType[pk.types[1]]
		case pk.types[1]:
			to = byType[pk.types[0]]
		}
		if kinds := g.kindsOf(pk.kinds); len(to) > 0 && len(kinds) > 0 {
			// From last's kind and node on: rows read twice are merged later.
			parts = append(parts, g.q.pairsSQL(strings.Join(kinds, ", "))+` AND (kind, dst) >= (?, ?)`)
			args = append(append(args, g.q.args...), jsonInts([]int64{node}), jsonInts(to), last.Kind, last.Dst)
		}
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	all, err := g.query(strings.Join(parts, "\nUNION ALL ")+"\nLIMIT ?", append(args, limit))
	if err != nil {
		return nil, 0, err
	}
	return graphsearch.KeptAmong(all, others), len(all), nil
}

// nodesByType groups nodes by their type code, keeping their order.
func nodesByType(nodes []int64) map[int64][]int64 {
	byType := map[int64][]int64{}
	for _, n := range nodes {
		byType[n>>nodeShift] = append(byType[n>>nodeShift], n)
	}
	return byType
}

// kindsOf is the kinds of codes the filter follows, as SQL literals.
func (g *graphReader) kindsOf(codes []int) []string {
	var kinds []string
	for _, k := range codes {
		if g.q.codes == nil || g.q.codes[k] {
			kinds = append(kinds, strconv.Itoa(k))
		}
	}
	return kinds
}

// Neighborhood returns everything within depth hops of start (1 to 3) along
// edges that pass f, at most limit nodes (1 to 1000), as
// graphsearch.Neighborhood walks it, within the store's maxEdgesRead rows.
//
// Errors: BAD_USER_INPUT for a depth, limit or edge kind out of range;
// NOT_FOUND when start names no stored record.
func (s *Store) Neighborhood(ctx context.Context, start db.NodeRef, depth int, f db.GraphFilter, limit int) (db.Subgraph, error) {
	if err := graphsearch.CheckNeighborhood(depth, limit); err != nil {
		return db.Subgraph{}, err
	}
	q, err := compileGraphFilter(f)
	if err != nil {
		return db.Subgraph{}, err
	}
	g, err := s.beginGraph(ctx, q)
	if err != nil {
		return db.Subgraph{}, err
	}
	defer g.close()
	return graphsearch.Neighborhood(g, start, depth, limit)
}

// ShortestPath returns a shortest path from from to to, of at most maxDepth
// edges (1 to 6), along edges that pass f, in either direction, as
// graphsearch.ShortestPath searches it within the store's maxEdgesRead
// rows; nil when there is none within maxDepth.
//
// Errors: BAD_USER_INPUT for maxDepth out of range or an unknown edge kind;
// NOT_FOUND when from or to names no stored record; QUERY_TOO_COMPLEX when
// the search cannot be decided within the budget.
func (s *Store) ShortestPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error) {
	return s.searchPath(ctx, maxDepth, f, func(g *graphReader) (*db.Path, error) {
		return graphsearch.ShortestPath(g, from, to, maxDepth)
	})
}

// searchPath checks a path search's maxDepth and filter, and runs search
// with a reader of its own.
func (s *Store) searchPath(ctx context.Context, maxDepth int, f db.GraphFilter, search func(g *graphReader) (*db.Path, error)) (*db.Path, error) {
	if err := graphsearch.CheckPath(maxDepth); err != nil {
		return nil, err
	}
	q, err := compileGraphFilter(f)
	if err != nil {
		return nil, err
	}
	g, err := s.beginGraph(ctx, q)
	if err != nil {
		return nil, err
	}
	defer g.close()
	return search(g)
}

// meetQuery is the query for the rows from the nodes of one frontier to
// those of another (each row read from the first, so src is in from), by
// key lookups; lookups is how many it makes, the product of the sizes of
// each pair of node types some kind of edge joins times those kinds.
func (q graphQuery) meetQuery(from, to []int64) (lookups int, meet meetSQL) {
	byType := func(nodes []int64) map[int64][]int64 {
		m := map[int64][]int64{}
		for _, n := range nodes {
			m[n>>nodeShift] = append(m[n>>nodeShift], n)
		}
		return m
	}
	fromTypes, toTypes := byType(from), byType(to)
	var parts []string
	for _, pk := range pairKinds {
		var kinds []string
		for _, k := range pk.kinds {
			if q.codes == nil || q.codes[k] {
				kinds = append(kinds, strconv.Itoa(k))
			}
		}
		if len(kinds) == 0 {
			continue
		}
		// A pair of distinct types is looked up both ways round: rows are
		// stored from either end.
		ends := [][2]int64{pk.types}
		if pk.types[0] != pk.types[1] {
			ends = append(ends, [2]int64{pk.types[1], pk.types[0]})
		}
		for _, e := range ends {
			a, b := fromTypes[e[0]], toTypes[e[1]]
			if len(a) == 0 || len(b) == 0 {
				continue
			}
			lookups += len(a) * len(kinds) * len(b)
			parts = append(parts, q.pairsSQL(strings.Join(kinds, ", ")))
			meet.args = append(append(meet.args, q.args...), jsonInts(a), jsonInts(b))
		}
	}
	meet.query = strings.Join(parts, "\nUNION ALL ")
	return lookups, meet
}

// meetSQL is a compiled meetQuery; query is empty when no kind of edge can
// join the two frontiers.
type meetSQL struct {
	query string
	args  []any
}

// Meet compiles the meetQuery of two frontiers, to run on demand
// (graphsearch.PathReader).
func (g *graphReader) Meet(from, to []int64) (int, func(limit int) ([]graphsearch.Row, error)) {
	lookups, m := g.q.meetQuery(from, to)
	return lookups, func(limit int) ([]graphsearch.Row, error) {
		if m.query == "" {
			return nil, nil
		}
		return g.query(m.query+"\nLIMIT ?", append(slices.Clone(m.args), limit))
	}
}
