package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/synth"
)

var bulkClock = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

// openBulkTest opens a new store with its clock fixed; noBulk makes it
// write through the normal path.
func openBulkTest(tb testing.TB, name string, noBulk bool) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), name))
	if err != nil {
		tb.Fatal(err)
	}
	s.Now = func() time.Time { return bulkClock }
	s.noBulk = noBulk
	tb.Cleanup(func() { s.Close() })
	return s
}

func readFixture(tb testing.TB, path string) *fixture.Set {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	set, err := fixture.Decode([]fixture.File{{Name: filepath.Base(path), Data: data}})
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// synthSet is a generated graph with what the generator leaves out added
// to some events: intervals, codes, estimates (with and without a source)
// and intensities.
func synthSet(tb testing.TB, events int) *fixture.Set {
	tb.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: events, Seed: 3}); err != nil {
		tb.Fatal(err)
	}
	set := decodeSet(tb, buf.Bytes())
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

// TestBulkLoadMatchesNormalPath seeds the same fixtures into two new
// databases, one through the bulk path and one through the normal path,
// and compares every row of every table: records, lists, derived tables,
// the change log, the changes feed, the kept counts, the run record and
// SQLite's own sequence table. The clocks are fixed, so nothing is left
// time-dependent but goose's migration timestamps (ignored) and the
// physical layout of the full-text index (compared after merging it, see
// dumpDatabase).
func TestBulkLoadMatchesNormalPath(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		set  func(testing.TB) *fixture.Set
	}{
		{"small", func(tb testing.TB) *fixture.Set { return readFixture(tb, "../export/testdata/small.json") }},
		{"full", func(tb testing.TB) *fixture.Set { return readFixture(tb, "../fixture/testdata/full.json") }},
		{"synth", func(tb testing.TB) *fixture.Set { return synthSet(tb, 3000) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := tc.set(t)
			normal, bulk := openBulkTest(t, "normal.db", true), openBulkTest(t, "bulk.db", false)
			// The normal path as it runs a load of millions: derived rows
			// rebuilt every few records, ids forgotten and looked up.
			normal.flushEvery, normal.maxCachedIDs = 700, 300
			// And the bulk path's derived rows built in several ranges.
			bulk.bulkRange = 400
			var sums [2]db.Summary
			var runs [2]db.Run
			for i, s := range []*Store{normal, bulk} {
				runs[i] = db.Run{Command: "seed", Client: "test", StartedAt: bulkClock.Add(-time.Minute),
					Files: []db.RunFile{{Name: tc.name + ".json", SHA256: "00"}}}
				sum, err := s.ApplyRun(ctx, &runs[i], &set.Batch, set.Refs)
				if err != nil {
					t.Fatalf("store %d: %v", i, err)
				}
				sums[i] = sum
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
			compareDumps(t, want, got)
		})
	}
}

// TestBulkLoadThenNormal checks that a database loaded by the bulk path
// takes a second load (updates, inserts and unchanged records) as one
// loaded by the normal path does.
func TestBulkLoadThenNormal(t *testing.T) {
	ctx := context.Background()
	first := synthSet(t, 1500)
	second := synthSet(t, 1500)
	for i := range second.Batch.Events {
		if i%3 == 0 {
			second.Batch.Events[i].Title += " (revised)"
		}
	}
	second.Batch.Actors[0].Country = "PK"
	normal, bulk := openBulkTest(t, "normal.db", true), openBulkTest(t, "bulk.db", false)
	for _, s := range []*Store{normal, bulk} {
		for _, set := range []*fixture.Set{first, second} {
			if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
				t.Fatal(err)
			}
		}
	}
	compareDumps(t, dumpDatabase(t, normal), dumpDatabase(t, bulk))
}

