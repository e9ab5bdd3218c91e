package postgres

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/storetest"
	"github.com/geotimeline/geotimeline/db/synth"
)

// twins opens a SQLite store and a PostgreSQL store, both clocked at t1,
// and loads each fixture into both, in order: the stores whose answers a
// test compares.
func twins(t *testing.T, fixtures ...string) (*sqlite.Store, *Store) {
	t.Helper()
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	lite.Now = func() time.Time { return t1 }
	pg := openClocked(t)
	for _, f := range fixtures {
		set := decode(t, f)
		if _, err := lite.Apply(ctx, &set.Batch, set.Refs); err != nil {
			t.Fatalf("SQLite Apply: %v", err)
		}
		load(t, pg, f)
	}
	return lite, pg
}

// synthFixture is a generated graph of n events (db/synth, seed 7).
func synthFixture(t *testing.T, n int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: n, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// On the same data, Export writes the same bytes as SQLite's and
// ListLengths gives the same figures.
func TestExportAndListLengthsMatchSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, pg := twins(t, parityFixture, parityChanged, synthFixture(t, 500))
	encode := func(export func(context.Context) (*db.Batch, error)) string {
		t.Helper()
		b, err := export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := fixture.Encode(&buf, b); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	got, want := encode(pg.Export), encode(lite.Export)
	if got != want {
		t.Errorf("Export differs from SQLite's: %d bytes, SQLite %d", len(got), len(want))
	}
	if len(want) < 100000 {
		t.Errorf("SQLite's export is %d bytes: the graph is smaller than meant", len(want))
	}

	gotLen, err := pg.ListLengths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLen, err := lite.ListLengths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if gotLen != wantLen {
		t.Errorf("ListLengths = %+v\nSQLite's %+v", gotLen, wantLen)
	}
}

// On the same data, Search finds the same records as SQLite's, in the same
// order, and refuses the same text with the same message.
func TestSearchMatchesSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, pg := twins(t, storetest.SearchFixture)
	// Row ids differ between the stores: hits are written kind:key.
	type searcher interface {
		Search(ctx context.Context, text string, limit int) ([]db.SearchHit, error)
		ActorsByID(ctx context.Context, ids []int64) ([]*db.Actor, error)
		EventsByID(ctx context.Context, ids []int64) ([]*db.Event, error)
		StatementsByID(ctx context.Context, ids []int64) ([]*db.Statement, error)
	}
	hits := func(s searcher, text string) string {
		t.Helper()
		hs, err := s.Search(ctx, text, 100)
		if err != nil {
			return "error: " + db.ErrorMessage(err)
		}
		var b strings.Builder
		for _, h := range hs {
			key := "?"
			switch h.Kind {
			case db.HitActor:
				if as, err := s.ActorsByID(ctx, []int64{h.ID}); err == nil && len(as) == 1 {
					key = as[0].Key
				}
			case db.HitEvent:
				if es, err := s.EventsByID(ctx, []int64{h.ID}); err == nil && len(es) == 1 {
					key = es[0].Key
				}
			case db.HitStatement:
				if ss, err := s.StatementsByID(ctx, []int64{h.ID}); err == nil && len(ss) == 1 {
					key = ss[0].Key
				}
			}
			fmt.Fprintf(&b, "%s:%s ", h.Kind, key)
		}
		return b.String()
	}
	for _, text := range []string{"pahalgam", "india", "indi*", "prime minister", "sindoor", "operation sindoor",
		"cross-border", "Pähalgam", "dar", "سिंदूर", "शहबाज़", "the", "attack pahalgam", "in*", `"india" OR -x`,
		"", "*", strings.Repeat("x ", 17)} {
		got, want := hits(pg, text), hits(lite, text)
		if got != want {
			t.Errorf("Search(%q):\n got %s\nwant %s", text, got, want)
		}
	}

	// On a generated graph, where many hits score close, the same
	// records match in the same order: BM25's average title and body
	// lengths are every row's on both (search_stats, migration 00016).
	lite, pg = twins(t, synthFixture(t, 500))
	for _, text := range []string{"attack", "protest", "talks", "ceasefire", "protest*"} {
		got, want := hits(pg, text), hits(lite, text)
		if want == "" {
			t.Errorf("Search(%q): no hits on SQLite", text)
		}
		if got != want {
			t.Errorf("generated graph, Search(%q):\n got %s\nwant %s", text, got, want)
		}
	}
}

