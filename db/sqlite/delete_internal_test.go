package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/migrations"
	"github.com/geotimeline/geotimeline/db/storetest"
)

// Tests that need the package's insides: no stray graph edge, exact derived
// indexes and satisfied foreign keys after every kind of delete.

func openDeleteTest(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "delete.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set, err := fixture.Decode([]fixture.File{{Name: "delete.json", Data: []byte(storetest.DeleteFixture)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	return s
}

// dumpTable is every row of a query, one line each.
func dumpTable(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.write.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const (
	dumpEdges    = `SELECT * FROM graph_edges ORDER BY src, kind, dst, forward, owner, role`
	dumpText     = `SELECT docid, title, body FROM search_text ORDER BY docid`
	dumpTimeline = `SELECT * FROM timeline_index ORDER BY facet, value, at, precision, key, kind, item_id, role`
)

// checkIndexesExact fails unless the graph and text indexes are what
// migrations 00002 and 00003 build from the records, and the timeline index
// what a rewrite of every item gives.
func checkIndexesExact(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	edges, text, timeline := dumpTable(t, s, dumpEdges), dumpTable(t, s, dumpText), dumpTable(t, s, dumpTimeline)

	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dumpTable(t, s, dumpEdges); got != edges {
		t.Errorf("graph_edges after delete:\n%s\nrebuilt from the records:\n%s", edges, got)
	}
	if got := dumpTable(t, s, dumpText); got != text {
		t.Errorf("search_text after delete:\n%s\nrebuilt from the records:\n%s", text, got)
	}

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	w := s.newWriter(ctx, tx, 0)
	defer w.close()
	if _, err := w.exec(`DELETE FROM timeline_index`); err != nil {
		t.Fatal(err)
	}
	for kind, table := range []string{kindEvent: "events", kindStatement: "statements"} {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := scanIDs(rows)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if err := w.reindex(kind, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := dumpTable(t, s, dumpTimeline); got != timeline {
		t.Errorf("timeline_index after delete:\n%s\nrebuilt from the records:\n%s", timeline, got)
	}
}

func TestDeleteLeavesExactIndexes(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		kind    db.RefKind
		key     string
		cascade bool
	}{
		{db.RefActor, "india", true},
		{db.RefActor, "envoy", true},
		{db.RefActor, "modi", true},
		{db.RefActor, "loner", false},
		{db.RefEvent, "strike", true},
		{db.RefEvent, "attack", true},
		{db.RefEvent, "quake", false},
		{db.RefStatement, "india-readout", false},
		{db.RefSource, "src-a", true},
		{db.RefSource, "src-unused", false},
		{db.RefRelationship, "rivals", false},
	} {
		t.Run(fmt.Sprintf("%s/%s", tt.kind, tt.key), func(t *testing.T) {
			s := openDeleteTest(t)
			var id int64
			if err := s.write.QueryRow(`SELECT id FROM `+deletables[tt.kind].table+` WHERE key = ?`, tt.key).Scan(&id); err != nil {
				t.Fatal(err)
			}
			res, err := s.deleteOne(ctx, tt.cascade, func(d *deleter) (record, error) { return d.byKey(tt.kind, tt.key) })
			if err != nil {
				t.Fatalf("delete: %v", err)
			}
			if res.strayEdges != 0 {
				t.Errorf("%d edges of other records still reached the deleted node", res.strayEdges)
			}
			k := deletables[tt.kind]
			if k.node != 0 {
				n := owner(k.node, id)
				if got := dumpTable(t, s, `SELECT * FROM graph_edges WHERE src = ?1 OR dst = ?1 OR owner = ?1`, n); got != "" {
					t.Errorf("edges of the deleted node:\n%s", got)
				}
			}
			if k.owner != 0 {
				if got := dumpTable(t, s, `SELECT * FROM graph_edges WHERE owner = ?`, owner(k.owner, id)); got != "" {
					t.Errorf("edges of the deleted record:\n%s", got)
				}
			}
			if k.timeline >= 0 {
				if got := dumpTable(t, s, `SELECT * FROM timeline_index WHERE kind = ? AND item_id = ?`, k.timeline, id); got != "" {
					t.Errorf("timeline rows of the deleted item:\n%s", got)
				}
			}
			if k.doc >= 0 {
				if got := dumpTable(t, s, `SELECT docid FROM search_text WHERE docid = ?`, docid(k.doc, id)); got != "" {
					t.Errorf("text row of the deleted record: %s", got)
				}
			}
			if got := dumpTable(t, s, `PRAGMA foreign_key_check`); got != "" {
				t.Errorf("foreign_key_check:\n%s", got)
			}
			checkIndexesExact(t, s)
			if err := s.IntegrityCheck(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// An edge that another record owns and that still reaches the node goes with
// it, both of its rows, and is counted.
func TestDeleteRemovesStrayEdges(t *testing.T) {
	ctx := context.Background()
	s := openDeleteTest(t)
	var loner, quake int64
	if err := s.write.QueryRow(`SELECT (SELECT id FROM actors WHERE key = 'loner'), (SELECT id FROM events WHERE key = 'quake')`).
		Scan(&loner, &quake); err != nil {
		t.Fatal(err)
	}
	a, e := owner(codeActor, loner), owner(codeEvent, quake)
	// A participation edge loner → quake that quake's lists do not hold.
	if _, err := s.write.Exec(`INSERT INTO graph_edges (src, kind, dst, forward, owner, role) VALUES
		(?1, 1, ?2, 1, ?2, 'PARTICIPANT'), (?2, 1, ?1, 0, ?2, 'PARTICIPANT')`, a, e); err != nil {
		t.Fatal(err)
	}
	res, err := s.deleteOne(ctx, false, func(d *deleter) (record, error) { return d.byKey(db.RefActor, "loner") })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.strayEdges, 1; got != want {
		t.Errorf("strayEdges = %d, want %d", got, want)
	}
	if got := dumpTable(t, s, `SELECT * FROM graph_edges WHERE src = ?1 OR dst = ?1`, a); got != "" {
		t.Errorf("edges of the deleted actor:\n%s", got)
	}
	checkIndexesExact(t, s)
}

// A delete that fails part way, here at the very last statement, writes
// nothing: the rewritten referrers and the deleted dependents come back.
func TestDeleteIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := openDeleteTest(t)
	dumpAll := func() string {
		var b strings.Builder
		for _, table := range []string{"actors", "events", "event_participants", "statements", "statement_addressees",
			"relationships", "graph_edges", "timeline_index"} {
			b.WriteString(dumpTable(t, s, `SELECT * FROM `+table+` ORDER BY 1, 2, 3`))
		}
		b.WriteString(dumpTable(t, s, dumpText))
		return b.String()
	}
	before := dumpAll()
	if _, err := s.write.Exec(`CREATE TRIGGER refuse BEFORE DELETE ON actors BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	_, err := s.Delete(ctx, db.RefActor, "india", true)
	if got, want := db.ErrorCode(err), db.CodeInternal; got != want {
		t.Fatalf("Delete: %v (code %q), want code %q", err, got, want)
	}
	if !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("Delete: %v, want the trigger's error", err)
	}
	if _, err := s.write.Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	if got := dumpAll(); got != before {
		t.Errorf("after a failed delete:\n%s\nwant\n%s", got, before)
	}
}
