package apitest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// Global IDs of the demo database: rows are numbered in fixture order.
const (
	rubioID       = "QWN0b3I6MTI" // Actor:12, marco-rubio
	terrorGroupID = "QWN0b3I6OQ"  // Actor:9, pakistan-based-terror-groups
	nepalID       = "QWN0b3I6Mg"  // Actor:2, nepal
)

const nodeKeys = `__typename ... on Actor { key } ... on Event { key } ... on Statement { key } ... on Country { key: code }`

// nodeList reads the keys (codes for countries) of a list of nodes.
func nodeList(t *testing.T, data json.RawMessage, path ...string) []string {
	t.Helper()
	return keys(t, data, path...)
}

func TestDemoIDs(t *testing.T) {
	a := newAPI(t)
	equalJSON(t, a.data(`{ a: actor(key: "marco-rubio") { id } b: actor(key: "pakistan-based-terror-groups") { id } c: actor(key: "nepal") { id } }`, nil),
		fmt.Sprintf(`{"a": {"id": %q}, "b": {"id": %q}, "c": {"id": %q}}`, rubioID, terrorGroupID, nepalID))
}

func TestNeighborhood(t *testing.T) {
	a := newAPI(t)
	q := `query($id: ID!, $depth: Int, $filter: GraphFilter, $limit: Int) {
	  neighborhood(id: $id, depth: $depth, filter: $filter, limit: $limit) {
	    truncated nodes { ` + nodeKeys + ` } edges { kind role at from { id } to { id } } } }`
	t.Run("DepthOne", func(t *testing.T) {
		data := a.data(q, map[string]any{"id": rubioID})
		want := []string{"marco-rubio", "perdue-swearing-in", "rubio-jaishankar-call", "rubio-sharif-call",
			"rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call-readout", "rubio-sharif-call-readout-deescalation",
			"rubio-sharif-call-readout-terrorism", "us-department-of-state", "tammy-bruce", "US"}
		if got := nodeList(t, data, "neighborhood", "nodes"); !slices.Equal(got, want) {
			t.Errorf("nodes = %q\nwant %q", got, want)
		}
		var v struct {
			Neighborhood struct {
				Truncated bool
				Edges     []struct {
					Kind string
					From struct{ ID string }
				}
			}
		}
		json.Unmarshal(data, &v)
		if v.Neighborhood.Truncated {
			t.Error("truncated = true, want false")
		}
		// Edges among the returned nodes: 11 from Rubio's own ties, plus
		// those among his neighbours (Bruce's, the statements' about, …).
		kinds := map[string]int{}
		for _, e := range v.Neighborhood.Edges {
			kinds[e.Kind]++
		}
		want2 := map[string]int{"PARTICIPATION": 3, "SPEAKER": 4, "DELIVERER": 4, "RELATIONSHIP": 2, "AFFILIATION": 3, "LOCATION": 1, "ABOUT": 5}
		if fmt.Sprint(kinds) != fmt.Sprint(want2) {
			t.Errorf("edge kinds = %v, want %v", kinds, want2)
		}
	})
	t.Run("EdgeKinds", func(t *testing.T) {
		data := a.data(q, map[string]any{"id": rubioID, "filter": map[string]any{"edgeKinds": []string{"RELATIONSHIP"}}})
		equalJSON(t, data, `{"neighborhood": {"truncated": false,
		  "nodes": [{"__typename": "Actor", "key": "marco-rubio"}, {"__typename": "Actor", "key": "us-department-of-state"}, {"__typename": "Actor", "key": "tammy-bruce"}],
		  "edges": [
		    {"kind": "RELATIONSHIP", "role": "HOLDS_POSITION", "at": null, "from": {"id": "`+rubioID+`"}, "to": {"id": "QWN0b3I6Ng"}},
		    {"kind": "RELATIONSHIP", "role": "SPOKESPERSON_FOR", "at": null, "from": {"id": "QWN0b3I6MTU"}, "to": {"id": "`+rubioID+`"}}]}}`)
	})
	t.Run("TimeWindow", func(t *testing.T) {
		// From 8 May: the swearing-in of 7 May drops out; the open-ended
		// relationships and the affiliation stay.
		data := a.data(q, map[string]any{"id": rubioID, "filter": map[string]any{"from": "2025-05-08"}})
		want := []string{"marco-rubio", "rubio-jaishankar-call", "rubio-sharif-call",
			"rubio-calls-deescalation-paraphrase", "rubio-jaishankar-call-readout", "rubio-sharif-call-readout-deescalation",
			"rubio-sharif-call-readout-terrorism", "us-department-of-state", "tammy-bruce", "US"}
		if got := nodeList(t, data, "neighborhood", "nodes"); !slices.Equal(got, want) {
			t.Errorf("nodes = %q\nwant %q", got, want)
		}
		data = a.data(q, map[string]any{"id": rubioID, "filter": map[string]any{"to": "2025-05-08", "edgeKinds": []string{"PARTICIPATION"}}})
		if got := nodeList(t, data, "neighborhood", "nodes"); !slices.Equal(got, []string{"marco-rubio", "perdue-swearing-in"}) {
			t.Errorf("to 2025-05-08: nodes = %q", got)
		}
	})
	t.Run("Limit", func(t *testing.T) {
		data := a.data(q, map[string]any{"id": rubioID, "limit": 3})
		var v struct{ Neighborhood struct{ Truncated bool } }
		json.Unmarshal(data, &v)
		if got := nodeList(t, data, "neighborhood", "nodes"); !slices.Equal(got, []string{"marco-rubio", "perdue-swearing-in", "rubio-jaishankar-call"}) || !v.Neighborhood.Truncated {
			t.Errorf("limit 3: nodes %q truncated %v", got, v.Neighborhood.Truncated)
		}
	})
	t.Run("DepthTwoReachesFurther", func(t *testing.T) {
		data := a.data(q, map[string]any{"id": nepalID, "depth": 2, "filter": map[string]any{"edgeKinds": []string{"PARTICIPATION"}}})
		want := []string{"nepal", "pahalgam-attack", "india", "pakistan-based-terror-groups"}
		if got := nodeList(t, data, "neighborhood", "nodes"); !slices.Equal(got, want) {
			t.Errorf("nodes = %q\nwant %q", got, want)
		}
	})
	for _, c := range []struct {
		name string
		vars map[string]any
		msg  string
	}{
		{"DepthTooLarge", map[string]any{"id": rubioID, "depth": 4}, "depth must be between 1 and 3, not 4"},
		{"LimitZero", map[string]any{"id": rubioID, "limit": 0}, "limit must be between 1 and 1000, not 0"},
		{"NotANode", map[string]any{"id": "U291cmNlOjE"}, "id: a Source is not a node of the graph (actors, countries, events and statements are)"},
		{"MalformedID", map[string]any{"id": "nope"}, `id: "nope" is not a geotimeline ID`},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg, code := a.errorOf(q, c.vars)
			if msg != c.msg || code != "BAD_USER_INPUT" {
				t.Errorf("error = %q (%s), want %q", msg, code, c.msg)
			}
		})
	}
}

