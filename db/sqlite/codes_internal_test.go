package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/migrations"
)

// figuresFixture has events whose fatality range comes from estimates,
// from fatalities alone, and from nothing.
const figuresFixture = `{"version": 1,
  "sources": [{"key": "ucdp"}],
  "events": [
    {"key": "a-estimates", "type": "ATTACK", "title": "A", "occurredAt": "2025-05-01", "fatalities": 100,
      "estimates": [{"measure": "FATALITIES", "low": 10, "best": 12, "high": 20, "source": "ucdp"},
        {"measure": "FATALITIES", "best": 9}, {"measure": "FATALITIES", "high": 31}, {"measure": "INJURED", "low": 0, "high": 500}]},
    {"key": "b-best-high", "type": "ATTACK", "title": "B", "occurredAt": "2025-05-02",
      "estimates": [{"measure": "FATALITIES", "best": 8, "high": 11}]},
    {"key": "c-fatalities", "type": "ATTACK", "title": "C", "occurredAt": "2025-05-03", "fatalities": 26,
      "estimates": [{"measure": "INJURED", "best": 4}]},
    {"key": "d-nothing", "type": "OTHER", "title": "D", "occurredAt": "2025-05-04", "intensity": -2.5}
  ]}`

func openFigures(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "figures.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set, err := fixture.Decode([]fixture.File{{Name: "figures.json", Data: []byte(figuresFixture)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	return s
}

// figureColumns lists each event's derived figures, by key.
func figureColumns(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.write.Query(`SELECT key, fatalities_low, fatalities_high, coalesce(intensity, 'null') FROM events ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var key, intensity string
		var low, high int
		if err := rows.Scan(&key, &low, &high, &intensity); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %d %s\n", key, low, high, intensity)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The writer keeps fatalities_low and fatalities_high as
// db.Event.FatalityRange gives them.
func TestFatalityColumns(t *testing.T) {
	s := openFigures(t)
	want := "a-estimates 9 31 null\nb-best-high 8 11 null\nc-fatalities 26 26 null\nd-nothing 0 0 -2.5\n"
	if got := figureColumns(t, s); got != want {
		t.Errorf("columns:\n%s\nwant:\n%s", got, want)
	}
}

// Migration 00011 gives the events already stored, which have no
// estimates, their own fatalities (0 when absent) as both figures.
func TestFatalityColumnsMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	s := openFigures(t)
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	want := "a-estimates 100 100 null\nb-best-high 0 0 null\nc-fatalities 26 26 null\nd-nothing 0 0 null\n"
	if got := figureColumns(t, s); got != want {
		t.Errorf("columns after the migration:\n%s\nwant:\n%s", got, want)
	}
}

// realDataDeleteFixture has co-speakers and estimate sources to delete: b
// co-speaks two statements (one also addressed to b) and takes part in an
// event; ucdp is the source of estimates of two events and in the sources
// of one of them.
const realDataDeleteFixture = `{"version": 1,
  "sources": [{"key": "ucdp"}, {"key": "acled"}],
  "actors": [{"key": "a", "name": "A", "kind": "STATE", "country": "IN"}, {"key": "b", "name": "B", "kind": "STATE", "country": "NP"},
    {"key": "c", "name": "C", "kind": "STATE"}],
  "events": [
    {"key": "e1", "type": "ATTACK", "title": "1", "occurredAt": "2025-05-01", "sources": ["ucdp", "acled"],
      "estimates": [{"measure": "FATALITIES", "best": 3, "source": "ucdp"}, {"measure": "INJURED", "best": 4, "source": "acled"}],
      "participants": [{"actor": "a", "role": "INITIATOR", "as": "A's army"}, {"actor": "b", "role": "TARGET"}]},
    {"key": "e2", "type": "STRIKE", "title": "2", "occurredAt": "2025-05-02",
      "estimates": [{"measure": "FATALITIES", "low": 1, "high": 9, "source": "ucdp", "note": "n"}]},
    {"key": "e3", "type": "OTHER", "title": "3", "occurredAt": "2025-05-03", "codes": [{"scheme": "CAMEO", "code": "190"}]}
  ],
  "statements": [
    {"key": "s1", "kind": "PRESS_RELEASE", "speaker": "a", "coSpeakers": ["c", "b"], "madeAt": "2025-05-04", "text": "Joint."},
    {"key": "s2", "kind": "QUOTE", "speaker": "c", "coSpeakers": ["b"], "addressees": ["b", "a"], "madeAt": "2025-05-05", "text": "Joint too."},
    {"key": "s3", "kind": "QUOTE", "speaker": "b", "madeAt": "2025-05-06", "text": "B's own."}
  ]}`
