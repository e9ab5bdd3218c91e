package graphsearch

import (
	"maps"
	"slices"

	"github.com/geotimeline/geotimeline/db"
)

// Walks are the walks of an event chain, as bits: a node reached by one
// walk goes on in that walk's direction only, so that BOTH is what led to
// the event and what followed it, not every event linked to either (a
// sibling response to the same cause is neither).
type Walks int

// The walks.
const (
	WalkBackward Walks = 1 << iota // from a link's subject to the event it links to (a forward row)
	WalkForward                    // from the linked event to the link's subject (a backward row)
)

var chainWalks = map[db.ChainDirection]Walks{
	db.ChainBackward: WalkBackward,
	db.ChainForward:  WalkForward,
	db.ChainBoth:     WalkBackward | WalkForward,
}

// walkOf is the walk that follows row r: a row read from the link's subject
// (forward) goes back in the chain.
func walkOf(r Row) Walks {
	if r.Forward {
		return WalkBackward
	}
	return WalkForward
}

// nodeTypeNames name the node types in messages.
var nodeTypeNames = map[db.NodeType]string{
	db.NodeActor: "an actor", db.NodeCountry: "a country", db.NodeEvent: "an event", db.NodeStatement: "a statement",
}

// ChainReader is what an event chain reads: its Reader's Scan reads the
// EVENT_LINK rows of the chain's walks and link kinds, other rows of the
// nodes' links with Keep false (so that they count against the limit).
type ChainReader interface {
	Reader
	// MaxNodes is the most events the chain returns.
	MaxNodes() int
	// ScanLinks is Scan of the rows of the chain's link kinds read from
	// their subjects (forward), whatever its walks: each link once.
	ScanLinks(nodes []int64, limit int, fn func(Row) bool) error
}

// CheckChain checks an event chain's arguments and returns its walks and
// link kinds (without repeats, in the order of db.LinkKinds; nil for every
// kind).
//
// Errors: BAD_USER_INPUT for a node that is not an event, a maxDepth out of
// range, an unknown direction or link kind, or too many kinds.
func CheckChain(event db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (Walks, []string, error) {
	if event.Type != db.NodeEvent {
		return 0, nil, db.Errorf(db.CodeInvalid, "event: names %s, not an event", nodeTypeNames[event.Type])
	}
	walks, ok := chainWalks[dir]
	if !ok {
		return 0, nil, db.Errorf(db.CodeInvalid, "direction: unknown chain direction %q", string(dir))
	}
	if maxDepth < 1 || maxDepth > MaxChainDepth {
		return 0, nil, db.Errorf(db.CodeInvalid, "maxDepth must be between 1 and %d, not %d", MaxChainDepth, maxDepth)
	}
	if err := db.CheckList("kinds", "values", len(kinds)); err != nil {
		return 0, nil, err
	}
	roles, err := linkRoles(kinds)
	if err != nil {
		return 0, nil, err
	}
	return walks, roles, nil
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

// EventChain returns the events reachable from event through event links,
// at most maxDepth links away (1 to 10): with WalkBackward those it
// responds to (following each link from its subject, the event holding
// it, to the event linked), with WalkForward those that responded to it
// (from the event linked to the subject), with both the union of the two
// walks. The caller has checked the arguments (CheckChain) and resolved a
// reference by key.
//
// Nodes come start first, then by distance, and within a distance in the
// order the links are read: by the event they are read from, then the
// event reached (by row id). Every event is visited once per walk, so a
// cycle of links ends. Edges are every link of the chain's kinds among the
// returned events, as EVENT_LINK edges From the subject To the event
// linked, role the link kind, sorted as Neighborhood sorts them.
//
// Work is bounded as a neighbourhood's: one statement per level reads the
// links of the level's events, up to g.MaxRows rows for the whole walk;
// one more reads the links among the events found, with as much again. At
// most g.MaxNodes events are returned; Truncated says that an event
// reachable within maxDepth was left out or that a budget ran out (edges
// may then be missing).
//
// Errors: NOT_FOUND when event names no stored event.
func EventChain(g ChainReader, event db.NodeRef, walks Walks, maxDepth int) (db.Subgraph, error) {
	ids, err := g.Nodes(event)
	if err != nil {
		return db.Subgraph{}, err
	}

	order := []int64{ids[0]}
	in := map[int64]bool{ids[0]: true}
	seen := map[int64]Walks{ids[0]: walks} // the walks that reached each event
	frontier := map[int64]Walks{ids[0]: walks}
	truncated := false
	budget := g.MaxRows()
	for depth := 1; depth <= maxDepth && len(frontier) > 0 && !truncated; depth++ {
		next := map[int64]Walks{}
		rows := 0
		err := g.Scan(slices.Collect(maps.Keys(frontier)), budget, func(r Row) bool {
			rows++
			w := walkOf(r)
			if !r.Keep || frontier[r.Src]&w == 0 || seen[r.Dst]&w != 0 {
				return true
			}
			if !in[r.Dst] {
				if len(order) == g.MaxNodes() {
					truncated = true
					return false
				}
				in[r.Dst] = true
				order = append(order, r.Dst)
			}
			seen[r.Dst] |= w
			next[r.Dst] |= w
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
	var edges []Row
	read := 0
	err = g.ScanLinks(order, g.MaxRows(), func(r Row) bool {
		read++
		if r.Keep && in[r.Dst] {
			edges = append(edges, r)
		}
		return true
	})
	if err != nil {
		return db.Subgraph{}, err
	}
	if read == g.MaxRows() {
		truncated = true
	}
	return subgraph(g, order, edges, truncated), nil
}
