package db

import "slices"

// ActorKind is what sort of actor a record describes.
type ActorKind string

// The actor kinds of FIXTURES.md.
const (
	ActorPerson                    ActorKind = "PERSON"
	ActorState                     ActorKind = "STATE"
	ActorGovernmentBody            ActorKind = "GOVERNMENT_BODY"
	ActorMilitary                  ActorKind = "MILITARY"
	ActorArmedGroup                ActorKind = "ARMED_GROUP"
	ActorPoliticalParty            ActorKind = "POLITICAL_PARTY"
	ActorInternationalOrganization ActorKind = "INTERNATIONAL_ORGANIZATION"
	ActorNGO                       ActorKind = "NGO"
	ActorMedia                     ActorKind = "MEDIA"
	ActorOther                     ActorKind = "OTHER"
)

// ActorKinds lists every ActorKind in the order of the specification.
var ActorKinds = []ActorKind{ActorPerson, ActorState, ActorGovernmentBody, ActorMilitary,
	ActorArmedGroup, ActorPoliticalParty, ActorInternationalOrganization, ActorNGO, ActorMedia, ActorOther}

// Valid reports whether k is one of ActorKinds.
func (k ActorKind) Valid() bool { return slices.Contains(ActorKinds, k) }

// RelationshipKind is the nature of a time-bounded tie.
type RelationshipKind string

// The relationship kinds of FIXTURES.md.
const (
	RelHoldsPosition   RelationshipKind = "HOLDS_POSITION"
	RelMemberOf        RelationshipKind = "MEMBER_OF"
	RelSpokespersonFor RelationshipKind = "SPOKESPERSON_FOR"
	RelLeads           RelationshipKind = "LEADS"
	RelAlliedWith      RelationshipKind = "ALLIED_WITH"
	RelOpposes         RelationshipKind = "OPPOSES"
	RelSupports        RelationshipKind = "SUPPORTS"
	RelBasedIn         RelationshipKind = "BASED_IN"
)

// RelationshipKinds lists every RelationshipKind in the order of the specification.
var RelationshipKinds = []RelationshipKind{RelHoldsPosition, RelMemberOf, RelSpokespersonFor,
	RelLeads, RelAlliedWith, RelOpposes, RelSupports, RelBasedIn}

// Valid reports whether k is one of RelationshipKinds.
func (k RelationshipKind) Valid() bool { return slices.Contains(RelationshipKinds, k) }

// EventType classifies what happened.
type EventType string

// The event types of FIXTURES.md.
const (
	EventAttack            EventType = "ATTACK"
	EventStrike            EventType = "STRIKE"
	EventCall              EventType = "CALL"
	EventMeeting           EventType = "MEETING"
	EventStatementOfPolicy EventType = "STATEMENT_OF_POLICY"
	EventProtest           EventType = "PROTEST"
	EventSanction          EventType = "SANCTION"
	EventAgreement         EventType = "AGREEMENT"
	EventCeasefire         EventType = "CEASEFIRE"
	EventMobilization      EventType = "MOBILIZATION"
	EventCeremony          EventType = "CEREMONY"
	EventOther             EventType = "OTHER"
	// The types of the real-data additions, so that each PLOVER category
	// has a type that names it. They come after OTHER: a type's rank is
	// its position here, and the timeline index stores ranks.
	EventSupport     EventType = "SUPPORT"
	EventConcession  EventType = "CONCESSION"
	EventCooperation EventType = "COOPERATION"
	EventAid         EventType = "AID"
	EventRetreat     EventType = "RETREAT"
	EventRequest     EventType = "REQUEST"
	EventAccusation  EventType = "ACCUSATION"
	EventRejection   EventType = "REJECTION"
	EventThreat      EventType = "THREAT"
	EventCoercion    EventType = "COERCION"
)

// EventTypes lists every EventType in the order of the specification.
var EventTypes = []EventType{EventAttack, EventStrike, EventCall, EventMeeting, EventStatementOfPolicy,
	EventProtest, EventSanction, EventAgreement, EventCeasefire, EventMobilization, EventCeremony, EventOther,
	EventSupport, EventConcession, EventCooperation, EventAid, EventRetreat, EventRequest, EventAccusation, EventRejection, EventThreat, EventCoercion}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool { return slices.Contains(EventTypes, t) }

// ParticipantRole is the part an actor played in an event.
type ParticipantRole string

