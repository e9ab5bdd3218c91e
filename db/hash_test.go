package db

import (
	"bytes"
	"testing"
	"time"
)

// A record's hash ignores its id and clocks and tells no list from an
// empty one, and nothing else.
func TestContentHashes(t *testing.T) {
	day := time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC)
	at := Date{At: day, Precision: PrecisionDay}
	base := Event{Key: "call", Type: "CALL", Title: "A call", OccurredAt: at}
	same := base
	same.ID, same.Stamps = 42, Stamps{CreatedAt: day, UpdatedAt: day}
	same.Tags, same.Participants, same.Links, same.Sources = []string{}, []Participant{}, []Link{}, []string{}
	other := base
	other.Title = "Another call"
	h := func(e Event) []byte {
		t.Helper()
		b, err := EventHash(&e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(h(base), h(same)) {
		t.Error("an event's hash changed with its id, clocks or empty lists")
	}
	if bytes.Equal(h(base), h(other)) {
		t.Error("two titles, one hash")
	}
	if len(h(base)) != 32 {
		t.Errorf("a hash of %d bytes, want SHA-256's 32", len(h(base)))
	}
}
