package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// codedFixture has events coded CAMEO 190, 193, 1951 and 20 and PLOVER
// ASSAULT, and a joint statement of a and b.
const codedFixture = `{"version": 1,
  "sources": [{"key": "ucdp"}, {"key": "acled"}],
  "actors": [{"key": "a", "name": "A", "kind": "STATE", "country": "IN"}, {"key": "b", "name": "B", "kind": "STATE", "country": "NP"},
    {"key": "c", "name": "C", "kind": "STATE"}],
  "events": [
    {"key": "e190", "type": "ATTACK", "title": "190", "occurredAt": "2025-05-01", "codes": [{"scheme": "CAMEO", "code": "190"}]},
    {"key": "e193", "type": "ATTACK", "title": "193", "occurredAt": "2025-05-02",
      "codes": [{"scheme": "PLOVER", "code": "ASSAULT"}, {"scheme": "CAMEO", "code": "193", "label": "Fight with small arms"}]},
    {"key": "e1951", "type": "STRIKE", "title": "1951", "occurredAt": "2025-05-03", "codes": [{"scheme": "CAMEO", "code": "1951"}],
      "estimates": [{"measure": "FATALITIES", "low": 1, "best": 2, "source": "ucdp"}, {"measure": "INJURED", "high": 9, "source": "acled"}]},
    {"key": "e20", "type": "ATTACK", "title": "20", "occurredAt": "2025-05-04", "codes": [{"scheme": "CAMEO", "code": "20"}]},
    {"key": "e-none", "type": "OTHER", "title": "None", "occurredAt": "2025-05-05"},
    {"key": "e-acled", "type": "OTHER", "title": "ACLED", "occurredAt": "2025-05-06", "codes": [{"scheme": "ACLED", "code": "190"}]}
  ],
  "statements": [
    {"key": "s-joint", "kind": "PRESS_RELEASE", "speaker": "a", "coSpeakers": ["b"], "madeAt": "2025-05-07", "text": "Jointly."},
    {"key": "s-alone", "kind": "QUOTE", "speaker": "c", "addressees": ["b"], "madeAt": "2025-05-08", "text": "Alone."}
  ]}`

func testCodesFilter(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, codedFixture)
	code := func(scheme, c string, prefix bool) db.CodeMatch {
		return db.CodeMatch{Scheme: scheme, Code: c, Prefix: prefix}
	}
	for _, tt := range []struct {
		name  string
		codes []db.CodeMatch
		want  string
	}{
		{"Exact", []db.CodeMatch{code("CAMEO", "190", false)}, "e:e190 s:s-joint s:s-alone"},
		{"Prefix", []db.CodeMatch{code("CAMEO", "19", true)}, "e:e190 e:e193 e:e1951 s:s-joint s:s-alone"},
		{"PrefixIsTheWholeCode", []db.CodeMatch{code("CAMEO", "1951", true)}, "e:e1951 s:s-joint s:s-alone"},
		{"SchemeMatters", []db.CodeMatch{code("ACLED", "1", true)}, "e:e-acled s:s-joint s:s-alone"},
		{"AnyOf", []db.CodeMatch{code("PLOVER", "ASSAULT", false), code("CAMEO", "2", true)}, "e:e193 e:e20 s:s-joint s:s-alone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkTimeline(t, s, db.TimelineFilter{Codes: tt.codes}, tt.want)
		})
	}
	// A code, prefix or scheme that no event has is an error naming it,
	// never an empty answer: an exact code is not a prefix, case matters.
	for _, tt := range []struct {
		name  string
		codes []db.CodeMatch
		want  string
	}{
		{"ExactIsNotPrefix", []db.CodeMatch{code("CAMEO", "19", false)},
			`no event has a code matching "CAMEO:19": did you mean "CAMEO:190", "CAMEO:193" or "CAMEO:1951"?`},
		{"CaseMatters", []db.CodeMatch{code("PLOVER", "assault", false)}, `no event has a code matching "PLOVER:assault": did you mean "PLOVER:ASSAULT"?`},
		{"NoSuchPrefix", []db.CodeMatch{code("CAMEO", "7", true)}, `no event has a code matching "CAMEO:7*"`},
		{"UnknownScheme", []db.CodeMatch{code("CAMEO", "190", false), code("PLOVR", "ASSAULT", false)},
			`no event has a code of the scheme "PLOVR" (in "PLOVR:ASSAULT"): did you mean "PLOVER:ASSAULT"?`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Timeline(context.Background(), db.TimelineFilter{Codes: tt.codes}, db.Ascending, db.Page{Limit: 10})
			if err == nil || err.Error() != tt.want || db.ErrorCode(err) != db.CodeInvalid {
				t.Errorf("got %v (%s)\nwant %s", err, db.ErrorCode(err), tt.want)
			}
		})
	}
	// Events only: the form an events(filter:) query takes.
	checkTimeline(t, s, db.TimelineFilter{Codes: []db.CodeMatch{code("CAMEO", "19", true)}, Include: []db.ItemKind{db.ItemEvent}},
		"e:e190 e:e193 e:e1951")
}

