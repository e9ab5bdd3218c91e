package apitest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// demoOrder is the whole demo timeline, oldest first: by instant, then
// precision (coarser first), then key.
var demoOrder = []string{
	// The article dates these only as "in recent weeks" before 8 May: each
	// is the interval from 13 March (DAY), so they tie and sort by key.
	"india-blames-pakistan-based-terror-groups",
	"india-retaliatory-strikes",
	"india-says-pakistan-launched-air-attacks",
	"pahalgam-attack",
	"pakistan-air-attacks-drones-missiles",
	"perdue-swearing-in",                  // 2025-05-07, DAY
	"rubio-calls-deescalation-paraphrase", // 2025-05-08, DAY
	"rubio-jaishankar-call",
	"rubio-jaishankar-call-readout",
	"rubio-sharif-call",
	"rubio-sharif-call-readout-deescalation",
	"rubio-sharif-call-readout-terrorism",
}

const timelineKeys = `query($filter: TimelineFilter, $order: SortOrder, $first: Int, $after: String, $last: Int, $before: String) {
  timeline(filter: $filter, order: $order, first: $first, after: $after, last: $last, before: $before) {
    nodes { __typename ... on Event { key } ... on Statement { key } }
    edges { cursor }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`

type page struct {
	keys      []string
	cursors   []string
	next      bool
	prev      bool
	start     string
	end       string
	total     int
	typenames []string
}

func (a *api) timeline(vars map[string]any) page {
	a.t.Helper()
	data := a.data(timelineKeys, vars)
	var v struct {
		Timeline struct {
			Nodes []struct {
				Typename string `json:"__typename"`
				Key      string `json:"key"`
			}
			Edges    []struct{ Cursor string }
			PageInfo struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
			TotalCount int
		}
	}
	if err := json.Unmarshal(data, &v); err != nil {
		a.t.Fatal(err)
	}
	p := page{next: v.Timeline.PageInfo.HasNextPage, prev: v.Timeline.PageInfo.HasPreviousPage, total: v.Timeline.TotalCount,
		keys: []string{}}
	for _, n := range v.Timeline.Nodes {
		p.keys = append(p.keys, n.Key)
		p.typenames = append(p.typenames, n.Typename)
	}
	for _, e := range v.Timeline.Edges {
		p.cursors = append(p.cursors, e.Cursor)
	}
	if v.Timeline.PageInfo.StartCursor != nil {
		p.start, p.end = *v.Timeline.PageInfo.StartCursor, *v.Timeline.PageInfo.EndCursor
	}
	return p
}

func TestTimelineOrder(t *testing.T) {
	a := newAPI(t)
	t.Run("Ascending", func(t *testing.T) {
		p := a.timeline(map[string]any{"first": 100})
		if !slices.Equal(p.keys, demoOrder) {
			t.Errorf("keys = %q\nwant %q", p.keys, demoOrder)
		}
		wantTypes := []string{"Statement", "Event", "Statement", "Event", "Event", "Event", "Statement", "Event", "Statement", "Event", "Statement", "Statement"}
		if !slices.Equal(p.typenames, wantTypes) {
			t.Errorf("typenames = %q, want %q", p.typenames, wantTypes)
		}
		if p.total != 12 || p.next || p.prev {
			t.Errorf("total %d next %v prev %v, want 12 false false", p.total, p.next, p.prev)
		}
	})
	t.Run("Descending", func(t *testing.T) {
		p := a.timeline(map[string]any{"first": 100, "order": "DESC"})
		want := slices.Clone(demoOrder)
		slices.Reverse(want)
		if !slices.Equal(p.keys, want) {
			t.Errorf("keys = %q\nwant %q", p.keys, want)
		}
	})
	t.Run("DefaultPageIs20", func(t *testing.T) {
		// The demo has 12 items: all fit in the default page.
		if p := a.timeline(nil); len(p.keys) != 12 || p.next {
			t.Errorf("default page: %d items, next %v", len(p.keys), p.next)
		}
	})
}

