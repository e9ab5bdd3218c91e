package apitest

import (
	"fmt"
	"strings"
	"testing"
)

// Every bound on an argument is a BAD_USER_INPUT error naming the argument
// and the bound, answered before any SQL runs (README, "Access and limits").
func TestInputBounds(t *testing.T) {
	a := newAPI(t)
	list := func(n int, item func(i int) any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = item(i)
		}
		return out
	}
	actorKeys := func(n int) []any { return list(n, func(i int) any { return fmt.Sprintf("actor-%05d", i) }) }
	repeat := func(n int, v string) []any { return list(n, func(int) any { return v }) }
	long := strings.Repeat("x", 129)

	cases := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		// 32 767 is one more variable than SQLite takes in a statement.
		{"ActorKeys32767", `query($a: [String!]) { events(filter: {actors: $a}) { totalCount } }`,
			map[string]any{"a": actorKeys(32767)}, "filter.actors has 32767 keys, more than the limit of 1000"},
		{"ActorKeys1001", `query($a: [String!]) { timeline(filter: {actors: $a}) { totalCount } }`,
			map[string]any{"a": actorKeys(1001)}, "filter.actors has 1001 keys, more than the limit of 1000"},
		{"StatementActorKeys", `query($a: [String!]) { statements(filter: {actors: $a}) { totalCount } }`,
			map[string]any{"a": actorKeys(40000)}, "filter.actors has 40000 keys, more than the limit of 1000"},
		{"ActorKeyBytes", `query($a: [String!]) { events(filter: {actors: $a}) { totalCount } }`,
			map[string]any{"a": []any{"india", long}}, "filter.actors[1] is 129 bytes, more than the limit of 128"},
		{"Countries", `query($c: [String!]) { timeline(filter: {countries: $c}) { totalCount } }`,
			map[string]any{"c": repeat(1001, "IN")}, "filter.countries has 1001 codes, more than the limit of 1000"},
		{"CountryBytes", `query($c: [String!]) { actors(filter: {countries: $c}) { totalCount } }`,
			map[string]any{"c": []any{strings.Repeat("A", 65)}}, "filter.countries[0] is 65 bytes, more than the limit of 64"},
		{"EventTypes", `query($t: [EventType!]) { eventCounts(filter: {eventTypes: $t}, interval: YEAR) { count } }`,
			map[string]any{"t": repeat(1001, "MEETING")}, "filter.eventTypes has 1001 values, more than the limit of 1000"},
		{"Roles", `query($r: [ParticipantRole!]) { events(filter: {roles: $r}) { totalCount } }`,
			map[string]any{"r": repeat(1001, "TARGET")}, "filter.roles has 1001 values, more than the limit of 1000"},
		{"Include", `query($i: [TimelineItemKind!]) { timeline(filter: {include: $i}) { totalCount } }`,
			map[string]any{"i": repeat(1001, "EVENT")}, "filter.include has 1001 values, more than the limit of 1000"},
		{"ActorKinds", `query($k: [ActorKind!]) { actors(filter: {kinds: $k}) { totalCount } }`,
			map[string]any{"k": repeat(1001, "STATE")}, "filter.kinds has 1001 values, more than the limit of 1000"},
		{"EdgeKinds", `query($k: [EdgeKind!]) { neighborhood(id: "QWN0b3I6MTI", filter: {edgeKinds: $k}) { truncated } }`,
			map[string]any{"k": repeat(1001, "LOCATION")}, "filter.edgeKinds has 1001 values, more than the limit of 1000"},
		{"PathEdgeKinds", `query($k: [EdgeKind!]) { shortestPath(from: "QWN0b3I6OQ", to: "QWN0b3I6MTI", filter: {edgeKinds: $k}) { length } }`,
			map[string]any{"k": repeat(1001, "LOCATION")}, "filter.edgeKinds has 1001 values, more than the limit of 1000"},
		{"RelationshipKinds", `query($k: [RelationshipKind!]) { actor(key: "india") { relationships(kinds: $k) { key } } }`,
			map[string]any{"k": repeat(1001, "MEMBER_OF")}, "kinds has 1001 values, more than the limit of 1000"},
		{"FilterText", `query($t: String) { timeline(filter: {text: $t}) { totalCount } }`,
			map[string]any{"t": strings.Repeat("a ", 500) + "a"}, "filter.text is 1001 bytes, more than the limit of 1000"},
		{"SearchText", `query($t: String!) { search(text: $t) { score } }`,
			map[string]any{"t": strings.Repeat("b", 1001)}, "text is 1001 bytes, more than the limit of 1000"},
		{"Key", `query($k: String!) { actor(key: $k) { name } }`,
			map[string]any{"k": long}, "key is 129 bytes, more than the limit of 128"},
		{"EventKey", `query($k: String!) { event(key: $k) { title } }`,
			map[string]any{"k": strings.Repeat("e", 100000)}, "key is 100000 bytes, more than the limit of 128"},
		{"CountryCode", `query($c: String!) { country(code: $c) { name } }`,
			map[string]any{"c": strings.Repeat("C", 65)}, "code is 65 bytes, more than the limit of 64"},
		{"ID", `query($id: ID!) { node(id: $id) { id } }`,
			map[string]any{"id": strings.Repeat("Q", 65)}, "the ID is 65 bytes, more than the limit of 64"},
		{"PathID", `query($id: ID!) { shortestPath(from: $id, to: "QWN0b3I6MTI") { length } }`,
			map[string]any{"id": strings.Repeat("Q", 1000)}, "from: the ID is 1000 bytes, more than the limit of 64"},
	}
	// Statements of the fields above the refused one: the actor is read
	// (one statement, its aliases with it) before its field's arguments are
	// looked at; relationships' own SQL never runs.
	reads := map[string]int64{"RelationshipKinds": 1}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := a.store.ReadStatements()
			msg, code := a.errorOf(c.query, c.vars)
			if msg != c.want || code != "BAD_USER_INPUT" {
				t.Errorf("error = %q (%s), want %q (BAD_USER_INPUT)", msg, code, c.want)
			}
			if n := a.store.ReadStatements() - before; n != reads[c.name] {
				t.Errorf("%d SQL statements ran before the refusal, want %d", n, reads[c.name])
			}
		})
	}

	// At the limit, a list is taken: 1000 keys, of two actors.
	t.Run("AtTheLimit", func(t *testing.T) {
		keys := make([]string, 0, 1000)
		for range 999 {
			keys = append(keys, "india")
		}
		keys = append(keys, "pakistan")
		q := `query($a: [String!]) { events(filter: {actors: $a}, first: 5) { totalCount nodes { key } } }`
		want := a.data(q, map[string]any{"a": []any{"india", "pakistan"}})
		equalJSON(t, a.data(q, map[string]any{"a": keys}), string(want))
	})
}