// TestBulkLoadFailsWhole checks that a bulk load that fails — on a
// reference to nothing, or cancelled midway — leaves the database as it
// was: no record, no index dropped, nothing in the feed.
func TestBulkLoadFailsWhole(t *testing.T) {
	ctx := context.Background()
	empty := dumpDatabase(t, openBulkTest(t, "empty.db", false))

	t.Run("unknown reference", func(t *testing.T) {
		s := openBulkTest(t, "bulk.db", false)
		set := synthSet(t, 500)
		set.Batch.Events[len(set.Batch.Events)-1].Participants[0].Actor = "no-such-actor"
		_, err := s.Apply(ctx, &set.Batch, nil)
		var ps db.Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].What != `unknown actor "no-such-actor"` {
			t.Fatalf("Apply = %v, want one problem naming no-such-actor", err)
		}
		compareDumps(t, empty, dumpDatabase(t, s))
	})
	t.Run("cancelled", func(t *testing.T) {
		s := openBulkTest(t, "bulk.db", false)
		set := synthSet(t, 2000)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// The feed stops the context after 1 500 event rows, as a caller
		// gone away would, and goes on: the write must notice.
		_, err := s.ApplyStream(cctx, set.Refs, func(f db.Feeder) error {
			b := &set.Batch
			for i := range b.Sources {
				if err := f.Source(&b.Sources[i]); err != nil {
					return err
				}
			}
			for i := range b.Actors {
				if err := f.Actor(&b.Actors[i]); err != nil {
					return err
				}
			}
			for i := range b.Relationships {
				if err := f.Relationship(&b.Relationships[i]); err != nil {
					return err
				}
			}
			for i := range b.Events {
				if i == 1500 {
					cancel()
				}
				if err := f.EventRow(&b.Events[i]); err != nil {
					return err
				}
			}
			return nil
		})
		// The transaction ends with its context (database/sql rolls it
		// back), so the error may be the one of the statement that found
		// it closed rather than context.Canceled.
		if err == nil {
			t.Fatal("ApplyStream of a cancelled write succeeded")
		}
		compareDumps(t, empty, dumpDatabase(t, s))
	})
}

// tableDump is one table's rows, each as text, sorted.
type tableDump struct {
	name string
	rows []string
}

// dumpDatabase reads every table of s (sqlite_master's, SQLite's own
// sqlite_sequence included) in full, each row as text with its values'
// types, ordered by every column. Ignored: goose's tstamp (when the
// migration ran) and sqlite_master's rootpage (where a table's B-tree
// starts, which dropping and creating an index moves). The full-text
// index's segments depend on how its inserts were batched, not only on
// what they hold: its content, document sizes and statistics are compared
// as they are, its segments after merging them into one ('optimize'),
// which leaves the same blocks for the same terms, numbered from where
// the database's last block was: their numbers, and the root that names
// them, are left out, and so is the merged segment's level, which is the
// highest level the segments had reached (FTS4 merges 16 segments of a
// level into one of the next), a count of how the inserts were batched.
func dumpDatabase(tb testing.TB, s *Store) []tableDump {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.write.ExecContext(ctx, `INSERT INTO search_text (search_text) VALUES ('optimize')`); err != nil {
		tb.Fatal(err)
	}
	names := queryColumn(tb, s, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	names = append(names, "sqlite_master")
	var out []tableDump
	for _, name := range names {
		cols := queryColumn(tb, s, `SELECT name FROM pragma_table_info(?)`, name)
		cols = slices.DeleteFunc(cols, func(c string) bool {
			return (name == "goose_db_version" && c == "tstamp") || (name == "sqlite_master" && c == "rootpage")
		})
		if len(cols) == 0 {
			tb.Fatalf("table %s has no columns", name)
		}
		var sel []string
		for _, c := range cols {
			sel = append(sel, `typeof("`+c+`") || ':' || quote("`+c+`")`)
		}
		q := `SELECT ` + strings.Join(sel, ` || '|' || `) + ` FROM "` + name + `"`
		switch name {
		case "search_text":
			q = `SELECT docid || '|' || quote(title) || '|' || quote(body) FROM search_text`
		case "search_text_segments":
			// Merged, the blocks are the same, numbered from where
			// each database's last block was.
			q = `SELECT quote(block) FROM search_text_segments`
		case "search_text_segdir":
			q = `SELECT idx || '|' || (leaves_end_block - start_block) || '|' || (end_block - start_block) FROM search_text_segdir`
		}
		rows := queryColumn(tb, s, q)
		slices.Sort(rows)
		out = append(out, tableDump{name, rows})
	}
	return out
}

func compareDumps(tb testing.TB, want, got []tableDump) {
	tb.Helper()
	if len(want) != len(got) {
		tb.Fatalf("%d tables, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.name != g.name {
			tb.Fatalf("table %d is %s, want %s", i, g.name, w.name)
		}
		if slices.Equal(w.rows, g.rows) {
			continue
		}
		missing, extra := diffRows(w.rows, g.rows)
		tb.Errorf("table %s: %d rows, want %d; %d missing, such as %q; %d extra, such as %q",
			w.name, len(g.rows), len(w.rows), len(missing), first(missing), len(extra), first(extra))
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

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	if len(xs[0]) > 300 {
		return xs[0][:300] + "…"
	}
	return xs[0]
}

func queryColumn(tb testing.TB, s *Store, q string, args ...any) []string {
	tb.Helper()
	rows, err := s.write.QueryContext(context.Background(), q, args...)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	out, err := scanColumn[string](rows)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return out
}
