package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/graphsearch"
)

// The traversals are db/graphsearch's, as db/sqlite's are, walked from Go
// one batched query per level over graph_edges (migration 00002), so that
// both stores give the same answers, refusals and truncations for the same
// budgets. Only the SQL of their primitives differs: node lists are one
// array parameter (= ANY ($n::bigint[])) instead of a JSON list, and a
// traversal's statements run in one REPEATABLE READ, READ ONLY
// transaction, so that every level sees one state of the index however
// many writers commit meanwhile.
//
// As in SQLite, a time window is a column of each row (keep), not a WHERE
// condition, so that the rows it rejects still count against the LIMIT:
// a country with 100 000 events out of the window costs what one inside
// it does. The primary key (src, kind, dst, forward, owner, role) serves
// each read as a range scan per node; role is COLLATE "C", so that rows
// sort as SQLite's BINARY does.

// defaultMaxEdgesRead is graphLimits.maxEdgesRead's default: the number of
// edge rows one traversal may read (SQLite's number).
const defaultMaxEdgesRead = 20000

// graphLimits are the knobs of the traversals that tests turn for their own
// store; the zero value is the defaults.
type graphLimits struct {
	// maxEdgesRead is the number of edge rows one traversal may read
	// (defaultMaxEdgesRead when zero).
	maxEdgesRead int
	// neighborhoodReadsAll makes a neighbourhood read every row of each
	// level, within the budget, instead of stopping once the limit is
	// reached: the reference the early stop is tested against.
	neighborhoodReadsAll bool
	// maxChainNodes is the most events an event chain returns
	// (db.MaxChainNodes when zero).
	maxChainNodes int
}

func (l graphLimits) edges() int {
	if l.maxEdgesRead > 0 {
		return l.maxEdgesRead
	}
	return defaultMaxEdgesRead
}

func (l graphLimits) chainNodes() int {
	if l.maxChainNodes > 0 {
		return l.maxChainNodes
	}
	return db.MaxChainNodes
}

// The graph index's node numbers: a type code shifted left by nodeShift,
// or'ed with the row id (codeActor … in derived.go).
const (
	nodeShift  = 48
	nodeIDMask = 1<<nodeShift - 1
)

var nodeCodes = map[db.NodeType]int64{
	db.NodeActor: codeActor, db.NodeCountry: codeCountry, db.NodeEvent: codeEvent, db.NodeStatement: codeStatement,
}

var nodeTypes = map[int64]db.NodeType{
	codeActor: db.NodeActor, codeCountry: db.NodeCountry, codeEvent: db.NodeEvent, codeStatement: db.NodeStatement,
}

// nodeTables are the record tables behind the node types.
var nodeTables = map[db.NodeType]string{db.NodeActor: "actors", db.NodeCountry: "countries",
	db.NodeEvent: "events", db.NodeStatement: "statements"}

// encodeNode is the number that stands for n in graph_edges; ok is false
// for an unknown type or an id out of range.
func encodeNode(n db.NodeRef) (int64, bool) {
	code, ok := nodeCodes[n.Type]
	if !ok || n.ID <= 0 || n.ID > nodeIDMask {
		return 0, false
	}
	return code<<nodeShift | n.ID, true
}

// decodeNode is the inverse of encodeNode.
func decodeNode(v int64) db.NodeRef {
	return db.NodeRef{Type: nodeTypes[v>>nodeShift], ID: v & nodeIDMask}
}

// The kind codes of graph_edges: each kind's position in db.EdgeKinds,
// from 1, as the derivations in derived.go write them.
const (
	edgeParticipation = 1 + iota
	edgeSpeaker
	edgeDeliverer
	edgeAddressee
	edgeAbout
	edgeRelationship
	edgeEventLink
	edgeLocation
	edgeAffiliation
)

