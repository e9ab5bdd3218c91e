package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/synth"
)

var bulkClock = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

// openBulkTest opens a store on a new database with its clock fixed;
// noBulk makes it write through the normal path.
func openBulkTest(t *testing.T, noBulk bool) *Store {
	t.Helper()
	s := openTest(t)
	setClock(s, bulkClock)
	s.noBulk = noBulk
	return s
}

// bulkSynthSet is a generated graph with what the generator leaves out
// added to some events: intervals, codes, estimates (with and without a
// source) and intensities.
func bulkSynthSet(tb testing.TB, events int, seed int64) *fixture.Set {
	tb.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: events, Seed: seed}); err != nil {
		tb.Fatal(err)
	}
	set := decode(tb, buf.String())
	b := &set.Batch
	interval, err := db.ParseSpan("2019-05-10/2019-05-16")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range b.Events {
		e := &b.Events[i]
		if i%7 == 0 {
			e.Codes = []db.EventCode{{Scheme: "CAMEO", Code: fmt.Sprint(100 + i%40), Label: "label"}, {Scheme: "PLOVER", Code: "ASSAULT"}}
			low, best := i%5, i%5+3
			e.Estimates = []db.Estimate{{Measure: db.MeasureFatalities, Low: &low, Best: &best, Note: "note"}}
			if len(b.Sources) > 0 {
				e.Estimates = append(e.Estimates, db.Estimate{Measure: db.MeasureFatalities, High: &best, Source: b.Sources[i%len(b.Sources)].Key})
			}
			intensity := float64(i%21)/3 - 3.3
			e.Intensity = &intensity
		}
		if i%11 == 0 && e.EndedAt.IsZero() {
			e.OccurredAt = interval
		}
	}
	return set
}

func demoSet(tb testing.TB) *fixture.Set { return decode(tb, string(demo.JSON)) }

// tableDump is one table's rows, each as text, sorted.
type tableDump struct {
	name string
	rows []string
}

