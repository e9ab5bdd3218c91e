package db

// The kinds of record a search hit can be, as SearchHit.Kind spells them.
const (
	HitActor     = "ACTOR"
	HitEvent     = "EVENT"
	HitStatement = "STATEMENT"
)

// SearchHit is one record that full-text search found: an actor (its name,
// aliases or description matched), an event (title, summary or tags) or a
// statement (text or summary).
type SearchHit struct {
	// Kind is HitActor, HitEvent or HitStatement.
	Kind string
	// ID is the record's row id.
	ID int64
	// Score is the hit's relevance, higher first; it only compares hits of
	// the same search.
	Score float64
}
