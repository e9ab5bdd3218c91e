package postgres

import (
	"bytes"
	"context"
	"database/sql"
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
	"github.com/geotimeline/geotimeline/db/synth"
)

// On a generated graph (db/synth: 2 000 events, their actors and
// statements), both stores derive the same rows. Row ids may differ (the
// stores write records in different orders), so the rows are compared by
// the keys the ids stand for.
func TestParityWithSQLiteOnAGeneratedGraph(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 2000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	fixture := buf.String()
	set := decode(t, fixture)

	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	lite.Now = func() time.Time { return t1 }
	start := time.Now()
	liteSum, err := lite.Apply(ctx, &set.Batch, set.Refs)
	if err != nil {
		t.Fatal(err)
	}
	liteTime := time.Since(start)

	pg := openClocked(t)
	set = decode(t, fixture)
	start = time.Now()
	pgSum, err := pg.Apply(ctx, &set.Batch, set.Refs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v: SQLite %v, PostgreSQL %v", pgSum, liteTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if pgSum != liteSum {
		t.Errorf("Summary %v, SQLite's %v", pgSum, liteSum)
	}

	compareReads(t, lite, pg, set)

	liteDB, err := sql.Open("sqlite3", "file:"+lite.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer liteDB.Close()
	for _, query := range []string{
		// The timeline index, its ids as keys.
		`SELECT t.facet, CASE t.facet WHEN 1 THEN (SELECT key FROM actors WHERE id = t.value)
				WHEN 2 THEN (SELECT code FROM countries WHERE id = t.value)
				WHEN 4 THEN (SELECT key FROM sources WHERE id = t.value) ELSE CAST(t.value AS TEXT) END AS v,
			t.at, t.precision, t.key, t.kind, t.role, t.span_end
			FROM timeline_index t ORDER BY 1, 2, 3, 4, 5, 6, 7`,
		`SELECT width, grain, type, coalesce((SELECT code FROM countries WHERE id = country), CAST(country AS TEXT)) AS c, start,
			events, certain_day, certain_week, certain_month, certain_year, fatalities, fatalities_low, fatalities_high,
			intensity_events FROM event_counts ORDER BY 1, 2, 3, 4, 5`,
		`SELECT width, grain, type, start, last, events, fatalities, fatalities_low, fatalities_high, intensity_events
			FROM event_span_counts ORDER BY 1, 2, 3, 4, 5`,
		`SELECT kind, count(*) FROM graph_edges GROUP BY kind ORDER BY kind`,
		`SELECT op, kind, count(*) FROM change_feed GROUP BY op, kind ORDER BY op, kind`,
		`SELECT kind, count(*) FROM changes GROUP BY kind ORDER BY kind`,
		`SELECT key, hex(content_hash) FROM events ORDER BY key`,
		`SELECT key, hex(content_hash) FROM statements ORDER BY key`,
		`SELECT key, hex(content_hash) FROM actors ORDER BY key`,
	} {
		want := liteRows(t, liteDB, query)
		got := pgRows(t, pg, strings.ReplaceAll(query, "hex(content_hash)", "upper(encode(content_hash, 'hex'))"))
		if len(want) == 0 {
			t.Errorf("%s: no rows in SQLite", query)
		}
		if !slices.Equal(got, want) {
			n := 0
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] && n < 5 {
					t.Errorf("row %d: PostgreSQL %s, SQLite %s", i, got[i], want[i])
					n++
				}
			}
			t.Errorf("%.60s: %d rows, SQLite %d; they differ", strings.Join(strings.Fields(query), " "), len(got), len(want))
		}
	}
}