// dumpDatabase reads every table of s's schema in full, each row as its
// text form, and every sequence's state (where the next id comes from).
// Ignored: goose's tstamp (when a migration ran), and the sequences of the
// notes tables (event_count_pending, search_stat_pending), which every
// commit empties: how many notes a write took is no state of the database.
func dumpDatabase(t *testing.T, s *Store) []tableDump {
	t.Helper()
	ctx := context.Background()
	names := pgRows(t, s, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE "C"`)
	var out []tableDump
	for _, name := range names {
		rows, err := s.pool.Query(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, name)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			if name == "goose_db_version" && c == "tstamp" {
				continue
			}
			cols = append(cols, `quote_nullable("`+c+`"::text)`)
		}
		rows.Close()
		if len(cols) == 0 {
			t.Fatalf("table %s has no columns", name)
		}
		got := pgRows(t, s, `SELECT concat_ws('|', `+strings.Join(cols, ", ")+`) FROM "`+name+`"`)
		slices.Sort(got)
		out = append(out, tableDump{name, got})
	}
	seqs := pgRows(t, s, `SELECT sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences
		WHERE schemaname = 'public' AND sequencename NOT LIKE '%\_pending\_id\_seq' ORDER BY sequencename COLLATE "C"`)
	return append(out, tableDump{"(sequences)", seqs})
}

func compareDumps(t *testing.T, want, got []tableDump) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d tables, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.name != g.name {
			t.Fatalf("table %d is %s, want %s", i, g.name, w.name)
		}
		if slices.Equal(w.rows, g.rows) {
			continue
		}
		missing, extra := diffRows(w.rows, g.rows)
		t.Errorf("table %s: %d rows, want %d; %d missing, such as %q; %d extra, such as %q",
			w.name, len(g.rows), len(w.rows), len(missing), firstOf(missing), len(extra), firstOf(extra))
	}
}

func diffRows(want, got []string) (missing, extra []string) {
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || (i < len(want) && want[i] < got[j]):
			missing = append(missing, want[i])
			i++
		case i == len(want) || got[j] < want[i]:
			extra = append(extra, got[j])
			j++
		default:
			i++
			j++
		}
	}
	return missing, extra
}

func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	if len(xs[0]) > 300 {
		return xs[0][:300] + "…"
	}
	return xs[0]
}

// dumpRows counts the rows of a dump, to make sure a comparison compared
// something.
func dumpRows(d []tableDump, table string) int {
	for _, t := range d {
		if t.name == table {
			return len(t.rows)
		}
	}
	return -1
}

// exported is s's export and the full records of every event and
// statement, as fixture text: what clients read, byte for byte.
func exported(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	b, err := s.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		t.Fatal(err)
	}
	var eventIDs, statementIDs []int64
	for _, id := range pgRows(t, s, `SELECT id FROM events ORDER BY id`) {
		var n int64
		fmt.Sscan(id, &n)
		eventIDs = append(eventIDs, n)
	}
	for _, id := range pgRows(t, s, `SELECT id FROM statements ORDER BY id`) {
		var n int64
		fmt.Sscan(id, &n)
		statementIDs = append(statementIDs, n)
	}
	events, err := s.FullEvents(ctx, eventIDs)
	if err != nil {
		t.Fatal(err)
	}
	statements, err := s.FullStatements(ctx, statementIDs)
	if err != nil {
		t.Fatal(err)
	}
	// JSON, ids and stamps included, pointers followed.
	for _, v := range []any{events, statements} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
		buf.Write(data)
	}
	return buf.String()
}

// load writes set into s the way it says: "batch" with ApplyRun, a run
// recorded; "stream" with ApplyStreamRunKeys, keys unknown; "keys" with
// them given.
func loadBy(t *testing.T, s *Store, how string, set *fixture.Set, name string) (db.Summary, db.Run) {
	t.Helper()
	ctx := context.Background()
	run := db.Run{Command: "seed", Client: "test", StartedAt: bulkClock.Add(-time.Minute),
		Files: []db.RunFile{{Name: name + ".json", SHA256: "00"}}}
	var sum db.Summary
	var err error
	switch how {
	case "batch":
		sum, err = s.ApplyRun(ctx, &run, &set.Batch, set.Refs)
	case "stream":
		sum, err = s.ApplyStreamRunKeys(ctx, &run, set.Refs, nil, set.Batch.Feed)
	case "keys":
		sum, err = s.ApplyStreamRunKeys(ctx, &run, set.Refs, set.Batch.Keys(), set.Batch.Feed)
	default:
		t.Fatalf("no way %q", how)
	}
	if err != nil {
		t.Fatalf("%s load of %s: %v", how, name, err)
	}
	return sum, run
}

// TestBulkLoadMatchesNormalPath loads the same records into two new
// databases, one through the bulk path and one through the normal path,
// and compares every row of every table — records, lists, derived tables,
// the change log, the changes feed, the kept counts, the run record —
// and every sequence, then the exports. The clocks are fixed, so nothing
// may differ but goose's migration times (ignored).
func TestBulkLoadMatchesNormalPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		how  string
		// first, when set, is loaded (on the normal path) before: the
		// bulk path then writes new keys into a database with records.
		first func(testing.TB) *fixture.Set
		set   func(testing.TB) *fixture.Set
	}{
		{"demo", "batch", nil, demoSet},
		{"synth", "batch", nil, func(tb testing.TB) *fixture.Set { return bulkSynthSet(tb, 3000, 3) }},
		{"synth stream", "stream", nil, func(tb testing.TB) *fixture.Set { return bulkSynthSet(tb, 3000, 3) }},
		{"new keys after demo", "keys", demoSet, func(tb testing.TB) *fixture.Set { return bulkSynthSet(tb, 1000, 5) }},
		{"new keys naming stored ones", "batch", demoSet, func(tb testing.TB) *fixture.Set {
			return decode(tb, `{"version": 1,
			  "sources": [{"key": "new-src", "url": "https://example.org/n", "title": "N"}],
			  "actors": [{"key": "new-actor", "name": "New", "kind": "OTHER", "country": "IN", "sources": ["new-src", "rubio-calls-jaishankar-sharif-2025-05-08"]}],
			  "relationships": [{"kind": "ALLIED_WITH", "subject": "new-actor", "object": "india", "from": "2020"}],
			  "events": [{"key": "new-event", "type": "OTHER", "title": "New", "occurredAt": "2025-05-09",
			    "participants": [{"actor": "new-actor", "role": "INITIATOR"}, {"actor": "pakistan", "role": "TARGET"}],
			    "sources": ["rubio-calls-jaishankar-sharif-2025-05-08"]}],
			  "statements": [{"key": "new-statement", "kind": "QUOTE", "speaker": "india", "coSpeakers": ["new-actor"],
			    "madeAt": "2025-05-10", "text": "New.", "about": ["new-event"]}]}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			normal, bulk := openBulkTest(t, true), openBulkTest(t, false)
			// The bulk path's rows sent in many COPYs, a record's lists
			// in other COPYs than its row, and its derived rows built in
			// several ranges.
			bulk.bulkRowsSize, bulk.bulkRangeSize = 97, 700
			if tc.first != nil {
				for _, s := range []*Store{normal, bulk} {
					s.noBulk = true
					loadBy(t, s, "batch", tc.first(t), "first")
				}
				bulk.noBulk = false
			}
			var sums [2]db.Summary
			var runs [2]db.Run
			for i, s := range []*Store{normal, bulk} {
				sums[i], runs[i] = loadBy(t, s, tc.how, tc.set(t), tc.name)
			}
			if normal.lastBulk.Load() {
				t.Error("the store with noBulk took the bulk path")
			}
			if !bulk.lastBulk.Load() {
				t.Fatal("the load of new records took the normal path")
			}
			if sums[0] != sums[1] {
				t.Errorf("summaries differ: normal %+v, bulk %+v", sums[0], sums[1])
			}
			if sums[1].Inserted == 0 {
				t.Errorf("bulk summary %+v: want inserts", sums[1])
			}
			if fmt.Sprint(runs[0]) != fmt.Sprint(runs[1]) {
				t.Errorf("runs differ:\nnormal %+v\nbulk   %+v", runs[0], runs[1])
			}
			want, got := dumpDatabase(t, normal), dumpDatabase(t, bulk)
			for _, table := range []string{"events", "timeline_index", "graph_edges", "search_text", "changes", "change_feed", "event_counts", "runs"} {
				if dumpRows(want, table) <= 0 {
					t.Errorf("table %s: no rows compared", table)
				}
			}
			compareDumps(t, want, got)
			if w, g := exported(t, normal), exported(t, bulk); w != g {
				t.Errorf("exports differ: %d bytes, want %d", len(g), len(w))
			}
		})
	}
}