func TestShortestPath(t *testing.T) {
	a := newAPI(t)
	q := `query($from: ID!, $to: ID!, $max: Int, $filter: GraphFilter) {
	  shortestPath(from: $from, to: $to, maxDepth: $max, filter: $filter) { length nodes { ` + nodeKeys + ` } edges { kind role } } }`
	t.Run("AttackersToRubio", func(t *testing.T) {
		equalJSON(t, a.data(q, map[string]any{"from": terrorGroupID, "to": rubioID}), `{"shortestPath": {"length": 3,
		  "nodes": [{"__typename": "Actor", "key": "pakistan-based-terror-groups"}, {"__typename": "Event", "key": "pahalgam-attack"},
		    {"__typename": "Statement", "key": "rubio-jaishankar-call-readout"}, {"__typename": "Actor", "key": "marco-rubio"}],
		  "edges": [{"kind": "PARTICIPATION", "role": "INITIATOR"}, {"kind": "ABOUT", "role": null}, {"kind": "SPEAKER", "role": null}]}}`)
	})
	t.Run("SameNode", func(t *testing.T) {
		equalJSON(t, a.data(q, map[string]any{"from": rubioID, "to": rubioID}),
			`{"shortestPath": {"length": 0, "nodes": [{"__typename": "Actor", "key": "marco-rubio"}], "edges": []}}`)
	})
	t.Run("NoneWithinMaxDepth", func(t *testing.T) {
		equalJSON(t, a.data(q, map[string]any{"from": terrorGroupID, "to": rubioID, "max": 2}), `{"shortestPath": null}`)
	})
	t.Run("OnlyParticipation", func(t *testing.T) {
		// Through events alone: attackers – attack – India – strikes – Pakistan … is
		// longer than 4 hops to Rubio, who met no one from those events.
		equalJSON(t, a.data(q, map[string]any{"from": terrorGroupID, "to": rubioID,
			"filter": map[string]any{"edgeKinds": []string{"PARTICIPATION"}}}), `{"shortestPath": null}`)
	})
	t.Run("ByKey", func(t *testing.T) {
		equalJSON(t, a.data(q, map[string]any{"from": "actor:pakistan-based-terror-groups", "to": "actor:marco-rubio"}),
			string(a.data(q, map[string]any{"from": terrorGroupID, "to": rubioID})))
		// A country by alpha-3 as by alpha-2, an event by key.
		equalJSON(t, a.data(q, map[string]any{"from": "country:PAK", "to": "event:pahalgam-attack", "max": 6}),
			string(a.data(q, map[string]any{"from": "country:PK", "to": "event:pahalgam-attack", "max": 6})))
	})
	t.Run("MaxDepthTooLarge", func(t *testing.T) {
		msg, code := a.errorOf(q, map[string]any{"from": terrorGroupID, "to": rubioID, "max": 7})
		if msg != "maxDepth must be between 1 and 6, not 7" || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
}

func TestSearch(t *testing.T) {
	a := newAPI(t)
	q := `query($text: String!, $first: Int) { search(text: $text, first: $first) {
	  node { ... on Actor { key } ... on Event { key } ... on Statement { key } } } }`
	hits := func(text string, first int) []string {
		var v struct {
			Search []struct {
				Node struct{ Key string }
			}
		}
		json.Unmarshal(a.data(q, map[string]any{"text": text, "first": first}), &v)
		out := []string{}
		for _, h := range v.Search {
			out = append(out, h.Node.Key)
		}
		return out
	}
	if got := hits("Pahalgam", 3); !slices.Equal(got, []string{"pahalgam-attack", "nepal", "rubio-jaishankar-call-readout"}) {
		t.Errorf("Pahalgam: %q", got)
	}
	if got := hits("jaishank*", 2); !slices.Equal(got, []string{"s-jaishankar", "rubio-jaishankar-call"}) {
		t.Errorf("prefix: %q", got)
	}
	// The actor's name ranks first, then the paraphrase whose text names her;
	// the readouts name her only in their summaries.
	if got := hits("tammy bruce", 2); !slices.Equal(got, []string{"tammy-bruce", "rubio-calls-deescalation-paraphrase"}) {
		t.Errorf("two words: %q", got)
	}
	t.Run("HostileText", func(t *testing.T) {
		for _, text := range []string{`"`, `"unbalanced`, `a*`, `NEAR`, `rubio NEAR sharif`, `AND`, `NOT rubio`, `-rubio`,
			`title:rubio`, `((rubio)`, `^rubio`, `'; DROP TABLE actors; --`, "rubio\x00sharif", `🙂 rubio`} {
			r := a.do(q, map[string]any{"text": text, "first": 5})
			if len(r.Errors) > 0 && r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("%q: %+v", text, r.Errors)
			}
		}
		for _, text := range []string{``, `*`, `()`, `"" -- ::`} {
			msg, code := a.errorOf(q, map[string]any{"text": text, "first": 5})
			if want := fmt.Sprintf("search text %q has no words to look for", text); msg != want || code != "BAD_USER_INPUT" {
				t.Errorf("%q: error = %q (%s), want %q", text, msg, code, want)
			}
		}
	})
}

func TestTextFilter(t *testing.T) {
	a := newAPI(t)
	data := a.data(`{ timeline(filter: {text: "de-escalation"}) { totalCount nodes { ... on Event { key } ... on Statement { key } } } }`, nil)
	equalJSON(t, data, `{"timeline": {"totalCount": 4, "nodes": [{"key": "rubio-calls-deescalation-paraphrase"}, {"key": "rubio-jaishankar-call"},
	  {"key": "rubio-sharif-call"}, {"key": "rubio-sharif-call-readout-deescalation"}]}}`)
	data = a.data(`{ events(filter: {text: "drones", countries: ["IN"]}) { nodes { key } } statements(filter: {text: "terrorism"}) { nodes { key } } }`, nil)
	equalJSON(t, data, `{"events": {"nodes": [{"key": "pakistan-air-attacks-drones-missiles"}]},
	  "statements": {"nodes": [{"key": "rubio-jaishankar-call-readout"}]}}`)
	msg, code := a.errorOf(`{ timeline(filter: {text: "**"}) { totalCount } }`, nil)
	if msg != `search text "**" has no words to look for` || code != "BAD_USER_INPUT" {
		t.Errorf("error = %q (%s)", msg, code)
	}
}

// Graph queries take references by key besides global IDs; one that names
// nothing is NOT_FOUND with the nearest keys, a malformed one
// BAD_USER_INPUT.
func TestNodeReferencesByKey(t *testing.T) {
	a := newAPI(t)
	q := `query($id: ID!) { neighborhood(id: $id) { nodes { ` + nodeKeys + ` } } }`
	equalJSON(t, a.data(q, map[string]any{"id": "actor:marco-rubio"}), string(a.data(q, map[string]any{"id": rubioID})))
	var v struct {
		Neighborhood struct{ Nodes []struct{ Key string } }
	}
	json.Unmarshal(a.data(q, map[string]any{"id": "statement:rubio-jaishankar-call-readout"}), &v)
	if len(v.Neighborhood.Nodes) == 0 || v.Neighborhood.Nodes[0].Key != "rubio-jaishankar-call-readout" {
		t.Errorf("a statement by key starts at %+v", v.Neighborhood.Nodes)
	}
	for _, tt := range []struct{ id, msg, code string }{
		{"actor:marco-rubi", `no actor "marco-rubi": did you mean "marco-rubio"?`, "NOT_FOUND"},
		{"country:UK", `no country "UK": did you mean "GB"?`, "NOT_FOUND"},
		{"event:nothing-of-the-kind", `no event "nothing-of-the-kind"`, "NOT_FOUND"},
		{"actor:", `id: "actor:" names no key after the colon`, "BAD_USER_INPUT"},
	} {
		if msg, code := a.errorOf(q, map[string]any{"id": tt.id}); msg != tt.msg || code != tt.code {
			t.Errorf("%s: %q (%s), want %q (%s)", tt.id, msg, code, tt.msg, tt.code)
		}
	}
}
