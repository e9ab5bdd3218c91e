package postgres

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

func TestActorsOfKindAndCountRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openClocked(t)
	load(t, s, applyBase)
	load(t, s, `{"version": 1, "actors": [{"key": "abe", "name": "Abe", "kind": "PERSON"}]}`)
	states, err := s.ActorsOfKind(ctx, db.ActorState)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range states {
		keys = append(keys, a.Key+"/"+a.Country)
	}
	if got, want := fmt.Sprint(keys), "[india/IN pakistan/PK usa/US]"; got != want {
		t.Errorf("ActorsOfKind(STATE) = %s, want %s", got, want)
	}
	if got, want := len(states[0].Aliases), 1; got != want {
		t.Errorf("india has %d aliases, want %d", got, want)
	}

	if n, err := s.CountRuns(ctx); err != nil || n != 0 {
		t.Fatalf("CountRuns before any run = %d, %v; want 0", n, err)
	}
	for range 2 {
		set := decode(t, applyBase)
		if _, err := s.ApplyRun(ctx, &db.Run{StartedAt: t1, Command: "seed"}, &set.Batch, set.Refs); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CountRuns(ctx); err != nil || n != 2 {
		t.Errorf("CountRuns after two runs = %d, %v; want 2", n, err)
	}
}

// UnknownRefs names the same references with the same hints as SQLite's,
// counting the keys a run defines among the candidates.
func TestUnknownRefsAgreeWithSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	set := decode(t, applyBase)
	if _, err := lite.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	pg := openClocked(t)
	load(t, pg, applyBase)
	refs := []db.Ref{{Kind: db.RefActor, Key: "india"}, {Kind: db.RefActor, Key: "pakistn"}, {Kind: db.RefEvent, Key: "strik"},
		{Kind: db.RefCountry, Key: "IND"}, {Kind: db.RefSource, Key: "src-c"}, {Kind: db.RefStatement, Key: "warnin"},
		{Kind: db.RefActor, Key: "newcomr"}, {Kind: db.RefCountry, Key: "PK"}}
	defined := func(k db.RefKind) []string {
		if k == db.RefActor {
			return []string{"newcomer"}
		}
		return nil
	}
	want, err := lite.UnknownRefs(ctx, refs, defined)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pg.UnknownRefs(ctx, refs, defined)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 6 {
		t.Fatalf("SQLite found %d unknown references, want 6: %v", len(want), want)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("UnknownRefs =\n%v\nSQLite's:\n%v", got, want)
	}
	if _, err := pg.UnknownRefs(ctx, []db.Ref{{Kind: "PLANET", Key: "x"}}, nil); err == nil {
		t.Error("UnknownRefs of an unknown kind: no error")
	}
}

// Every commit of the store's writes is signalled, once per pending
// signal, and a write that changes nothing commits too.
func TestCommitsSignalled(t *testing.T) {
	t.Parallel()
	s := openClocked(t)
	pending := func() bool {
		select {
		case <-s.Commits():
			return true
		default:
			return false
		}
	}
	pending() // opening may have written the countries
	if pending() {
		t.Fatal("a signal pending before any write")
	}
	load(t, s, applyBase)
	load(t, s, applyBase)
	if !pending() {
		t.Error("no signal after two writes")
	}
	if pending() {
		t.Error("two signals pending after two writes: want them folded into one")
	}
}

// DataVersion moves with every commit that changes something or records a
// run, by this store or another process's, and stays put otherwise.
func TestDataVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	open := func() *Store {
		s, err := Open(ctx, url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		setClock(s, t1)
		return s
	}
	s, other := open(), open()
	version := func(s *Store) int64 {
		t.Helper()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version(s)
	if v := version(s); v != v0 {
		t.Errorf("DataVersion moved from %d to %d with nothing written", v0, v)
	}
	load(t, other, applyBase)
	v1 := version(s)
	if v1 == v0 {
		t.Errorf("DataVersion stayed %d after another store's write", v0)
	}
	load(t, s, applyBase) // unchanged: nothing committed that a read could see
	if v := version(s); v != v1 {
		t.Errorf("DataVersion moved from %d to %d after a write that changed nothing", v1, v)
	}
	set := decode(t, applyBase)
	if _, err := other.ApplyRun(ctx, &db.Run{StartedAt: t1, Command: "seed"}, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	if v := version(s); v == v1 {
		t.Errorf("DataVersion stayed %d after a run was recorded", v1)
	}
	if got, want := version(other), version(s); got != want {
		t.Errorf("two stores on one database: DataVersion %d and %d", got, want)
	}
}

// Writable is nil for a store that can write, and UNAVAILABLE once the
// server cannot be reached (here, its pool closed).
func TestWritable(t *testing.T) {
	t.Parallel()
	s := openClocked(t)
	if err := s.Writable(); err != nil {
		t.Fatalf("Writable = %v, want nil", err)
	}
	s.Close()
	if got, want := db.ErrorCode(s.Writable()), db.CodeUnavailable; got != want {
		t.Errorf("Writable after Close: code %q, want %q", got, want)
	}
	s.lastFault.Store(&db.Error{Code: db.CodeStorageFull, Message: "full"})
	if got, want := db.ErrorCode(s.Writable()), db.CodeStorageFull; got != want {
		t.Errorf("Writable after a full disk: code %q, want %q", got, want)
	}
	if err := s.noteFault(nil); err != nil || s.lastFault.Load() != nil {
		t.Errorf("a committed write leaves the fault %v", s.lastFault.Load())
	}
}
