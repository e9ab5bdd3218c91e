package sqlite_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/storetest"
)

// The behaviour of search is the conformance suite's (db/storetest); what
// stays here reads the SQLite full-text table itself.

// searchRows counts the rows of the full-text index, read straight from the
// database file.
func searchRows(tb testing.TB, s *sqlite.Store) int {
	tb.Helper()
	d, err := sql.Open("sqlite3", "file:"+s.Path()+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(`SELECT count(*) FROM search_text`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestSearchIndexIsExact(t *testing.T) {
	s := openSearch(t)
	const records = 11 // 5 actors, 3 events, 3 statements

	t.Run("LoadedTwice", func(t *testing.T) {
		sum := load(t, s, storetest.SearchFixture)
		if got, want := sum, (db.Summary{Unchanged: records}); got != want {
			t.Fatalf("second load: %v, want %v", got, want)
		}
		if got, want := searchRows(t, s), records; got != want {
			t.Errorf("index rows = %d, want %d", got, want)
		}
		if got, want := searchSet(t, s, "pahalgam"), "e:attack e:strike s:condolence s:denial"; got != want {
			t.Errorf("pahalgam: %q, want %q", got, want)
		}
	})

	t.Run("Updated", func(t *testing.T) {
		setClock(s, t2)
		sum := load(t, s, `{"version": 1,
		  "actors": [{"key": "modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN", "aliases": ["Modiji"],
		    "description": "Prime Minister of India"}],
		  "events": [{"key": "attack", "type": "ATTACK", "title": "Baisaran meadow attack", "occurredAt": "2025-04-22T09:00Z",
		    "summary": "Gunmen killed 26 tourists.", "tags": ["militancy"],
		    "participants": [{"actor": "india", "role": "TARGET"}]}],
		  "statements": [{"key": "denial", "kind": "PRESS_RELEASE", "speaker": "pakistan", "deliveredBy": "sharif",
		    "madeAt": "2025-05-07", "text": "Pakistan rejects the accusation.", "summary": "Denial of involvement."}]}`)
		if got, want := sum, (db.Summary{Updated: 3}); got != want {
			t.Fatalf("update: %v, want %v", got, want)
		}
		if got, want := searchRows(t, s), records; got != want {
			t.Errorf("index rows = %d, want %d", got, want)
		}
		for _, tt := range []struct{ text, want string }{
			{"namo", ""},
			{"modiji", "a:modi"},
			{"pahalgam", "e:strike s:condolence"},
			{"kashmir", ""},
			{"militancy", "e:attack"},
			{"meadow", "e:attack"},
			{"valley", ""},
			{"accusation", "s:denial"},
			{"involvement", "s:denial"},
		} {
			if got := searchSet(t, s, tt.text); got != tt.want {
				t.Errorf("after the update, Search(%q) = %q, want %q", tt.text, got, tt.want)
			}
		}
		f := db.TimelineFilter{Text: "pahalgam"}
		if got, want := timeline(t, s, f, db.Ascending), "s:condolence e:strike"; got != want {
			t.Errorf("timeline after the update: %q, want %q", got, want)
		}
	})
}

func openSearch(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s := mustOpen(tb)
	load(tb, s, storetest.SearchFixture)
	return s
}

// searchHits runs Search and writes its hits as "a:key" (actor), "e:key"
// (event) or "s:key" (statement), in order, joined by spaces.
func searchHits(tb testing.TB, s *sqlite.Store, text string, limit int) string {
	tb.Helper()
	hits, err := s.Search(context.Background(), text, limit)
	if err != nil {
		tb.Fatalf("Search(%q, %d): %v", text, limit, err)
	}
	return hitNames(tb, s, hits)
}

// searchSet is searchHits for every hit, sorted by name: what matched,
// whatever the ranking.
func searchSet(tb testing.TB, s *sqlite.Store, text string) string {
	tb.Helper()
	names := strings.Fields(searchHits(tb, s, text, 100))
	slices.Sort(names)
	return strings.Join(names, " ")
}

// hitNames writes hits as searchHits does.
func hitNames(tb testing.TB, s *sqlite.Store, hits []db.SearchHit) string {
	tb.Helper()
	ctx := context.Background()
	names := make([]string, len(hits))
	for i, h := range hits {
		var key string
		var err error
		switch h.Kind {
		case db.HitActor:
			var as []*db.Actor
			if as, err = s.ActorsByID(ctx, []int64{h.ID}); err == nil && len(as) == 1 {
				key = "a:" + as[0].Key
			}
		case db.HitEvent:
			var es []*db.Event
			if es, err = s.EventsByID(ctx, []int64{h.ID}); err == nil && len(es) == 1 {
				key = "e:" + es[0].Key
			}
		case db.HitStatement:
			var ss []*db.Statement
			if ss, err = s.StatementsByID(ctx, []int64{h.ID}); err == nil && len(ss) == 1 {
				key = "s:" + ss[0].Key
			}
		}
		if key == "" {
			tb.Fatalf("hit %+v names no record (%v)", h, err)
		}
		names[i] = key
	}
	return strings.Join(names, " ")
}
