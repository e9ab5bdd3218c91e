package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/storetest"
	"github.com/geotimeline/geotimeline/db/synth"
)

// hubFixture: actor hub takes part in n events (with other), speaks two
// statements, is addressed by one of other's and is the subject of one
// relationship.
func hubFixture(n int) string {
	var b strings.Builder
	b.WriteString(`{"version": 1,
	  "actors": [{"key": "hub", "name": "Hub", "kind": "STATE"}, {"key": "other", "name": "Other", "kind": "STATE"}],
	  "relationships": [{"key": "hub-opposes-other", "kind": "OPPOSES", "subject": "hub", "object": "other"}],
	  "statements": [
	    {"key": "st-1", "kind": "QUOTE", "speaker": "hub", "madeAt": "2025-02-01", "text": "One."},
	    {"key": "st-2", "kind": "QUOTE", "speaker": "hub", "madeAt": "2025-02-02", "text": "Two."},
	    {"key": "st-3", "kind": "QUOTE", "speaker": "other", "madeAt": "2025-02-03", "text": "Three.", "addressees": ["hub"]}],
	  "events": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"key": "e-%05d", "type": "CALL", "title": "Call %d", "occurredAt": "2025-01-01",
		  "participants": [{"actor": "hub", "role": "INITIATOR"}, {"actor": "other", "role": "TARGET"}]}`, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestCascadeBound: a cascade that would touch more records than
// MaxCascade is refused before anything is written, with the figures; at
// the bound it runs.
func TestCascadeBound(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	set, err := fixture.Decode([]fixture.File{{Name: "x.json", Data: []byte(hubFixture(12))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	// 12 events and st-3 rewritten, st-1, st-2 and the relationship deleted.
	s.MaxCascade = 15
	_, err = s.Delete(ctx, db.RefActor, "hub", true)
	checkFault(t, "Delete", err, db.CodeInvalid, `deleting actor "hub" with cascade would rewrite 12 events, `+
		`rewrite 1 statement, delete 2 statements, delete 1 relationship: 16 records, more than the 15 one delete may touch `+
		`(it would hold the database's write lock too long); write the referring records without it in smaller loads first, then delete it`)
	if n := countRows(t, s, "events"); n != 12 {
		t.Errorf("events after the refusal = %d, want 12", n)
	}

	s.MaxCascade = 16
	res, err := s.Delete(ctx, db.RefActor, "hub", true)
	if err != nil {
		t.Fatalf("Delete at the bound: %v", err)
	}
	if got, want := len(res.Updated), 13; got != want {
		t.Errorf("updated = %d, want %d", got, want)
	}
	if got, want := len(res.Deleted), 4; got != want {
		t.Errorf("deleted = %d, want %d", got, want)
	}
}

// TestCascadeSetWiseIsExact: a cascade that rewrites events and statements
// set-wise leaves every table, the derived ones and the change log included,
// row for row as the reference does, rewriting each record one by one
// through the loader's writer: on every cascade of storetest.DeleteFixture and on the
// hub of a generated graph.
func TestCascadeSetWiseIsExact(t *testing.T) {
	deleteFixture := filepath.Join(t.TempDir(), "delete.db")
	loadAt(t, deleteFixture, []byte(storetest.DeleteFixture))
	var synthGraph bytes.Buffer
	if err := synth.Write(&synthGraph, synth.Options{Events: 3000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	realData := filepath.Join(t.TempDir(), "realdata.db")
	loadAt(t, realData, []byte(realDataDeleteFixture))
	generated := filepath.Join(t.TempDir(), "synth.db")
	loadAt(t, generated, synthGraph.Bytes())
	hub, events := hubActor(t, generated)
	if hub != "actor-000002" || events != 1426 {
		t.Fatalf("hub of the generated graph = %s in %d events, want actor-000002 in 1426", hub, events)
	}

	for _, tt := range []struct {
		base                      string
		kind                      db.RefKind
		key                       string
		updated, deleted, changes int
	}{
		{deleteFixture, db.RefActor, "india", 4, 5, 4},
		{deleteFixture, db.RefActor, "envoy", 1, 3, 1},
		{deleteFixture, db.RefActor, "modi", 1, 3, 1},
		{deleteFixture, db.RefEvent, "strike", 4, 1, 4},
		{deleteFixture, db.RefEvent, "attack", 2, 1, 2},
		{deleteFixture, db.RefSource, "src-a", 5, 1, 3},
		{realData, db.RefActor, "b", 3, 2, 3},     // e1, s1 and s2 lose b; s3, b's own, goes with b
		{realData, db.RefSource, "ucdp", 2, 1, 2}, // e1 and e2 keep their estimates, unattributed
		{generated, db.RefActor, hub, 1501, 151, 1501},
	} {
		t.Run(fmt.Sprintf("%s/%s", tt.kind, tt.key), func(t *testing.T) {
			var dumps [2]string
			var results [2]deleteResult
			for i, oneByOne := range []bool{true, false} {
				s := openCopy(t, tt.base)
				s.cascadeOneByOne = oneByOne
				res, err := s.deleteOne(context.Background(), true, func(d *deleter) (record, error) { return d.byKey(tt.kind, tt.key) })
				if err != nil {
					t.Fatalf("delete (one by one: %v): %v", oneByOne, err)
				}
				results[i], dumps[i] = res, dumpAllTables(t, s)
			}
			if !reflect.DeepEqual(results[0], results[1]) {
				t.Errorf("set-wise result:\n%+v\none by one:\n%+v", results[1], results[0])
			}
			if dumps[0] != dumps[1] {
				t.Errorf("tables after the set-wise cascade differ from the one-by-one's:\n%s", firstDiff(dumps[1], dumps[0]))
			}
			res := results[1]
			if got := []int{len(res.Updated), len(res.Deleted), strings.Count(dumps[1], "\nchanges ")}; !reflect.DeepEqual(got,
				[]int{tt.updated, tt.deleted, tt.changes}) {
				t.Errorf("updated, deleted, change-log rows = %v, want %v", got, []int{tt.updated, tt.deleted, tt.changes})
			}
			if res.strayEdges != 0 {
				t.Errorf("%d stray edges", res.strayEdges)
			}
		})
	}
}

var (
	loadedAt  = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	deletedAt = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
)

// loadAt writes a database of the fixture at path, loaded at loadedAt,
// with its change log emptied (the load's rows are not what is compared).
func loadAt(t *testing.T, path string, fx []byte) {
	t.Helper()
	ctx := context.Background()
	set, err := fixture.Decode([]fixture.File{{Name: "x.json", Data: fx}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Now = func() time.Time { return loadedAt }
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.Exec(`DELETE FROM changes`); err != nil {
		t.Fatal(err)
	}
}

// openCopy opens a copy of the closed database at base, its clock at
// deletedAt.
func openCopy(t *testing.T, base string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	copyFile(t, base, path)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return deletedAt }
	s.MaxCascade = 1 << 30
	return s
}

// dumpAllTables is every row of every table, each line prefixed with its
// table's name; the full-text index's own tables are left out for its
// rows as they read back.
func dumpAllTables(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.write.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_text%' AND name NOT LIKE 'goose%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var b strings.Builder
	dump := func(name, query string) {
		for _, line := range strings.SplitAfter(dumpTable(t, s, query), "\n") {
			if line != "" {
				b.WriteString("\n" + name + " " + strings.TrimSuffix(line, "\n"))
			}
		}
	}
	for _, name := range tables {
		if name == "change_feed" {
			// One transaction's changes commit together: their order
			// within it (the set-wise rewrite's differs) tells a reader
			// nothing, so they are compared as a set.
			dump(name, `SELECT op, kind, key, at FROM change_feed ORDER BY 1, 2, 3, 4`)
			continue
		}
		var n int
		if err := s.write.QueryRow(`SELECT count(*) FROM pragma_table_info(?)`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		cols := make([]string, n)
		for i := range cols {
			cols[i] = fmt.Sprint(i + 1)
		}
		dump(name, `SELECT * FROM `+name+` ORDER BY `+strings.Join(cols, ", "))
	}
	dump("search_text", dumpText)
	return b.String()
}

// firstDiff shows where two dumps first differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