// search_stats holds what counting search_text gives, after inserts,
// changes and deletes, as FTS4's totals do.
func TestSearchStatsAreKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := openClocked(t)
	check := func(when string, wantDocs int64) {
		t.Helper()
		var kept, counted [3]int64
		if err := pg.pool.QueryRow(ctx, `SELECT docs, title_tokens, body_tokens FROM search_stats`).
			Scan(&kept[0], &kept[1], &kept[2]); err != nil {
			t.Fatal(err)
		}
		if err := pg.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(t.title), 0), coalesce(sum(t.body), 0)
			FROM search_text s, search_tokens(s.document) t`).Scan(&counted[0], &counted[1], &counted[2]); err != nil {
			t.Fatal(err)
		}
		if kept != counted || kept[0] != wantDocs {
			t.Errorf("%s: kept %v, counted %v, want %d documents", when, kept, counted, wantDocs)
		}
		var pending int64
		if err := pg.pool.QueryRow(ctx, `SELECT count(*) FROM search_stat_pending`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending != 0 {
			t.Errorf("%s: %d notes left in search_stat_pending", when, pending)
		}
	}
	check("empty", 0)
	load(t, pg, storetest.SearchFixture)
	docs := int64(0)
	for _, table := range []string{"actors", "events", "statements"} {
		var n int64
		if err := pg.pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		docs += n
	}
	if docs == 0 {
		t.Fatal("the search fixture loaded no records")
	}
	check("loaded", docs)
	load(t, pg, parityFixture)
	load(t, pg, parityChanged)
	var loaded int64
	if err := pg.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM actors) + (SELECT count(*) FROM events)
		+ (SELECT count(*) FROM statements)`).Scan(&loaded); err != nil {
		t.Fatal(err)
	}
	check("changed", loaded)
	var key string
	if err := pg.pool.QueryRow(ctx, `SELECT key FROM actors a WHERE EXISTS (SELECT FROM event_participants p WHERE p.actor_id = a.id)
		ORDER BY key LIMIT 1`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	del, err := pg.Delete(ctx, db.RefActor, key, true)
	if err != nil {
		t.Fatal(err)
	}
	var left int64
	if err := pg.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM actors) + (SELECT count(*) FROM events)
		+ (SELECT count(*) FROM statements)`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left >= loaded {
		t.Fatalf("deleting %s with cascade (%+v) left %d records of %d", key, del, left, loaded)
	}
	check("deleted", left)
}

// On the same data, deletes with and without cascade answer as SQLite's
// (the same Deletion, the same refusal) and leave the same records behind.
func TestDeleteMatchesSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	graph := synthFixture(t, 300)
	lite, pg := twins(t, graph)
	set := decode(t, graph)
	// A hub actor (the first by key), a linked event, a source, a
	// statement and a keyed relationship of the generated graph; some are
	// gone with an earlier cascade by the time their turn comes, which
	// both stores must say alike.
	targets := []db.Ref{{Kind: db.RefActor, Key: set.Batch.Actors[0].Key}}
	for _, e := range set.Batch.Events {
		if len(e.Links) > 0 {
			targets = append(targets, db.Ref{Kind: db.RefEvent, Key: e.Links[0].Event})
			break
		}
	}
	targets = append(targets, db.Ref{Kind: db.RefSource, Key: set.Batch.Sources[len(set.Batch.Sources)-1].Key},
		db.Ref{Kind: db.RefStatement, Key: set.Batch.Statements[0].Key})
	for _, r := range set.Batch.Relationships {
		if r.Key != "" {
			targets = append(targets, db.Ref{Kind: db.RefRelationship, Key: r.Key})
			break
		}
	}
	if len(targets) != 5 {
		t.Fatalf("targets %v: the generated graph lacks a kind", targets)
	}
	answer := func(d db.Deletion, err error) string {
		if err != nil {
			return fmt.Sprintf("%s: %s", db.ErrorCode(err), db.ErrorMessage(err))
		}
		return fmt.Sprintf("%+v", d)
	}
	export := func(s interface {
		Export(context.Context) (*db.Batch, error)
	}) string {
		b, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := fixture.Encode(&buf, b); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	cascaded := 0
	for _, r := range targets {
		for _, withCascade := range []bool{false, true} {
			got, want := answer(pg.Delete(ctx, r.Kind, r.Key, withCascade)), answer(lite.Delete(ctx, r.Kind, r.Key, withCascade))
			if got != want {
				t.Errorf("Delete(%s %s, cascade %v):\n got %s\nwant %s", r.Kind, r.Key, withCascade, got, want)
			}
			if withCascade && strings.Contains(want, "Updated:[{") {
				cascaded++
			}
		}
	}
	if cascaded == 0 {
		t.Error("no delete rewrote a record: the cascade went untested")
	}
	if got, want := export(pg), export(lite); got != want {
		t.Errorf("after the deletes, the exports differ: %d bytes, SQLite %d", len(got), len(want))
	}
	if _, err := pg.DeleteRelationship(ctx, 1<<40, true); db.ErrorCode(err) != db.CodeNotFound {
		t.Errorf("DeleteRelationship of no relationship: %v, want NOT_FOUND", err)
	}
}

// On the same data, EventCounts gives SQLite's buckets for every interval,
// grouping and match, from the kept counts and from the events alike.
func TestEventCountsMatchSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, pg := twins(t, parityFixture, synthFixture(t, 500))
	day := func(s string) *time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	noon := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	filters := []db.TimelineFilter{
		{},
		{From: day("2024-01-01"), To: day("2025-01-01")},
		{From: &noon, To: day("2025-06-01")},
		{EventTypes: []db.EventType{db.EventStrike, db.EventProtest}},
		{Countries: []string{"IN"}},
		{Text: "attack"},
		// Selected by span, over whole days and over whole months (the
		// kept span counts by day and by month).
		{From: day("2024-01-03"), To: day("2024-11-20"), TimeMatch: db.MatchOverlaps},
		{From: day("2024-02-01"), To: day("2024-07-01"), TimeMatch: db.MatchOverlaps},
		{From: day("2024-02-01"), To: day("2025-01-01"), TimeMatch: db.MatchWithin, EventTypes: []db.EventType{db.EventProtest}},
	}
	compare := func(when string) {
		t.Helper()
		compared := 0
		for _, f := range filters {
			for _, interval := range []db.Interval{db.IntervalDay, db.IntervalWeek, db.IntervalMonth, db.IntervalYear} {
				for _, group := range []db.CountGroup{db.GroupNone, db.GroupType, db.GroupCountry, db.GroupActor, db.GroupParticipantCountry} {
					for _, match := range []db.TimeMatch{db.MatchStart, db.MatchOverlaps, db.MatchWithin} {
						got, err := pg.EventCounts(ctx, f, interval, group, match)
						want, werr := lite.EventCounts(ctx, f, interval, group, match)
						if fmt.Sprint(err) != fmt.Sprint(werr) || !reflect.DeepEqual(got, want) {
							t.Errorf("%s: EventCounts(%+v, %s, %s, %s):\n got %d buckets, %v\nwant %d buckets, %v",
								when, f, interval, group, match, len(got), err, len(want), werr)
							continue
						}
						if len(want) > 0 {
							compared++
						}
					}
				}
			}
		}
		if compared < 300 {
			t.Errorf("%s: only %d answers held buckets: the data is thinner than meant", when, compared)
		}
	}
	compare("loaded")

	// The counts by participants' countries follow writes that change
	// them (SQLite's are held against a brute force): participants
	// dropped and two of one country added in one statement, actors'
	// countries changed, events with participants deleted.
	set := decode(t, synthFixture(t, 500))
	var b db.Batch
	for i, e := range set.Batch.Events[:60] {
		switch i % 3 {
		case 0:
			e.Participants = e.Participants[min(1, len(e.Participants)):]
		case 1:
			for _, a := range set.Batch.Actors[:2] {
				if !slices.ContainsFunc(e.Participants, func(p db.Participant) bool { return p.Actor == a.Key }) {
					e.Participants = append(e.Participants, db.Participant{Actor: a.Key, Role: db.RoleParticipant})
				}
			}
		}
		b.Events = append(b.Events, e)
	}
	actors := slices.Clone(set.Batch.Actors[:4])
	actors[0].Country, actors[1].Country = "FR", "FR" // the two added above, now of one country
	actors[2].Country, actors[3].Country = "", "PK"
	b.Actors = actors
	for _, s := range []interface {
		Apply(context.Context, *db.Batch, []db.Ref) (db.Summary, error)
	}{lite, pg} {
		if _, err := s.Apply(ctx, &b, set.Refs); err != nil {
			t.Fatalf("%T: %v", s, err)
		}
	}
	for _, e := range set.Batch.Events[100:110] {
		_, err := pg.Delete(ctx, db.RefEvent, e.Key, true)
		_, werr := lite.Delete(ctx, db.RefEvent, e.Key, true)
		if err != nil || werr != nil {
			t.Fatalf("delete %s: %v; SQLite %v", e.Key, err, werr)
		}
	}
	compare("after the writes")
	_, err := pg.EventCounts(ctx, db.TimelineFilter{}, "FORTNIGHT", db.GroupNone, db.MatchStart)
	_, werr := lite.EventCounts(ctx, db.TimelineFilter{}, "FORTNIGHT", db.GroupNone, db.MatchStart)
	if err == nil || db.ErrorMessage(err) != db.ErrorMessage(werr) {
		t.Errorf("unknown interval: %v; SQLite's %v", err, werr)
	}
}

// On the same loads and delete, the changes feed lists the same changes in
// the same order as SQLite's: a batch's records kind by kind, each kind in
// the batch's order, though this store writes them in key order.
func TestChangesFeedMatchesSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Records out of key order: a cascade rewrites its referrers in id
	// order, and ids follow the batch's order here too.
	const unordered = `{"version": 1,
	  "actors": [{"key": "hub", "name": "Hub", "kind": "PERSON"}, {"key": "other", "name": "Other", "kind": "PERSON"}],
	  "events": [
	    {"key": "zulu", "type": "OTHER", "title": "Z", "occurredAt": "2025-01-01",
	      "participants": [{"actor": "hub", "role": "PARTICIPANT"}, {"actor": "other", "role": "PARTICIPANT"}]},
	    {"key": "alpha", "type": "OTHER", "title": "A", "occurredAt": "2025-01-02",
	      "participants": [{"actor": "hub", "role": "PARTICIPANT"}, {"actor": "other", "role": "PARTICIPANT"}]},
	    {"key": "mike", "type": "OTHER", "title": "M", "occurredAt": "2025-01-03",
	      "participants": [{"actor": "hub", "role": "PARTICIPANT"}, {"actor": "other", "role": "PARTICIPANT"}]}
	  ]}`
	lite, pg := twins(t, parityFixture, parityChanged, synthFixture(t, 200), unordered)
	const hub = "hub"
	if _, err := lite.Delete(ctx, db.RefActor, hub, true); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.Delete(ctx, db.RefActor, hub, true); err != nil {
		t.Fatal(err)
	}
	type feeder interface {
		Changes(ctx context.Context, after int64, first int) ([]db.FeedChange, bool, error)
	}
	feed := func(s feeder) []db.FeedChange {
		var all []db.FeedChange
		after := int64(0)
		for {
			page, more, err := s.Changes(ctx, after, 100)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if !more || len(page) == 0 {
				return all
			}
			after = page[len(page)-1].Seq
		}
	}
	got, want := feed(pg), feed(lite)
	if len(want) < 300 {
		t.Fatalf("SQLite's feed holds %d changes: fewer than the loads made", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("change %d: %+v; SQLite's %+v (%d changes, SQLite %d)", i, got[i], want[i], len(got), len(want))
			}
		}
		t.Fatalf("%d changes, SQLite %d", len(got), len(want))
	}
}
