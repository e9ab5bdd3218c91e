package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// spansFixture holds items whose spans are known by construction, around 6
// March 2025:
//
//	longm  2025-01/2025-02          [Jan 1, Mar 1)    MONTH (ends where March begins)
//	iv     2025-02-20/2025-03-10    [Feb 20, Mar 11)  DAY
//	m      2025-03                  [Mar 1, Apr 1)    MONTH
//	ended  2025-03-01 to 2025-03-10 [Mar 1, Mar 11)   DAY (through its endedAt)
//	s2     2025-03-05/2025-03       [Mar 5, Apr 1)    MONTH (its coarser end)
//	s      2025-03-05/2025-03-06    [Mar 5, Mar 7)    DAY
//	d      2025-03-06               [Mar 6, Mar 7)    DAY
//	mi     2025-03-06T23:59Z        [23:59, Mar 7)    MINUTE
//	late   2025-03-07               [Mar 7, Mar 8)    DAY
const spansFixture = `{"version": 1,
 "actors": [{"key": "a", "name": "A", "kind": "PERSON"}],
 "events": [
  {"key": "longm", "type": "OTHER", "title": "L", "occurredAt": "2025-01/2025-02"},
  {"key": "iv", "type": "OTHER", "title": "I", "occurredAt": "2025-02-20/2025-03-10"},
  {"key": "m", "type": "OTHER", "title": "M", "occurredAt": "2025-03"},
  {"key": "ended", "type": "OTHER", "title": "E", "occurredAt": "2025-03-01", "endedAt": "2025-03-10"},
  {"key": "d", "type": "OTHER", "title": "D", "occurredAt": "2025-03-06"},
  {"key": "mi", "type": "OTHER", "title": "Mi", "occurredAt": "2025-03-06T23:59Z"},
  {"key": "late", "type": "OTHER", "title": "La", "occurredAt": "2025-03-07"}
 ],
 "statements": [
  {"key": "s2", "kind": "QUOTE", "speaker": "a", "madeAt": "2025-03-05/2025-03", "text": "S2"},
  {"key": "s", "kind": "QUOTE", "speaker": "a", "madeAt": "2025-03-05/2025-03-06", "text": "S"}
 ]}`

func testTimeMatch(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, spansFixture)
	mar6, mar7 := at(t, "2025-03-06T00:00:00Z"), at(t, "2025-03-07T00:00:00Z")
	mar1, apr1 := at(t, "2025-03-01T00:00:00Z"), at(t, "2025-04-01T00:00:00Z")
	mar11 := at(t, "2025-03-11T00:00:00Z")
	for _, c := range []struct {
		name string
		f    db.TimelineFilter
		want string
	}{
		{"All", db.TimelineFilter{}, "e:longm e:iv e:m e:ended s:s2 s:s e:d e:mi e:late"},
		// "What was going on during 6 March".
		{"DayStart", db.TimelineFilter{From: mar6, To: mar7}, "e:d e:mi"},
		{"DayStartByDefault", db.TimelineFilter{From: mar6, To: mar7, TimeMatch: db.MatchStart}, "e:d e:mi"},
		{"DayOverlaps", db.TimelineFilter{From: mar6, To: mar7, TimeMatch: db.MatchOverlaps}, "e:iv e:m e:ended s:s2 s:s e:d e:mi"},
		{"DayWithin", db.TimelineFilter{From: mar6, To: mar7, TimeMatch: db.MatchWithin}, "e:d e:mi"},
		// A span ending exactly where the window begins does not overlap it.
		{"MonthStart", db.TimelineFilter{From: mar1, To: apr1}, "e:m e:ended s:s2 s:s e:d e:mi e:late"},
		{"MonthOverlaps", db.TimelineFilter{From: mar1, To: apr1, TimeMatch: db.MatchOverlaps}, "e:iv e:m e:ended s:s2 s:s e:d e:mi e:late"},
		{"MonthWithin", db.TimelineFilter{From: mar1, To: apr1, TimeMatch: db.MatchWithin}, "e:m e:ended s:s2 s:s e:d e:mi e:late"},
		// Open windows: only from, only to.
		{"OverlapsFrom", db.TimelineFilter{From: mar11, TimeMatch: db.MatchOverlaps}, "e:m s:s2"},
		{"WithinTo", db.TimelineFilter{To: mar7, TimeMatch: db.MatchWithin}, "e:longm s:s e:d e:mi"},
		{"OverlapsTo", db.TimelineFilter{To: mar1, TimeMatch: db.MatchOverlaps}, "e:longm e:iv"},
		{"PrecisionMonth", db.TimelineFilter{Precisions: []db.Precision{db.PrecisionMonth}}, "e:longm e:m s:s2"},
		{"PrecisionsDayMinuteOverlaps", db.TimelineFilter{Precisions: []db.Precision{db.PrecisionDay, db.PrecisionMinute},
			From: mar6, To: mar7, TimeMatch: db.MatchOverlaps}, "e:iv e:ended s:s e:d e:mi"},
		{"ActorOverlaps", db.TimelineFilter{Actors: []string{"a"}, From: mar6, To: mar7, TimeMatch: db.MatchOverlaps}, "s:s2 s:s"},
	} {
		t.Run(c.name, func(t *testing.T) { checkTimeline(t, s, c.f, c.want) })
	}
	if _, err := s.Timeline(context.Background(), db.TimelineFilter{From: mar1, TimeMatch: "SOMETIME"}, db.Ascending, db.Page{Limit: 5}); db.ErrorCode(err) != db.CodeInvalid ||
		err.Error() != `unknown timeMatch "SOMETIME": want START, OVERLAPS or WITHIN` {
		t.Errorf("unknown timeMatch: %v (code %s)", err, db.ErrorCode(err))
	}
}