// compareReads checks that ActorsByKey and EventsByKey read back every
// record of set as the SQLite store does, ids aside (each store numbers
// its rows), in key order.
func compareReads(t *testing.T, lite *sqlite.Store, pg *Store, set *fixture.Set) {
	t.Helper()
	ctx := context.Background()
	var actorKeys, eventKeys []string
	for _, a := range set.Batch.Actors {
		actorKeys = append(actorKeys, a.Key)
	}
	for _, e := range set.Batch.Events {
		eventKeys = append(eventKeys, e.Key)
	}
	liteActors, err := lite.ActorsByKey(ctx, actorKeys)
	if err != nil {
		t.Fatal(err)
	}
	pgActors, err := pg.ActorsByKey(ctx, actorKeys)
	if err != nil {
		t.Fatal(err)
	}
	liteEvents, err := lite.EventsByKey(ctx, eventKeys)
	if err != nil {
		t.Fatal(err)
	}
	pgEvents, err := pg.EventsByKey(ctx, eventKeys)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(liteActors, func(a, b *db.Actor) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(liteEvents, func(a, b *db.Event) int { return strings.Compare(a.Key, b.Key) })
	if len(pgActors) != len(actorKeys) || len(pgEvents) != len(eventKeys) {
		t.Fatalf("%d actors and %d events read, want %d and %d", len(pgActors), len(pgEvents), len(actorKeys), len(eventKeys))
	}
	for i := range pgActors {
		got, want := *pgActors[i], *liteActors[i]
		got.ID, want.ID = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("actor %s:\n%+v\nSQLite:\n%+v", want.Key, got, want)
			break
		}
	}
	for i := range pgEvents {
		got, want := *pgEvents[i], *liteEvents[i]
		got.ID, want.ID = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event %s:\n%+v\nSQLite:\n%+v", want.Key, got, want)
			break
		}
	}

	var statementKeys, sourceKeys []string
	for _, st := range set.Batch.Statements {
		statementKeys = append(statementKeys, st.Key)
	}
	for _, src := range set.Batch.Sources {
		sourceKeys = append(sourceKeys, src.Key)
	}
	liteStatements, err := lite.StatementsByKey(ctx, statementKeys)
	if err != nil {
		t.Fatal(err)
	}
	pgStatements, err := pg.StatementsByKey(ctx, statementKeys)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(liteStatements, func(a, b *db.Statement) int { return strings.Compare(a.Key, b.Key) })
	if len(pgStatements) != len(statementKeys) {
		t.Fatalf("%d statements read, want %d", len(pgStatements), len(statementKeys))
	}
	for i := range pgStatements {
		got, want := *pgStatements[i], *liteStatements[i]
		got.ID, want.ID = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("statement %s:\n%+v\nSQLite:\n%+v", want.Key, got, want)
			break
		}
	}
	liteSources, err := lite.SourcesByKey(ctx, sourceKeys)
	if err != nil {
		t.Fatal(err)
	}
	pgSources, err := pg.SourcesByKey(ctx, sourceKeys)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(liteSources, func(a, b *db.Source) int { return strings.Compare(a.Key, b.Key) })
	if len(pgSources) != len(liteSources) {
		t.Fatalf("%d sources read, SQLite %d", len(pgSources), len(liteSources))
	}
	for i := range pgSources {
		got, want := *pgSources[i], *liteSources[i]
		got.ID, want.ID = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("source %s:\n%+v\nSQLite:\n%+v", want.Key, got, want)
			break
		}
	}

	// The list reads, by each store's own ids, compared by record key.
	eventIDs := func(es []*db.Event) (ids []int64, keys map[int64]string) {
		keys = map[int64]string{}
		for _, e := range es {
			ids, keys[e.ID] = append(ids, e.ID), e.Key
		}
		return ids, keys
	}
	statementIDs := func(ss []*db.Statement) (ids []int64, keys map[int64]string) {
		keys = map[int64]string{}
		for _, st := range ss {
			ids, keys[st.ID] = append(ids, st.ID), st.Key
		}
		return ids, keys
	}
	pgEventIDs, pgEventKeys := eventIDs(pgEvents)
	liteEventIDs, liteEventKeys := eventIDs(liteEvents)
	pgStatementIDs, pgStatementKeys := statementIDs(pgStatements)
	liteStatementIDs, liteStatementKeys := statementIDs(liteStatements)
	byKey := func(what string, got, want any, gotKeys, wantKeys map[int64]string) {
		t.Helper()
		g, w := map[string]string{}, map[string]string{}
		for id, v := range toStrings(got) {
			g[gotKeys[id]] = v
		}
		for id, v := range toStrings(want) {
			w[wantKeys[id]] = v
		}
		if len(w) == 0 {
			t.Errorf("%s: SQLite read none", what)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s differ:\n%v\nSQLite:\n%v", what, g, w)
		}
	}
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	byKey("participants", must(pg.Participants(ctx, pgEventIDs)), must(lite.Participants(ctx, liteEventIDs)), pgEventKeys, liteEventKeys)
	byKey("links", must(pg.Links(ctx, pgEventIDs)), must(lite.Links(ctx, liteEventIDs)), pgEventKeys, liteEventKeys)
	byKey("linked from", must(pg.LinkedFrom(ctx, pgEventIDs)), must(lite.LinkedFrom(ctx, liteEventIDs)), pgEventKeys, liteEventKeys)
	byKey("statements about", must(pg.StatementsAbout(ctx, pgEventIDs)), must(lite.StatementsAbout(ctx, liteEventIDs)), pgEventKeys, liteEventKeys)
	byKey("event sources", must(pg.SourcesOf(ctx, db.OwnerEvent, pgEventIDs)), must(lite.SourcesOf(ctx, db.OwnerEvent, liteEventIDs)), pgEventKeys, liteEventKeys)
	// Relationships of every actor, whole and at an instant, by actor key.
	actorIDs := func(as []*db.Actor) (ids []int64, keys map[int64]string) {
		keys = map[int64]string{}
		for _, a := range as {
			ids, keys[a.ID] = append(ids, a.ID), a.Key
		}
		return ids, keys
	}
	pgActorIDs, pgActorKeys := actorIDs(pgActors)
	liteActorIDs, liteActorKeys := actorIDs(liteActors)
	at := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, when := range []*time.Time{nil, &at} {
		got, err := pg.RelationshipsOf(ctx, pgActorIDs, nil, when)
		if err != nil {
			t.Fatal(err)
		}
		want, err := lite.RelationshipsOf(ctx, liteActorIDs, nil, when)
		if err != nil {
			t.Fatal(err)
		}
		rels := func(m map[int64][]*db.Relationship, keys map[int64]string) map[string]string {
			out := map[string]string{}
			for id, rs := range m {
				var ids []string
				for _, r := range rs {
					ids = append(ids, r.Identity()+" "+r.Stamps.UpdatedAt.String())
				}
				out[keys[id]] = fmt.Sprint(ids)
			}
			return out
		}
		if g, w := rels(got, pgActorKeys), rels(want, liteActorKeys); !reflect.DeepEqual(g, w) || len(w) == 0 {
			t.Errorf("relationships at %v:\n%v\nSQLite:\n%v", when, g, w)
		}
	}
	byKey("addressees", must(pg.Addressees(ctx, pgStatementIDs)), must(lite.Addressees(ctx, liteStatementIDs)), pgStatementKeys, liteStatementKeys)
	byKey("about", must(pg.About(ctx, pgStatementIDs)), must(lite.About(ctx, liteStatementIDs)), pgStatementKeys, liteStatementKeys)
}

// toStrings writes each list of a list read (map of owner id to list) as
// text, the sources' ids left out.
func toStrings(v any) map[int64]string {
	out := map[int64]string{}
	switch m := v.(type) {
	case map[int64][]db.Participant:
		for id, l := range m {
			out[id] = fmt.Sprint(l)
		}
	case map[int64][]db.Link:
		for id, l := range m {
			out[id] = fmt.Sprint(l)
		}
	case map[int64][]string:
		for id, l := range m {
			out[id] = fmt.Sprint(l)
		}
	case map[int64][]*db.Source:
		for id, l := range m {
			var keys []string
			for _, src := range l {
				keys = append(keys, src.Key+" "+src.URL+" "+src.PublishedAt.String())
			}
			out[id] = fmt.Sprint(keys)
		}
	default:
		panic(fmt.Sprintf("toStrings: %T", v))
	}
	return out
}
