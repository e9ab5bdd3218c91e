package apitest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// realData adds to the demo data events coded CAMEO 190, 193, 1951 and 20
// and PLOVER ASSAULT, with intensities and estimates, and a joint
// statement of rd-alpha with rd-beta as co-speaker.
const realData = `{"version": 1,
  "sources": [{"key": "rd-ucdp", "title": "UCDP GED"}, {"key": "rd-acled"}],
  "actors": [{"key": "rd-alpha", "name": "Alpha", "kind": "STATE"}, {"key": "rd-beta", "name": "Beta", "kind": "STATE"}],
  "events": [
    {"key": "rd-190", "type": "ATTACK", "title": "Force", "occurredAt": "2030-01-01",
      "codes": [{"scheme": "CAMEO", "code": "190", "label": "Use conventional military force"}],
      "intensity": -10, "participants": [{"actor": "rd-alpha", "role": "INITIATOR", "as": "forces of Alpha"}, {"actor": "rd-beta", "role": "TARGET"}]},
    {"key": "rd-193", "type": "ATTACK", "title": "Small arms", "occurredAt": "2030-01-02",
      "codes": [{"scheme": "CAMEO", "code": "193"}, {"scheme": "PLOVER", "code": "ASSAULT"}]},
    {"key": "rd-1951", "type": "STRIKE", "title": "Air strike", "occurredAt": "2030-01-03", "fatalities": 12,
      "codes": [{"scheme": "CAMEO", "code": "1951"}], "intensity": -9.5,
      "estimates": [{"measure": "FATALITIES", "low": 10, "best": 12, "high": 20, "source": "rd-ucdp", "note": "UCDP low/best/high"},
        {"measure": "INJURED", "best": 30, "source": "rd-acled"}, {"measure": "FATALITIES", "high": 25}]},
    {"key": "rd-20", "type": "ATTACK", "title": "Mass violence", "occurredAt": "2030-01-04", "codes": [{"scheme": "CAMEO", "code": "20"}]},
    {"key": "rd-plover", "type": "ATTACK", "title": "Assault", "occurredAt": "2030-01-05", "codes": [{"scheme": "PLOVER", "code": "ASSAULT"}]}
  ],
  "statements": [
    {"key": "rd-joint", "kind": "PRESS_RELEASE", "speaker": "rd-alpha", "coSpeakers": ["rd-beta"], "madeAt": "2030-01-06",
      "text": "A joint statement."}
  ]}`

func TestRealDataFields(t *testing.T) {
	a := newAPI(t, realData)
	equalJSON(t, a.data(`{ event(key: "rd-1951") { codes { scheme code label } intensity
	    all: estimates { measure low best high source { key title } note }
	    fatalities: estimates(measure: FATALITIES) { low best high }
	    injured: estimates(measure: INJURED) { best source { key } } }
	  other: event(key: "rd-190") { codes { scheme code label } intensity participants { actor { key } role as } estimates { measure } }
	  plain: event(key: "rd-20") { intensity estimates { measure } }
	  statement(key: "rd-joint") { speaker { key } coSpeakers { key name } } }`, nil), `{
	  "event": {"codes": [{"scheme": "CAMEO", "code": "1951", "label": null}], "intensity": -9.5,
	    "all": [{"measure": "FATALITIES", "low": 10, "best": 12, "high": 20, "source": {"key": "rd-ucdp", "title": "UCDP GED"}, "note": "UCDP low/best/high"},
	      {"measure": "INJURED", "low": null, "best": 30, "high": null, "source": {"key": "rd-acled", "title": null}, "note": null},
	      {"measure": "FATALITIES", "low": null, "best": null, "high": 25, "source": null, "note": null}],
	    "fatalities": [{"low": 10, "best": 12, "high": 20}, {"low": null, "best": null, "high": 25}],
	    "injured": [{"best": 30, "source": {"key": "rd-acled"}}]},
	  "other": {"codes": [{"scheme": "CAMEO", "code": "190", "label": "Use conventional military force"}], "intensity": -10,
	    "participants": [{"actor": {"key": "rd-alpha"}, "role": "INITIATOR", "as": "forces of Alpha"}, {"actor": {"key": "rd-beta"}, "role": "TARGET", "as": null}],
	    "estimates": []},
	  "plain": {"intensity": null, "estimates": []},
	  "statement": {"speaker": {"key": "rd-alpha"}, "coSpeakers": [{"key": "rd-beta", "name": "Beta"}]}}`)
}

