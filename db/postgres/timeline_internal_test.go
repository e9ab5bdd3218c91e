package postgres

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/synth"
)

// timelineStore is the part of both stores the timeline checks read.
type timelineStore interface {
	Timeline(ctx context.Context, f db.TimelineFilter, order db.SortOrder, p db.Page) (db.ItemPage, error)
	CountTimeline(ctx context.Context, f db.TimelineFilter) (int, error)
}

// walk reads the whole timeline of f page by page (pages of 2), forward
// from the start and backward from the end, and writes what it read, flags
// included, one page a line.
func walk(t *testing.T, s timelineStore, f db.TimelineFilter, order db.SortOrder) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	write := func(dir string, page db.ItemPage) {
		fmt.Fprintf(&b, "%s prev=%v next=%v:", dir, page.HasPreviousPage, page.HasNextPage)
		for _, it := range page.Items {
			fmt.Fprintf(&b, " %s/%d@%d.%d", it.Kind, it.ID, it.Pos.At, it.Pos.Rank)
		}
		b.WriteString("\n")
	}
	p := db.Page{Limit: 2}
	for range 50 {
		page, err := s.Timeline(ctx, f, order, p)
		if err != nil {
			t.Fatalf("Timeline(%+v): %v", f, err)
		}
		write("forward", page)
		if !page.HasNextPage || len(page.Items) == 0 {
			break
		}
		p.After = &page.Items[len(page.Items)-1].Pos
	}
	p = db.Page{Limit: 2, Backward: true}
	for range 50 {
		page, err := s.Timeline(ctx, f, order, p)
		if err != nil {
			t.Fatalf("Timeline(%+v): %v", f, err)
		}
		write("backward", page)
		if !page.HasPreviousPage || len(page.Items) == 0 {
			break
		}
		p.Before = &page.Items[0].Pos
	}
	return b.String()
}

