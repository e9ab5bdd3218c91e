package postgres

import (
	"context"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/graphsearch"
)

// ChronologicalPath is ShortestPath restricted to paths along which the
// instants of the events and statements never decrease and relationships
// hold where they are met, as graphsearch.ChronologicalPath searches them
// within the store's budget of edge rows; nil when no such path lies
// within maxDepth.
//
// Errors: as ShortestPath.
func (s *Store) ChronologicalPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error) {
	return s.searchPath(ctx, maxDepth, f, func(g *graphReader) (*db.Path, error) {
		return graphsearch.ChronologicalPath(g, from, to, maxDepth)
	})
}

// Instants adds to out the start instants (Unix ms) of the events and
// statements among nodes that it does not hold yet, with one statement
// (graphsearch.ChronoReader).
func (g *graphReader) Instants(nodes []int64, out map[int64]int64) error {
	var events, statements []int64
	for _, n := range nodes {
		if _, ok := out[n]; ok {
			continue
		}
		switch n >> nodeShift {
		case codeEvent:
			events = append(events, n&nodeIDMask)
		case codeStatement:
			statements = append(statements, n&nodeIDMask)
		}
	}
	if len(events) == 0 && len(statements) == 0 {
		return nil
	}
	rows, err := g.tx.Query(g.ctx, `SELECT `+node(codeEvent, "id")+`, occurred_at FROM events WHERE id = ANY ($1::bigint[])
		UNION ALL SELECT `+node(codeStatement, "id")+`, made_at FROM statements WHERE id = ANY ($2::bigint[])`,
		sortedNodes(events), sortedNodes(statements))
	if err != nil {
		return fmt.Errorf("graph: read instants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, at int64
		if err := rows.Scan(&n, &at); err != nil {
			return fmt.Errorf("graph: read instants: %w", err)
		}
		out[n] = at
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("graph: read instants: %w", err)
	}
	return nil
}
