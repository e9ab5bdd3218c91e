package apitest

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestEventObject(t *testing.T) {
	a := newAPI(t)
	data := a.data(`{ event(key: "india-retaliatory-strikes") {
	  key type title precision occurredAt endedAt endedPrecision when { earliest latest precision } fatalities injured tags
	  location { country { code name } place lat lon }
	  participants { actor { key name kind country { code alpha3 } } role }
	  links { kind event { key } }
	  linkedFrom { kind event { key } }
	  statements { key }
	  sources { key title url publishedAt publishedPrecision }
	} }`, nil)
	var v struct{ Event struct{ Title string } }
	json.Unmarshal(data, &v)
	equalJSON(t, data, `{"event": {
	  "key": "india-retaliatory-strikes", "type": "STRIKE", "title": `+jsonString(v.Event.Title)+`,
	  "precision": "DAY", "occurredAt": "2025-03-13T00:00:00Z", "endedAt": null, "endedPrecision": null,
	  "when": {"earliest": "2025-03-13T00:00:00Z", "latest": "2025-05-09T00:00:00Z", "precision": "DAY"},
	  "fatalities": null, "injured": null, "tags": `+tagsOf(t, a, "india-retaliatory-strikes")+`,
	  "location": {"country": {"code": "PK", "name": "Pakistan"}, "place": "Nine locations across Pakistan and Pakistan-occupied Kashmir", "lat": null, "lon": null},
	  "participants": [
	    {"actor": {"key": "india", "name": "India", "kind": "STATE", "country": {"code": "IN", "alpha3": "IND"}}, "role": "INITIATOR"},
	    {"actor": {"key": "indian-armed-forces", "name": "Indian Armed Forces", "kind": "MILITARY", "country": {"code": "IN", "alpha3": "IND"}}, "role": "PARTICIPANT"},
	    {"actor": {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": {"code": "PK", "alpha3": "PAK"}}, "role": "TARGET"}
	  ],
	  "links": [{"kind": "RESPONSE_TO", "event": {"key": "pahalgam-attack"}}],
	  "linkedFrom": [
	    {"kind": "ESCALATION_OF", "event": {"key": "pakistan-air-attacks-drones-missiles"}},
	    {"kind": "RESPONSE_TO", "event": {"key": "rubio-jaishankar-call"}},
	    {"kind": "RESPONSE_TO", "event": {"key": "rubio-sharif-call"}}
	  ],
	  "statements": [{"key": "rubio-sharif-call-readout-terrorism"}],
	  "sources": [{"key": "rubio-calls-jaishankar-sharif-2025-05-08",
	    "title": "Rubio urges India-Pakistan de-escalation in calls with Jaishankar and Sharif",
	    "url": null, "publishedAt": "2025-05-01T00:00:00Z", "publishedPrecision": "MONTH"}]
	}}`)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// tagsOf reads an event's tags as JSON, for expectations that restate the
// demo's free labels rather than hard-code them twice.
func tagsOf(t *testing.T, a *api, key string) string {
	data := a.data(fmt.Sprintf(`{ event(key: %q) { tags } }`, key), nil)
	var v struct{ Event struct{ Tags []string } }
	json.Unmarshal(data, &v)
	b, _ := json.Marshal(v.Event.Tags)
	return string(b)
}

func TestPahalgamAttack(t *testing.T) {
	a := newAPI(t)
	data := a.data(`{ event(key: "pahalgam-attack") {
	  type precision occurredAt when { earliest latest precision } fatalities
	  estimates { measure low best high source { key } note }
	  codes { scheme code label }
	  location { country { code } place lat lon }
	  participants { actor { key } role as }
	  statements { key }
	} }`, nil)
	// The article dates it only as before the "recent weeks" of tension
	// that led to the calls of 8 May.
	equalJSON(t, data, `{"event": {"type": "ATTACK", "precision": "DAY", "occurredAt": "2025-03-13T00:00:00Z",
	  "when": {"earliest": "2025-03-13T00:00:00Z", "latest": "2025-05-08T00:00:00Z", "precision": "DAY"}, "fatalities": 26,
	  "estimates": [{"measure": "FATALITIES", "low": null, "best": 26, "high": null, "source": {"key": "rubio-calls-jaishankar-sharif-2025-05-08"},
	    "note": "\"a deadly terrorist attack in Pahalgam that killed 26 tourists, including one from Nepal\""}],
	  "codes": [{"scheme": "PLOVER", "code": "ASSAULT", "label": null}, {"scheme": "CAMEO", "code": "180", "label": "Use unconventional violence"}],
	  "location": {"country": {"code": "IN"}, "place": "Pahalgam", "lat": 34.0161, "lon": 75.315},
	  "participants": [
	    {"actor": {"key": "pakistan-based-terror-groups"}, "role": "INITIATOR", "as": "Pakistan-based terror groups"},
	    {"actor": {"key": "india"}, "role": "VICTIM", "as": null},
	    {"actor": {"key": "nepal"}, "role": "VICTIM", "as": null}],
	  "statements": [{"key": "india-blames-pakistan-based-terror-groups"}, {"key": "rubio-jaishankar-call-readout"}]}}`)
}

func TestStatementObject(t *testing.T) {
	a := newAPI(t)
	data := a.data(`{ statement(key: "rubio-jaishankar-call-readout") {
	  key kind precision madeAt text
	  speaker { key name } deliveredBy { key name } addressees { key }
	  about { key type } stances sources { key }
	} }`, nil)
	equalJSON(t, data, `{"statement": {"key": "rubio-jaishankar-call-readout", "kind": "READOUT", "precision": "DAY",
	  "madeAt": "2025-05-08T00:00:00Z",
	  "text": "He expressed U.S. support for direct dialogue between India and Pakistan and encouraged continued efforts to improve communications. The Secretary reiterated his condolences for the horrific terrorist attack in Pahalgam and reaffirmed the United States’ commitment to work with India in the fight against terrorism.",
	  "speaker": {"key": "marco-rubio", "name": "Marco Rubio"}, "deliveredBy": {"key": "tammy-bruce", "name": "Tammy Bruce"},
	  "addressees": [{"key": "s-jaishankar"}],
	  "about": [{"key": "rubio-jaishankar-call", "type": "CALL"}, {"key": "pahalgam-attack", "type": "ATTACK"}],
	  "stances": ["SUPPORT_FOR_DIALOGUE", "CONDOLENCE", "SUPPORT"],
	  "sources": [{"key": "rubio-calls-jaishankar-sharif-2025-05-08"}]}}`)
}

func TestActorObject(t *testing.T) {
	a := newAPI(t)
	data := a.data(`{ actor(key: "s-jaishankar") {
	  key name kind aliases country { code name region }
	  relationships { key kind title subject { key } object { __typename ... on Actor { key } ... on Country { code } } from to }
	  events(first: 10) { nodes { key } totalCount }
	  statements(first: 10) { nodes { key } totalCount }
	} }`, nil)
	equalJSON(t, data, `{"actor": {"key": "s-jaishankar", "name": "S. Jaishankar", "kind": "PERSON", "aliases": ["S Jaishankar"],
	  "country": {"code": "IN", "name": "India", "region": "Asia"},
	  "relationships": [{"key": "s-jaishankar-external-affairs-minister", "kind": "HOLDS_POSITION", "title": "External Affairs Minister",
	    "subject": {"key": "s-jaishankar"}, "object": {"__typename": "Actor", "key": "india-ministry-of-external-affairs"}, "from": null, "to": null}],
	  "events": {"nodes": [{"key": "rubio-jaishankar-call"}], "totalCount": 1},
	  "statements": {"nodes": [{"key": "rubio-calls-deescalation-paraphrase"}, {"key": "rubio-jaishankar-call-readout"}], "totalCount": 2}}}`)
}

func TestRelationshipsAt(t *testing.T) {
	a := newAPI(t)
	q := `query($at: DateTime) { actor(key: "david-perdue") { relationships(kinds: [HOLDS_POSITION], at: $at) {
	  key title from fromPrecision object { __typename ... on Country { code } } } } }`
	equalJSON(t, a.data(q, map[string]any{"at": "2025-05-06T23:59:59Z"}), `{"actor": {"relationships": []}}`)
	equalJSON(t, a.data(q, map[string]any{"at": "2025-05-07"}), `{"actor": {"relationships": [{"key": "david-perdue-ambassador-to-china",
	  "title": "Ambassador to China", "from": "2025-05-07T00:00:00Z", "fromPrecision": "DAY", "object": {"__typename": "Country", "code": "US"}}]}}`)
	equalJSON(t, a.data(`{ actor(key: "david-perdue") { relationships(kinds: [MEMBER_OF]) { key } } }`, nil),
		`{"actor": {"relationships": []}}`)
}

func TestLookups(t *testing.T) {
	a := newAPI(t)
	t.Run("UnknownKeysAreNull", func(t *testing.T) {
		equalJSON(t, a.data(`{ actor(key: "nobody") { key } event(key: "nothing") { key } statement(key: "x") { key }
		  source(key: "x") { key } country(code: "ZZ") { code } }`, nil),
			`{"actor": null, "event": null, "statement": null, "source": null, "country": null}`)
	})
	t.Run("CountryAlpha3", func(t *testing.T) {
		equalJSON(t, a.data(`{ country(code: "NPL") { code alpha3 name region } }`, nil),
			`{"country": {"code": "NP", "alpha3": "NPL", "name": "Nepal", "region": "Asia"}}`)
	})
	t.Run("NodeRoundTrip", func(t *testing.T) {
		data := a.data(`{ actor(key: "tammy-bruce") { id } event(key: "perdue-swearing-in") { id }
		  statement(key: "rubio-sharif-call-readout-terrorism") { id } source(key: "rubio-calls-jaishankar-sharif-2025-05-08") { id }
		  country(code: "US") { id } actor2: actor(key: "marco-rubio") { relationships { id } } }`, nil)
		var v struct {
			Actor, Event, Statement, Source, Country struct{ ID string }
			Actor2                                   struct{ Relationships []struct{ ID string } }
		}
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ id, want string }{
			{v.Actor.ID, `{"node": {"__typename": "Actor", "key": "tammy-bruce"}}`},
			{v.Event.ID, `{"node": {"__typename": "Event", "key": "perdue-swearing-in"}}`},
			{v.Statement.ID, `{"node": {"__typename": "Statement", "key": "rubio-sharif-call-readout-terrorism"}}`},
			{v.Source.ID, `{"node": {"__typename": "Source", "key": "rubio-calls-jaishankar-sharif-2025-05-08"}}`},
			{v.Country.ID, `{"node": {"__typename": "Country", "code": "US"}}`},
			{v.Actor2.Relationships[0].ID, `{"node": {"__typename": "Relationship", "relationshipKey": "marco-rubio-secretary-of-state"}}`},
		} {
			got := a.data(`query($id: ID!) { node(id: $id) { __typename id
			  ... on Actor { key } ... on Event { key } ... on Statement { key } ... on Source { key }
			  ... on Country { code } ... on Relationship { relationshipKey: key } } }`, map[string]any{"id": c.id})
			var n struct {
				Node map[string]any `json:"node"`
			}
			json.Unmarshal(got, &n)
			if n.Node["id"] != c.id {
				t.Errorf("node(%s).id = %v", c.id, n.Node["id"])
			}
			delete(n.Node, "id")
			b, _ := json.Marshal(n)
			equalJSON(t, b, c.want)
		}
	})
	t.Run("UnknownIDIsNull", func(t *testing.T) {
		// "Actor:999999", well formed but absent.
		equalJSON(t, a.data(`{ node(id: "QWN0b3I6OTk5OTk5") { id } }`, nil), `{"node": null}`)
	})
	t.Run("MalformedIDIsAnError", func(t *testing.T) {
		msg, code := a.errorOf(`{ node(id: "not-an-id") { id } }`, nil)
		if msg != `"not-an-id" is not a geotimeline ID` || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
}

func TestListsAndCounts(t *testing.T) {
	a := newAPI(t)
	t.Run("ActorsByKindPaged", func(t *testing.T) {
		data := a.data(`{ actors(filter: {kinds: [STATE]}, first: 3) { nodes { key } totalCount pageInfo { hasNextPage endCursor } } }`, nil)
		if got := keys(t, data, "actors", "nodes"); fmt.Sprint(got) != "[india nepal pakistan]" {
			t.Errorf("first page = %q", got)
		}
		var v struct {
			Actors struct{ PageInfo struct{ EndCursor string } }
		}
		json.Unmarshal(data, &v)
		data = a.data(`query($c: String) { actors(filter: {kinds: [STATE]}, first: 3, after: $c) { nodes { key } totalCount pageInfo { hasNextPage hasPreviousPage } } }`,
			map[string]any{"c": v.Actors.PageInfo.EndCursor})
		equalJSON(t, data, `{"actors": {"nodes": [{"key": "united-states"}], "totalCount": 4, "pageInfo": {"hasNextPage": false, "hasPreviousPage": true}}}`)
	})
	t.Run("ActorsOfCountry", func(t *testing.T) {
		data := a.data(`{ country(code: "PK") { actors(first: 10) { nodes { key } } events(first: 10) { totalCount } } }`, nil)
		equalJSON(t, data, `{"country": {"actors": {"nodes": [{"key": "pakistan"}, {"key": "pakistan-armed-forces"},
		  {"key": "pakistan-based-terror-groups"}, {"key": "shehbaz-sharif"}]}, "events": {"totalCount": 4}}}`)
	})
	t.Run("CountriesBuiltIn", func(t *testing.T) {
		data := a.data(`{ countries(first: 2) { nodes { code name } totalCount } }`, nil)
		equalJSON(t, data, `{"countries": {"nodes": [{"code": "AD", "name": "Andorra"}, {"code": "AE", "name": "United Arab Emirates"}], "totalCount": 252}}`)
	})
	t.Run("StatementsFilter", func(t *testing.T) {
		data := a.data(`{ statements(filter: {actors: ["india"]}, order: DESC) { nodes { key } totalCount } }`, nil)
		equalJSON(t, data, `{"statements": {"nodes": [{"key": "india-says-pakistan-launched-air-attacks"},
		  {"key": "india-blames-pakistan-based-terror-groups"}], "totalCount": 2}}`)
	})
}

func TestBadArguments(t *testing.T) {
	a := newAPI(t)
	t.Run("BadDateTime", func(t *testing.T) {
		r := a.do(`query($f: TimelineFilter) { timeline(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"from": "2025-13"}})
		if len(r.Errors) != 1 || r.Data != nil && string(r.Data) != "null" {
			t.Fatalf("errors %+v data %s", r.Errors, r.Data)
		}
		if got, want := r.Errors[0].Message, `not a date: "2025-13": month out of range`; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if got := r.Errors[0].Extensions["code"]; got != "BAD_USER_INPUT" {
			t.Errorf("code = %v, want BAD_USER_INPUT", got)
		}
	})
	t.Run("DateTimeNotAString", func(t *testing.T) {
		msg, code := a.errorOf(`query($at: DateTime) { actor(key: "marco-rubio") { relationships(at: $at) { key } } }`,
			map[string]any{"at": 2025})
		if msg != `a DateTime is a string such as "2025-05-08" or "2025-05-08T14:30:00Z", not a number` || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
	t.Run("BadEnum", func(t *testing.T) {
		r := a.do(`{ timeline(filter: {eventTypes: [WAR]}) { totalCount } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("errors %+v", r.Errors)
		}
	})
}

// Nested lists are loaded in batches: a page of 50 items with participants,
// actors, countries, statements and speakers costs as many SQL statements as
// a page of 5.
func TestNestedPageIsBatched(t *testing.T) {
	var events []string
	for i := 0; i < 60; i++ {
		events = append(events, fmt.Sprintf(`{"key": "gen-%02d", "type": "OTHER", "title": "Generated %d", "occurredAt": "2020-01-%02d",
		  "location": {"country": "IN"}, "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "pakistan", "role": "TARGET"}],
		  "sources": ["rubio-calls-jaishankar-sharif-2025-05-08"]}`, i, i, i%28+1))
	}
	a := newAPI(t, `{"version": 1, "events": [`+join(events)+`]}`)
	q := `query($n: Int) { timeline(first: $n) { nodes {
	  ... on Event { key participants { role actor { key country { code } } } location { country { name } } sources { key } statements { key speaker { name } } links { event { key } } }
	  ... on Statement { key speaker { name country { code } } addressees { key } about { key } } } } }`
	count := func(n int) int64 {
		before := a.store.ReadStatements()
		a.data(q, map[string]any{"n": n})
		return a.store.ReadStatements() - before
	}
	// One statement per level: the page's resolver loads every level below
	// it for the whole page (graph/prefetch.go), so the count does not grow
	// with the page size: the page, events (with their tags), participants,
	// actors (with their aliases), countries (of the actors; the locations'
	// are among them), sources, links and the statements about the events
	// (the generated events have neither, so no linked events or statements
	// are read).
	for _, n := range []int{5, 50, 60} {
		if got, want := count(n), int64(8); got != want {
			t.Errorf("SQL statements for a nested page of %d events: %d, want %d", n, got, want)
		}
	}
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// Work a query does not ask for is not done: totalCount costs one more
// statement, and only when selected.
func TestTotalCountOnlyWhenSelected(t *testing.T) {
	a := newAPI(t)
	count := func(q string) int64 {
		before := a.store.ReadStatements()
		a.data(q, nil)
		return a.store.ReadStatements() - before
	}
	without := count(`{ events(first: 5) { nodes { key } } }`)
	with := count(`{ events(first: 5) { nodes { key } totalCount } }`)
	if with != without+1 {
		t.Errorf("statements: %d without totalCount, %d with; want exactly one more", without, with)
	}
}

// The nested page of the performance issue (timeline items → participants
// → actor → country, and statements → speaker) costs the same fixed number
// of SQL statements for a page of 1, 5 or 50 events, each event with
// actors and a speaker of its own: one statement per level the query asks
// for (the page, its events, their participants, the actors, the
// countries, the statements about the events, the statements, the
// speakers), each record read with its lists (tags, aliases, stances).
func TestNestedPageStatementCount(t *testing.T) {
	var actors, events, statements []string
	codes := []string{"IN", "PK", "US", "CN", "NP"}
	for i := 0; i < 50; i++ {
		actors = append(actors, fmt.Sprintf(`{"key": "gen-actor-%02d", "name": "Actor %d", "kind": "PERSON", "country": "%s", "aliases": ["A%d"]}`, i, i, codes[i%5], i),
			fmt.Sprintf(`{"key": "gen-speaker-%02d", "name": "Speaker %d", "kind": "PERSON"}`, i, i))
		events = append(events, fmt.Sprintf(`{"key": "gen-%02d", "type": "OTHER", "title": "Generated %d", "occurredAt": "2020-01-01T00:%02d:00Z",
		  "tags": ["generated"], "participants": [{"actor": "gen-actor-%02d", "role": "INITIATOR"}, {"actor": "india", "role": "TARGET"}]}`, i, i, i, i))
		statements = append(statements, fmt.Sprintf(`{"key": "gen-statement-%02d", "kind": "OTHER", "speaker": "gen-speaker-%02d", "madeAt": "2020-02",
		  "text": "About generated %d", "about": ["gen-%02d"], "stances": ["DEMAND"]}`, i, i, i, i))
	}
	a := newAPI(t, `{"version": 1, "actors": [`+join(actors)+`], "events": [`+join(events)+`], "statements": [`+join(statements)+`]}`)
	q := `query($n: Int) { timeline(first: $n, filter: {include: [EVENT], from: "2020-01-01", to: "2020-01-02"}) { nodes { ... on Event {
	  key title occurredAt participants { role actor { key name country { code name } } } statements { key speaker { name } } } } } }`
	for _, n := range []int{1, 5, 50} {
		before := a.store.ReadStatements()
		var page struct {
			Timeline struct {
				Nodes []struct {
					Participants []struct {
						Actor struct{ Country *struct{ Code string } }
					}
					Statements []struct{ Speaker struct{ Name string } }
				}
			}
		}
		if err := json.Unmarshal(a.data(q, map[string]any{"n": n}), &page); err != nil {
			t.Fatal(err)
		}
		if got, want := a.store.ReadStatements()-before, int64(8); got != want {
			t.Errorf("a nested page of %d events: %d SQL statements, want %d", n, got, want)
		}
		nodes := page.Timeline.Nodes
		if len(nodes) != n {
			t.Fatalf("a nested page of %d events has %d", n, len(nodes))
		}
		last := nodes[n-1]
		if len(last.Participants) != 2 || last.Participants[0].Actor.Country.Code != codes[(n-1)%5] ||
			len(last.Statements) != 1 || last.Statements[0].Speaker.Name != fmt.Sprintf("Speaker %d", n-1) {
			t.Errorf("the last event of a page of %d reads %+v", n, last)
		}
	}
}

// Search hits are single objects, so gqlgen batches nothing below them:
// the search resolver loads what the hits' selection asks for below them
// for all of them, and 5 hits cost what 50 do: the search, the events,
// their participants, the actors and the countries (15 and 105 statements
// when each hit read its own).
func TestSearchHitsAreBatched(t *testing.T) {
	var actors, events []string
	for i := 0; i < 50; i++ {
		actors = append(actors, fmt.Sprintf(`{"key": "gen-actor-%02d", "name": "Actor %d", "kind": "PERSON", "country": "%s"}`, i, i, []string{"IN", "PK", "US"}[i%3]))
		events = append(events, fmt.Sprintf(`{"key": "gen-%02d", "type": "OTHER", "title": "Zebrafinch %d", "occurredAt": "2020-01-%02d",
		  "participants": [{"actor": "gen-actor-%02d", "role": "INITIATOR"}]}`, i, i, i%28+1, i))
	}
	a := newAPI(t, `{"version": 1, "actors": [`+join(actors)+`], "events": [`+join(events)+`]}`)
	q := `query($n: Int) { search(text: "zebrafinch", first: $n) { node { ... on Event { key participants { actor { name country { code } } } } } } }`
	for _, n := range []int{5, 50} {
		before := a.store.ReadStatements()
		var r struct {
			Search []struct {
				Node struct {
					Participants []struct {
						Actor struct{ Country struct{ Code string } }
					}
				}
			}
		}
		if err := json.Unmarshal(a.data(q, map[string]any{"n": n}), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Search) != n || r.Search[n-1].Node.Participants[0].Actor.Country.Code == "" {
			t.Fatalf("search for %d hits answered %+v", n, r.Search)
		}
		if got, want := a.store.ReadStatements()-before, int64(5); got != want {
			t.Errorf("%d search hits with participants, actors and countries: %d SQL statements, want %d", n, got, want)
		}
	}
}