// A source that an estimate names is cited by the event, as one in its
// sources list is.
func testEstimateSourceCited(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, codedFixture)
	checkTimeline(t, s, db.TimelineFilter{Sources: []string{"ucdp"}}, "e:e1951")
	checkTimeline(t, s, db.TimelineFilter{Sources: []string{"acled", "ucdp"}}, "e:e1951")
}

func testCoSpeakersAreSpeakers(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, codedFixture)
	checkTimeline(t, s, db.TimelineFilter{Actors: []string{"b"}}, "s:s-joint s:s-alone")
	checkTimeline(t, s, db.TimelineFilter{Actors: []string{"b"}, Include: []db.ItemKind{db.ItemStatement}}, "s:s-joint s:s-alone")
	checkTimeline(t, s, db.TimelineFilter{Actors: []string{"a"}}, "s:s-joint")
	// The countries filter counts a co-speaker's country as a speaker's.
	checkTimeline(t, s, db.TimelineFilter{Countries: []string{"NP"}}, "s:s-joint")
	checkTimeline(t, s, db.TimelineFilter{Countries: []string{"IN"}}, "s:s-joint")
	// A co-speaker that moves moves the statement's country rows with it.
	load(t, s, `{"version": 1, "actors": [{"key": "b", "name": "B", "kind": "STATE", "country": "BT"}]}`)
	checkTimeline(t, s, db.TimelineFilter{Countries: []string{"NP"}}, "")
	checkTimeline(t, s, db.TimelineFilter{Countries: []string{"BT"}}, "s:s-joint")
	if got := statementByKey(t, s, "s-joint").CoSpeakers; !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("CoSpeakers = %q, want [b]", got)
	}

	// Deleting a co-speaker takes it out of the statement, which stays.
	del, err := s.Delete(ctx, db.RefActor, "b", false)
	if err == nil || db.ErrorCode(err) != db.CodeInvalid {
		t.Fatalf("Delete(b) without cascade = %+v, %v; want a conflict", del, err)
	}
	if _, err := s.Delete(ctx, db.RefActor, "b", true); err != nil {
		t.Fatal(err)
	}
	if got := statementByKey(t, s, "s-joint").CoSpeakers; got != nil {
		t.Errorf("CoSpeakers after deleting b = %q, want none", got)
	}
	checkTimeline(t, s, db.TimelineFilter{Actors: []string{"a"}}, "s:s-joint")
}

func testEstimateSourceDeleted(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, codedFixture)
	if _, err := s.Delete(ctx, db.RefSource, "ucdp", true); err != nil {
		t.Fatal(err)
	}
	two, nine := 2, 9
	one := 1
	want := []db.Estimate{{Measure: db.MeasureFatalities, Low: &one, Best: &two}, {Measure: db.MeasureInjured, High: &nine, Source: "acled"}}
	if got := eventByKey(t, s, "e1951").Estimates; !reflect.DeepEqual(got, want) {
		t.Errorf("Estimates = %+v, want %+v", got, want)
	}
	// The rewritten event is what loading it stripped would store: loading
	// the export again changes nothing.
	b := mustExport(t, s)
	sum, err := s.Apply(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 0 || sum.Inserted != 0 {
		t.Errorf("Apply(Export()) = %v, want all unchanged", sum)
	}
}
