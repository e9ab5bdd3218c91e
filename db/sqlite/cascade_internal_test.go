package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// hubFixture: actor hub takes part in n events (with other), speaks two
// statements, is addressed by one of other's and is the subject of one
// relationship.
func hubFixture(n int) string {
	var b strings.Builder
	b.WriteString(`{"version": 1,
	  "actors": [{"key": "hub", "name": "Hub", "kind": "STATE"}, {"key": "other", "name": "Other", "kind": "STATE"}],
	  "relationships": [{"key": "hub-opposes-other", "kind": "OPPOSES", "subject": "hub", "object": "other"}],
	  "statements": [
	    {"key": "st-1", "kind": "QUOTE", "speaker": "hub", "madeAt": "2025-02-01", "text": "One."},
	    {"key": "st-2", "kind": "QUOTE", "speaker": "hub", "madeAt": "2025-02-02", "text": "Two."},
	    {"key": "st-3", "kind": "QUOTE", "speaker": "other", "madeAt": "2025-02-03", "text": "Three.", "addressees": ["hub"]}],
	  "events": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"key": "e-%05d", "type": "CALL", "title": "Call %d", "occurredAt": "2025-01-01",
		  "participants": [{"actor": "hub", "role": "INITIATOR"}, {"actor": "other", "role": "TARGET"}]}`, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestCascadeBound: a cascade that would touch more records than
// MaxCascade is refused before anything is written, with the figures; at
// the bound it runs.
func TestCascadeBound(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	set, err := fixture.Decode([]fixture.File{{Name: "x.json", Data: []byte(hubFixture(12))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	// 12 events and st-3 rewritten, st-1, st-2 and the relationship deleted.
	s.MaxCascade = 15
	_, err = s.Delete(ctx, db.RefActor, "hub", true)
	checkFault(t, "Delete", err, db.CodeInvalid, `deleting actor "hub" with cascade would rewrite 12 events, `+
		`rewrite 1 statement, delete 2 statements, delete 1 relationship: 16 records, more than the 15 one delete may touch `+
		`(it would hold the database's write lock too long); write the referring records without it in smaller loads first, then delete it`)
	if n := countRows(t, s, "events"); n != 12 {
		t.Errorf("events after the refusal = %d, want 12", n)
	}

	s.MaxCascade = 16
	res, err := s.Delete(ctx, db.RefActor, "hub", true)
	if err != nil {
		t.Fatalf("Delete at the bound: %v", err)
	}
	if got, want := len(res.Updated), 13; got != want {
		t.Errorf("updated = %d, want %d", got, want)
	}
	if got, want := len(res.Deleted), 4; got != want {
		t.Errorf("deleted = %d, want %d", got, want)
	}
}
