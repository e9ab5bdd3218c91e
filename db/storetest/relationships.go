package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// relationshipsFixture ties rubio to others; sorted by start (open first):
//
//	member     MEMBER_OF        rubio → usa          open from and to
//	senator    HOLDS_POSITION   rubio → senate       2011-01-03 to 2025-01-20 (DAY)
//	spokes     SPOKESPERSON_FOR rubio → usa          2025 to 2025-05 (MONTH)
//	based      BASED_IN         rubio → {US}         2025-01-21T12:00Z, open to
//	backed     SUPPORTS         state-dept → rubio   2025-02, open to (rubio as object)
//
// plus one tie without rubio, which must not show.
const relationshipsFixture = `{
  "version": 1,
  "actors": [
    {"key": "rubio", "name": "Marco Rubio", "kind": "PERSON", "country": "US"},
    {"key": "usa", "name": "United States", "kind": "STATE", "country": "US"},
    {"key": "senate", "name": "US Senate", "kind": "GOVERNMENT_BODY", "country": "US"},
    {"key": "state-dept", "name": "State Department", "kind": "GOVERNMENT_BODY", "country": "US"}
  ],
  "relationships": [
    {"key": "backed", "kind": "SUPPORTS", "subject": "state-dept", "object": "rubio", "from": "2025-02"},
    {"key": "based", "kind": "BASED_IN", "subject": "rubio", "object": {"country": "US"}, "from": "2025-01-21T12:00Z"},
    {"key": "spokes", "kind": "SPOKESPERSON_FOR", "subject": "rubio", "object": "usa", "from": "2025", "to": "2025-05"},
    {"key": "senator", "kind": "HOLDS_POSITION", "subject": "rubio", "object": "senate", "title": "Senator",
      "from": "2011-01-03", "to": "2025-01-20"},
    {"kind": "MEMBER_OF", "subject": "rubio", "object": "usa"},
    {"key": "other", "kind": "LEADS", "subject": "state-dept", "object": "usa"}
  ]
}`

func relNames(rels []*db.Relationship) string {
	names := make([]string, len(rels))
	for i, r := range rels {
		names[i] = r.Key
		if r.Key == "" {
			names[i] = "member"
		}
	}
	return strings.Join(names, " ")
}

func testRelationshipsOf(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, relationshipsFixture)
	kinds := func(ks ...db.RelationshipKind) []db.RelationshipKind { return ks }

	for _, tt := range []struct {
		name  string
		kinds []db.RelationshipKind
		at    string
		want  string
	}{
		{"All", nil, "", "member senator spokes based backed"},
		{"Kinds", kinds(db.RelHoldsPosition, db.RelSpokespersonFor), "", "senator spokes"},
		{"KindNone", kinds(db.RelOpposes), "", ""},
		{"AtMidMay", nil, "2025-05-15T00:00:00Z", "member spokes based backed"},
		{"EndedTieGone", kinds(db.RelHoldsPosition), "2025-05-15T00:00:00Z", ""},
		{"DayToHoldsToItsEnd", kinds(db.RelHoldsPosition), "2025-01-20T23:59:59Z", "senator"},
		{"DayToEndsAtMidnight", kinds(db.RelHoldsPosition), "2025-01-21T00:00:00Z", ""},
		{"MonthToHoldsOnLastSecond", kinds(db.RelSpokespersonFor), "2025-05-31T23:59:59Z", "spokes"},
		{"MonthToEndsNextMonth", kinds(db.RelSpokespersonFor), "2025-06-01T00:00:00Z", ""},
		{"YearFromHoldsFromItsStart", kinds(db.RelSpokespersonFor), "2025-01-01T00:00:00Z", "spokes"},
		{"YearFromNotBefore", kinds(db.RelSpokespersonFor), "2024-12-31T23:59:59Z", ""},
		{"MinuteFrom", kinds(db.RelBasedIn), "2025-01-21T11:59:59Z", ""},
		{"MinuteFromExact", kinds(db.RelBasedIn), "2025-01-21T12:00:00Z", "based"},
		{"OpenEndedBothWays", kinds(db.RelMemberOf), "1900-01-01T00:00:00Z", "member"},
		{"OpenToFarFuture", kinds(db.RelBasedIn, db.RelSupports), "2999-01-01T00:00:00Z", "based backed"},
		{"AsObject", kinds(db.RelSupports), "2025-02-01T00:00:00Z", "backed"},
		{"In2020", nil, "2020-06-01T00:00:00Z", "member senator"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var when *time.Time
			if tt.at != "" {
				when = at(t, tt.at)
			}
			if got := relNames(relationshipsOf(t, s, "rubio", tt.kinds, when)); got != tt.want {
				t.Errorf("RelationshipsOf(rubio, %v, %s) = %q, want %q", tt.kinds, tt.at, got, tt.want)
			}
		})
	}

	t.Run("Fields", func(t *testing.T) {
		rels := relationshipsOf(t, s, "rubio", kinds(db.RelBasedIn, db.RelHoldsPosition, db.RelMemberOf), nil)
		if got, want := len(rels), 3; got != want {
			t.Fatalf("relationships = %d, want %d", got, want)
		}
		member, senator, based := rels[0], rels[1], rels[2]
		if got, want := member.Object, (db.RelationshipObject{Actor: "usa"}); got != want {
			t.Errorf("member object = %+v, want %+v", got, want)
		}
		if !member.From.IsZero() || !member.To.IsZero() {
			t.Errorf("member from %q to %q, want both open", member.From, member.To)
		}
		if got, want := senator.Title, "Senator"; got != want {
			t.Errorf("senator title = %q, want %q", got, want)
		}
		if got, want := senator.Subject, "rubio"; got != want {
			t.Errorf("senator subject = %q, want %q", got, want)
		}
		if got, want := senator.From.String()+".."+senator.To.String(), "2011-01-03..2025-01-20"; got != want {
			t.Errorf("senator period = %q, want %q", got, want)
		}
		if got, want := based.Object, (db.RelationshipObject{Country: "US"}); got != want {
			t.Errorf("based object = %+v, want %+v", got, want)
		}
		if got, want := based.From, (db.Date{At: *at(t, "2025-01-21T12:00:00Z"), Precision: db.PrecisionMinute}); !got.At.Equal(want.At) || got.Precision != want.Precision {
			t.Errorf("based from = %+v, want %+v", got, want)
		}
	})

	t.Run("OtherActor", func(t *testing.T) {
		if got, want := relNames(relationshipsOf(t, s, "state-dept", nil, nil)), "other backed"; got != want {
			t.Errorf("RelationshipsOf(state-dept) = %q, want %q", got, want)
		}
	})
}
