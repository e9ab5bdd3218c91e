package db

import "time"

// Counterpart is an actor that shared events with another, as
// Actor.counterparts lists them: most shared first.
type Counterpart struct {
	Actor           string // actor key
	SharedEvents    int
	LastInteraction time.Time // the instant of the latest shared event
}

// Interval is the width of an eventCounts bucket, in UTC.
type Interval string

// The bucket widths. Weeks are ISO weeks, starting on Monday.
const (
	IntervalDay   Interval = "DAY"
	IntervalWeek  Interval = "WEEK"
	IntervalMonth Interval = "MONTH"
	IntervalYear  Interval = "YEAR"
)

// MaxEventBuckets is the most buckets one eventCounts answers with; a
// question that would produce more is refused. The cost of eventCounts
// (graph/cost) is priced up to it, so that the complexity limit still lets
// one such question through per request, never thirty: 30 aliased
// day-by-country counts over 100,000 events made a 74 MB answer.
const MaxEventBuckets = 5000

// CountGroup is what eventCounts splits each bucket by.
type CountGroup string

// The groupings: by event type, by the country of the event's location, or
// not at all.
const (
	GroupType    CountGroup = "TYPE"
	GroupCountry CountGroup = "COUNTRY"
	GroupNone    CountGroup = "NONE"
	// GroupActor counts an event once for each actor taking part in it,
	// keyed by the actor's key: "events per actor".
	GroupActor CountGroup = "ACTOR"
	// GroupParticipantCountry counts an event once for each country that
	// one of its participants is affiliated to, keyed by its alpha-2 code;
	// events without such a participant are not counted.
	GroupParticipantCountry CountGroup = "PARTICIPANT_COUNTRY"
)

// EventBucket is the number of events counted in one bucket (those whose
// start instant falls in it or, counted by OVERLAPS, whose span meets it),
// for one key of the grouping. Key is "" when not grouped, or for events
// without a location country.
type EventBucket struct {
	Start time.Time
	Key   string
	Count int
	// Certain is how many of them lie wholly in the bucket.
	Certain    int
	Fatalities int
	// FatalitiesLow and FatalitiesHigh sum the events' fatality ranges
	// (Event.FatalityRange).
	FatalitiesLow  int
	FatalitiesHigh int
	// Intensity is the mean intensity of the events that have one, nil if
	// none has.
	Intensity *float64
}
