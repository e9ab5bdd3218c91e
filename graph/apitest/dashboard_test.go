package apitest

import "testing"

func TestCounterparts(t *testing.T) {
	a := newAPI(t)
	t.Run("TiesByKey", func(t *testing.T) {
		equalJSON(t, a.data(`{ actor(key: "marco-rubio") { counterparts { actor { key } sharedEvents lastInteraction } } }`, nil),
			`{"actor": {"counterparts": [
			  {"actor": {"key": "david-perdue"}, "sharedEvents": 1, "lastInteraction": "2025-05-07T00:00:00Z"},
			  {"actor": {"key": "donald-trump"}, "sharedEvents": 1, "lastInteraction": "2025-05-07T00:00:00Z"},
			  {"actor": {"key": "s-jaishankar"}, "sharedEvents": 1, "lastInteraction": "2025-05-08T00:00:00Z"},
			  {"actor": {"key": "shehbaz-sharif"}, "sharedEvents": 1, "lastInteraction": "2025-05-08T00:00:00Z"}]}}`)
	})
	t.Run("MostSharedFirst", func(t *testing.T) {
		equalJSON(t, a.data(`{ actor(key: "india") { counterparts(first: 2) { actor { key } sharedEvents lastInteraction } } }`, nil),
			`{"actor": {"counterparts": [
			  {"actor": {"key": "pakistan"}, "sharedEvents": 2, "lastInteraction": "2025-03-13T00:00:00Z"},
			  {"actor": {"key": "indian-armed-forces"}, "sharedEvents": 1, "lastInteraction": "2025-03-13T00:00:00Z"}]}}`)
	})
	t.Run("TimeWindowIsHalfOpen", func(t *testing.T) {
		// India's three events start at 2025-03-13T00:00Z (their
		// intervals' start): "to" excludes them, "from" includes them.
		equalJSON(t, a.data(`{ actor(key: "india") { counterparts(to: "2025-03-13") { actor { key } sharedEvents } } }`, nil),
			`{"actor": {"counterparts": []}}`)
		equalJSON(t, a.data(`{ actor(key: "india") { counterparts(from: "2025-03-13", to: "2025-03-14") { actor { key } sharedEvents } } }`, nil),
			`{"actor": {"counterparts": [
			  {"actor": {"key": "pakistan"}, "sharedEvents": 2},
			  {"actor": {"key": "indian-armed-forces"}, "sharedEvents": 1},
			  {"actor": {"key": "nepal"}, "sharedEvents": 1},
			  {"actor": {"key": "pakistan-armed-forces"}, "sharedEvents": 1},
			  {"actor": {"key": "pakistan-based-terror-groups"}, "sharedEvents": 1}]}}`)
	})
	t.Run("ForAListOfActors", func(t *testing.T) {
		equalJSON(t, a.data(`{ actors(filter: {kinds: [MILITARY]}) { nodes { key counterparts { actor { key } } } } }`, nil),
			`{"actors": {"nodes": [
			  {"key": "indian-armed-forces", "counterparts": [{"actor": {"key": "india"}}, {"actor": {"key": "pakistan"}}]},
			  {"key": "pakistan-armed-forces", "counterparts": [{"actor": {"key": "india"}}, {"actor": {"key": "pakistan"}}]}]}}`)
	})
	t.Run("FirstOutOfRange", func(t *testing.T) {
		msg, code := a.errorOf(`{ actor(key: "india") { counterparts(first: 101) { sharedEvents } } }`, nil)
		if msg != "first must be between 0 and 100, not 101" || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
}

func TestEventCounts(t *testing.T) {
	a := newAPI(t)
	cases := []struct {
		name, args, want string
	}{
		// The three undated events start on 13 March (their intervals').
		{"MonthNone", `interval: MONTH`, `[
		  {"start": "2025-03-01T00:00:00Z", "key": null, "count": 3, "fatalities": 26},
		  {"start": "2025-05-01T00:00:00Z", "key": null, "count": 3, "fatalities": 0}]`},
		{"MonthByType", `interval: MONTH, groupBy: TYPE`, `[
		  {"start": "2025-03-01T00:00:00Z", "key": "ATTACK", "count": 2, "fatalities": 26},
		  {"start": "2025-03-01T00:00:00Z", "key": "STRIKE", "count": 1, "fatalities": 0},
		  {"start": "2025-05-01T00:00:00Z", "key": "CALL", "count": 2, "fatalities": 0},
		  {"start": "2025-05-01T00:00:00Z", "key": "CEREMONY", "count": 1, "fatalities": 0}]`},
		// ISO weeks start on Monday: Thursday 13 March is in the week of Monday 10 March.
		{"WeekStartsMonday", `interval: WEEK`, `[
		  {"start": "2025-03-10T00:00:00Z", "key": null, "count": 3, "fatalities": 26},
		  {"start": "2025-05-05T00:00:00Z", "key": null, "count": 3, "fatalities": 0}]`},
		// Each of them may have happened in March, April or early May.
		{"MonthOverlaps", `interval: MONTH, timeMatch: OVERLAPS`, `[
		  {"start": "2025-03-01T00:00:00Z", "key": null, "count": 3, "fatalities": 26},
		  {"start": "2025-04-01T00:00:00Z", "key": null, "count": 3, "fatalities": 26},
		  {"start": "2025-05-01T00:00:00Z", "key": null, "count": 6, "fatalities": 26}]`},
		{"MonthWithin", `interval: MONTH, timeMatch: WITHIN`, `[
		  {"start": "2025-05-01T00:00:00Z", "key": null, "count": 3, "fatalities": 0}]`},
		{"YearByCountry", `interval: YEAR, groupBy: COUNTRY`, `[
		  {"start": "2025-01-01T00:00:00Z", "key": null, "count": 2, "fatalities": 0},
		  {"start": "2025-01-01T00:00:00Z", "key": "IN", "count": 2, "fatalities": 26},
		  {"start": "2025-01-01T00:00:00Z", "key": "PK", "count": 1, "fatalities": 0},
		  {"start": "2025-01-01T00:00:00Z", "key": "US", "count": 1, "fatalities": 0}]`},
		{"DayFiltered", `interval: DAY, filter: {eventTypes: [CALL, CEREMONY], from: "2025-05-07", to: "2025-05-08"}`, `[
		  {"start": "2025-05-07T00:00:00Z", "key": null, "count": 1, "fatalities": 0}]`},
		{"Empty", `interval: DAY, filter: {actors: ["india"], from: "2030-01-01"}`, `[]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			equalJSON(t, a.data(`{ eventCounts(`+c.args+`) { start key count fatalities } }`, nil), `{"eventCounts": `+c.want+`}`)
		})
	}
}

// A bucket's certain count and fatality range: the attack's 26 dead are
// also the article's estimate, so its range is 26–26.
func TestEventCountsCertainAndRanges(t *testing.T) {
	a := newAPI(t)
	equalJSON(t, a.data(`{ eventCounts(interval: MONTH) { start count certain fatalitiesLow fatalitiesHigh intensity } }`, nil),
		`{"eventCounts": [
		  {"start": "2025-03-01T00:00:00Z", "count": 3, "certain": 0, "fatalitiesLow": 26, "fatalitiesHigh": 26, "intensity": null},
		  {"start": "2025-05-01T00:00:00Z", "count": 3, "certain": 3, "fatalitiesLow": 0, "fatalitiesHigh": 0, "intensity": null}]}`)
}

// groupBy ACTOR counts an event once for each actor taking part in it.
func TestEventCountsByActor(t *testing.T) {
	a := newAPI(t)
	equalJSON(t, a.data(`{ eventCounts(interval: YEAR, groupBy: ACTOR, filter: {eventTypes: [ATTACK]}) { start key count fatalities } }`, nil),
		`{"eventCounts": [
		  {"start": "2025-01-01T00:00:00Z", "key": "india", "count": 2, "fatalities": 26},
		  {"start": "2025-01-01T00:00:00Z", "key": "nepal", "count": 1, "fatalities": 26},
		  {"start": "2025-01-01T00:00:00Z", "key": "pakistan", "count": 1, "fatalities": 0},
		  {"start": "2025-01-01T00:00:00Z", "key": "pakistan-armed-forces", "count": 1, "fatalities": 0},
		  {"start": "2025-01-01T00:00:00Z", "key": "pakistan-based-terror-groups", "count": 1, "fatalities": 26}]}`)
	// With an actor filter, the co-participants of its events are counted too.
	equalJSON(t, a.data(`{ eventCounts(interval: YEAR, groupBy: ACTOR, filter: {actors: ["nepal"]}) { key count } }`, nil),
		`{"eventCounts": [{"key": "india", "count": 1}, {"key": "nepal", "count": 1}, {"key": "pakistan-based-terror-groups", "count": 1}]}`)
}