func TestCodesFilterAPI(t *testing.T) {
	a := newAPI(t, realData)
	events := `query($codes: [String!]) { events(filter: {codes: $codes, from: "2030-01-01T00:00:00Z"}, first: 100) { totalCount nodes { key } } }`
	timeline := `query($codes: [String!]) { timeline(filter: {codes: $codes, from: "2030-01-01T00:00:00Z"}, first: 100) {
	  totalCount nodes { ... on Event { key } ... on Statement { key } } } }`
	for _, tt := range []struct {
		codes      []string
		events, tl []string
	}{
		{[]string{"CAMEO:19*"}, []string{"rd-190", "rd-193", "rd-1951"}, []string{"rd-190", "rd-193", "rd-1951", "rd-joint"}},
		{[]string{"CAMEO:190"}, []string{"rd-190"}, []string{"rd-190", "rd-joint"}},
		{[]string{"PLOVER:ASSAULT"}, []string{"rd-193", "rd-plover"}, []string{"rd-193", "rd-plover", "rd-joint"}},
		{[]string{"CAMEO:2*", "PLOVER:ASSAULT"}, []string{"rd-193", "rd-20", "rd-plover"}, []string{"rd-193", "rd-20", "rd-plover", "rd-joint"}},
		// Every code of a scheme: the events a dataset coded.
		{[]string{"CAMEO:*"}, []string{"rd-190", "rd-193", "rd-1951", "rd-20"}, []string{"rd-190", "rd-193", "rd-1951", "rd-20", "rd-joint"}},
	} {
		vars := map[string]any{"codes": tt.codes}
		if got := keys(t, a.data(events, vars), "events", "nodes"); !slices.Equal(got, tt.events) {
			t.Errorf("events(codes: %q) = %q, want %q", tt.codes, got, tt.events)
		}
		if got := keys(t, a.data(timeline, vars), "timeline", "nodes"); !slices.Equal(got, tt.tl) {
			t.Errorf("timeline(codes: %q) = %q, want %q", tt.codes, got, tt.tl)
		}
	}
	for _, tt := range []struct{ value, msg string }{
		{"CAMEO:19", `no event has a code matching "CAMEO:19": did you mean "CAMEO:190", "CAMEO:193" or "CAMEO:195"?`},
		{"CAMEO", `filter.codes[0]: invalid code "CAMEO": want "SCHEME:CODE" or "SCHEME:PREFIX*"`},
		{"cameo:19*", `filter.codes[0]: invalid code "cameo:19*": the scheme must be 1 to 16 characters of A-Z 0-9 _`},
		{"CAMEO:1*9", `filter.codes[0]: invalid code "CAMEO:1*9": "*" may only end the code, for a prefix`},
		{"CAMEO:", `filter.codes[0]: invalid code "CAMEO:": the code must not be empty (SCHEME:* is every code of a scheme)`},
	} {
		msg, code := a.errorOf(events, map[string]any{"codes": []string{tt.value}})
		if msg != tt.msg || code != "BAD_USER_INPUT" {
			t.Errorf("codes %q: %s (%s), want %s (BAD_USER_INPUT)", tt.value, msg, code, tt.msg)
		}
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = "CAMEO:190"
	}
	if msg, code := a.errorOf(events, map[string]any{"codes": many}); msg != "filter.codes has 1001 values, more than the limit of 1000" || code != "BAD_USER_INPUT" {
		t.Errorf("1001 codes: %s (%s)", msg, code)
	}
}

func TestCoSpeakersAPI(t *testing.T) {
	a := newAPI(t, realData)
	// A co-speaker is a speaker to the statement and timeline filters.
	if got := keys(t, a.data(`{ statements(filter: {actors: ["rd-beta"]}) { nodes { key } } }`, nil), "statements", "nodes"); !slices.Equal(got, []string{"rd-joint"}) {
		t.Errorf("statements of rd-beta = %q, want [rd-joint]", got)
	}
	if got := keys(t, a.data(`{ timeline(filter: {actors: ["rd-beta"]}) { nodes { ... on Event { key } ... on Statement { key } } } }`, nil),
		"timeline", "nodes"); !slices.Equal(got, []string{"rd-190", "rd-joint"}) {
		t.Errorf("timeline of rd-beta = %q, want [rd-190 rd-joint]", got)
	}
	// And in the graph, a SPEAKER edge from the co-speaker to the statement.
	equalJSON(t, a.data(`{ neighborhood(id: "actor:rd-beta", filter: {edgeKinds: [SPEAKER]}) {
	    nodes { `+nodeKeys+` } edges { kind from { ... on Actor { key } } to { ... on Statement { key } } } } }`, nil), `{"neighborhood": {
	  "nodes": [{"__typename": "Actor", "key": "rd-beta"}, {"__typename": "Statement", "key": "rd-joint"}],
	  "edges": [{"kind": "SPEAKER", "from": {"key": "rd-beta"}, "to": {"key": "rd-joint"}}]}}`)
}

