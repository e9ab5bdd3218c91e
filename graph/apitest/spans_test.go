package apitest

import (
	"slices"
	"testing"
)

// spans holds items whose spans are known by construction around 6 March
// 2025 (as db/storetest's TimeMatch, through the API).
const spans = `{"version": 1,
 "actors": [{"key": "a", "name": "A", "kind": "PERSON"}],
 "events": [
  {"key": "iv", "type": "OTHER", "title": "I", "occurredAt": "2025-02-20/2025-03-10"},
  {"key": "m", "type": "OTHER", "title": "M", "occurredAt": "2025-03"},
  {"key": "ended", "type": "OTHER", "title": "E", "occurredAt": "2025-03-01", "endedAt": "2025-03-10"},
  {"key": "d", "type": "OTHER", "title": "D", "occurredAt": "2025-03-06"},
  {"key": "mi", "type": "OTHER", "title": "Mi", "occurredAt": "2025-03-06T23:59Z"},
  {"key": "late", "type": "OTHER", "title": "La", "occurredAt": "2025-03-07"}
 ],
 "statements": [
  {"key": "s2", "kind": "QUOTE", "speaker": "a", "madeAt": "2025-03-05/2025-03", "text": "S2"}
 ]}`

func TestTimeSpans(t *testing.T) {
	a := newEmptyAPI(t)
	loadInto(t, a, spans)

	data := a.data(`{ events(first: 10) { nodes { key occurredAt precision when { earliest latest precision } } }
	  statements(first: 10) { nodes { key madeAt precision when { earliest latest precision } } } }`, nil)
	equalJSON(t, data, `{
	  "events": {"nodes": [
	    {"key": "iv", "occurredAt": "2025-02-20T00:00:00Z", "precision": "DAY",
	     "when": {"earliest": "2025-02-20T00:00:00Z", "latest": "2025-03-11T00:00:00Z", "precision": "DAY"}},
	    {"key": "m", "occurredAt": "2025-03-01T00:00:00Z", "precision": "MONTH",
	     "when": {"earliest": "2025-03-01T00:00:00Z", "latest": "2025-04-01T00:00:00Z", "precision": "MONTH"}},
	    {"key": "ended", "occurredAt": "2025-03-01T00:00:00Z", "precision": "DAY",
	     "when": {"earliest": "2025-03-01T00:00:00Z", "latest": "2025-03-11T00:00:00Z", "precision": "DAY"}},
	    {"key": "d", "occurredAt": "2025-03-06T00:00:00Z", "precision": "DAY",
	     "when": {"earliest": "2025-03-06T00:00:00Z", "latest": "2025-03-07T00:00:00Z", "precision": "DAY"}},
	    {"key": "mi", "occurredAt": "2025-03-06T23:59:00Z", "precision": "MINUTE",
	     "when": {"earliest": "2025-03-06T23:59:00Z", "latest": "2025-03-07T00:00:00Z", "precision": "MINUTE"}},
	    {"key": "late", "occurredAt": "2025-03-07T00:00:00Z", "precision": "DAY",
	     "when": {"earliest": "2025-03-07T00:00:00Z", "latest": "2025-03-08T00:00:00Z", "precision": "DAY"}}]},
	  "statements": {"nodes": [
	    {"key": "s2", "madeAt": "2025-03-05T00:00:00Z", "precision": "MONTH",
	     "when": {"earliest": "2025-03-05T00:00:00Z", "latest": "2025-04-01T00:00:00Z", "precision": "MONTH"}}]}}`)

	day := map[string]any{"from": "2025-03-06", "to": "2025-03-07"}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range day {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	for _, c := range []struct {
		name   string
		query  string
		filter map[string]any
		path   []string
		want   []string
	}{
		{"TimelineStart", `query($f: TimelineFilter) { timeline(filter: $f, first: 20) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			day, []string{"timeline", "nodes"}, []string{"d", "mi"}},
		{"TimelineOverlaps", `query($f: TimelineFilter) { timeline(filter: $f, first: 20) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			with(map[string]any{"timeMatch": "OVERLAPS"}), []string{"timeline", "nodes"}, []string{"iv", "m", "ended", "s2", "d", "mi"}},
		{"TimelineWithin", `query($f: TimelineFilter) { timeline(filter: $f, first: 20) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			with(map[string]any{"timeMatch": "WITHIN"}), []string{"timeline", "nodes"}, []string{"d", "mi"}},
		{"EventsOverlapsMonthPrecision", `query($f: EventFilter) { events(filter: $f, first: 20) { nodes { key } } }`,
			with(map[string]any{"timeMatch": "OVERLAPS", "precisions": []string{"MONTH"}}), []string{"events", "nodes"}, []string{"m"}},
		{"StatementsOverlaps", `query($f: StatementFilter) { statements(filter: $f, first: 20) { nodes { key } } }`,
			with(map[string]any{"timeMatch": "OVERLAPS"}), []string{"statements", "nodes"}, []string{"s2"}},
		{"StatementsWithin", `query($f: StatementFilter) { statements(filter: $f, first: 20) { nodes { key } } }`,
			with(map[string]any{"timeMatch": "WITHIN"}), []string{"statements", "nodes"}, []string{}},
		{"StatementsAboutOverlapping", `query($f: StatementFilter) { statements(filter: $f, first: 20) { nodes { key } } }`,
			map[string]any{"about": with(map[string]any{"timeMatch": "OVERLAPS"})}, []string{"statements", "nodes"}, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := keys(t, a.data(c.query, map[string]any{"f": c.filter}), c.path...)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("CountsMatchTheList", func(t *testing.T) {
		data := a.data(`{ timeline(filter: {from: "2025-03-06", to: "2025-03-07", timeMatch: OVERLAPS}, first: 2) { totalCount } }`, nil)
		equalJSON(t, data, `{"timeline": {"totalCount": 6}}`)
	})
	t.Run("EventCounts", func(t *testing.T) {
		// A year of months is priced as 12 buckets, not the 5000 an
		// unbounded count may return.
		year := `filter: {from: "2025-01-01", to: "2026-01-01"}, interval: MONTH`
		data := a.data(`{ start: eventCounts(`+year+`) { start count certain fatalities fatalitiesLow fatalitiesHigh intensity }
		  overlaps: eventCounts(`+year+`, timeMatch: OVERLAPS) { start count certain }
		  within: eventCounts(`+year+`, timeMatch: WITHIN) { start count certain }
		  sixth: eventCounts(filter: {from: "2025-03-06", to: "2025-03-07"}, interval: DAY, timeMatch: OVERLAPS) { start count certain } }`, nil)
		equalJSON(t, data, `{
		  "start": [
		    {"start": "2025-02-01T00:00:00Z", "count": 1, "certain": 0, "fatalities": 0, "fatalitiesLow": 0, "fatalitiesHigh": 0, "intensity": null},
		    {"start": "2025-03-01T00:00:00Z", "count": 5, "certain": 5, "fatalities": 0, "fatalitiesLow": 0, "fatalitiesHigh": 0, "intensity": null}],
		  "overlaps": [{"start": "2025-02-01T00:00:00Z", "count": 1, "certain": 0}, {"start": "2025-03-01T00:00:00Z", "count": 6, "certain": 5}],
		  "within": [{"start": "2025-03-01T00:00:00Z", "count": 5, "certain": 5}],
		  "sixth": [{"start": "2025-03-06T00:00:00Z", "count": 5, "certain": 2}]}`)
	})
	t.Run("IntervalThroughMutation", func(t *testing.T) {
		data := a.data(`mutation { upsertEvent(input: {key: "ucdp", type: ATTACK, title: "U", occurredAt: "1989-05-10/1989-05-16"}) {
		  key occurredAt precision when { earliest latest precision } } }`, nil)
		equalJSON(t, data, `{"upsertEvent": {"key": "ucdp", "occurredAt": "1989-05-10T00:00:00Z", "precision": "DAY",
		  "when": {"earliest": "1989-05-10T00:00:00Z", "latest": "1989-05-17T00:00:00Z", "precision": "DAY"}}}`)
	})
	t.Run("BackwardIntervalIsRefused", func(t *testing.T) {
		msg, code := a.errorOf(`mutation { upsertEvent(input: {key: "bad", type: ATTACK, title: "B", occurredAt: "2025-05-10/2025-05-09"}) { key } }`, nil)
		if want := `input.occurredAt: not a date: "2025-05-10/2025-05-09": the interval ends (2025-05-09) before it starts (2025-05-10)`; msg != want || code != "BAD_USER_INPUT" {
			t.Errorf("got %q (%s), want %q (BAD_USER_INPUT)", msg, code, want)
		}
	})
}