// A month-precise item sorts before a day-precise one at the same instant,
// and same-day items sort by key, events before statements on equal keys.
func TestTimelineMixedPrecisionAndTies(t *testing.T) {
	a := newAPI(t, `{"version": 1,
	  "events": [
	    {"key": "month-of-may", "type": "OTHER", "title": "Month-precise", "occurredAt": "2025-05"},
	    {"key": "a-first-of-may", "type": "OTHER", "title": "Day-precise", "occurredAt": "2025-05-01"},
	    {"key": "zz-minute", "type": "OTHER", "title": "Minute-precise", "occurredAt": "2025-05-01T00:00Z"},
	    {"key": "same-key", "type": "OTHER", "title": "Event twin", "occurredAt": "2025-05-01"}
	  ],
	  "statements": [
	    {"key": "same-key", "kind": "QUOTE", "speaker": "india", "madeAt": "2025-05-01", "text": "Statement twin"}
	  ]}`)
	p := a.timeline(map[string]any{"first": 100, "filter": map[string]any{"from": "2025-05", "to": "2025-05-02"}})
	want := []string{"month-of-may", "a-first-of-may", "same-key", "same-key", "zz-minute"}
	if !slices.Equal(p.keys, want) {
		t.Fatalf("keys = %q\nwant %q", p.keys, want)
	}
	if got, want := p.typenames[2:4], []string{"Event", "Statement"}; !slices.Equal(got, want) {
		t.Errorf("tie on key: %q, want %q", got, want)
	}
}

func TestTimelineFilters(t *testing.T) {
	a := newAPI(t)
	cases := []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"ActorAsParticipantAndSpeaker", map[string]any{"actors": []string{"marco-rubio"}}, []string{
			"perdue-swearing-in", "rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call", "rubio-jaishankar-call-readout",
			"rubio-sharif-call", "rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		{"ActorAsDeliverer", map[string]any{"actors": []string{"tammy-bruce"}}, []string{
			"rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call-readout",
			"rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		{"ActorAsAddressee", map[string]any{"actors": []string{"shehbaz-sharif"}}, []string{
			"rubio-calls-deescalation-paraphrase", "rubio-sharif-call",
			"rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		{"AnyOfSeveralActors", map[string]any{"actors": []string{"nepal", "david-perdue"}}, []string{
			"pahalgam-attack", "perdue-swearing-in"}},
		{"CountryByLocationOrAffiliation", map[string]any{"countries": []string{"PK"}}, []string{
			"india-retaliatory-strikes", "pahalgam-attack", "pakistan-air-attacks-drones-missiles", "rubio-sharif-call"}},
		{"CountryAlpha3", map[string]any{"countries": []string{"PAK"}}, []string{
			"india-retaliatory-strikes", "pahalgam-attack", "pakistan-air-attacks-drones-missiles", "rubio-sharif-call"}},
		{"CountryOfStatementSpeaker", map[string]any{"countries": []string{"IN"}, "include": []string{"STATEMENT"}}, []string{
			"india-blames-pakistan-based-terror-groups", "india-says-pakistan-launched-air-attacks"}},
		{"EventTypesKeepStatements", map[string]any{"eventTypes": []string{"CALL"}}, []string{
			"india-blames-pakistan-based-terror-groups", "india-says-pakistan-launched-air-attacks",
			"rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call", "rubio-jaishankar-call-readout",
			"rubio-sharif-call", "rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		{"EventTypesEventsOnly", map[string]any{"eventTypes": []string{"ATTACK", "CEREMONY"}, "include": []string{"EVENT"}}, []string{
			"pahalgam-attack", "pakistan-air-attacks-drones-missiles", "perdue-swearing-in"}},
		{"IncludeStatements", map[string]any{"include": []string{"STATEMENT"}}, []string{
			"india-blames-pakistan-based-terror-groups", "india-says-pakistan-launched-air-attacks",
			"rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call-readout",
			"rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		// [from, to) is half-open: 2025-05-07T00:00Z is in, 2025-05-08T00:00Z is out.
		{"TimeWindowHalfOpen", map[string]any{"from": "2025-05-07", "to": "2025-05-08"}, []string{"perdue-swearing-in"}},
		{"TimeWindowMonth", map[string]any{"from": "2025-05", "to": "2025-05-08T00:00:00Z"}, []string{"perdue-swearing-in"}},
		// What may have been under way in early May: the undated items
		// too, whose intervals run to 7 or 8 May.
		{"TimeWindowMonthOverlaps", map[string]any{"from": "2025-05", "to": "2025-05-08T00:00:00Z", "timeMatch": "OVERLAPS"}, []string{
			"india-blames-pakistan-based-terror-groups", "india-retaliatory-strikes", "india-says-pakistan-launched-air-attacks",
			"pahalgam-attack", "pakistan-air-attacks-drones-missiles", "perdue-swearing-in"}},
		{"TimeWindowMonthWithin", map[string]any{"from": "2025-05", "to": "2025-05-09T00:00:00Z", "timeMatch": "WITHIN"}, []string{
			"perdue-swearing-in", "rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call", "rubio-jaishankar-call-readout",
			"rubio-sharif-call", "rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		{"Combined", map[string]any{"actors": []string{"marco-rubio"}, "countries": []string{"PK"}, "include": []string{"EVENT"}},
			[]string{"rubio-sharif-call"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := a.timeline(map[string]any{"first": 100, "filter": c.filter})
			if !slices.Equal(p.keys, c.want) {
				t.Errorf("keys = %q\nwant %q", p.keys, c.want)
			}
			if p.total != len(c.want) {
				t.Errorf("totalCount = %d, want %d", p.total, len(c.want))
			}
		})
	}
}

func TestEventsFilterRoles(t *testing.T) {
	a := newAPI(t)
	q := `query($f: EventFilter) { events(filter: $f, first: 100) { nodes { key } totalCount } }`
	cases := []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"VictimRole", map[string]any{"actors": []string{"india"}, "roles": []string{"VICTIM"}}, []string{"pahalgam-attack"}},
		{"InitiatorRole", map[string]any{"actors": []string{"india"}, "roles": []string{"INITIATOR"}}, []string{"india-retaliatory-strikes"}},
		{"AnyRole", map[string]any{"actors": []string{"india"}}, []string{"india-retaliatory-strikes", "pahalgam-attack", "pakistan-air-attacks-drones-missiles"}},
		{"RoleAlone", map[string]any{"roles": []string{"TARGET"}}, []string{"india-retaliatory-strikes", "pakistan-air-attacks-drones-missiles"}},
		{"Type", map[string]any{"eventTypes": []string{"STRIKE"}}, []string{"india-retaliatory-strikes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := a.data(q, map[string]any{"f": c.filter})
			if got := keys(t, data, "events", "nodes"); !slices.Equal(got, c.want) {
				t.Errorf("keys = %q, want %q", got, c.want)
			}
		})
	}
}