// pairKinds lists, for each pair of node types (by code, the smaller
// first), the kinds of edge that can join nodes of those types.
var pairKinds = []struct {
	types [2]int64
	kinds []int
}{
	{[2]int64{codeActor, codeActor}, []int{edgeRelationship}},
	{[2]int64{codeActor, codeCountry}, []int{edgeRelationship, edgeAffiliation}},
	{[2]int64{codeActor, codeEvent}, []int{edgeParticipation}},
	{[2]int64{codeActor, codeStatement}, []int{edgeSpeaker, edgeDeliverer, edgeAddressee}},
	{[2]int64{codeCountry, codeEvent}, []int{edgeLocation}},
	{[2]int64{codeEvent, codeEvent}, []int{edgeEventLink}},
	{[2]int64{codeEvent, codeStatement}, []int{edgeAbout}},
}

// edgeKindCode is k's position in db.EdgeKinds, from 1 (0 for an unknown kind).
func edgeKindCode(k db.EdgeKind) int {
	for i, q := range db.EdgeKinds {
		if q == k {
			return i + 1
		}
	}
	return 0
}

// edgeKindOf is the inverse of edgeKindCode.
func edgeKindOf(code int) db.EdgeKind {
	if code < 1 || code > len(db.EdgeKinds) {
		return ""
	}
	return db.EdgeKinds[code-1]
}

// sqlArgs numbers a statement's parameters as it is written.
type sqlArgs []any

// add appends v and returns its placeholder.
func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// graphQuery is a db.GraphFilter (or an event chain's walk) compiled to SQL.
type graphQuery struct {
	codes map[int]bool // the kind codes to follow, nil for every kind
	kinds string       // " AND kind IN (1, 6)", or "" for every kind; codes only, never user input
	// The window of keep: a row is kept when its time starts before to
	// and ends after from (nil for no bound).
	from, to *int64
	// An event chain's conditions of keep: the direction of its rows
	// ("" for both) and the link kinds (nil for every kind).
	forward string
	roles   []string
}

func compileGraphFilter(f db.GraphFilter) (graphQuery, error) {
	var q graphQuery
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
	if f.To != nil {
		ms := f.To.UnixMilli()
		q.to = &ms
	}
	if f.From != nil {
		ms := f.From.UnixMilli()
		q.from = &ms
	}
	return q, nil
}

