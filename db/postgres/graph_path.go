package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/graphsearch"
)

// ShortestPath returns a shortest path from from to to, of at most maxDepth
// edges (1 to 6), along edges that pass f, in either direction, as
// graphsearch.ShortestPath searches it within the store's budget of edge
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
			parts = append(parts, q.pairsSQL(&meet.args, strings.Join(kinds, ", "), a, b))
		}
	}
	meet.query = strings.Join(parts, "\nUNION ALL ")
	return lookups, meet
}

// meetSQL is a compiled meetQuery; query is empty when no kind of edge can
// join the two frontiers.
type meetSQL struct {
	query string
	args  sqlArgs
}

// Meet compiles the meetQuery of two frontiers, to run on demand
// (graphsearch.PathReader).
func (g *graphReader) Meet(from, to []int64) (int, func(limit int) ([]graphsearch.Row, error)) {
	lookups, m := g.q.meetQuery(from, to)
	return lookups, func(limit int) ([]graphsearch.Row, error) {
		if m.query == "" {
			return nil, nil
		}
		args := slices.Clone(m.args)
		return g.query(m.query+"\nLIMIT "+args.add(limit), args)
	}
}
