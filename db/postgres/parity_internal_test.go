package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/sqlite"
)

// parityFixture has what the kept counts and the spans compute from: days
// before 1970, month, year and ISO-week ends, an event in December 9999
// (whose month and year end in 10000), intervals and ended events,
// fatality ranges, intensities, codes and estimates. Each kind's records
// are in key order, the order the PostgreSQL store writes them in, so that
// both stores give them the same row ids and the derived rows, which hold
// ids, compare as they are.
const parityFixture = `{
  "version": 1,
  "sources": [{"key": "ucdp", "url": "https://ucdp.uu.se/"}],
  "actors": [
    {"key": "india", "name": "India", "kind": "STATE", "country": "IN", "aliases": ["Bhārat"]},
    {"key": "modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN"},
    {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": "PK"}
  ],
  "relationships": [
    {"kind": "OPPOSES", "subject": "india", "object": "pakistan", "from": "1947", "to": "2025-05"}
  ],
  "events": [
    {"key": "e1", "type": "ATTACK", "title": "Before 1970", "occurredAt": "1969-12-31", "location": {"country": "IN"},
      "fatalities": 3, "participants": [{"actor": "india", "role": "TARGET"}, {"actor": "modi", "role": "PARTICIPANT"}],
      "sources": ["ucdp"]},
    {"key": "e2", "type": "ATTACK", "title": "Sunday", "occurredAt": "2025-05-04", "location": {"country": "IN"},
      "fatalities": 100, "estimates": [{"measure": "FATALITIES", "low": 10, "best": 12, "high": 20, "source": "ucdp"}],
      "links": [{"kind": "RESPONSE_TO", "event": "e1"}]},
    {"key": "e3", "type": "STRIKE", "title": "Monday to Tuesday", "occurredAt": "2025-05-05", "endedAt": "2025-05-06",
      "location": {"country": "PK"}, "intensity": -2.5, "codes": [{"scheme": "CAMEO", "code": "190"}]},
    {"key": "e4", "type": "STRIKE", "title": "Across a month", "occurredAt": "2025-01-30/2025-02-02", "intensity": 4},
    {"key": "e5", "type": "PROTEST", "title": "A month", "occurredAt": "2025-02"},
    {"key": "e6", "type": "PROTEST", "title": "A year", "occurredAt": "2024", "location": {"country": "IN"}},
    {"key": "e7", "type": "OTHER", "title": "End of time", "occurredAt": "9999-12-15", "fatalities": 1},
    {"key": "e8", "type": "OTHER", "title": "New year's eve", "occurredAt": "2025-12-31T23:59:00Z",
      "estimates": [{"measure": "FATALITIES", "best": 8, "high": 11}]}
  ],
  "statements": [
    {"key": "s1", "kind": "QUOTE", "speaker": "modi", "addressees": ["pakistan"], "about": ["e3"],
      "madeAt": "2025-01/2025-03", "text": "Something.", "sources": ["ucdp"]}
  ]
}`

// parityChanged moves e2 to another day, month and country and changes
// e3's span and intensity: the counts take each out of its old rows.
var parityChanged = strings.NewReplacer(
	`"title": "Sunday", "occurredAt": "2025-05-04", "location": {"country": "IN"}`,
	`"title": "Sunday", "occurredAt": "2025-06-01", "location": {"country": "PK"}`,
	`"endedAt": "2025-05-06",`, `"endedAt": "2025-05-20",`,
	`"intensity": -2.5`, `"intensity": 1.5`,
	// modi moves: the timeline rows of e1 and s1 carry his country.
	`"name": "Narendra Modi", "kind": "PERSON", "country": "IN"`, `"name": "Narendra Modi", "kind": "PERSON", "country": "GB"`,
).Replace(parityFixture)

// The PostgreSQL migrations translate SQLite's date arithmetic and count
// rules: loaded with the same fixture, both stores must hold the same kept
// counts, span counts, longest span, span ends and content hashes.
func TestParityWithSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	lite.Now = func() time.Time { return t1 }
	pg := openClocked(t)
	if parityChanged == parityFixture {
		t.Fatal("parityChanged changes nothing")
	}
	liteDB, err := sql.Open("sqlite3", "file:"+lite.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer liteDB.Close()
	for _, fixture := range []string{parityFixture, parityChanged} {
		set := decode(t, fixture)
		if _, err := lite.Apply(ctx, &set.Batch, set.Refs); err != nil {
			t.Fatalf("SQLite Apply: %v", err)
		}
		load(t, pg, fixture)
		compareWithSQLite(t, liteDB, pg)
		compareReads(t, lite, pg, set)
	}
	// The search document folds diacritics and case as FTS4's unicode61
	// with remove_diacritics=2 does.
	if got, want := pgRows(t, pg, `SELECT docid FROM search_text
		WHERE document @@ to_tsquery('simple', 'bharat') ORDER BY docid`), []string{"4"}; !slices.Equal(got, want) {
		t.Errorf("documents matching bharat: %q, want india's (docid 4)", got)
	}
}

func compareWithSQLite(t *testing.T, liteDB *sql.DB, pg *Store) {
	t.Helper()
	for _, query := range []string{
		`SELECT width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
			fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events
			FROM event_counts ORDER BY width, grain, type, country, start`,
		`SELECT width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events
			FROM event_span_counts ORDER BY width, grain, type, start, last`,
		`SELECT longest FROM timeline_spans`,
		`SELECT facet, value, at, precision, key, kind, item_id, role, span_end FROM timeline_index
			ORDER BY facet, value, at, precision, key, kind, item_id, role`,
		`SELECT src, kind, dst, forward, owner, role, at_start, at_end FROM graph_edges
			ORDER BY src, kind, dst, forward, owner, role`,
		`SELECT kind, item_id FROM changes ORDER BY seq`,
		`SELECT key, span_end, fatalities_low, fatalities_high, hex(content_hash) FROM events ORDER BY key`,
		`SELECT key, span_end, hex(content_hash) FROM statements ORDER BY key`,
		`SELECT key, hex(content_hash) FROM actors ORDER BY key`,
		`SELECT key, hex(content_hash) FROM sources ORDER BY key`,
	} {
		want := liteRows(t, liteDB, query)
		got := pgRows(t, pg, strings.ReplaceAll(query, "hex(content_hash)", "upper(encode(content_hash, 'hex'))"))
		if len(want) == 0 {
			t.Errorf("%s: no rows in SQLite, nothing compared", query)
		}
		t.Logf("%d rows equal: %.40s…", len(want), strings.Join(strings.Fields(query), " "))
		if !slices.Equal(got, want) {
			t.Errorf("%s\nPostgreSQL:\n  %s\nSQLite:\n  %s", query, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
}

func liteRows(t *testing.T, q *sql.DB, query string) []string {
	t.Helper()
	rows, err := q.Query(query)
	if err != nil {
		t.Fatalf("SQLite %s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, rowString(vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func pgRows(t *testing.T, s *Store, query string) []string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("PostgreSQL %s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rowString(vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rowString writes a row's values alike whichever driver read them: every
// integer as an integer, every float as %g, text as text.
func rowString(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case []byte:
			parts[i] = string(v)
		case float64:
			parts[i] = fmt.Sprintf("%g", v)
		case float32:
			parts[i] = fmt.Sprintf("%g", v)
		case nil:
			parts[i] = "NULL"
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, " | ")
}
