package apitest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The demo's links, subject → linked event (fixture order sets the ids:
// pahalgam-attack 1, india-retaliatory-strikes 2, pakistan-air-attacks… 3,
// rubio-jaishankar-call 5, rubio-sharif-call 6):
//
//	india-retaliatory-strikes RESPONSE_TO pahalgam-attack
//	pakistan-air-attacks-drones-missiles ESCALATION_OF india-retaliatory-strikes
//	rubio-jaishankar-call RESPONSE_TO india-retaliatory-strikes
//	rubio-sharif-call RESPONSE_TO india-retaliatory-strikes
const (
	indiaRespPahalgam = "india-retaliatory-strikes>RESPONSE_TO>pahalgam-attack"
	pakistanEscIndia  = "pakistan-air-attacks-drones-missiles>ESCALATION_OF>india-retaliatory-strikes"
	jaishankarResp    = "rubio-jaishankar-call>RESPONSE_TO>india-retaliatory-strikes"
	sharifResp        = "rubio-sharif-call>RESPONSE_TO>india-retaliatory-strikes"
)

func TestEventChain(t *testing.T) {
	a := newAPI(t)
	q := `query($event: ID!, $direction: ChainDirection, $kinds: [LinkKind!], $maxDepth: Int) {
	  eventChain(event: $event, direction: $direction, kinds: $kinds, maxDepth: $maxDepth) {
	    truncated nodes { ` + nodeKeys + ` }
	    edges { kind role from { ... on Event { key } } to { ... on Event { key } } } } }`
	cases := []struct {
		name  string
		vars  map[string]any
		nodes []string
		edges []string
	}{
		{"Backward", map[string]any{"event": "event:rubio-sharif-call", "direction": "BACKWARD"},
			[]string{"rubio-sharif-call", "india-retaliatory-strikes", "pahalgam-attack"},
			[]string{indiaRespPahalgam, sharifResp}},
		{"Forward", map[string]any{"event": "event:pahalgam-attack", "direction": "FORWARD"},
			[]string{"pahalgam-attack", "india-retaliatory-strikes", "pakistan-air-attacks-drones-missiles", "rubio-jaishankar-call", "rubio-sharif-call"},
			[]string{indiaRespPahalgam, pakistanEscIndia, jaishankarResp, sharifResp}},
		{"ForwardDepth1", map[string]any{"event": "event:pahalgam-attack", "direction": "FORWARD", "maxDepth": 1},
			[]string{"pahalgam-attack", "india-retaliatory-strikes"}, []string{indiaRespPahalgam}},
		// BOTH is the default: what led to the strikes and what followed.
		{"Both", map[string]any{"event": "event:india-retaliatory-strikes"},
			[]string{"india-retaliatory-strikes", "pahalgam-attack", "pakistan-air-attacks-drones-missiles", "rubio-jaishankar-call", "rubio-sharif-call"},
			[]string{indiaRespPahalgam, pakistanEscIndia, jaishankarResp, sharifResp}},
		// The calls respond to the strikes, not to each other: from one
		// call BOTH is what led to it only.
		{"BothFromCall", map[string]any{"event": "event:rubio-jaishankar-call"},
			[]string{"rubio-jaishankar-call", "india-retaliatory-strikes", "pahalgam-attack"},
			[]string{indiaRespPahalgam, jaishankarResp}},
		{"Kinds", map[string]any{"event": "event:india-retaliatory-strikes", "kinds": []string{"ESCALATION_OF"}},
			[]string{"india-retaliatory-strikes", "pakistan-air-attacks-drones-missiles"}, []string{pakistanEscIndia}},
		{"Unlinked", map[string]any{"event": "event:perdue-swearing-in"}, []string{"perdue-swearing-in"}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := a.data(q, c.vars)
			if got := nodeList(t, data, "eventChain", "nodes"); !slices.Equal(got, c.nodes) {
				t.Errorf("nodes = %q\nwant %q", got, c.nodes)
			}
			var v struct {
				EventChain struct {
					Truncated bool
					Edges     []struct {
						Kind, Role string
						From, To   struct{ Key string }
					}
				}
			}
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			if v.EventChain.Truncated {
				t.Error("truncated")
			}
			edges := []string{}
			for _, e := range v.EventChain.Edges {
				if e.Kind != "EVENT_LINK" {
					t.Errorf("edge kind %q", e.Kind)
				}
				edges = append(edges, strings.Join([]string{e.From.Key, e.Role, e.To.Key}, ">"))
			}
			if !slices.Equal(edges, c.edges) {
				t.Errorf("edges = %q\nwant %q", edges, c.edges)
			}
		})
	}

	t.Run("GlobalID", func(t *testing.T) {
		var v struct{ Event struct{ ID string } }
		json.Unmarshal(a.data(`{ event(key: "rubio-sharif-call") { id } }`, nil), &v)
		vars := map[string]any{"direction": "BACKWARD"}
		byKey := a.data(q, map[string]any{"event": "event:rubio-sharif-call", "direction": "BACKWARD"})
		vars["event"] = v.Event.ID
		equalJSON(t, a.data(q, vars), string(byKey))
	})

	for _, tt := range []struct {
		name, msg, code string
		vars            map[string]any
	}{
		{"MaxDepth0", "maxDepth must be between 1 and 10, not 0", "BAD_USER_INPUT", map[string]any{"event": "event:pahalgam-attack", "maxDepth": 0}},
		{"MaxDepth11", "maxDepth must be between 1 and 10, not 11", "BAD_USER_INPUT", map[string]any{"event": "event:pahalgam-attack", "maxDepth": 11}},
		{"ActorByKey", "event: names an actor, not an event", "BAD_USER_INPUT", map[string]any{"event": "actor:marco-rubio"}},
		{"ActorByID", "event: names an actor, not an event", "BAD_USER_INPUT", map[string]any{"event": rubioID}},
		{"CountryByCode", "event: names a country, not an event", "BAD_USER_INPUT", map[string]any{"event": "country:IN"}},
		{"NoKey", `event: "event:" names no key after the colon`, "BAD_USER_INPUT", map[string]any{"event": "event:"}},
		{"LongID", "event: the ID is 65 bytes, more than the limit of 64", "BAD_USER_INPUT", map[string]any{"event": strings.Repeat("A", 65)}},
		{"UnknownEvent", `no event "nothing-of-the-kind"`, "NOT_FOUND", map[string]any{"event": "event:nothing-of-the-kind"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if msg, code := a.errorOf(q, tt.vars); msg != tt.msg || code != tt.code {
				t.Errorf("%q (%s), want %q (%s)", msg, code, tt.msg, tt.code)
			}
		})
	}
}
