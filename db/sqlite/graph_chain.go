package sqlite

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/graphsearch"
)

// EventChain returns the events reachable from event through event links,
// at most maxDepth links away (1 to 10), in the direction dir and along
// links of kinds (every kind when empty), as graphsearch.EventChain walks
// them within the store's maxEdgesRead rows and maxChainNodes events.
// event is an event's row id or a reference by key (db.NodeRef.Key).
//
// Errors: BAD_USER_INPUT for a node that is not an event, a maxDepth out
// of range, an unknown direction or link kind; NOT_FOUND when event names
// no stored event.
func (s *Store) EventChain(ctx context.Context, event db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (db.Subgraph, error) {
	walks, roles, err := graphsearch.CheckChain(event, dir, kinds, maxDepth)
	if err != nil {
		return db.Subgraph{}, err
	}
	refs, err := s.ResolveNodes(ctx, []db.NodeRef{event})
	if err != nil {
		return db.Subgraph{}, err
	}
	g, err := s.beginGraph(ctx, chainQuery(walks, roles))
	if err != nil {
		return db.Subgraph{}, err
	}
	defer g.close()
	return graphsearch.EventChain(chainReader{g, chainQuery(graphsearch.WalkBackward, roles)}, refs[0], walks, maxDepth)
}

// chainReader is an event chain's reader: the walk's rows are its
// graphReader's, links those read from their subjects.
type chainReader struct {
	*graphReader
	links graphQuery
}

// MaxNodes is the store's maxChainNodes (graphsearch.ChainReader).
func (c chainReader) MaxNodes() int { return c.s.maxChainNodes }

// ScanLinks reads the links of nodes from their subjects (graphsearch.ChainReader).
func (c chainReader) ScanLinks(nodes []int64, limit int, fn func(graphsearch.Row) bool) error {
	return c.scan(c.links.edgesSQL(), append(slices.Clone(c.links.args), jsonInts(nodes), limit), fn)
}

// chainQuery reads the event links of a list of events in key order. Rows
// of the other walk's direction or of other kinds are read with keep false
// rather than left out, so that they count against the LIMIT: an event
// with thousands of links of other kinds costs what it reads.
func chainQuery(walks graphsearch.Walks, roles []string) graphQuery {
	var conds []string
	switch walks {
	case graphsearch.WalkBackward:
		conds = append(conds, "forward = 1")
	case graphsearch.WalkForward:
		conds = append(conds, "forward = 0")
	}
	var args []any
	for _, r := range roles {
		args = append(args, r)
	}
	if len(roles) > 0 {
		conds = append(conds, "role IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(roles)), ", ")+")")
	}
	q := graphQuery{codes: map[int]bool{edgeEventLink: true}, kinds: " AND kind IN (" + strconv.Itoa(edgeEventLink) + ")",
		keep: "1", args: args}
	if len(conds) > 0 {
		q.keep = strings.Join(conds, " AND ")
	}
	return q
}