// TestBulkLoadIntoStoredTakesNormalPath checks that a load naming a
// stored key, or given no keys into a database with records, takes the
// normal path, and writes what a store without the bulk path writes.
func TestBulkLoadIntoStoredTakesNormalPath(t *testing.T) {
	t.Parallel()
	changed := demoSet(t)
	changed.Batch.Events[0].Title += " (revised)"
	changed.Batch.Actors = append(changed.Batch.Actors, db.Actor{Key: "someone-new", Name: "New", Kind: db.ActorKinds[0]})
	for _, how := range []string{"batch", "stream", "keys"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			normal, bulk := openBulkTest(t, true), openBulkTest(t, false)
			for _, s := range []*Store{normal, bulk} {
				loadBy(t, s, "batch", demoSet(t), "demo")
			}
			if !bulk.lastBulk.Load() {
				t.Fatal("the first load took the normal path")
			}
			var sums [2]db.Summary
			for i, s := range []*Store{normal, bulk} {
				sums[i], _ = loadBy(t, s, how, changed, "changed")
			}
			if bulk.lastBulk.Load() {
				t.Error("a load naming stored keys took the bulk path")
			}
			if want := (db.Summary{Inserted: 1, Updated: 1, Unchanged: 34}); sums[1] != want || sums[0] != want {
				t.Errorf("summaries: normal %+v, bulk %+v, want %+v", sums[0], sums[1], want)
			}
			compareDumps(t, dumpDatabase(t, normal), dumpDatabase(t, bulk))
		})
	}
}

// TestBulkLoadWithBadReferenceWritesNothing checks that a bulk load that
// fails on a reference to nothing leaves the database as it was.
func TestBulkLoadWithBadReferenceWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, how := range []string{"batch", "stream"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			s := openBulkTest(t, false)
			empty := dumpDatabase(t, s)
			set := bulkSynthSet(t, 500, 3)
			set.Batch.Events[len(set.Batch.Events)-1].Participants[0].Actor = "no-such-actor"
			var err error
			if how == "batch" {
				_, err = s.Apply(ctx, &set.Batch, nil)
			} else {
				_, err = s.ApplyStreamRunKeys(ctx, nil, nil, nil, set.Batch.Feed)
			}
			var ps db.Problems
			if !errors.As(err, &ps) || len(ps) != 1 || ps[0].What != `unknown actor "no-such-actor"` {
				t.Fatalf("load = %v, want one problem naming no-such-actor", err)
			}
			if !s.lastBulk.Load() {
				t.Error("the load of new records took the normal path")
			}
			after := dumpDatabase(t, s)
			// The sequences are not transactional: the ids the load
			// drew stay drawn, as the normal path's upserts leave them.
			after, empty = after[:len(after)-1], empty[:len(empty)-1]
			compareDumps(t, empty, after)
		})
	}
}

