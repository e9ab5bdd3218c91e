package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// The clocks tests set on a store, so that createdAt and updatedAt are known.
var (
	t1 = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	t2 = time.Date(2025, 6, 2, 11, 30, 0, 0, time.UTC)
	t3 = time.Date(2025, 6, 3, 12, 45, 0, 0, time.UTC)
)

// mustOpen opens a new store with open, its clock fixed at t1.
func mustOpen(tb testing.TB, open Opener) *testStore {
	tb.Helper()
	return mustOpenWith(tb, open, Options{})
}

// mustOpenWith is mustOpen with opts, whose clock it replaces.
func mustOpenWith(tb testing.TB, open Opener, opts Options) *testStore {
	tb.Helper()
	c := &clock{t: t1}
	opts.Now = c.now
	return &testStore{Store: open(tb, opts), clock: c, open: open}
}

// setClock fixes the store's clock at t.
func setClock(s *testStore, t time.Time) {
	s.clock.set(t)
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
func tryLoad(tb testing.TB, s *testStore, files ...string) (db.Summary, error) {
	tb.Helper()
	set := decode(tb, files...)
	return s.Apply(context.Background(), &set.Batch, set.Refs)
}

// load decodes the fixtures and applies them as one seed run, failing the
// test on any error.
func load(tb testing.TB, s *testStore, files ...string) db.Summary {
	tb.Helper()
	sum, err := tryLoad(tb, s, files...)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	return sum
}

// exportBytes is the store's export written as a fixture.
func exportBytes(tb testing.TB, s *testStore) []byte {
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

// mustExport is the store's export as a batch.
func mustExport(tb testing.TB, s *testStore) *db.Batch {
	tb.Helper()
	b, err := s.Export(context.Background())
	if err != nil {
		tb.Fatalf("Export: %v", err)
	}
	return b
}

func isEmpty(tb testing.TB, s *testStore) bool {
	tb.Helper()
	empty, err := s.IsEmpty(context.Background())
	if err != nil {
		tb.Fatalf("IsEmpty: %v", err)
	}
	return empty
}

func actorByKey(tb testing.TB, s *testStore, key string) *db.Actor {
	tb.Helper()
	as, err := s.ActorsByKey(context.Background(), []string{key})
	if err != nil {
		tb.Fatalf("ActorsByKey(%q): %v", key, err)
	}
	if len(as) != 1 {
		tb.Fatalf("ActorsByKey(%q): %d actors, want 1", key, len(as))
	}
	return as[0]
}

func eventByKey(tb testing.TB, s *testStore, key string) *db.Event {
	tb.Helper()
	es, err := s.EventsByKey(context.Background(), []string{key})
	if err != nil {
		tb.Fatalf("EventsByKey(%q): %v", key, err)
	}
	if len(es) != 1 {
		tb.Fatalf("EventsByKey(%q): %d events, want 1", key, len(es))
	}
	return es[0]
}

func statementByKey(tb testing.TB, s *testStore, key string) *db.Statement {
	tb.Helper()
	ss, err := s.StatementsByKey(context.Background(), []string{key})
	if err != nil {
		tb.Fatalf("StatementsByKey(%q): %v", key, err)
	}
	if len(ss) != 1 {
		tb.Fatalf("StatementsByKey(%q): %d statements, want 1", key, len(ss))
	}
	return ss[0]
}

func sourceByKey(tb testing.TB, s *testStore, key string) *db.Source {
	tb.Helper()
	ss, err := s.SourcesByKey(context.Background(), []string{key})
	if err != nil {
		tb.Fatalf("SourcesByKey(%q): %v", key, err)
	}
	if len(ss) != 1 {
		tb.Fatalf("SourcesByKey(%q): %d sources, want 1", key, len(ss))
	}
	return ss[0]
}

// relationshipsOf is RelationshipsOf for an actor named by key.
func relationshipsOf(tb testing.TB, s *testStore, actor string, kinds []db.RelationshipKind, at *time.Time) []*db.Relationship {
	tb.Helper()
	id := actorByKey(tb, s, actor).ID
	rels, err := s.RelationshipsOf(context.Background(), []int64{id}, kinds, at)
	if err != nil {
		tb.Fatalf("RelationshipsOf(%q): %v", actor, err)
	}
	return rels[id]
}

// checkStamps fails unless st carries exactly the given clocks.
func checkStamps(tb testing.TB, what string, st db.Stamps, created, updated time.Time) {
	tb.Helper()
	if got, want := st.CreatedAt, created; !got.Equal(want) {
		tb.Errorf("%s createdAt = %v, want %v", what, got, want)
	}
	if got, want := st.UpdatedAt, updated; !got.Equal(want) {
		tb.Errorf("%s updatedAt = %v, want %v", what, got, want)
	}
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
func timeline(tb testing.TB, s *testStore, f db.TimelineFilter, order db.SortOrder) string {
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

// reverseNames reverses a list written by itemNames.
func reverseNames(s string) string {
	names := strings.Fields(s)
	slices.Reverse(names)
	return strings.Join(names, " ")
}

// checkTimeline checks that f selects exactly want (as itemNames writes
// it) in ascending order, its reverse in descending order, and counts it.
func checkTimeline(t *testing.T, s *testStore, f db.TimelineFilter, want string) {
	t.Helper()
	if got := timeline(t, s, f, db.Ascending); got != want {
		t.Errorf("ascending:\n got %q\nwant %q", got, want)
	}
	if got, rev := timeline(t, s, f, db.Descending), reverseNames(want); got != rev {
		t.Errorf("descending:\n got %q\nwant %q", got, rev)
	}
	if got, n := countTimeline(t, s, f), len(strings.Fields(want)); got != n {
		t.Errorf("count = %d, want %d", got, n)
	}
}

func countTimeline(tb testing.TB, s *testStore, f db.TimelineFilter) int {
	tb.Helper()
	n, err := s.CountTimeline(context.Background(), f)
	if err != nil {
		tb.Fatalf("CountTimeline(%+v): %v", f, err)
	}
	return n
}

// at parses an RFC 3339 instant.
func at(tb testing.TB, s string) *time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return &t
}
