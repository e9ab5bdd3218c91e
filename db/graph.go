package db

import "time"

// NodeType is the type of a node of the event graph.
type NodeType string

// The node types: actors, countries, events and statements.
const (
	NodeActor     NodeType = "ACTOR"
	NodeCountry   NodeType = "COUNTRY"
	NodeEvent     NodeType = "EVENT"
	NodeStatement NodeType = "STATEMENT"
)

// NodeRef names one node of the graph by type and row id.
type NodeRef struct {
	Type NodeType
	ID   int64
	// Key, when ID is 0, names the node by its key (a country by its
	// alpha-2 code) instead: a reference such as "actor:marco-rubio" that
	// the store resolves to an ID before it reads (ResolveNodes).
	Key string
}

// EdgeKind is the kind of an edge of the event graph. Each edge has a
// direction, From → To, given with each kind below.
type EdgeKind string

// The edge kinds of API.md.
const (
	EdgeParticipation EdgeKind = "PARTICIPATION" // actor → event; Role is the participant role
	EdgeSpeaker       EdgeKind = "SPEAKER"       // actor → statement
	EdgeDeliverer     EdgeKind = "DELIVERER"     // actor → statement
	EdgeAddressee     EdgeKind = "ADDRESSEE"     // statement → actor
	EdgeAbout         EdgeKind = "ABOUT"         // statement → event
	EdgeRelationship  EdgeKind = "RELATIONSHIP"  // subject actor → object actor or country; Role is the relationship kind
	EdgeEventLink     EdgeKind = "EVENT_LINK"    // subject event → linked event; Role is the link kind
	EdgeLocation      EdgeKind = "LOCATION"      // event → country
	EdgeAffiliation   EdgeKind = "AFFILIATION"   // actor → country
)

// EdgeKinds lists every EdgeKind.
var EdgeKinds = []EdgeKind{EdgeParticipation, EdgeSpeaker, EdgeDeliverer, EdgeAddressee, EdgeAbout,
	EdgeRelationship, EdgeEventLink, EdgeLocation, EdgeAffiliation}

// Edge is one edge of the graph. At is the time of the event, statement or
// relationship (its start) behind the edge; nil for affiliation and for a
// relationship without a start.
type Edge struct {
	Kind EdgeKind
	From NodeRef
	To   NodeRef
	Role string
	At   *time.Time
}

// GraphFilter restricts a traversal to some edge kinds (all when empty) and
// to edges whose event or statement falls in [From, To) or whose
// relationship overlaps it. Affiliation edges have no time and are kept by
// any window.
type GraphFilter struct {
	EdgeKinds []EdgeKind
	From, To  *time.Time
}

// Subgraph is what a neighbourhood traversal returns: nodes in the order
// they were reached (the start first), the edges among them, and whether a
// bound cut it short.
type Subgraph struct {
	Nodes     []NodeRef
	Edges     []Edge
	Truncated bool
}

// Path is a shortest path: Nodes from the start to the end, and Edges[i]
// joining Nodes[i] and Nodes[i+1] (in either direction).
type Path struct {
	Nodes []NodeRef
	Edges []Edge
}

// ChainDirection is which way an event chain follows event links. A link's
// subject responds to (escalates, is part of, follows) the event it links
// to, so following links from subject to object goes back in the chain of
// cause and response, and following them from object to subject goes
// forward.
type ChainDirection string

// The chain directions of API.md.
const (
	ChainBackward ChainDirection = "BACKWARD" // what the event responds to: subject → linked event
	ChainForward  ChainDirection = "FORWARD"  // what responded to it: linked event → subject
	ChainBoth     ChainDirection = "BOTH"     // both walks from the same start, each keeping its own direction
)

// MaxChainNodes is the most events an event chain returns: eventChain takes
// no limit (API.md), so it is bounded as a default neighbourhood is, and
// priced by the same number.
const MaxChainNodes = 200
