package apitest

import (
	"testing"
	"time"
)

const recordChangedQuery = `subscription($kinds: [RecordKind!]) { recordChanged(kinds: $kinds) { op kind key at } }`

// recordChanged delivers every change of the feed as it commits, deletions
// and a cascade's rewrites included, of the kinds asked for; timelineUpdated
// is unaffected (its own tests).
func TestRecordChangedDeliversDeletes(t *testing.T) {
	a := newEmptyAPI(t)
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	a.setClock(at)
	all, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	events, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	all.subscribe("all", recordChangedQuery, nil)
	events.subscribe("events", recordChangedQuery, map[string]any{"kinds": []string{"EVENT"}})
	waitFor(t, "the subscriptions to open", func() bool { return a.hub.Open() == 2 })

	doc := map[string]any{"version": 1,
		"actors": []any{
			map[string]any{"key": "zed", "name": "Zed", "kind": "STATE"},
			map[string]any{"key": "yon", "name": "Yon", "kind": "STATE"}},
		"events": []any{map[string]any{"key": "summit", "type": "MEETING", "title": "Summit", "occurredAt": "2025-05-01",
			"participants": []any{map[string]any{"actor": "zed", "role": "PARTICIPANT"}, map[string]any{"actor": "yon", "role": "PARTICIPANT"}}}},
	}
	a.data(`mutation($f: JSON!) { loadFixture(fixture: $f) { inserted } }`, map[string]any{"f": doc})
	a.data(`mutation { deleteActor(key: "yon", cascade: true) { deleted { key } } }`, nil)
	a.data(`mutation { upsertSource(input: {key: "last"}) { key } }`, nil)

	for _, want := range []string{
		`{"op": "UPSERT", "kind": "ACTOR", "key": "zed", "at": "2025-06-01T10:00:00Z"}`,
		`{"op": "UPSERT", "kind": "ACTOR", "key": "yon", "at": "2025-06-01T10:00:00Z"}`,
		`{"op": "UPSERT", "kind": "EVENT", "key": "summit", "at": "2025-06-01T10:00:00Z"}`,
		`{"op": "UPSERT", "kind": "EVENT", "key": "summit", "at": "2025-06-01T10:00:00Z"}`,
		`{"op": "DELETE", "kind": "ACTOR", "key": "yon", "at": "2025-06-01T10:00:00Z"}`,
		`{"op": "UPSERT", "kind": "SOURCE", "key": "last", "at": "2025-06-01T10:00:00Z"}`,
	} {
		equalJSON(t, all.next("all"), `{"recordChanged": `+want+`}`)
	}
	// Only the events reach "events", the cascade's rewrite among them; the
	// event written last shows that nothing else came before it.
	a.data(`mutation { upsertEvent(input: {key: "after", type: MEETING, title: "After", occurredAt: "2025-05-02"}) { key } }`, nil)
	for _, key := range []string{"summit", "summit", "after"} {
		equalJSON(t, events.next("events"), `{"recordChanged": {"op": "UPSERT", "kind": "EVENT", "key": "`+key+`", "at": "2025-06-01T10:00:00Z"}}`)
	}
	all.send(wsMessage{Type: "complete", ID: "all"})
	events.send(wsMessage{Type: "complete", ID: "events"})
	waitFor(t, "the subscriptions to close", func() bool { return a.hub.Open() == 0 })
}