// The same filters, paged both ways in both orders, give the SQLite
// store's pages exactly.
func TestTimelineMatchesSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	lite.Now = func() time.Time { return t1 }
	set := decode(t, parityFixture)
	if _, err := lite.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	pg := openClocked(t)
	load(t, pg, parityFixture)

	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	filters := []db.TimelineFilter{
		{},
		{Actors: []string{"india"}},
		{Actors: []string{"india", "pakistan"}},
		{Actors: []string{"modi"}, Roles: []db.ParticipantRole{db.RoleParticipant}},
		{Roles: []db.ParticipantRole{db.RoleTarget}},
		{Countries: []string{"IN"}},
		{Countries: []string{"IN", "PK"}, Include: []db.ItemKind{db.ItemEvent}},
		{EventTypes: []db.EventType{db.EventStrike, db.EventProtest}, Include: []db.ItemKind{db.ItemEvent}},
		{EventTypes: []db.EventType{db.EventStrike}},
		{Sources: []string{"ucdp"}},
		{Include: []db.ItemKind{db.ItemStatement}},
		{From: &from, To: &to},
		{From: &from, To: &to, TimeMatch: db.MatchWithin},
		{From: &from, To: &to, TimeMatch: db.MatchOverlaps},
		{From: &feb, TimeMatch: db.MatchOverlaps},
		{To: &feb, TimeMatch: db.MatchWithin},
		// Types and time alone: totals from the kept counts and the
		// statements' instants.
		{EventTypes: []db.EventType{db.EventStrike}, From: &from, To: &to, TimeMatch: db.MatchOverlaps},
		{EventTypes: []db.EventType{db.EventStrike}, Include: []db.ItemKind{db.ItemEvent}, From: &feb},
		{Include: []db.ItemKind{db.ItemStatement}, From: &from, To: &to, TimeMatch: db.MatchWithin},
		{Include: []db.ItemKind{db.ItemStatement}, From: &feb, TimeMatch: db.MatchOverlaps},
		{Precisions: []db.Precision{db.PrecisionDay}},
		{Codes: []db.CodeMatch{{Scheme: "CAMEO", Code: "190"}}},
		{About: &db.TimelineFilter{EventTypes: []db.EventType{db.EventStrike}}},
		{Actors: []string{"modi"}, About: &db.TimelineFilter{Countries: []string{"PK"}, From: &from}},
		{Codes: []db.CodeMatch{{Scheme: "CAMEO", Code: "1", Prefix: true}}},
		{Actors: []string{"india"}, Countries: []string{"IN"}, From: &from},
		{Text: "month"},
		{Text: "Sund*", Actors: []string{"india"}},
		{Text: "a year"},
		{Text: "something", Include: []db.ItemKind{db.ItemStatement}},
	}
	for _, f := range filters {
		n, err := pg.CountTimeline(ctx, f)
		want, werr := lite.CountTimeline(ctx, f)
		if err != nil || werr != nil || n != want {
			t.Errorf("CountTimeline(%+v) = %d, %v; SQLite's %d, %v", f, n, err, want, werr)
		}
		for _, order := range []db.SortOrder{db.Ascending, db.Descending} {
			got, want := walk(t, pg, f, order), walk(t, lite, f, order)
			if strings.Count(want, "/") == 0 && len(f.Actors) == 0 {
				t.Errorf("%+v: SQLite's timeline is empty: nothing compared", f)
			}
			if got != want {
				t.Errorf("%+v %s:\nPostgreSQL:\n%s\nSQLite:\n%s", f, order, got, want)
			}
		}
	}

	// MatchTimeline keeps the same items as the SQLite store's, for these
	// filters and for ones naming keys since gone (lenient with items).
	var items []db.ItemID
	for id := int64(1); id <= 9; id++ {
		items = append(items, db.ItemID{Kind: db.ItemEvent, ID: id})
	}
	items = append(items, db.ItemID{Kind: db.ItemStatement, ID: 1}, db.ItemID{Kind: db.ItemStatement, ID: 2})
	for _, f := range append(filters,
		db.TimelineFilter{Actors: []string{"nobody"}},
		db.TimelineFilter{Actors: []string{"nobody", "india"}},
		db.TimelineFilter{About: &db.TimelineFilter{Countries: []string{"XX"}}},
		db.TimelineFilter{Tags: []string{"nothing"}},
	) {
		got, err := pg.MatchTimeline(ctx, f, items)
		want, werr := lite.MatchTimeline(ctx, f, items)
		if err != nil || werr != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("MatchTimeline(%+v) = %v, %v; SQLite's %v, %v", f, got, err, want, werr)
		}
	}
	_, err = pg.MatchTimeline(ctx, db.TimelineFilter{Actors: []string{"indai"}}, nil)
	_, werr := lite.MatchTimeline(ctx, db.TimelineFilter{Actors: []string{"indai"}}, nil)
	if err == nil || fmt.Sprint(err) != fmt.Sprint(werr) {
		t.Errorf("MatchTimeline without items, unknown actor: %v; SQLite's %v", err, werr)
	}

	// What it cannot answer yet, it refuses; unknown keys are input errors.
	if got, ok := prefixSuccessor("19"); !ok || got != "1:" {
		t.Errorf(`prefixSuccessor("19") = %q, %v; want "1:"`, got, ok)
	}
	if got, ok := prefixSuccessor("a\U0010FFFF"); !ok || got != "b" {
		t.Errorf(`prefixSuccessor("a\U0010FFFF") = %q, %v; want "b"`, got, ok)
	}
	for _, f := range []db.TimelineFilter{
		{Actors: []string{"nobody"}},
		{Actors: []string{"indai", "pakistan", "modii"}},
		{Countries: []string{"XX", "IND"}},
		{Sources: []string{"ucpd"}},
		{Tags: []string{"nothing"}},
		{Codes: []db.CodeMatch{{Scheme: "CAMEO", Code: "191"}}},
		{Codes: []db.CodeMatch{{Scheme: "CAMOE", Code: "190"}, {Scheme: "CAMEO", Code: "2", Prefix: true}}},
	} {
		_, err := pg.Timeline(ctx, f, db.Ascending, db.Page{Limit: 2})
		_, want := lite.Timeline(ctx, f, db.Ascending, db.Page{Limit: 2})
		if want == nil {
			t.Fatalf("%+v: SQLite's Timeline succeeded", f)
		}
		if err == nil || err.Error() != want.Error() || db.ErrorCode(err) != db.ErrorCode(want) {
			t.Errorf("%+v: error %v (%s), want SQLite's %v (%s)", f, err, db.ErrorCode(err), want, db.ErrorCode(want))
		}
	}
}

// openAnalyzed opens a store holding a generated graph (2 000 events, some
// 15 000 index rows) with fresh statistics, for the plan tests: on a
// handful of rows any plan is as good, and the planner rightly scans the
// table.
func openAnalyzed(t *testing.T) (*Store, *fixture.Set) {
	t.Helper()
	ctx := context.Background()
	s := openClocked(t)
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 2000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	set := decode(t, buf.String())
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	return s, set
}