func TestRealDataMutations(t *testing.T) {
	a := newAPI(t, realData)
	equalJSON(t, a.data(`mutation { upsertEvent(input: {key: "rd-new", type: STRIKE, title: "New", occurredAt: "2030-02-01",
	    codes: [{scheme: "CAMEO", code: "195", label: "Employ aerial weapons"}, {scheme: "PLOVER", code: "ASSAULT"}],
	    intensity: -10, estimates: [{measure: FATALITIES, low: 3, best: 4, source: "rd-ucdp", note: "n"}],
	    participants: [{actor: "rd-alpha", role: INITIATOR, as: "Alpha's air force"}]}) {
	    codes { scheme code label } intensity estimates { measure low best high source { key } note }
	    participants { actor { key } as } } }`, nil), `{"upsertEvent": {
	  "codes": [{"scheme": "CAMEO", "code": "195", "label": "Employ aerial weapons"}, {"scheme": "PLOVER", "code": "ASSAULT", "label": null}],
	  "intensity": -10, "estimates": [{"measure": "FATALITIES", "low": 3, "best": 4, "high": null, "source": {"key": "rd-ucdp"}, "note": "n"}],
	  "participants": [{"actor": {"key": "rd-alpha"}, "as": "Alpha's air force"}]}}`)
	equalJSON(t, a.data(`mutation { upsertStatement(input: {key: "rd-joint-2", kind: SPEECH, speaker: "rd-beta", coSpeakers: ["rd-alpha"],
	    madeAt: "2030-02-02", text: "T"}) { coSpeakers { key } } }`, nil), `{"upsertStatement": {"coSpeakers": [{"key": "rd-alpha"}]}}`)
	for _, tt := range []struct{ query, msg string }{
		{`mutation { upsertEvent(input: {key: "rd-bad", type: STRIKE, title: "B", occurredAt: "2030", codes: [{scheme: "cameo", code: "1"}]}) { key } }`,
			`input.codes[0].scheme: invalid scheme "cameo": want 1 to 16 characters of A-Z 0-9 _`},
		{`mutation { upsertEvent(input: {key: "rd-bad", type: STRIKE, title: "B", occurredAt: "2030", codes: [{scheme: "A", code: "1"}, {scheme: "A", code: "1"}]}) { key } }`,
			`input.codes[1]: code A:1 is listed twice (first at events[0].codes[0])`},
		{`mutation { upsertEvent(input: {key: "rd-bad", type: STRIKE, title: "B", occurredAt: "2030", intensity: 11}) { key } }`,
			`input.intensity: must be between -10 and 10, got 11`},
		{`mutation { upsertEvent(input: {key: "rd-bad", type: STRIKE, title: "B", occurredAt: "2030", estimates: [{measure: INJURED, low: 5, best: 4}]}) { key } }`,
			`input.estimates[0].low: low 5 is greater than best 4`},
		{`mutation { upsertEvent(input: {key: "rd-bad", type: STRIKE, title: "B", occurredAt: "2030", estimates: [{measure: INJURED}]}) { key } }`,
			`input.estimates[0]: give at least one of low, best and high`},
		{`mutation { upsertEvent(input: {key: "rd-bad", type: STRIKE, title: "B", occurredAt: "2030", estimates: [{measure: INJURED, best: 1, source: "rd-ucpd"}]}) { key } }`,
			`input.estimates[0].source: unknown source "rd-ucpd": did you mean "rd-ucdp"?`},
		{`mutation { upsertStatement(input: {key: "rd-bad", kind: SPEECH, speaker: "rd-beta", coSpeakers: ["rd-beta"], madeAt: "2030", text: "T"}) { key } }`,
			`input.coSpeakers[0]: "rd-beta" is the speaker: list only the others whose joint words these are`},
		{`mutation { upsertStatement(input: {key: "rd-bad", kind: SPEECH, speaker: "rd-beta", coSpeakers: ["rd-alpah"], madeAt: "2030", text: "T"}) { key } }`,
			`input.coSpeakers[0]: unknown actor "rd-alpah": did you mean "rd-alpha"?`},
	} {
		msg, code := a.errorOf(tt.query, nil)
		if msg != tt.msg || code != "BAD_USER_INPUT" {
			t.Errorf("%s\n got %s (%s)\nwant %s (BAD_USER_INPUT)", tt.query, msg, code, tt.msg)
		}
	}
}

