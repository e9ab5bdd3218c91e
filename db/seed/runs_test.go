package seed_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// A load that writes records its run in the same transaction: the files by
// name and SHA-256, who ran it and what it changed. One that fails leaves
// no run.
func TestLoadRecordsRun(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "runs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC)
	store.Now = func() time.Time { return clock }
	a := []byte(`{"version": 1, "actors": [{"key": "india", "name": "India", "kind": "STATE"}]}`)
	b := []byte(`{"version": 1, "actors": [{"key": "nepal", "name": "Nepal", "kind": "STATE"}]}`)
	sum := func(data []byte) string { h := sha256.Sum256(data); return hex.EncodeToString(h[:]) }
	started := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	l := &seed.Loader{Record: &db.Run{Command: "seed", Client: "ana", StartedAt: started}}
	if _, _, err := l.Load(ctx, store, []fixture.File{{Name: "a.json", Data: a}, {Name: "b.json", Data: b}}); err != nil {
		t.Fatal(err)
	}
	// Loaded again: a run that changed nothing is a run too.
	again := &seed.Loader{Record: &db.Run{Command: "loadFixture", Client: "", StartedAt: started.Add(time.Minute)}}
	clock = clock.Add(time.Minute)
	if _, _, err := again.Load(ctx, store, []fixture.File{{Name: "fixture", Data: a}}); err != nil {
		t.Fatal(err)
	}
	bad := &seed.Loader{Record: &db.Run{Command: "seed", StartedAt: started}}
	if _, _, err := bad.Load(ctx, store, []fixture.File{{Name: "c.json", Data: []byte(`{"version": 1, "actors": [{"key": "x"}]}`)}}); err == nil {
		t.Fatal("a fixture with problems loaded")
	}

	runs, more, err := store.Runs(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.Run{
		{ID: 2, StartedAt: started.Add(time.Minute), FinishedAt: clock, Command: "loadFixture",
			Files: []db.RunFile{{Name: "fixture", SHA256: sum(a)}}, Summary: db.Summary{Unchanged: 1}},
		{ID: 1, StartedAt: started, FinishedAt: clock.Add(-time.Minute), Command: "seed", Client: "ana",
			Files: []db.RunFile{{Name: "a.json", SHA256: sum(a)}, {Name: "b.json", SHA256: sum(b)}}, Summary: db.Summary{Inserted: 2}},
	}
	if more || !reflect.DeepEqual(runs, want) {
		t.Errorf("runs = %+v (more %v)\nwant %+v", runs, more, want)
	}
	// Paged, newest first.
	older, more, err := store.Runs(ctx, 2, 1)
	if err != nil || more || len(older) != 1 || older[0].ID != 1 {
		t.Errorf("runs before 2 = %+v, %v, %v; want run 1 alone", older, more, err)
	}
	if n, err := store.CountRuns(ctx); err != nil || n != 2 {
		t.Errorf("CountRuns = %d, %v; want 2", n, err)
	}
}
