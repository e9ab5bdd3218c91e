package storetest

import (
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// listFixture has, for each list of the API, a longest list of a known
// length, and shorter ones beside it.
const listFixture = `{"version": 1,
  "sources": [{"key": "s1", "title": "1"}, {"key": "s2", "title": "2"}, {"key": "s3", "title": "3"}],
  "actors": [
    {"key": "a", "name": "A", "kind": "STATE", "sources": ["s1", "s2"]},
    {"key": "b", "name": "B", "kind": "STATE", "sources": ["s1"]},
    {"key": "c", "name": "C", "kind": "STATE"}],
  "relationships": [
    {"kind": "OPPOSES", "subject": "a", "object": "b", "sources": ["s1", "s2", "s3"]},
    {"kind": "ALLIED_WITH", "subject": "a", "object": "c"},
    {"kind": "OPPOSES", "subject": "c", "object": "a", "sources": ["s1"]}],
  "events": [
    {"key": "e1", "type": "ATTACK", "title": "1", "occurredAt": "2025-01-01",
     "participants": [{"actor": "a", "role": "INITIATOR"}, {"actor": "b", "role": "TARGET"}, {"actor": "c", "role": "PARTICIPANT"}],
     "sources": ["s1", "s2", "s3"],
     "estimates": [{"measure": "FATALITIES", "best": 1, "source": "s1"}, {"measure": "INJURED", "best": 2}]},
    {"key": "e2", "type": "STRIKE", "title": "2", "occurredAt": "2025-01-02",
     "participants": [{"actor": "a", "role": "INITIATOR"}],
     "links": [{"kind": "RESPONSE_TO", "event": "e1"}]},
    {"key": "e3", "type": "STRIKE", "title": "3", "occurredAt": "2025-01-03",
     "links": [{"kind": "RESPONSE_TO", "event": "e1"}, {"kind": "RESPONSE_TO", "event": "e2"}]}],
  "statements": [
    {"key": "t1", "kind": "QUOTE", "speaker": "a", "coSpeakers": ["c"], "addressees": ["b", "c"], "madeAt": "2025-01-04", "text": "x",
     "about": ["e1", "e2"], "sources": ["s1"]},
    {"key": "t2", "kind": "QUOTE", "speaker": "b", "madeAt": "2025-01-05", "text": "y", "about": ["e1"]}]}`

func testListLengths(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	if got, err := s.ListLengths(context.Background()); err != nil || got != (db.ListLengths{}) {
		t.Errorf("empty store: %+v, %v", got, err)
	}
	load(t, s, listFixture)
	got, err := s.ListLengths(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := db.ListLengths{Participants: 3, Links: 2, LinkedFrom: 2, EventStatements: 2, EventSources: 3, Estimates: 2,
		Addressees: 2, CoSpeakers: 1, About: 2, StatementSources: 1, ActorSources: 2, ActorRelationships: 3, RelationshipSources: 3}
	if got != want {
		t.Errorf("lengths = %+v\nwant %+v", got, want)
	}
}