// The demo's codes, which the README's CodedAssaults example reads.
func TestDemoCodes(t *testing.T) {
	a := newAPI(t)
	equalJSON(t, a.data(`{ assaults: events(filter: {codes: ["PLOVER:ASSAULT"]}) { totalCount nodes { key } }
	  force: events(filter: {codes: ["CAMEO:19*"]}) { nodes { key codes { scheme code label } } } }`, nil), `{
	  "assaults": {"totalCount": 3, "nodes": [{"key": "india-retaliatory-strikes"}, {"key": "pahalgam-attack"}, {"key": "pakistan-air-attacks-drones-missiles"}]},
	  "force": {"nodes": [{"key": "pakistan-air-attacks-drones-missiles", "codes": [{"scheme": "PLOVER", "code": "ASSAULT", "label": null},
	    {"scheme": "CAMEO", "code": "195", "label": "Employ aerial weapons"}]}]}}`)
}

// The new lists below a page are batched like the old ones: a page of 1,
// 5 or 50 events with their estimates' sources and their statements'
// co-speakers costs the same statements, the 8 of
// TestNestedPageStatementCount's page plus one for the co-speakers (read
// by the actor loader apart from the speakers, whose prefetch runs first;
// "india", a participant already read, costs nothing) and one for the
// estimates' sources. Codes and intensity come with the events and cost
// nothing.
func TestNestedPageRealDataIsBatched(t *testing.T) {
	var sources, actors, events, statements []string
	for i := 0; i < 50; i++ {
		sources = append(sources, fmt.Sprintf(`{"key": "gen-source-%02d"}`, i))
		actors = append(actors, fmt.Sprintf(`{"key": "gen-actor-%02d", "name": "Actor %d", "kind": "PERSON", "country": "IN"}`, i, i),
			fmt.Sprintf(`{"key": "gen-speaker-%02d", "name": "Speaker %d", "kind": "PERSON"}`, i, i),
			fmt.Sprintf(`{"key": "gen-co-%02d", "name": "Co-speaker %d", "kind": "PERSON"}`, i, i))
		events = append(events, fmt.Sprintf(`{"key": "gen-%02d", "type": "OTHER", "title": "Generated %d", "occurredAt": "2020-01-01T00:%02d:00Z",
		  "codes": [{"scheme": "CAMEO", "code": "19%d"}], "intensity": -%d.5,
		  "estimates": [{"measure": "FATALITIES", "best": %d, "source": "gen-source-%02d"}, {"measure": "INJURED", "low": 1}],
		  "participants": [{"actor": "gen-actor-%02d", "role": "INITIATOR", "as": "actor %d"}, {"actor": "india", "role": "TARGET"}]}`,
			i, i, i, i%10, i%10, i, i, i, i))
		statements = append(statements, fmt.Sprintf(`{"key": "gen-statement-%02d", "kind": "OTHER", "speaker": "gen-speaker-%02d",
		  "coSpeakers": ["gen-co-%02d", "india"], "madeAt": "2020-02", "text": "About generated %d", "about": ["gen-%02d"]}`, i, i, i, i, i))
	}
	a := newAPI(t, `{"version": 1, "sources": [`+join(sources)+`], "actors": [`+join(actors)+`], "events": [`+join(events)+`],
	  "statements": [`+join(statements)+`]}`)
	q := `query($n: Int) { timeline(first: $n, filter: {include: [EVENT], from: "2020-01-01", to: "2020-01-02"}) { nodes { ... on Event {
	  key codes { scheme code } intensity estimates { measure best source { key } }
	  participants { role as actor { key name country { code name } } }
	  statements { key speaker { name } coSpeakers { key name } } } } } }`
	for _, n := range []int{1, 5, 50} {
		before := a.store.ReadStatements()
		var page struct {
			Timeline struct {
				Nodes []struct {
					Estimates []struct {
						Best   *int
						Source *struct{ Key string }
					}
					Statements []struct{ CoSpeakers []struct{ Key string } }
				}
			}
		}
		if err := json.Unmarshal(a.data(q, map[string]any{"n": n}), &page); err != nil {
			t.Fatal(err)
		}
		if got, want := a.store.ReadStatements()-before, int64(10); got != want {
			t.Errorf("a nested page of %d events: %d SQL statements, want %d", n, got, want)
		}
		nodes := page.Timeline.Nodes
		if len(nodes) != n {
			t.Fatalf("a nested page of %d events has %d", n, len(nodes))
		}
		last := nodes[n-1]
		if len(last.Estimates) != 2 || last.Estimates[0].Source == nil || last.Estimates[0].Source.Key != fmt.Sprintf("gen-source-%02d", n-1) ||
			len(last.Statements) != 1 || len(last.Statements[0].CoSpeakers) != 2 || last.Statements[0].CoSpeakers[1].Key != "india" {
			t.Errorf("the last event of a page of %d reads %+v", n, last)
		}
	}
}
