package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// The helpers of the tests of what is SQLite's own; the behaviour every
// store shares is tested, with helpers of its own, in db/storetest.

// The clocks tests set on a store, so that createdAt and updatedAt are known.
var (
	t1 = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	t2 = time.Date(2025, 6, 2, 11, 30, 0, 0, time.UTC)
)

// mustOpen opens a new store on a file in a temporary directory, with its
// clock fixed at t1, and closes it when the test ends.
func mustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "geotimeline.db"))
}

// mustOpenPath opens the store at path and closes it when the test ends.
func mustOpenPath(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	setClock(s, t1)
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// setClock fixes the store's clock at t.
func setClock(s *sqlite.Store, t time.Time) {
	s.Now = func() time.Time { return t }
}

// fileName is the name of the i-th fixture given to load: "x.json",
// "x2.json", …
func fileName(i int) string {
	if i == 0 {
		return "x.json"
	}
	return fmt.Sprintf("x%d.json", i+1)
}

// decode decodes fixtures given as JSON strings, failing the test on any
// problem.
func decode(tb testing.TB, files ...string) *fixture.Set {
	tb.Helper()
	fs := make([]fixture.File, len(files))
	for i, f := range files {
		fs[i] = fixture.File{Name: fileName(i), Data: []byte(f)}
	}
	set, err := fixture.Decode(fs)
	if err != nil {
		tb.Fatalf("Decode: %v", err)
	}
	return set
}

// tryLoad decodes the fixtures (which must be valid) and applies them,
// returning what Apply returns.
func tryLoad(tb testing.TB, s *sqlite.Store, files ...string) (db.Summary, error) {
	tb.Helper()
	set := decode(tb, files...)
	return s.Apply(context.Background(), &set.Batch, set.Refs)
}

// load decodes the fixtures and applies them as one seed run, failing the
// test on any error.
func load(tb testing.TB, s *sqlite.Store, files ...string) db.Summary {
	tb.Helper()
	sum, err := tryLoad(tb, s, files...)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	return sum
}

// exportBytes is the store's export written as a fixture.
func exportBytes(tb testing.TB, s *sqlite.Store) []byte {
	tb.Helper()
	b, err := s.Export(context.Background())
	if err != nil {
		tb.Fatalf("Export: %v", err)
	}
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		tb.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

func isEmpty(tb testing.TB, s *sqlite.Store) bool {
	tb.Helper()
	empty, err := s.IsEmpty(context.Background())
	if err != nil {
		tb.Fatalf("IsEmpty: %v", err)
	}
	return empty
}

// itemNames writes timeline items as "e:key" (event) or "s:key" (statement),
// joined by spaces, so that a whole page compares as one string.
func itemNames(items []db.ItemRef) string {
	names := make([]string, len(items))
	for i, it := range items {
		prefix := "e:"
		if it.Kind == db.ItemStatement {
			prefix = "s:"
		}
		names[i] = prefix + it.Pos.Key
	}
	return strings.Join(names, " ")
}

// timeline is every item matching f, in order, as itemNames writes them.
func timeline(tb testing.TB, s *sqlite.Store, f db.TimelineFilter, order db.SortOrder) string {
	tb.Helper()
	page, err := s.Timeline(context.Background(), f, order, db.Page{Limit: 1000})
	if err != nil {
		tb.Fatalf("Timeline(%+v, %s): %v", f, order, err)
	}
	if page.HasNextPage || page.HasPreviousPage {
		tb.Fatalf("Timeline(%+v, %s): a single page has hasNextPage %v, hasPreviousPage %v",
			f, order, page.HasNextPage, page.HasPreviousPage)
	}
	return itemNames(page.Items)
}

func countTimeline(tb testing.TB, s *sqlite.Store, f db.TimelineFilter) int {
	tb.Helper()
	n, err := s.CountTimeline(context.Background(), f)
	if err != nil {
		tb.Fatalf("CountTimeline(%+v): %v", f, err)
	}
	return n
}