// A page, of all items or of one actor's, is one range scan of
// timeline_index's primary key, in order, stopped by the limit, the
// cursor the scan's start: no sort, whatever the number of rows (the
// SQLite store's plan_test.go checks the same).
func TestTimelinePlanIsARangeScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, set := openAnalyzed(t)
	actor := set.Batch.Actors[0].Key
	for _, tt := range []struct {
		name string
		f    db.TimelineFilter
		p    db.Page
	}{
		{"all", db.TimelineFilter{}, db.Page{Limit: 50}},
		{"all after a cursor", db.TimelineFilter{},
			db.Page{Limit: 50, After: &db.Position{At: 1_500_000_000_000, Rank: 3, Key: "m", Kind: db.ItemEvent}}},
		{"actor", db.TimelineFilter{Actors: []string{actor}}, db.Page{Limit: 50}},
		{"actor after a cursor", db.TimelineFilter{Actors: []string{actor}},
			db.Page{Limit: 50, After: &db.Position{At: 1_500_000_000_000, Rank: 3, Key: "m", Kind: db.ItemEvent}}},
		{"actor, descending", db.TimelineFilter{Actors: []string{actor}}, db.Page{Limit: 50, Backward: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := s.compileTimeline(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			query, args := q.pageSQL(false, tt.p)
			rows, err := s.pool.Query(ctx, `EXPLAIN `+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(plan, "\n")
			t.Logf("%s", text)
			// Index-only when the visibility map says so, which depends on
			// vacuum's timing; either way a scan of the primary key.
			scans := false
			for _, scan := range []string{"Index Only Scan", "Index Only Scan Backward", "Index Scan", "Index Scan Backward"} {
				scans = scans || strings.Contains(text, scan+" using timeline_index_pkey")
			}
			if !scans {
				t.Errorf("plan is no scan of timeline_index_pkey:\n%s", text)
			}
			if strings.Contains(text, "Sort") {
				t.Errorf("plan sorts:\n%s", text)
			}
			if tt.p.After != nil && !strings.Contains(text, "Index Cond: ((facet = ") || strings.Contains(text, "Filter: (ROW(") {
				t.Errorf("the cursor is not in the scan's Index Cond:\n%s", text)
			}
		})
	}
}

// A page with a text filter on a rare word starts from the word's matches
// and finds their timeline rows by docid (migration 00017), rather than
// walk every item of the facet looking each one up; a common word's page
// still walks the timeline in order.
func TestTimelineRareTextStartsFromMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openAnalyzed(t)
	// The rarest and the commonest words of five letters or more, as the
	// side-by-side benchmark picks them.
	var rare, common string
	var rareDocs, commonDocs int
	if err := s.pool.QueryRow(ctx, `SELECT word, ndoc FROM ts_stat('SELECT document FROM search_text WHERE docid & 3 <> 0')
		WHERE word ~ '^[a-z]{5,}$' ORDER BY ndoc, word LIMIT 1`).Scan(&rare, &rareDocs); err != nil {
		t.Fatal(err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT word, ndoc FROM ts_stat('SELECT document FROM search_text WHERE docid & 3 <> 0')
		WHERE word ~ '^[a-z]{5,}$' ORDER BY ndoc DESC, word LIMIT 1`).Scan(&common, &commonDocs); err != nil {
		t.Fatal(err)
	}
	if rareDocs > 5 || commonDocs < 500 {
		t.Fatalf("rare word %q in %d items, common %q in %d: the graph no longer has the words this test needs",
			rare, rareDocs, common, commonDocs)
	}
	plan := func(word string) string {
		t.Helper()
		q, err := s.compileTimeline(ctx, db.TimelineFilter{Text: word})
		if err != nil {
			t.Fatal(err)
		}
		query, args := q.pageSQL(false, db.Page{Limit: 50})
		rows, err := s.pool.Query(ctx, `EXPLAIN `+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	if text := plan(rare); !strings.Contains(text, "using timeline_index_docid") || strings.Contains(text, "using timeline_index_pkey") {
		t.Errorf("rare word %q (%d items): the plan does not start from its matches:\n%s", rare, rareDocs, text)
	}
	if text := plan(common); !strings.Contains(text, "using timeline_index_pkey") || strings.Contains(text, "Sort ") {
		t.Errorf("common word %q (%d items): the plan does not walk the timeline in order:\n%s", common, commonDocs, text)
	}
}

// The actor and country lists page as the SQLite store's, keys in byte
// order ("a-b" < "a.c" < "a0" < "a:b" < "a_b" < "ab"; a language's
// collation, ignoring punctuation, would put "ab" beside "a-b") whatever
// the server's collation.
func TestKeyListsMatchSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	lite.Now = func() time.Time { return t1 }
	const actors = `{"version": 1, "actors": [
		{"key": "ab", "name": "ab", "kind": "PERSON", "country": "IN"},
		{"key": "a_b", "name": "a_b", "kind": "PERSON", "country": "IN"},
		{"key": "a:b", "name": "a:b", "kind": "STATE", "country": "PK"},
		{"key": "a0", "name": "a0", "kind": "STATE"},
		{"key": "a.c", "name": "a.c", "kind": "STATE"},
		{"key": "a-b", "name": "a-b", "kind": "PERSON", "country": "PK"}]}`
	set := decode(t, actors)
	if _, err := lite.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	// A database whose default collation is English's, which orders
	// these keys a_b a-b a:b a.c a0 ab: the columns' COLLATE "C" must
	// still give SQLite's byte order.
	pg, err := Open(ctx, pgtest.URLWith(t, "LOCALE_PROVIDER icu ICU_LOCALE 'en'"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	var byDefault string
	if err := pg.pool.QueryRow(ctx, `SELECT string_agg(x, ' ' ORDER BY x)
		FROM (VALUES ('ab'), ('a-b'), ('a_b'), ('a.c'), ('a0'), ('a:b')) v (x)`).Scan(&byDefault); err != nil {
		t.Fatal(err)
	}
	if want := "a_b a-b a:b a.c a0 ab"; byDefault != want {
		t.Fatalf("the database's default collation orders %q, want English's %q", byDefault, want)
	}
	setClock(pg, t1)
	load(t, pg, actors)
	type keyPager func(p db.Page) (db.KeyPage, error)
	walkKeys := func(list keyPager) string {
		var b strings.Builder
		for _, backward := range []bool{false, true} {
			p := db.Page{Limit: 2, Backward: backward}
			for range 200 {
				page, err := list(p)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "prev=%v next=%v %v\n", page.HasPreviousPage, page.HasNextPage, page.Positions)
				if len(page.Positions) == 0 {
					break
				}
				if !backward {
					if !page.HasNextPage {
						break
					}
					p.After = &page.Positions[len(page.Positions)-1]
				} else {
					if !page.HasPreviousPage {
						break
					}
					p.Before = &page.Positions[0]
				}
			}
		}
		return b.String()
	}
	for _, f := range []db.ActorFilter{{}, {Kinds: []db.ActorKind{db.ActorPerson}}, {Countries: []string{"IN", "PK"}}} {
		got := walkKeys(func(p db.Page) (db.KeyPage, error) { return pg.Actors(ctx, f, p) })
		want := walkKeys(func(p db.Page) (db.KeyPage, error) { return lite.Actors(ctx, f, p) })
		if got != want {
			t.Errorf("actors %+v:\n%s\nSQLite:\n%s", f, got, want)
		}
		n, err := pg.CountActors(ctx, f)
		wantN, _ := lite.CountActors(ctx, f)
		if err != nil || n != wantN {
			t.Errorf("CountActors(%+v) = %d, %v; SQLite %d", f, n, err, wantN)
		}
	}
	if got, want := walkKeys(func(p db.Page) (db.KeyPage, error) { return pg.Actors(ctx, db.ActorFilter{}, db.Page{Limit: 10}) }),
		"prev=false next=false [{0 0 a-b } {0 0 a.c } {0 0 a0 } {0 0 a:b } {0 0 a_b } {0 0 ab }]\n"; !strings.HasPrefix(got, want) {
		t.Errorf("all actors:\n%s\nwant first:\n%s", got, want)
	}
	got := walkKeys(func(p db.Page) (db.KeyPage, error) { return pg.Countries(ctx, p) })
	want := walkKeys(func(p db.Page) (db.KeyPage, error) { return lite.Countries(ctx, p) })
	if got != want {
		t.Errorf("countries differ:\n%.300s\nSQLite:\n%.300s", got, want)
	}
	_, err = pg.Actors(ctx, db.ActorFilter{Countries: []string{"IND"}}, db.Page{Limit: 2})
	_, wantErr := lite.Actors(ctx, db.ActorFilter{Countries: []string{"IND"}}, db.Page{Limit: 2})
	if fmt.Sprint(err) != fmt.Sprint(wantErr) || err == nil {
		t.Errorf("unknown country: %v, want SQLite's %v", err, wantErr)
	}
}