// TestBulkLoadFallsBackWhenAKeyIsStoredMeanwhile checks that a bulk load
// that meets a key another writer stored after the load chose the bulk
// path rolls back whole and runs again on the normal path, which updates
// that record: the database then holds what a normal load after the other
// writer's holds.
func TestBulkLoadFallsBackWhenAKeyIsStoredMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ref := openBulkTest(t, false), openBulkTest(t, true)
	const other = `INSERT INTO sources (key, url, title, content_hash, created_at, updated_at)
		VALUES ('rubio-calls-jaishankar-sharif-2025-05-08', 'https://example.org/other', 'Other', '\x00', 1, 1)`
	// The other writer's clock, which the changes feed's trigger reads.
	const clock = `SELECT set_config('geotimeline.now', '1', true)`
	refTx, err := ref.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{clock, other} {
		if _, err := refTx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := refTx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	refSum, _ := loadBy(t, ref, "batch", demoSet(t), "demo")

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{clock, other} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		sum db.Summary
		err error
	}
	done := make(chan result, 1)
	set := demoSet(t)
	go func() {
		run := db.Run{Command: "seed", Client: "test", StartedAt: bulkClock.Add(-time.Minute),
			Files: []db.RunFile{{Name: "demo.json", SHA256: "00"}}}
		sum, err := s.ApplyRun(ctx, &run, &set.Batch, set.Refs)
		done <- result{sum, err}
	}()
	// The load found the database empty and copies the source, whose key
	// the open transaction holds: it waits for that transaction.
	deadline := time.Now().Add(time.Minute)
	for {
		var waiting int
		if err := ref.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = $1 AND wait_event_type = 'Lock'`, tx.Conn().Config().Database).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the load ended (%+v, %v) before the other writer committed", r.sum, r.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the load never waited for the other writer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("ApplyRun: %v", r.err)
	}
	if s.lastBulk.Load() {
		t.Error("the load that met a stored key ended on the bulk path")
	}
	if want := (db.Summary{Inserted: 34, Updated: 1}); r.sum != want || refSum != want {
		t.Errorf("summaries: %+v, reference %+v, want %+v", r.sum, refSum, want)
	}
	want, got := dumpDatabase(t, ref), dumpDatabase(t, s)
	// The sequences are not transactional: the id the bulk attempt drew
	// for the source stays drawn.
	wantSeq, gotSeq := want[len(want)-1], got[len(got)-1]
	compareDumps(t, want[:len(want)-1], got[:len(got)-1])
	_, extra := diffRows(wantSeq.rows, gotSeq.rows)
	if len(extra) != 1 || extra[0] != "sources_id_seq 3" {
		t.Errorf("sequences %q, want %q but for sources_id_seq 3", gotSeq.rows, wantSeq.rows)
	}
	if w, g := exported(t, ref), exported(t, s); w != g {
		t.Errorf("exports differ: %d bytes, want %d", len(g), len(w))
	}
}

// TestBulkSeedMatchesNormalPath seeds files as `geotimeline seed` does
// (db/seed, read through Open: checked, spilled, then streamed with their
// keys), once into a new database and once, new records only, into the
// demo's, through both paths, and compares the databases as
// TestBulkLoadMatchesNormalPath does.
func TestBulkSeedMatchesNormalPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var generated bytes.Buffer
	if err := synth.Write(&generated, synth.Options{Events: 2000, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	file := func(name string, data []byte) fixture.File {
		return fixture.File{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	}
	for _, tc := range []struct {
		name  string
		first bool // the demo loaded before, on the normal path
		files []fixture.File
	}{
		{"new database", false, []fixture.File{file("demo.json", demo.JSON), file("graph.json", generated.Bytes())}},
		{"into the demo's", true, []fixture.File{file("graph.json", generated.Bytes())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			normal, bulk := openBulkTest(t, true), openBulkTest(t, false)
			var sums [2]db.Summary
			for i, s := range []*Store{normal, bulk} {
				if tc.first {
					s.noBulk = true
					loadBy(t, s, "batch", demoSet(t), "demo")
					s.noBulk = s == normal
				}
				l := &seed.Loader{TempDir: t.TempDir(), Record: &db.Run{Command: "seed", Client: "test", StartedAt: bulkClock}}
				_, sum, err := l.Load(ctx, s, tc.files)
				if err != nil {
					t.Fatalf("seed: %v", err)
				}
				sums[i] = sum
			}
			if !bulk.lastBulk.Load() || normal.lastBulk.Load() {
				t.Fatalf("lastBulk: bulk store %v, normal store %v", bulk.lastBulk.Load(), normal.lastBulk.Load())
			}
			if sums[0] != sums[1] || sums[1].Inserted == 0 {
				t.Errorf("summaries: normal %+v, bulk %+v", sums[0], sums[1])
			}
			compareDumps(t, dumpDatabase(t, normal), dumpDatabase(t, bulk))
			if w, g := exported(t, normal), exported(t, bulk); w != g {
				t.Errorf("exports differ: %d bytes, want %d", len(g), len(w))
			}
		})
	}
}