// keep is the SQL expression true when a row passes the window (and, for
// a chain, its walk and link kinds), its parameters added to a.
func (q graphQuery) keep(a *sqlArgs) string {
	var conds []string
	if q.to != nil {
		conds = append(conds, "(at_start IS NULL OR at_start < "+a.add(*q.to)+")")
	}
	if q.from != nil {
		conds = append(conds, "(at_end IS NULL OR at_end > "+a.add(*q.from)+")")
	}
	if q.forward != "" {
		conds = append(conds, "forward = "+q.forward)
	}
	if len(q.roles) > 0 {
		conds = append(conds, "role = ANY ("+a.add(q.roles)+"::text[])")
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// graphReader runs a traversal's queries in one read-only transaction.
type graphReader struct {
	ctx context.Context
	tx  pgx.Tx
	q   graphQuery
	// maxRows is the store's budget, read once so that a traversal keeps
	// one budget from its first level to its last.
	maxRows int
	limits  graphLimits
}

func (s *Store) beginGraph(ctx context.Context, q graphQuery) (*graphReader, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("graph: begin: %w", err)
	}
	return &graphReader{ctx: ctx, tx: tx, q: q, maxRows: s.graph.edges(), limits: s.graph}, nil
}

// close ends the transaction, which wrote nothing.
func (g *graphReader) close() { _ = g.tx.Rollback(context.WithoutCancel(g.ctx)) }

// MaxRows is the traversal's budget (graphsearch.Reader).
func (g *graphReader) MaxRows() int { return g.maxRows }

// ReadsAll is the store's neighborhoodReadsAll (graphsearch.NeighborhoodReader).
func (g *graphReader) ReadsAll() bool { return g.limits.neighborhoodReadsAll }

// Node decodes a node of graph_edges (graphsearch.Index).
func (g *graphReader) Node(n int64) db.NodeRef { return decodeNode(n) }

// Kind decodes a kind code of graph_edges (graphsearch.Index).
func (g *graphReader) Kind(code int) db.EdgeKind { return edgeKindOf(code) }

// Scan reads the rows of nodes in key order with one statement, whose
// rows all cross the wire however few fn reads (graphsearch.Reader).
func (g *graphReader) Scan(nodes []int64, limit int, fn func(graphsearch.Row) bool) error {
	query, args := g.q.edgesSQL(nodes, limit)
	return g.scan(query, args, fn)
}

// ScanLevel is Scan through a cursor (scanPages), so that a level stopped
// at a hub is not sent its other rows (graphsearch.NeighborhoodReader).
func (g *graphReader) ScanLevel(nodes []int64, limit int, fn func(graphsearch.Row) bool) error {
	query, args := g.q.edgesSQL(nodes, limit)
	return g.scanPages(query, args, fn)
}

// Nodes resolves refs to their encoded nodes with one statement, or returns
// a NOT_FOUND error for the first that names no stored record.
func (g *graphReader) Nodes(refs ...db.NodeRef) ([]int64, error) {
	ids := make([]int64, len(refs))
	var cols []string
	var args sqlArgs
	for i, r := range refs {
		v, ok := encodeNode(r)
		if !ok {
			return nil, db.Errorf(db.CodeNotFound, "no node %s %d", r.Type, r.ID)
		}
		ids[i] = v
		cols = append(cols, `EXISTS (SELECT 1 FROM `+nodeTables[r.Type]+` WHERE id = `+args.add(r.ID)+`)`)
	}
	exists := make([]bool, len(refs))
	dest := make([]any, len(refs))
	for i := range exists {
		dest[i] = &exists[i]
	}
	if err := g.tx.QueryRow(g.ctx, `SELECT `+strings.Join(cols, ", "), args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("graph: look up nodes: %w", err)
	}
	for i, ok := range exists {
		if !ok {
			return nil, db.Errorf(db.CodeNotFound, "no node %s %d", refs[i].Type, refs[i].ID)
		}
	}
	return ids, nil
}

// sortedNodes is nodes sorted, without repeats, as the array parameter of
// a read (SQLite's IN reads a node named twice once).
func sortedNodes(nodes []int64) []int64 {
	sorted := slices.Clone(nodes)
	slices.Sort(sorted)
	return slices.Compact(sorted)
}

// kindCodes is the kinds the filter follows, ascending; nil for every kind.
func (q graphQuery) kindCodes() []int32 {
	if q.codes == nil {
		return nil
	}
	var out []int32
	for c := range q.codes {
		out = append(out, int32(c))
	}
	slices.Sort(out)
	return out
}

// perNode is the FROM clause of the edge rows of nodes, at most limit
// (a placeholder) of each node, or of each node and kind when the filter
// names kinds, each read by a range scan of the primary key in its order
// with cols (SQL over graph_edges's columns) as columns of e.
//
// One scan per node is what SQLite does for src IN (...): PostgreSQL 15
// answers src = ANY (...) ORDER BY ... with a bitmap scan of every row of
// every node, sorted, which reads a hub's 100 000 rows to return 20 000,
// and a kind IN (...) after src loses the index order in the same way.
// Here no node's scan reads more than limit rows: a read costs at most
// the budget per node (and kind), never a hub's degree.
func (q graphQuery) perNode(a *sqlArgs, nodes []int64, limit, cols string) string {
	from := `unnest(` + a.add(sortedNodes(nodes)) + `::bigint[]) AS f (n)`
	if kinds := q.kindCodes(); kinds != nil {
		return from + ` CROSS JOIN unnest(` + a.add(kinds) + `::integer[]) AS k (k)
		CROSS JOIN LATERAL (SELECT ` + cols + ` FROM graph_edges WHERE src = f.n AND kind = k.k
			ORDER BY dst, forward, owner, role LIMIT ` + limit + `) AS e`
	}
	return from + ` CROSS JOIN LATERAL (SELECT ` + cols + ` FROM graph_edges WHERE src = f.n
			ORDER BY kind, dst, forward, owner, role LIMIT ` + limit + `) AS e`
}

// edgesSQL reads the rows of nodes in key order, at most limit of them.
func (q graphQuery) edgesSQL(nodes []int64, limit int) (string, sqlArgs) {
	var a sqlArgs
	cols := `src, kind, dst, forward, owner, role, at_start, at_end, ` + q.keep(&a) + ` AS keep`
	lim := a.add(limit)
	if sorted := sortedNodes(nodes); len(sorted) == 1 && q.codes == nil {
		// One node of every kind (a start, a hub): the range scan alone,
		// in order, with nothing to sort, so that a cursor's first page
		// comes after reading that page's rows, not the budget's.
		return `SELECT ` + cols + ` FROM graph_edges WHERE src = ` + a.add(sorted[0]) + `
			ORDER BY kind, dst, forward, owner, role LIMIT ` + lim, a
	}
	return `SELECT e.src, e.kind, e.dst, e.forward, e.owner, e.role, e.at_start, e.at_end, e.keep
		FROM ` + q.perNode(&a, nodes, lim, cols) + `
		ORDER BY e.src, e.kind, e.dst, e.forward, e.owner, e.role LIMIT ` + lim, a
}

// pairsSQL reads the rows from one list of nodes to another, of the given
// kinds: one lookup of the key per node, kind and node. Its parameters
// are added to a, so that several join in one statement.
func (q graphQuery) pairsSQL(a *sqlArgs, kinds string, from, to []int64) string {
	return `SELECT src, kind, dst, forward, owner, role, at_start, at_end, ` + q.keep(a) + ` FROM graph_edges
		WHERE src = ANY (` + a.add(sortedNodes(from)) + `::bigint[]) AND kind IN (` + kinds + `)
		AND dst = ANY (` + a.add(sortedNodes(to)) + `::bigint[])`
}

// edgesOf reads the edge rows of nodes, of the filter's kinds, in key order
// (src, kind, dst, forward, owner, role), at most limit of them. Rows outside
// the time window are read and returned with keep false. The caller knows
// the read was cut when it returns limit rows.
func (g *graphReader) edgesOf(nodes []int64, limit int) ([]graphsearch.Row, error) {
	query, args := g.q.edgesSQL(nodes, limit)
	return g.query(query, args)
}

// Degree counts the edge rows of nodes, up to limit: what expanding them
// would read. Counting index entries is far cheaper than reading the rows.
func (g *graphReader) Degree(nodes []int64, limit int) (int, error) {
	var a sqlArgs
	lim := a.add(limit)
	var n int
	err := g.tx.QueryRow(g.ctx, `SELECT count(*) FROM (SELECT 1 FROM `+g.q.perNode(&a, nodes, lim, "1")+` LIMIT `+lim+`) AS d`,
		a...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("graph: %w", err)
	}
	return n, nil
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

// scan runs a query for edge rows and hands them to fn one at a time until
// fn returns false. The server sends every row of the result whether or
// not they are read (pgx reads the rest when the result is closed): a
// read that may stop early pages through a cursor instead (scanPages).
func (g *graphReader) scan(query string, args []any, fn func(graphsearch.Row) bool) error {
	rows, err := g.tx.Query(g.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("graph: read edges: %w", err)
	}
	_, _, err = scanRows(rows, fn)
	return err
}

// The pages of scanPages: small first, for a level that stops at once
// (a hub's, read up to a neighbourhood's limit), larger after, so that a
// level read whole costs few round trips.
const (
	firstPage = 256
	maxPage   = 8192
)

// scanPages is scan through a cursor, a page at a time, so that rows after
// the one fn stops at are neither sent nor, past the page, produced: what
// SQLite's stepping gives a neighbourhood stopped at its limit by a hub of
// 20 000 rows read, which would otherwise all cross the wire.
func (g *graphReader) scanPages(query string, args []any, fn func(graphsearch.Row) bool) error {
	if _, err := g.tx.Exec(g.ctx, `DECLARE graph_rows NO SCROLL CURSOR FOR `+query, args...); err != nil {
		return fmt.Errorf("graph: read edges: %w", err)
	}
	for page := firstPage; ; page = min(2*page, maxPage) {
		rows, err := g.tx.Query(g.ctx, `FETCH `+strconv.Itoa(page)+` FROM graph_rows`)
		if err != nil {
			return fmt.Errorf("graph: read edges: %w", err)
		}
		n, stopped, err := scanRows(rows, fn)
		if err != nil {
			return err
		}
		if stopped || n < page {
			break
		}
	}
	if _, err := g.tx.Exec(g.ctx, `CLOSE graph_rows`); err != nil {
		return fmt.Errorf("graph: read edges: %w", err)
	}
	return nil
}

// scanRows hands the edge rows of rows to fn until fn returns false, and
// closes rows; n is how many it read, stopped whether fn stopped it.
func scanRows(rows pgx.Rows, fn func(graphsearch.Row) bool) (n int, stopped bool, err error) {
	defer rows.Close()
	for rows.Next() {
		var r graphsearch.Row
		var kind, forward int32
		if err := rows.Scan(&r.Src, &kind, &r.Dst, &forward, &r.Owner, &r.Role, (*pgtype.Int8)(&r.At), (*pgtype.Int8)(&r.End), &r.Keep); err != nil {
			return n, false, fmt.Errorf("graph: read edges: %w", err)
		}
		n++
		r.Kind, r.Forward = int(kind), forward == 1
		if !fn(r) {
			return n, true, nil
		}
	}
	if err := rows.Err(); err != nil {
		return n, false, fmt.Errorf("graph: read edges: %w", err)
	}
	return n, false, nil
}

// EdgesAmong reads the rows that join two of nodes and pass the time
// window, reading at most limit rows; read is how many it read (limit
// means the bound may have left some out). As SQLite's: by key lookups
// for every pair of nodes of types some kind of edge joins when they are
// few enough, otherwise every row of the nodes up to the bound.
func (g *graphReader) EdgesAmong(nodes []int64, limit int) (rows []graphsearch.Row, read int, err error) {
	nodes = sortedNodes(nodes)
	byType := nodesByType(nodes)
	var parts []string
	var args sqlArgs
	lookups := 0
	for _, pk := range pairKinds {
		from, to, kinds := byType[pk.types[0]], byType[pk.types[1]], g.kindsOf(pk.kinds)
		if len(from) == 0 || len(to) == 0 || len(kinds) == 0 {
			continue
		}
		lookups += len(from) * len(kinds) * len(to)
		parts = append(parts, g.q.pairsSQL(&args, strings.Join(kinds, ", "), from, to))
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	var all []graphsearch.Row
	if lookups <= limit {
		all, err = g.query(strings.Join(parts, "\nUNION ALL ")+"\nLIMIT "+args.add(limit), args)
	} else {
		all, err = g.edgesOf(nodes, limit)
	}
	if err != nil {
		return nil, 0, err
	}
	return graphsearch.KeptAmong(all, nodes), len(all), nil
}

// EdgesFrom reads the rows of node from the row last on (in key order) that
// join it to one of others and pass the time window, by key lookups alone,
// however many edges node has: what a hub whose rows were read up to last
// needs. It reads at most limit rows, and says how many it read.
func (g *graphReader) EdgesFrom(last graphsearch.Row, others []int64, limit int) (rows []graphsearch.Row, read int, err error) {
	node := last.Src
	others = sortedNodes(others)
	byType := nodesByType(others)
	var parts []string
	var args sqlArgs
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
			part := g.q.pairsSQL(&args, strings.Join(kinds, ", "), []int64{node}, to)
			parts = append(parts, part+` AND (kind, dst) >= (`+args.add(last.Kind)+`, `+args.add(last.Dst)+`)`)
		}
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	all, err := g.query(strings.Join(parts, "\nUNION ALL ")+"\nLIMIT "+args.add(limit), args)
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
// graphsearch.Neighborhood walks it, within the store's budget of edge
// rows, in one snapshot.
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
