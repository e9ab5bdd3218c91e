package sqlite

import (
	gocmp "cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The traversals walk the graph index (graph_index.go) breadth first from
// Go, one batched query per level: "every edge of these nodes, of these
// kinds" is one range scan of the primary key per node, read in key order
// (src, kind, dst, …) so that no query sorts and a LIMIT bounds the rows
// each one reads, not only those it returns. A time window is computed in
// SQL as a column of each row instead of a WHERE condition, so that rows it
// rejects still count against the limit: a country with 100 000 events out
// of the window costs what one inside it does.

// The bounds of a traversal.
const (
	maxNeighborhoodDepth = 3
	maxNeighborhoodLimit = 1000
	maxPathDepth         = 6
)

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

// edgeRow is one row of graph_edges: an edge seen from src.
type edgeRow struct {
	src, dst int64
	kind     int
	forward  bool
	owner    int64
	role     string
	at       sql.NullInt64
	end      sql.NullInt64 // at_end: where the edge's time ends (a relationship's end), for chronological paths
	keep     bool          // the row passes the time window
}

// edge is the row as the edge it stands for, From → To.
func (r edgeRow) edge() db.Edge {
	from, to := r.src, r.dst
	if !r.forward {
		from, to = to, from
	}
	e := db.Edge{Kind: edgeKindOf(r.kind), From: decodeNode(from), To: decodeNode(to), Role: r.role}
	if r.at.Valid {
		t := time.UnixMilli(r.at.Int64).UTC()
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

func (r edgeRow) key() edgeKey {
	if r.forward {
		return edgeKey{r.src, r.dst, r.owner, r.kind, r.role}
	}
	return edgeKey{r.dst, r.src, r.owner, r.kind, r.role}
}

// compareEdgeRows is the edge order: From, kind, To (as encoded nodes:
// by type, then id), then role, time (none first) and owner.
func compareEdgeRows(a, b edgeRow) int {
	ka, kb := a.key(), b.key()
	return gocmp.Or(gocmp.Compare(ka.from, kb.from), gocmp.Compare(ka.kind, kb.kind), gocmp.Compare(ka.to, kb.to),
		strings.Compare(ka.role, kb.role), compareNullInt(a.at, b.at), gocmp.Compare(ka.owner, kb.owner))
}

func compareNullInt(a, b sql.NullInt64) int {
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

// nodes resolves refs to their encoded nodes with one statement, or returns
// a NOT_FOUND error for the first that names no stored record.
func (g *graphReader) nodes(refs ...db.NodeRef) ([]int64, error) {
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
func (g *graphReader) edgesOf(nodes []int64, limit int) ([]edgeRow, error) {
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

// degree counts the edge rows of nodes, up to limit: what expanding them
// would read. Counting index entries is far cheaper than reading the rows.
func (g *graphReader) degree(nodes []int64, limit int) (int, error) {
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
func (g *graphReader) query(query string, args []any) ([]edgeRow, error) {
	var out []edgeRow
	err := g.scan(query, args, func(r edgeRow) bool {
		out = append(out, r)
		return true
	})
	return out, err
}

// scan runs a query for edge rows and hands them to fn one at a time, as
// SQLite steps to them, until fn returns false: the rows after it are never
// read.
func (g *graphReader) scan(query string, args []any, fn func(edgeRow) bool) error {
	rows, err := g.s.read.QueryContext(g.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("graph: read edges: %w", err)
	}
	defer rows.Close()
	n := 0
	defer func() { g.s.graphRowsRead.Add(int64(n)) }()
	for rows.Next() {
		var r edgeRow
		if err := rows.Scan(&r.src, &r.kind, &r.dst, &r.forward, &r.owner, &r.role, &r.at, &r.end, &r.keep); err != nil {
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

// edgesAmong reads the rows that join two of nodes and pass the time
// window, reading at most the store's maxEdgesRead rows; cut reports that
// the bound may have left some out.
//
// When the lookups are few enough, the query looks up the key (src, kind,
// dst) for every pair of nodes of types some kind of edge joins (an actor
// and an event for PARTICIPATION, …), which costs the same however many
// edges the nodes have elsewhere: a country of 100 000 events among them
// costs one lookup per other node. Otherwise it reads every row of the
// nodes, up to the bound.
func (g *graphReader) edgesAmong(nodes []int64, limit int) (rows []edgeRow, read int, err error) {
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
	var all []edgeRow
	if lookups <= limit {
		all, err = g.query(strings.Join(parts, "\nUNION ALL ")+"\nLIMIT ?", append(args, limit))
	} else {
		all, err = g.edgesOf(nodes, limit)
	}
	if err != nil {
		return nil, 0, err
	}
	return keptAmong(all, nodes), len(all), nil
}

// edgesFrom reads the rows of node from the row last on (in key order) that
// join it to one of others and pass the time window, by key lookups alone
// (each kind that can join their types, for each of others), however many
// edges node has: what a hub whose rows were read up to last needs. It
// reads at most limit rows, and says how many it read: limit means the
// bound may have left some out.
func (g *graphReader) edgesFrom(last edgeRow, others []int64, limit int) (rows []edgeRow, read int, err error) {
	node := last.src
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
			args = append(append(args, g.q.args...), jsonInts([]int64{node}), jsonInts(to), last.kind, last.dst)
		}
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	all, err := g.query(strings.Join(parts, "\nUNION ALL ")+"\nLIMIT ?", append(args, limit))
	if err != nil {
		return nil, 0, err
	}
	return keptAmong(all, others), len(all), nil
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

// keptAmong is the rows that pass the time window and reach one of nodes
// (sorted).
func keptAmong(all []edgeRow, nodes []int64) []edgeRow {
	var rows []edgeRow
	for _, r := range all {
		if _, ok := slices.BinarySearch(nodes, r.dst); ok && r.keep {
			rows = append(rows, r)
		}
	}
	return rows
}

// Neighborhood returns everything within depth hops of start (1 to 3) along
// edges that pass f, at most limit nodes (1 to 1000).
//
// Nodes come in the order a breadth-first walk reaches them: start first,
// then level by level, and within a level in the order the edges are read,
// by the node they are read from, then kind, then the node reached (nodes
// compare by type, actors < countries < events < statements, then row id).
// Edges are every edge among the returned nodes that passes f, each once
// From → To, sorted by From, kind, To, role and time.
//
// Work is bounded: one statement finds start, one per level reads the
// edges of the level's nodes, and at most two more find the edges among the
// nodes the walk did not expand by key lookups. A level stops reading once
// limit nodes are found and one more is seen: the node it was reading (a
// hub, with thousands of rows) then has its edges to the nodes returned
// looked up instead, so a hub costs what its limit needs, not its degree.
// The levels share a budget of the store's maxEdgesRead edge rows read, and
// the last statements share as much again. Truncated is set when the limit left
// out a node that was reachable, or when a budget ran out, in which case
// nodes or edges may be missing (a query that fills its budget counts as
// cut).
//
// Errors: BAD_USER_INPUT for a depth, limit or edge kind out of range;
// NOT_FOUND when start names no stored record.
func (s *Store) Neighborhood(ctx context.Context, start db.NodeRef, depth int, f db.GraphFilter, limit int) (db.Subgraph, error) {
	if depth < 1 || depth > maxNeighborhoodDepth {
		return db.Subgraph{}, db.Errorf(db.CodeInvalid, "depth must be between 1 and %d, not %d", maxNeighborhoodDepth, depth)
	}
	if limit < 1 || limit > maxNeighborhoodLimit {
		return db.Subgraph{}, db.Errorf(db.CodeInvalid, "limit must be between 1 and %d, not %d", maxNeighborhoodLimit, limit)
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
	ids, err := g.nodes(start)
	if err != nil {
		return db.Subgraph{}, err
	}

	order := []int64{ids[0]}
	seen := map[int64]bool{ids[0]: true}
	// expanded holds the nodes whose every row was read; the rows kept
	// from them hold every edge between them and any other node.
	expanded := map[int64]bool{}
	var read []edgeRow
	truncated := false
	budget := g.maxRows
	frontier := []int64{ids[0]}
	// partial is the node whose rows a level stopped reading part way
	// through (at the row stop), once the limit was reached and a node
	// beyond it was seen: the walk ends there, and its edges after stop to
	// the nodes returned are looked up by key instead of read with all its
	// others (a hub's thousands).
	var partial int64
	var stop edgeRow
	stopped := false
	for level := 1; level <= depth && len(frontier) > 0 && !truncated; level++ {
		if budget <= 0 {
			truncated = true
			break
		}
		// Rows come by src, so when reading stops every src before the
		// last one read was read in full.
		var rows []edgeRow
		var next []int64
		err := g.scan(g.q.edgesSQL(), append(slices.Clone(g.q.args), jsonInts(frontier), budget), func(r edgeRow) bool {
			rows = append(rows, r)
			if !r.keep || seen[r.dst] {
				return true
			}
			if len(order) == limit {
				truncated = true
				if g.s.neighborhoodReadsAll {
					return true
				}
				stopped, partial, stop = true, r.src, r
				return false
			}
			seen[r.dst] = true
			order = append(order, r.dst)
			next = append(next, r.dst)
			return true
		})
		if err != nil {
			return db.Subgraph{}, err
		}
		budget -= len(rows)
		cut := !stopped && budget == 0
		if cut {
			partial, stop = rows[len(rows)-1].src, rows[len(rows)-1]
		}
		for _, n := range frontier {
			if !(stopped || cut) || n < partial {
				expanded[n] = true
			}
		}
		for _, r := range rows {
			if r.keep && (expanded[r.src] || (stopped || cut) && r.src == partial) {
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
	// among the nodes not read at all; they share a budget of maxRows.
	last := g.maxRows
	if stopped {
		// Itself too, for a loop; the expanded nodes' rows held their edges to it.
		others := slices.DeleteFunc(slices.Clone(order), func(n int64) bool { return expanded[n] })
		rows, n, err := g.edgesFrom(stop, others, last)
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
		rows, n, err := g.edgesAmong(rest, last)
		if err != nil {
			return db.Subgraph{}, err
		}
		last -= n
		read = append(read, rows...)
	}
	if last == 0 {
		truncated = true // a query that fills its budget counts as cut
	}

	var edges []edgeRow
	done := map[edgeKey]bool{}
	for _, r := range read {
		if k := r.key(); seen[r.dst] && !done[k] {
			done[k] = true
			edges = append(edges, r)
		}
	}
	return subgraph(order, edges, truncated), nil
}

// subgraph is the answer of a walk: its nodes in order, its edges sorted.
func subgraph(order []int64, edges []edgeRow, truncated bool) db.Subgraph {
	slices.SortFunc(edges, compareEdgeRows)
	sub := db.Subgraph{Nodes: make([]db.NodeRef, len(order)), Edges: make([]db.Edge, len(edges)), Truncated: truncated}
	for i, n := range order {
		sub.Nodes[i] = decodeNode(n)
	}
	for i, r := range edges {
		sub.Edges[i] = r.edge()
	}
	return sub
}

// searchSide is one half of a bidirectional search: the level of every node
// it reached, its current frontier (the deepest level, sorted), and for each
// node the rows that reached it from the level before.
type searchSide struct {
	dist     map[int64]int
	frontier []int64
	depth    int
	parents  map[int64][]edgeRow // rows src (level i) → dst (level i+1), by dst
	// rows is the number of edge rows of the frontier, counted up to limit
	// (so at least limit when rows == limit), and measured says it was
	// counted for the current frontier: a hub's side that is never expanded
	// is counted once, not once per level.
	rows, limit int
	measured    bool
}

func newSearchSide(start int64) *searchSide {
	return &searchSide{dist: map[int64]int{start: 0}, frontier: []int64{start}, parents: map[int64][]edgeRow{}}
}

// measure counts the side's frontier rows, up to limit, unless a count
// already says as much.
func (g *graphReader) measure(sd *searchSide, limit int) error {
	if sd.measured && (sd.rows < sd.limit || sd.limit >= limit) {
		return nil
	}
	n, err := g.degree(sd.frontier, limit)
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
// edges (1 to 6), along edges that pass f; edges are followed in either
// direction. It returns nil, and no error, when there is none within
// maxDepth, and a path of length 0 (one node, no edges) when from is to.
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
// The steps together read at most the store's maxEdgesRead edge rows, a
// key lookup counting as a row. A step is taken only when it fits in what
// is left; a search that cannot be decided within the budget fails with
// QUERY_TOO_COMPLEX, saying how far it got and what the next step would
// read, rather than give an answer it cannot vouch for.
//
// Errors: BAD_USER_INPUT for maxDepth out of range or an unknown edge kind;
// NOT_FOUND when from or to names no stored record; QUERY_TOO_COMPLEX as
// above.
func (s *Store) ShortestPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error) {
	return s.searchPath(ctx, from, to, maxDepth, f, (*graphReader).shortestPath)
}

// shortestPath is ShortestPath's search between two distinct nodes.
func (g *graphReader) shortestPath(src, dst int64, maxDepth int) (*db.Path, error) {
	fw, bw := newSearchSide(src), newSearchSide(dst)
	budget := g.maxRows
	for fw.depth+bw.depth < maxDepth {
		if len(fw.frontier) == 0 || len(bw.frontier) == 0 {
			return nil, nil
		}
		length := fw.depth + bw.depth + 1 // the length this step tests
		last := length == maxDepth
		lookups, meet := g.q.meetQuery(fw.frontier, bw.frontier)
		// The last step only needs to know whether a side has fewer rows
		// than the lookups would make: counting a hub's rows further is
		// wasted (it is what maxDepth 1 between two hubs costs).
		limit := budget
		if last {
			limit = min(budget, lookups+1)
		}
		if err := g.measure(fw, limit); err != nil {
			return nil, err
		}
		if err := g.measure(bw, limit); err != nil {
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
			rows, cut, err := g.meet(meet, budget)
			if err != nil {
				return nil, err
			}
			if cut {
				return nil, tooComplex(length-1, g.maxRows, fw, bw, budget)
			}
			budget -= max(lookups, len(rows))
			if len(rows) > 0 {
				// Every row joins fw's frontier to bw's: taking them as
				// fw's next level makes their ends the meeting nodes.
				fw.expand(rows)
				fw.measured = false
				return pathOf(fw, bw, src), nil
			}
			if last {
				return nil, nil
			}
			return nil, tooComplex(length, g.maxRows, fw, bw, budget)
		}
		if !fits {
			return nil, tooComplex(length-1, g.maxRows, fw, bw, budget)
		}
		other := bw
		if side == bw {
			other = fw
		}
		rows, err := g.edgesOf(side.frontier, budget)
		if err != nil {
			return nil, err
		}
		if len(rows) >= budget { // the index changed under the count: cannot be, but never guess
			return nil, tooComplex(length-1, g.maxRows, fw, bw, 0)
		}
		budget -= len(rows)
		side.expand(rows)
		side.measured = false
		for _, n := range side.frontier {
			if d, ok := other.dist[n]; ok && d == other.depth {
				return pathOf(fw, bw, src), nil
			}
		}
	}
	return nil, nil
}

// searchPath checks a path search's arguments, finds its ends and, unless
// they are one node (a path of length 0), runs search between them.
func (s *Store) searchPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter,
	search func(g *graphReader, src, dst int64, maxDepth int) (*db.Path, error)) (*db.Path, error) {
	if maxDepth < 1 || maxDepth > maxPathDepth {
		return nil, db.Errorf(db.CodeInvalid, "maxDepth must be between 1 and %d, not %d", maxPathDepth, maxDepth)
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
	ids, err := g.nodes(from, to)
	if err != nil {
		return nil, err
	}
	if ids[0] == ids[1] {
		return &db.Path{Nodes: []db.NodeRef{decodeNode(ids[0])}, Edges: []db.Edge{}}, nil
	}
	return search(g, ids[0], ids[1], maxDepth)
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

// meet runs a meetQuery, reading at most limit rows, and returns the rows
// that pass the time window; cut reports that limit rows were read, so
// that some may be missing (parallel edges make a lookup return several).
func (g *graphReader) meet(m meetSQL, limit int) (rows []edgeRow, cut bool, err error) {
	if m.query == "" {
		return nil, false, nil
	}
	all, err := g.query(m.query+"\nLIMIT ?", append(slices.Clone(m.args), limit))
	if err != nil {
		return nil, false, err
	}
	for _, r := range all {
		if r.keep {
			rows = append(rows, r)
		}
	}
	return rows, len(all) >= limit, nil
}

// expand takes the rows of the side's frontier and makes the next level.
func (sd *searchSide) expand(rows []edgeRow) {
	level := sd.depth + 1
	var next []int64
	for _, r := range rows {
		if _, ok := sd.dist[r.dst]; r.keep && !ok {
			sd.dist[r.dst] = level
			next = append(next, r.dst)
		}
	}
	for _, r := range rows {
		if r.keep && sd.dist[r.dst] == level {
			sd.parents[r.dst] = append(sd.parents[r.dst], r)
		}
	}
	slices.Sort(next)
	sd.frontier, sd.depth = next, level
}

// pathOf builds the path once the two sides have met: their last
// levels share the meeting nodes, at fw.depth from the start and bw.depth
// from the end.
func pathOf(fw, bw *searchSide, start int64) *db.Path {
	// onPath marks the nodes of fw's levels that lie on a shortest path: the
	// meeting nodes, and whatever reaches one level by level.
	onPath := map[int64]bool{}
	children := map[int64][]edgeRow{}
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
				children[r.src] = append(children[r.src], r)
				if !onPath[r.src] {
					onPath[r.src] = true
					up = append(up, r.src)
				}
			}
		}
		level = up
	}

	// step picks, among rows joining cur to a candidate node, the smallest
	// node and the first edge to it.
	step := func(cands []edgeRow, node func(edgeRow) int64) (int64, edgeRow) {
		var best edgeRow
		bestNode := int64(-1)
		for _, r := range cands {
			n := node(r)
			if bestNode < 0 || n < bestNode || n == bestNode && compareEdgeRows(r, best) < 0 {
				best, bestNode = r, n
			}
		}
		return bestNode, best
	}
	path := &db.Path{Nodes: []db.NodeRef{decodeNode(start)}}
	cur := start
	for range fw.depth {
		var cands []edgeRow
		for _, r := range children[cur] {
			if onPath[r.dst] {
				cands = append(cands, r)
			}
		}
		n, r := step(cands, func(r edgeRow) int64 { return r.dst })
		path.Nodes = append(path.Nodes, decodeNode(n))
		path.Edges = append(path.Edges, r.edge())
		cur = n
	}
	// From the meeting node on, every neighbour one level nearer the end on
	// bw's side lies on a shortest path.
	for range bw.depth {
		n, r := step(bw.parents[cur], func(r edgeRow) int64 { return r.src })
		path.Nodes = append(path.Nodes, decodeNode(n))
		path.Edges = append(path.Edges, r.edge())
		cur = n
	}
	return path
}