func TestTimelinePaging(t *testing.T) {
	a := newAPI(t)
	t.Run("ForwardAcrossPages", func(t *testing.T) {
		var seen []string
		var after any
		for i, want := range []struct {
			n          int
			next, prev bool
		}{{5, true, false}, {5, true, true}, {2, false, true}} {
			p := a.timeline(map[string]any{"first": 5, "after": after})
			if len(p.keys) != want.n || p.next != want.next || p.prev != want.prev || p.total != 12 {
				t.Fatalf("page %d: %d items next %v prev %v total %d; want %+v", i, len(p.keys), p.next, p.prev, p.total, want)
			}
			if p.start != p.cursors[0] || p.end != p.cursors[len(p.cursors)-1] {
				t.Fatalf("page %d: start/end cursors do not match the edges", i)
			}
			seen = append(seen, p.keys...)
			after = p.end
		}
		if !slices.Equal(seen, demoOrder) {
			t.Errorf("pages = %q\nwant %q", seen, demoOrder)
		}
	})
	t.Run("BackwardAcrossPages", func(t *testing.T) {
		var seen []string
		var before any
		for i, want := range []struct {
			n          int
			next, prev bool
		}{{5, false, true}, {5, true, true}, {2, true, false}} {
			p := a.timeline(map[string]any{"last": 5, "before": before})
			if len(p.keys) != want.n || p.next != want.next || p.prev != want.prev {
				t.Fatalf("page %d: %d items next %v prev %v; want %+v", i, len(p.keys), p.next, p.prev, want)
			}
			seen = append(slices.Clone(p.keys), seen...)
			before = p.start
		}
		if !slices.Equal(seen, demoOrder) {
			t.Errorf("pages = %q\nwant %q", seen, demoOrder)
		}
	})
	t.Run("DescendingPages", func(t *testing.T) {
		p1 := a.timeline(map[string]any{"first": 3, "order": "DESC"})
		p2 := a.timeline(map[string]any{"first": 3, "order": "DESC", "after": p1.end})
		got := append(p1.keys, p2.keys...)
		want := []string{"rubio-sharif-call-readout-terrorism", "rubio-sharif-call-readout-deescalation", "rubio-sharif-call",
			"rubio-jaishankar-call-readout", "rubio-jaishankar-call", "rubio-calls-deescalation-paraphrase"}
		if !slices.Equal(got, want) {
			t.Errorf("keys = %q\nwant %q", got, want)
		}
	})
	t.Run("EmptyPage", func(t *testing.T) {
		p := a.timeline(map[string]any{"first": 0})
		if len(p.keys) != 0 || !p.next || p.start != "" || p.total != 12 {
			t.Errorf("first 0: %+v", p)
		}
	})
	t.Run("CursorSurvivesInserts", func(t *testing.T) {
		b := newAPI(t)
		p1 := b.timeline(map[string]any{"first": 6})
		// Add an item before the cursor and one after it.
		set := `{"version": 1, "events": [
		  {"key": "early", "type": "OTHER", "title": "Before everything", "occurredAt": "2024"},
		  {"key": "late", "type": "OTHER", "title": "After everything", "occurredAt": "2026"}]}`
		loadInto(t, b, set)
		p2 := b.timeline(map[string]any{"first": 100, "after": p1.end})
		want := append(slices.Clone(demoOrder[6:]), "late")
		if !slices.Equal(p2.keys, want) {
			t.Errorf("after old cursor: %q\nwant %q", p2.keys, want)
		}
	})
}