// testTimeMatchAgreesWithSpans checks every window whose bounds are the
// spans' own ends (and open ones), in every TimeMatch, against
// db.TimeMatch.Matches applied to the items' When: the store's range
// scans, the longest-span bound of OVERLAPS included, keep exactly what the
// definition keeps. Spans are then changed (one made ten years long,
// deleted, shrunk) and checked again, since the bound only ever grows.
func testTimeMatchAgreesWithSpans(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, spansFixture)
	check := func(t *testing.T) {
		t.Helper()
		b := mustExport(t, s)
		type item struct {
			name string
			when db.Span
		}
		var items []item
		bounds := map[time.Time]bool{}
		for i := range b.Events {
			items = append(items, item{"e:" + b.Events[i].Key, b.Events[i].When()})
		}
		for i := range b.Statements {
			items = append(items, item{"s:" + b.Statements[i].Key, b.Statements[i].When()})
		}
		for _, it := range items {
			bounds[it.when.Earliest], bounds[it.when.Latest] = true, true
			bounds[it.when.Earliest.Add(-time.Millisecond)], bounds[it.when.Latest.Add(time.Millisecond)] = true, true
		}
		points := []*time.Time{nil}
		for _, b := range slices.SortedFunc(func(yield func(time.Time) bool) {
			for b := range bounds {
				if !yield(b) {
					return
				}
			}
		}, time.Time.Compare) {
			points = append(points, &b)
		}
		checked := 0
		for _, m := range []db.TimeMatch{db.MatchStart, db.MatchOverlaps, db.MatchWithin} {
			for _, from := range points {
				for _, to := range points {
					if from != nil && to != nil && !from.Before(*to) {
						continue
					}
					var want []string
					for _, it := range items {
						if m.Matches(it.when, from, to) {
							want = append(want, it.name)
						}
					}
					f := db.TimelineFilter{From: from, To: to, TimeMatch: m}
					got := strings.Fields(timeline(t, s, f, db.Ascending))
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Fatalf("%s [%v, %v): got %v, want %v", m, from, to, got, want)
					}
					checked++
				}
			}
		}
		if checked < 500 {
			t.Fatalf("checked %d windows, want at least 500", checked)
		}
	}
	t.Run("AsLoaded", check)
	load(t, s, `{"version": 1, "events": [{"key": "decade", "type": "OTHER", "title": "T", "occurredAt": "2015/2024"}]}`)
	t.Run("WithADecade", check)
	if _, err := s.Delete(ctx, db.RefEvent, "decade", false); err != nil {
		t.Fatal(err)
	}
	load(t, s, `{"version": 1, "events": [{"key": "iv", "type": "OTHER", "title": "I", "occurredAt": "2025-03-09"}]}`)
	t.Run("AfterDeleteAndShrink", check)
}

// testIntervalsRoundTrip: intervals come back from the store as written,
// through export and a second store, and the span's precision is the
// coarser end's.
func testIntervalsRoundTrip(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, spansFixture)
	for key, want := range map[string]string{"iv": "2025-02-20/2025-03-10 DAY [2025-02-20, 2025-03-11)",
		"longm": "2025-01/2025-02 MONTH [2025-01-01, 2025-03-01)", "ended": "2025-03-01 DAY [2025-03-01, 2025-03-11)"} {
		e := eventByKey(t, s, key)
		w := e.When()
		if got := fmt.Sprintf("%s %s [%s, %s)", e.OccurredAt, e.Precision(), w.Earliest.Format(time.DateOnly), w.Latest.Format(time.DateOnly)); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	st := statementByKey(t, s, "s2")
	if got, want := fmt.Sprintf("%s %s", st.MadeAt, st.Precision()), "2025-03-05/2025-03 MONTH"; got != want {
		t.Errorf("s2: %s, want %s", got, want)
	}
	first := exportBytes(t, s)
	for _, want := range []string{`"occurredAt": "2025-02-20/2025-03-10"`, `"madeAt": "2025-03-05/2025-03"`, `"endedAt": "2025-03-10"`} {
		if !strings.Contains(string(first), want) {
			t.Errorf("export lacks %s:\n%s", want, first)
		}
	}
	s2 := mustOpen(t, open)
	load(t, s2, string(first))
	if got := exportBytes(t, s2); string(got) != string(first) {
		t.Errorf("second export differs:\n%s\nwant:\n%s", got, first)
	}
	if got, want := load(t, s, string(first)), (db.Summary{Unchanged: 10}); got != want {
		t.Errorf("reload of the export: %v, want %v", got, want)
	}
}
