package postgres

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"github.com/geotimeline/geotimeline/db"
)

// nodeTypeNames name the node types in messages.
var nodeTypeNames = map[db.NodeType]string{
	db.NodeActor: "an actor", db.NodeCountry: "a country", db.NodeEvent: "an event", db.NodeStatement: "a statement",
}

// The walks of an event chain, as bits: a node reached by one walk goes on
// in that walk's direction only, so that BOTH is what led to the event and
// what followed it, not every event linked to either (a sibling response
// to the same cause is neither).
const (
	walkBackward = 1 << iota // from a link's subject to the event it links to (a forward row)
	walkForward              // from the linked event to the link's subject (a backward row)
)

var chainWalks = map[db.ChainDirection]int{
	db.ChainBackward: walkBackward,
	db.ChainForward:  walkForward,
	db.ChainBoth:     walkBackward | walkForward,
}

// walkOf is the walk that follows row r: a row read from the link's subject
// (forward) goes back in the chain.
func walkOf(r edgeRow) int {
	if r.forward {
		return walkBackward
	}
	return walkForward
}

// EventChain returns the events reachable from event through event links,
// at most maxDepth links away (1 to 10): with ChainBackward those it
// responds to (following each link from its subject, the event holding it,
// to the event linked), with ChainForward those that responded to it (from
// the event linked to the subject), with ChainBoth the union of the two
// walks. Only links of kinds are followed (every kind when empty). event
// is an event's row id or a reference by key (db.NodeRef.Key).
//
// Nodes come start first, then by distance, and within a distance in the
// order the links are read: by the event they are read from, then the
// event reached (by row id). Every event is visited once per walk, so a
// cycle of links ends. Edges are every link of kinds among the returned
// events, as EVENT_LINK edges From the subject To the event linked, role
// the link kind, sorted as Neighborhood sorts them.
//
// Work is bounded as a neighbourhood's: one statement per level reads the
// links of the level's events, up to the store's maxEdgesRead rows for the
// whole walk; one more reads the links among the events found, with as
// much again. At most db.MaxChainNodes events are returned; Truncated says
// that an event reachable within maxDepth was left out or that a budget
// ran out (edges may then be missing).
//
// Errors: BAD_USER_INPUT for a node that is not an event, a maxDepth out
// of range, an unknown direction or link kind; NOT_FOUND when event names
// no stored event.
func (s *Store) EventChain(ctx context.Context, event db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (db.Subgraph, error) {
	if event.Type != db.NodeEvent {
		return db.Subgraph{}, db.Errorf(db.CodeInvalid, "event: names %s, not an event", nodeTypeNames[event.Type])
	}
	walks, ok := chainWalks[dir]
	if !ok {
		return db.Subgraph{}, db.Errorf(db.CodeInvalid, "direction: unknown chain direction %q", string(dir))
	}
	if maxDepth < 1 || maxDepth > maxChainDepth {
		return db.Subgraph{}, db.Errorf(db.CodeInvalid, "maxDepth must be between 1 and %d, not %d", maxChainDepth, maxDepth)
	}
	if err := db.CheckList("kinds", "values", len(kinds)); err != nil {
		return db.Subgraph{}, err
	}
	roles, err := linkRoles(kinds)
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
	ids, err := g.nodes(refs[0])
	if err != nil {
		return db.Subgraph{}, err
	}

	order := []int64{ids[0]}
	in := map[int64]bool{ids[0]: true}
	seen := map[int64]int{ids[0]: walks} // the walks that reached each event
	frontier := map[int64]int{ids[0]: walks}
	truncated := false
	budget := g.maxRows
	for depth := 1; depth <= maxDepth && len(frontier) > 0 && !truncated; depth++ {
		next := map[int64]int{}
		rows := 0
		query, args := g.q.edgesSQL(slices.Collect(maps.Keys(frontier)), budget)
		err := g.scan(query, args, func(r edgeRow) bool {
			rows++
			w := walkOf(r)
			if !r.keep || frontier[r.src]&w == 0 || seen[r.dst]&w != 0 {
				return true
			}
			if !in[r.dst] {
				if len(order) == g.limits.chainNodes() {
					truncated = true
					return false
				}
				in[r.dst] = true
				order = append(order, r.dst)
			}
			seen[r.dst] |= w
			next[r.dst] |= w
			return true
		})
		if err != nil {
			return db.Subgraph{}, err
		}
		if budget -= rows; budget == 0 {
			truncated = true // a level that fills the budget counts as cut
		}
		frontier = next
	}

	// The links among the events found, each read once from its subject:
	// the walk's rows miss those of the last level's events.
	lq := chainQuery(walkBackward, roles)
	var edges []edgeRow
	read := 0
	query, args := lq.edgesSQL(order, g.maxRows)
	err = g.scan(query, args, func(r edgeRow) bool {
		read++
		if r.keep && in[r.dst] {
			edges = append(edges, r)
		}
		return true
	})
	if err != nil {
		return db.Subgraph{}, err
	}
	if read == g.maxRows {
		truncated = true
	}
	return subgraph(order, edges, truncated), nil
}

// linkRoles is kinds without repeats, checked, in the order of
// db.LinkKinds; nil for every kind.
func linkRoles(kinds []db.LinkKind) ([]string, error) {
	var roles []string
	for _, k := range db.LinkKinds {
		if slices.Contains(kinds, k) {
			roles = append(roles, string(k))
		}
	}
	for _, k := range kinds {
		if !k.Valid() {
			return nil, db.Errorf(db.CodeInvalid, "kinds: unknown link kind %q", string(k))
		}
	}
	if len(roles) == len(db.LinkKinds) {
		return nil, nil
	}
	return roles, nil
}

// chainQuery reads the event links of a list of events in key order. Rows
// of the other walk's direction or of other kinds are read with keep false
// rather than left out, so that they count against the LIMIT: an event
// with thousands of links of other kinds costs what it reads.
func chainQuery(walks int, roles []string) graphQuery {
	q := graphQuery{codes: map[int]bool{edgeEventLink: true}, kinds: " AND kind IN (" + strconv.Itoa(edgeEventLink) + ")",
		roles: roles}
	switch walks {
	case walkBackward:
		q.forward = "1"
	case walkForward:
		q.forward = "0"
	}
	return q
}