func TestPagingErrors(t *testing.T) {
	a := newAPI(t)
	cases := []struct {
		name string
		vars map[string]any
		msg  string
	}{
		{"FirstTooLarge", map[string]any{"first": 101}, "first must be between 0 and 100, not 101"},
		{"LastNegative", map[string]any{"last": -1}, "last must be between 0 and 100, not -1"},
		{"FirstAndLast", map[string]any{"first": 1, "last": 1}, "give first or last, not both"},
		{"BadCursor", map[string]any{"after": "nonsense"}, `after: "nonsense" is not a cursor of this list`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, code := a.errorOf(timelineKeys, c.vars)
			if msg != c.msg || code != "BAD_USER_INPUT" {
				t.Errorf("error = %q (%s), want %q (BAD_USER_INPUT)", msg, code, c.msg)
			}
		})
	}
	t.Run("CursorOfAnotherList", func(t *testing.T) {
		data := a.data(`{ actors(first: 1) { pageInfo { endCursor } } }`, nil)
		var v struct {
			Actors struct{ PageInfo struct{ EndCursor string } }
		}
		json.Unmarshal(data, &v)
		msg, code := a.errorOf(timelineKeys, map[string]any{"after": v.Actors.PageInfo.EndCursor})
		if !strings.HasSuffix(msg, "is not a cursor of this list") || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
	t.Run("BadCountryCode", func(t *testing.T) {
		msg, code := a.errorOf(timelineKeys, map[string]any{"filter": map[string]any{"countries": []string{"India"}}})
		if msg != `filter.countries: "India" is not an ISO 3166-1 alpha-2 or alpha-3 country code: did you mean "IN"?` || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
}

// A filter value that names nothing is an error that names it, with the
// values meant where they can be guessed, in every list and count that
// takes the filter; never an empty answer.
func TestUnknownFilterValues(t *testing.T) {
	a := newAPI(t)
	for _, tt := range []struct {
		name, query, want string
	}{
		{"TimelineActor", `{ timeline(filter: {actors: ["marco-rubi"]}) { totalCount } }`,
			`unknown actor "marco-rubi": did you mean "marco-rubio"?`},
		{"TimelineActorByName", `{ timeline(filter: {actors: ["Marco Rubio"]}) { nodes { __typename } } }`,
			`unknown actor "Marco Rubio": did you mean "marco-rubio"?`},
		{"EventsCountry", `{ events(filter: {countries: ["UK"]}) { totalCount } }`,
			`unknown country "UK": did you mean "GB"?`},
		{"EventsCountryFIFA", `{ events(filter: {countries: ["KSA"]}) { totalCount } }`,
			`filter.countries: "KSA" is not an ISO 3166-1 alpha-2 or alpha-3 country code: did you mean "SA"?`},
		{"StatementsCountryLowerCase", `{ statements(filter: {countries: ["uk"]}) { totalCount } }`,
			`filter.countries: "uk" is not an ISO 3166-1 alpha-2 or alpha-3 country code: did you mean "GB"?`},
		{"StatementsActor", `{ statements(filter: {actors: ["india", "pakistn"]}) { totalCount } }`,
			`unknown actor "pakistn": did you mean "pakistan"?`},
		{"EventCounts", `{ eventCounts(interval: MONTH, filter: {actors: ["nobody"]}) { count } }`,
			`unknown actor "nobody"`},
		{"ActorsCountry", `{ actors(filter: {countries: ["ZZ"]}) { totalCount } }`,
			`unknown country "ZZ"`},
		// Tags and codes are labels, not records: one that no event
		// carries names nothing too.
		{"TimelineTag", `{ timeline(filter: {tags: ["india-pakistan", "terorism"]}) { totalCount } }`,
			`no event has the tag "terorism": did you mean "terrorism"?`},
		{"EventCountsTag", `{ eventCounts(interval: YEAR, filter: {tags: ["Kashmir"]}) { count } }`,
			`no event has the tag "Kashmir"`},
		{"EventsCodeScheme", `{ events(filter: {codes: ["PLOVR:ASSAULT"]}) { totalCount } }`,
			`no event has a code of the scheme "PLOVR" (in "PLOVR:ASSAULT"): did you mean "PLOVER:ASSAULT"?`},
		{"StatementsAboutCode", `{ statements(filter: {about: {codes: ["CAMEO:05*"]}}) { totalCount } }`,
			`no event has a code matching "CAMEO:05*"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg, code := a.errorOf(tt.query, nil)
			if msg != tt.want || code != "BAD_USER_INPUT" {
				t.Errorf("error = %q (%s), want %q (BAD_USER_INPUT)", msg, code, tt.want)
			}
		})
	}
}

// sourcesFixture adds two sources to the demo, cited by events and a
// statement whose answers are known by construction.
const sourcesFixture = `{"version": 1,
  "sources": [{"key": "reuters-2025", "title": "Reuters"}, {"key": "ap-2025", "title": "AP"}],
  "events": [
    {"key": "src-a", "type": "MEETING", "title": "A", "occurredAt": "2025-06-01", "sources": ["reuters-2025"],
     "participants": [{"actor": "pakistan", "role": "PARTICIPANT"}]},
    {"key": "src-ab", "type": "CALL", "title": "AB", "occurredAt": "2025-06-02", "sources": ["ap-2025", "reuters-2025"],
     "participants": [{"actor": "india", "role": "PARTICIPANT"}]},
    {"key": "src-none", "type": "CALL", "title": "None", "occurredAt": "2025-06-03",
     "participants": [{"actor": "india", "role": "PARTICIPANT"}]}],
  "statements": [
    {"key": "src-st", "kind": "QUOTE", "speaker": "india", "madeAt": "2025-06-04", "text": "T", "sources": ["ap-2025"]}]}`

// The sources filter keeps what cites any of the sources; Source.events and
// Source.statements list what cites one; an unknown source is an error.
func TestSourcesFilter(t *testing.T) {
	a := newAPI(t, sourcesFixture)
	keysOf := func(q string, path ...string) []string {
		t.Helper()
		return keys(t, a.data(q, nil), path...)
	}
	for _, tt := range []struct {
		name, query string
		path        []string
		want        []string
	}{
		{"Timeline", `{ timeline(filter: {sources: ["reuters-2025"]}) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			[]string{"timeline", "nodes"}, []string{"src-a", "src-ab"}},
		{"TimelineAnyOf", `{ timeline(filter: {sources: ["reuters-2025", "ap-2025"]}) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			[]string{"timeline", "nodes"}, []string{"src-a", "src-ab", "src-st"}},
		{"TimelineWithActor", `{ timeline(filter: {sources: ["reuters-2025", "ap-2025"], actors: ["india"]}) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			[]string{"timeline", "nodes"}, []string{"src-ab", "src-st"}},
		{"EventsWithCountry", `{ events(filter: {sources: ["reuters-2025"], countries: ["PK"]}) { nodes { key } } }`,
			[]string{"events", "nodes"}, []string{"src-a"}},
		{"SourceEvents", `{ source(key: "reuters-2025") { events { nodes { key } } } }`,
			[]string{"source", "events", "nodes"}, []string{"src-a", "src-ab"}},
		{"SourceEventsFiltered", `{ source(key: "reuters-2025") { events(filter: {actors: ["india"]}) { nodes { key } } } }`,
			[]string{"source", "events", "nodes"}, []string{"src-ab"}},
		{"SourceStatements", `{ source(key: "ap-2025") { statements { nodes { key } } } }`,
			[]string{"source", "statements", "nodes"}, []string{"src-st"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := keysOf(tt.query, tt.path...); !slices.Equal(got, tt.want) {
				t.Errorf("keys = %q, want %q", got, tt.want)
			}
		})
	}
	equalJSON(t, a.data(`{ timeline(filter: {sources: ["ap-2025"]}) { totalCount } eventCounts(interval: YEAR, filter: {sources: ["reuters-2025"]}) { count } }`, nil),
		`{"timeline": {"totalCount": 2}, "eventCounts": [{"count": 2}]}`)
	for _, tt := range []struct{ query, want string }{
		{`{ timeline(filter: {sources: ["reuters-2052"]}) { totalCount } }`, `unknown source "reuters-2052": did you mean "reuters-2025"?`},
		{`{ source(key: "ap-2025") { events(filter: {sources: ["ap-2025"]}) { totalCount } } }`,
			`filter.sources: the events are this source's; list other sources in events(filter:) instead`},
	} {
		if msg, code := a.errorOf(tt.query, nil); msg != tt.want || code != "BAD_USER_INPUT" {
			t.Errorf("%s: %q (%s), want %q", tt.query, msg, code, tt.want)
		}
	}
}

// Tags restrict events, statement kinds and stances restrict statements;
// each leaves the other kind of item alone on the timeline.
func TestTagKindAndStanceFilters(t *testing.T) {
	a := newAPI(t)
	items := `nodes { ... on Event { key } ... on Statement { key } }`
	for _, tt := range []struct {
		name, query string
		path        []string
		want        []string
	}{
		{"EventsByTag", `{ events(filter: {tags: ["military", "ambassador"]}) { nodes { key } } }`, []string{"events", "nodes"},
			[]string{"india-retaliatory-strikes", "pakistan-air-attacks-drones-missiles", "perdue-swearing-in"}},
		{"TimelineTagKeepsStatements", `{ timeline(filter: {tags: ["terrorism"], include: [EVENT]}) { ` + items + ` } }`, []string{"timeline", "nodes"},
			[]string{"pahalgam-attack"}},
		{"StatementsByKind", `{ statements(filter: {statementKinds: [OTHER]}) { nodes { key } } }`, []string{"statements", "nodes"},
			[]string{"india-blames-pakistan-based-terror-groups", "india-says-pakistan-launched-air-attacks", "rubio-calls-deescalation-paraphrase"}},
		{"StatementsByStance", `{ statements(filter: {stances: [CONDOLENCE]}) { nodes { key } } }`, []string{"statements", "nodes"},
			[]string{"rubio-jaishankar-call-readout", "rubio-sharif-call-readout-terrorism"}},
		{"StatementsByKindAndStance", `{ statements(filter: {statementKinds: [READOUT], stances: [CALL_FOR_DEESCALATION]}) { nodes { key } } }`, []string{"statements", "nodes"},
			[]string{"rubio-sharif-call-readout-deescalation"}},
		{"TimelineStanceKeepsEvents", `{ timeline(filter: {stances: [ACCUSATION], from: "2025-05-07", to: "2025-05-09"}) { ` + items + ` } }`, []string{"timeline", "nodes"},
			[]string{"perdue-swearing-in", "rubio-jaishankar-call", "rubio-sharif-call"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := keys(t, a.data(tt.query, nil), tt.path...); !slices.Equal(got, tt.want) {
				t.Errorf("keys = %q, want %q", got, tt.want)
			}
		})
	}
	// eventCounts by a tag reads the events: the kept counts know no tags.
	equalJSON(t, a.data(`{ eventCounts(interval: YEAR, filter: {tags: ["diplomacy"]}) { count } }`, nil), `{"eventCounts": [{"count": 3}]}`)
}

// about keeps the statements about at least one event its filter keeps:
// "statements by Rubio about strikes".
func TestAboutFilter(t *testing.T) {
	a := newAPI(t)
	for _, tt := range []struct {
		name, query string
		path        []string
		want        []string
	}{
		{"AboutAttacks", `{ statements(filter: {about: {eventTypes: [ATTACK]}}) { nodes { key } } }`, []string{"statements", "nodes"},
			[]string{"india-blames-pakistan-based-terror-groups", "india-says-pakistan-launched-air-attacks", "rubio-jaishankar-call-readout"}},
		{"ByRubioAboutStrikes", `{ statements(filter: {actors: ["marco-rubio"], about: {eventTypes: [STRIKE]}}) { nodes { key } } }`, []string{"statements", "nodes"},
			[]string{"rubio-sharif-call-readout-terrorism"}},
		{"AboutEventsOfAnActor", `{ statements(filter: {about: {actors: ["shehbaz-sharif"]}}) { nodes { key } } }`, []string{"statements", "nodes"},
			[]string{"rubio-calls-deescalation-paraphrase", "rubio-sharif-call-readout-deescalation", "rubio-sharif-call-readout-terrorism"}},
		{"TimelineKeepsEvents", `{ timeline(filter: {about: {eventTypes: [STRIKE]}, from: "2025-05-08", to: "2025-05-09"}) { nodes { ... on Event { key } ... on Statement { key } } } }`,
			[]string{"timeline", "nodes"}, []string{"rubio-jaishankar-call", "rubio-sharif-call", "rubio-sharif-call-readout-terrorism"}},
		{"AboutNothing", `{ statements(filter: {about: {eventTypes: [SANCTION]}}) { nodes { key } } }`, []string{"statements", "nodes"}, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := keys(t, a.data(tt.query, nil), tt.path...); !slices.Equal(got, tt.want) {
				t.Errorf("keys = %q, want %q", got, tt.want)
			}
		})
	}
	// The inner filter's values are checked like any other.
	msg, code := a.errorOf(`{ statements(filter: {about: {actors: ["sharif"]}}) { totalCount } }`, nil)
	if want := `unknown actor "sharif"`; code != "BAD_USER_INPUT" || msg != want {
		t.Errorf("about with an unknown actor: %q (%s), want %q", msg, code, want)
	}
}

// The event types of the real-data additions load, filter and count like
// the others, the kept counts included.
func TestRealDataEventTypes(t *testing.T) {
	a := newAPI(t, `{"version": 1, "events": [
	  {"key": "plover-1", "type": "COERCION", "title": "Arrests", "occurredAt": "2025-06-01", "participants": [{"actor": "india", "role": "INITIATOR"}]},
	  {"key": "plover-2", "type": "ACCUSATION", "title": "Accused", "occurredAt": "2025-06-02", "participants": [{"actor": "pakistan", "role": "INITIATOR"}]}]}`)
	equalJSON(t, a.data(`{ events(filter: {eventTypes: [COERCION, ACCUSATION]}) { nodes { key type } }
	  eventCounts(interval: YEAR, groupBy: TYPE, filter: {eventTypes: [ACCUSATION, COERCION]}) { key count } }`, nil),
		`{"events": {"nodes": [{"key": "plover-1", "type": "COERCION"}, {"key": "plover-2", "type": "ACCUSATION"}]},
		  "eventCounts": [{"key": "ACCUSATION", "count": 1}, {"key": "COERCION", "count": 1}]}`)
}
