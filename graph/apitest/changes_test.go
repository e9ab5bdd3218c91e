package apitest

import (
	"testing"
	"time"
)

// The changes feed over HTTP: each kind of record upserted, nothing for a
// reload of the same content, tombstones and the cascade's rewrites for a
// delete, pages, and a cursor older than the retention refused.
func TestChanges(t *testing.T) {
	a := newEmptyAPI(t)
	t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	a.setClock(t0)
	doc := map[string]any{"version": 1,
		"countries": []any{map[string]any{"code": "XZ", "name": "Zedland"}},
		"sources":   []any{map[string]any{"key": "src", "url": "https://example.org/src"}},
		"actors": []any{
			map[string]any{"key": "zed", "name": "Zed", "kind": "STATE", "country": "XZ"},
			map[string]any{"key": "envoy", "name": "Envoy", "kind": "PERSON"}},
		"relationships": []any{map[string]any{"kind": "MEMBER_OF", "subject": "envoy", "object": "zed"}},
		"events": []any{map[string]any{"key": "summit", "type": "MEETING", "title": "Summit", "occurredAt": "2025-05-01",
			"participants": []any{map[string]any{"actor": "zed", "role": "PARTICIPANT"}, map[string]any{"actor": "envoy", "role": "PARTICIPANT"}}}},
		"statements": []any{map[string]any{"key": "speech", "kind": "SPEECH", "speaker": "envoy", "madeAt": "2025-05-02",
			"text": "Hello.", "sources": []any{"src"}}},
	}
	load := `mutation($f: JSON!) { loadFixture(fixture: $f) { inserted } }`
	for range 2 { // the second load changes nothing, so logs nothing
		if r := a.do(load, map[string]any{"f": doc}); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
	}
	a.setClock(t0.Add(time.Hour))
	if r := a.do(`mutation { deleteActor(key: "zed", cascade: true) { deleted { key } } }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	q := `query($after: String, $first: Int) { changes(after: $after, first: $first) {
		nodes { op kind key at } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } headCursor } }`
	equalJSON(t, a.data(q, nil), `{"changes": {"nodes": [
		{"op": "UPSERT", "kind": "COUNTRY", "key": "XZ", "at": "2025-06-01T10:00:00Z"},
		{"op": "UPSERT", "kind": "SOURCE", "key": "src", "at": "2025-06-01T10:00:00Z"},
		{"op": "UPSERT", "kind": "ACTOR", "key": "zed", "at": "2025-06-01T10:00:00Z"},
		{"op": "UPSERT", "kind": "ACTOR", "key": "envoy", "at": "2025-06-01T10:00:00Z"},
		{"op": "UPSERT", "kind": "RELATIONSHIP", "key": "MEMBER_OF envoy → zed", "at": "2025-06-01T10:00:00Z"},
		{"op": "UPSERT", "kind": "EVENT", "key": "summit", "at": "2025-06-01T10:00:00Z"},
		{"op": "UPSERT", "kind": "STATEMENT", "key": "speech", "at": "2025-06-01T10:00:00Z"},
		{"op": "DELETE", "kind": "RELATIONSHIP", "key": "MEMBER_OF envoy → zed", "at": "2025-06-01T11:00:00Z"},
		{"op": "UPSERT", "kind": "EVENT", "key": "summit", "at": "2025-06-01T11:00:00Z"},
		{"op": "DELETE", "kind": "ACTOR", "key": "zed", "at": "2025-06-01T11:00:00Z"}],
		"pageInfo": {"hasNextPage": false, "hasPreviousPage": false, "startCursor": "YzE6MQ", "endCursor": "YzE6MTA"},
		"headCursor": "YzE6MTA"}}`)
	// Pages of 4 from the cursor of the 2nd change; an empty page keeps
	// the cursor it was given.
	equalJSON(t, a.data(`{ changes(after: "YzE6Mg", first: 4) { edges { cursor node { key } } pageInfo { hasNextPage endCursor } } }`, nil),
		`{"changes": {"edges": [{"cursor": "YzE6Mw", "node": {"key": "zed"}}, {"cursor": "YzE6NA", "node": {"key": "envoy"}},
		{"cursor": "YzE6NQ", "node": {"key": "MEMBER_OF envoy → zed"}}, {"cursor": "YzE6Ng", "node": {"key": "summit"}}],
		"pageInfo": {"hasNextPage": true, "endCursor": "YzE6Ng"}}}`)
	equalJSON(t, a.data(`{ changes(after: "YzE6MTA") { nodes { key } pageInfo { hasNextPage endCursor } } }`, nil),
		`{"changes": {"nodes": [], "pageInfo": {"hasNextPage": false, "endCursor": "YzE6MTA"}}}`)
	for _, bad := range []struct{ query, msg string }{
		{`{ changes(first: 1001) { headCursor } }`, "first must be between 0 and 1000, not 1001"},
		{`{ changes(after: "bm9wZQ") { headCursor } }`, `after: "bm9wZQ" is not a cursor of this list`},
	} {
		if msg, code := a.errorOf(bad.query, nil); code != "BAD_USER_INPUT" || msg != bad.msg {
			t.Errorf("%s: %q (%s), want %q (BAD_USER_INPUT)", bad.query, msg, code, bad.msg)
		}
	}
	// A write 31 days on trims every change older than the 30 days'
	// retention: a cursor before them is refused, the head is not.
	a.setClock(t0.Add(31 * 24 * time.Hour))
	if r := a.do(`mutation { upsertSource(input: {key: "later"}) { key } }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	const expired = "the changes after this cursor are no longer kept; reload everything and start again from a new cursor"
	if msg, code := a.errorOf(`{ changes(after: "YzE6Mg") { headCursor } }`, nil); code != "BAD_USER_INPUT" || msg != expired {
		t.Errorf("an expired cursor: %q (%s), want %q (BAD_USER_INPUT)", msg, code, expired)
	}
	equalJSON(t, a.data(`{ changes(after: "YzE6MTA") { nodes { op kind key at } headCursor } }`, nil),
		`{"changes": {"nodes": [{"op": "UPSERT", "kind": "SOURCE", "key": "later", "at": "2025-07-02T10:00:00Z"}], "headCursor": "YzE6MTE"}}`)
}
