package postgres

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
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
