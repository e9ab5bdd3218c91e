package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/geotimeline/geotimeline/db/migrations"
)

// sourceFacetRows lists the timeline index's source facet rows, sorted.
func sourceFacetRows(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.write.Query(`SELECT value, at, precision, key, kind, item_id FROM timeline_index
		WHERE facet = ` + lit(facetSource) + ` ORDER BY value, at, precision, key, kind, item_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	n := 0
	for rows.Next() {
		var value, at, precision, kind, item int64
		var key string
		if err := rows.Scan(&value, &at, &precision, &key, &kind, &item); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %d %d %s %d %d\n", value, at, precision, key, kind, item)
		n++
	}
	if n == 0 {
		t.Fatal("no source facet rows: the generated graph cites no sources")
	}
	return b.String()
}

// Migration 00009 gives the records already stored exactly the source
// facet rows the write path gives them.
func TestSourceFacetMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	s := openCountsStore(t)
	want := sourceFacetRows(t, s)
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := s.write.QueryRow(`SELECT count(*) FROM timeline_index WHERE facet = ` + lit(facetSource)).Scan(&left); err != nil || left != 0 {
		t.Fatalf("after down: %d source rows (%v), want none", left, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sourceFacetRows(t, s); got != want {
		t.Errorf("the migration's rows differ from the write path's:\n%s", firstDiff(got, want))
	}
}

// spanRows lists every item's span length as the events, the statements
// and the timeline index hold it, and the longest span kept for OVERLAPS.
func spanRows(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.write.Query(`SELECT 'e', key, span_end - occurred_at FROM events
		UNION ALL SELECT 's', key, span_end - made_at FROM statements
		UNION ALL SELECT 't' || facet || ':' || value || ':' || kind, item_id, span_end - at FROM timeline_index
		UNION ALL SELECT 'longest', '', longest FROM timeline_spans
		ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var what, key string
		var end int64
		if err := rows.Scan(&what, &key, &end); err != nil {
			t.Fatal(err)
		}
		if end <= 0 {
			t.Fatalf("%s %s has a span of %d ms", what, key, end)
		}
		fmt.Fprintf(&b, "%s %s %d\n", what, key, end)
	}
	return b.String()
}

// Migration 00010 gives the records already stored (all with plain dates)
// exactly the span ends, and the longest span, that the write path gives
// them.
func TestSpanMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	s := openCountsStore(t)
	want := spanRows(t, s)
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
	if got := spanRows(t, s); got != want {
		t.Errorf("the migration's span ends differ from the write path's:\n%s", firstDiff(got, want))
	}
}