// The participant roles of FIXTURES.md.
const (
	RoleInitiator   ParticipantRole = "INITIATOR"
	RoleTarget      ParticipantRole = "TARGET"
	RoleParticipant ParticipantRole = "PARTICIPANT"
	RoleMediator    ParticipantRole = "MEDIATOR"
	RoleVictim      ParticipantRole = "VICTIM"
)

// ParticipantRoles lists every ParticipantRole in the order of the specification.
var ParticipantRoles = []ParticipantRole{RoleInitiator, RoleTarget, RoleParticipant, RoleMediator, RoleVictim}

// Valid reports whether r is one of ParticipantRoles.
func (r ParticipantRole) Valid() bool { return slices.Contains(ParticipantRoles, r) }

// LinkKind is how one event relates to another. The event that carries the
// link is the subject: "operation-sindoor RESPONSE_TO pahalgam-attack".
type LinkKind string

// The event link kinds of FIXTURES.md.
const (
	LinkResponseTo   LinkKind = "RESPONSE_TO"
	LinkEscalationOf LinkKind = "ESCALATION_OF"
	LinkPartOf       LinkKind = "PART_OF"
	LinkFollows      LinkKind = "FOLLOWS"
)

// LinkKinds lists every LinkKind in the order of the specification.
var LinkKinds = []LinkKind{LinkResponseTo, LinkEscalationOf, LinkPartOf, LinkFollows}

// Valid reports whether k is one of LinkKinds.
func (k LinkKind) Valid() bool { return slices.Contains(LinkKinds, k) }

// StatementKind is the form a statement took.
type StatementKind string

// The statement kinds of FIXTURES.md.
const (
	StatementQuote           StatementKind = "QUOTE"
	StatementReadout         StatementKind = "READOUT"
	StatementPressRelease    StatementKind = "PRESS_RELEASE"
	StatementSocialMediaPost StatementKind = "SOCIAL_MEDIA_POST"
	StatementSpeech          StatementKind = "SPEECH"
	StatementInterview       StatementKind = "INTERVIEW"
	StatementOther           StatementKind = "OTHER"
)

// StatementKinds lists every StatementKind in the order of the specification.
var StatementKinds = []StatementKind{StatementQuote, StatementReadout, StatementPressRelease,
	StatementSocialMediaPost, StatementSpeech, StatementInterview, StatementOther}

// Valid reports whether k is one of StatementKinds.
func (k StatementKind) Valid() bool { return slices.Contains(StatementKinds, k) }

// Stance is a position a statement takes.
type Stance string

// The stances of FIXTURES.md.
const (
	StanceCondemnation        Stance = "CONDEMNATION"
	StanceCondolence          Stance = "CONDOLENCE"
	StanceCallForDeescalation Stance = "CALL_FOR_DEESCALATION"
	StanceSupportForDialogue  Stance = "SUPPORT_FOR_DIALOGUE"
	StanceDemand              Stance = "DEMAND"
	StanceThreat              Stance = "THREAT"
	StanceDenial              Stance = "DENIAL"
	StanceAccusation          Stance = "ACCUSATION"
	StanceSupport             Stance = "SUPPORT"
)

// Stances lists every Stance in the order of the specification.
var Stances = []Stance{StanceCondemnation, StanceCondolence, StanceCallForDeescalation,
	StanceSupportForDialogue, StanceDemand, StanceThreat, StanceDenial, StanceAccusation, StanceSupport}

// Valid reports whether s is one of Stances.
func (s Stance) Valid() bool { return slices.Contains(Stances, s) }

// Measure is what an estimate counts.
type Measure string

// The measures of FIXTURES.md.
const (
	MeasureFatalities Measure = "FATALITIES"
	MeasureInjured    Measure = "INJURED"
)

// Measures lists every Measure in the order of the specification.
var Measures = []Measure{MeasureFatalities, MeasureInjured}

// Valid reports whether m is one of Measures.
func (m Measure) Valid() bool { return slices.Contains(Measures, m) }

// ItemKind tells the two kinds of timeline item apart.
type ItemKind string

// The timeline item kinds. Events sort before statements at the same instant,
// precision and key.
const (
	ItemEvent     ItemKind = "EVENT"
	ItemStatement ItemKind = "STATEMENT"
)

// SortOrder is the direction of a time-ordered list.
type SortOrder string

// The sort orders.
const (
	Ascending  SortOrder = "ASC"
	Descending SortOrder = "DESC"
)
