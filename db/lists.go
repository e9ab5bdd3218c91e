package db

// ListLengths are the longest plain lists of records the store holds, one
// figure per list field of the API: Event.participants, Actor.relationships
// and the like. A query's price (graph/cost) assumes each such list is this
// long, so that a field's price follows what it can return: on the
// generated 100,000-event graph an event has at most 4 participants, but a
// hub actor has 703 relationships.
type ListLengths struct {
	Participants        int // Event.participants
	Links               int // Event.links
	LinkedFrom          int // Event.linkedFrom
	EventStatements     int // Event.statements: the statements about one event
	EventSources        int // Event.sources
	Estimates           int // Event.estimates, each with its source
	Addressees          int // Statement.addressees
	CoSpeakers          int // Statement.coSpeakers
	About               int // Statement.about
	StatementSources    int // Statement.sources
	ActorSources        int // Actor.sources
	ActorRelationships  int // Actor.relationships, as subject or object
	RelationshipSources int // Relationship.sources
}
