package db

import (
	"fmt"
	"time"
)

// Records refer to one another by key (and to countries by alpha-2 code), the
// same way fixtures do, so one shape serves the loader, the exporter and the
// API. ID is the store's row identifier, behind the API's global IDs; it is
// zero in a record that has not been stored.
//
// Lists (aliases, participants, sources, …) are filled by the loader and the
// exporter. Reads that serve the API leave them nil and fetch them in batches
// when a query asks for them.

// Stamps are the store's own clocks: when a record was first stored and when
// its content last changed. They are not part of the fixture format.
type Stamps struct {
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Source is where a claim comes from.
type Source struct {
	ID          int64
	Key         string
	URL         string
	Title       string
	Publisher   string
	Author      string
	PublishedAt Date
	Stamps
}

// Country is an ISO 3166-1 country, or one a fixture added.
type Country struct {
	ID     int64
	Code   string // alpha-2
	Alpha3 string
	Name   string
	Region string
}

// Actor is a person, state, government body, armed force, armed group, party
// or organisation.
type Actor struct {
	ID          int64
	Key         string
	Name        string
	Kind        ActorKind
	Country     string // alpha-2 code of the country of affiliation, or ""
	Aliases     []string
	Description string
	Sources     []string
	Stamps
}

// RelationshipObject is the far end of a relationship: an actor or a country,
// exactly one of the two.
type RelationshipObject struct {
	Actor   string // actor key
	Country string // alpha-2 code
}

// Relationship is a time-bounded tie between an actor and an actor or a
// country. Key is optional; without one a relationship is identified by
// (kind, subject, object, title, from).
type Relationship struct {
	ID      int64
	Key     string
	Kind    RelationshipKind
	Subject string // actor key
	Object  RelationshipObject
	Title   string
	From    Date
	To      Date
	Sources []string
	Stamps
}

// Location is where an event took place; every field is optional.
type Location struct {
	Country string // alpha-2 code
	Place   string
	Lat     *float64
	Lon     *float64
}

// IsZero reports whether no field of the location is set.
func (l Location) IsZero() bool {
	return l.Country == "" && l.Place == "" && l.Lat == nil && l.Lon == nil
}

// Participant is an actor's part in an event.
type Participant struct {
	Actor string // actor key
	Role  ParticipantRole
	// As is the words that named the actor in the source, or "".
	//
	// The fields added after the first release are left out of the JSON
	// the store fingerprints records by (sqlite.contentHash) when empty,
	// so that a record stored before them keeps its fingerprint and
	// loading it again changes nothing.
	As string `json:",omitempty"`
}

// EventCode is an event's code in the scheme of a dataset it came from (CAMEO,
// PLOVER, ACLED, …). A (Scheme, Code) pair occurs at most once per event.
type EventCode struct {
	Scheme string
	Code   string
	Label  string // optional
}

// Estimate is a figure that a source claims for an event, kept beside the
// event's own Fatalities and Injured: sources dispute them. At least one of
// Low, Best and High is set, and those set satisfy Low <= Best <= High.
type Estimate struct {
	Measure Measure
	Low     *int
	Best    *int
	High    *int
	Source  string // source key, or ""
	Note    string
}

// Link ties an event (the subject) to another event.
type Link struct {
	Kind  LinkKind
	Event string // event key
}

// Event is something that happened.
type Event struct {
	ID           int64
	Key          string
	Type         EventType
	Title        string
	Summary      string
	OccurredAt   Date
	EndedAt      Date
	Location     Location
	Fatalities   *int
	Injured      *int
	Codes        []EventCode `json:",omitempty"` // omitempty: see Participant.As
	Intensity    *float64    `json:",omitempty"` // Goldstein scale, in [-10, 10]
	Estimates    []Estimate  `json:",omitempty"`
	Participants []Participant
	Links        []Link
	Tags         []string
	Sources      []string
	Stamps
}

// Statement is what someone said, quoted or read out.
type Statement struct {
	ID          int64
	Key         string
	Kind        StatementKind
	Speaker     string   // actor key
	CoSpeakers  []string `json:",omitempty"` // actor keys of the others whose joint words these are; omitempty: see Participant.As
	DeliveredBy string   // actor key, or ""
	Addressees  []string
	MadeAt      Date
	Text        string
	Summary     string
	About       []string // event keys
	Stances     []Stance
	Sources     []string
	Stamps
}

// Batch is a set of records to write together, in one transaction. Records
// may refer to each other and to records already stored.
type Batch struct {
	Sources       []Source
	Countries     []Country
	Actors        []Actor
	Relationships []Relationship
	Events        []Event
	Statements    []Statement
}

// Len is the number of records in b.
func (b *Batch) Len() int {
	return len(b.Sources) + len(b.Countries) + len(b.Actors) + len(b.Relationships) + len(b.Events) + len(b.Statements)
}

// identitySep separates an Identity's fields: it cannot occur in keys,
// codes or enum values.
const identitySep = "\x1f"

// Identity is what identifies a relationship in the store: its key when it
// has one, otherwise (kind, subject, object, title, from) as FIXTURES.md says.
func (r *Relationship) Identity() string {
	if r.Key != "" {
		return "k:" + r.Key
	}
	obj := "actor:" + r.Object.Actor
	if r.Object.Country != "" {
		obj = "country:" + r.Object.Country
	}
	return "t:" + string(r.Kind) + identitySep + r.Subject + identitySep + obj + identitySep + r.Title + identitySep + r.From.String()
}

// Summary counts what a write did to the records it was given.
type Summary struct {
	Inserted  int // records that were new
	Updated   int // records whose content changed
	Unchanged int // records loaded again with the same content
}

// String reads like "3 inserted, 1 updated, 40 unchanged".
func (s Summary) String() string {
	return fmt.Sprintf("%d inserted, %d updated, %d unchanged", s.Inserted, s.Updated, s.Unchanged)
}
