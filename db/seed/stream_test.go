package seed_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/synth"
)

func openStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "seed.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// onDisk writes data to a file and returns it as a file read through Open.
func onDisk(tb testing.TB, name string, data []byte) fixture.File {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return fixture.File{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

func export(tb testing.TB, s *sqlite.Store) []byte {
	tb.Helper()
	b, err := s.Export(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// empty fails unless dir holds nothing: the spill must not outlive a load.
func empty(tb testing.TB, dir string) {
	tb.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		tb.Errorf("%s holds %d entries after the load, such as %s", dir, len(entries), entries[0].Name())
	}
}

// TestLoadStreamed checks that files read through Open load exactly as
// the same bytes given as Data do, and leave no temporary file behind.
func TestLoadStreamed(t *testing.T) {
	ctx := context.Background()
	inMemory, streamed := openStore(t), openStore(t)
	tmp := t.TempDir()
	l := &seed.Loader{TempDir: tmp}

	wantSet, wantSum, err := seed.Load(ctx, inMemory, []fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		t.Fatal(err)
	}
	set, sum, err := l.Load(ctx, streamed, []fixture.File{onDisk(t, "demo.json", demo.JSON)})
	if err != nil {
		t.Fatal(err)
	}
	empty(t, tmp)
	if sum != wantSum {
		t.Errorf("summary %v, want %v", sum, wantSum)
	}
	if set.Batch.Len() != 0 || !reflect.DeepEqual(set.Refs, wantSet.Refs) {
		t.Errorf("set = %d records, refs %v; want none kept and refs %v", set.Batch.Len(), set.Refs, wantSet.Refs)
	}
	if got, want := export(t, streamed), export(t, inMemory); !bytes.Equal(got, want) {
		t.Errorf("streamed load exports\n%.1000s\nin-memory load:\n%.1000s", got, want)
	}
	// Loading again changes nothing.
	_, sum, err = l.Load(ctx, streamed, []fixture.File{onDisk(t, "demo.json", demo.JSON)})
	if err != nil {
		t.Fatal(err)
	}
	if want := (db.Summary{Unchanged: wantSum.Inserted}); sum != want {
		t.Errorf("second load: %v, want %v", sum, want)
	}
}

// TestLoadStreamedProblems checks that a streamed run reports the same
// problems as one in memory and writes nothing.
func TestLoadStreamedProblems(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	tmp := t.TempDir()
	l := &seed.Loader{TempDir: tmp}
	good := []byte(`{"version": 1, "actors": [{"key": "india", "name": "India", "kind": "STATE"}]}`)
	bad := []byte(`{"version": 1, "events": [
	  {"key": "e1", "type": "WAR", "title": "X", "occurredAt": "2025",
	   "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "jaishanker", "role": "TARGET"}]}]}`)
	unknown := []byte(`{"version": 1, "events": [{"key": "e2", "type": "CALL", "title": "X", "occurredAt": "2025",
	   "participants": [{"actor": "nobody", "role": "INITIATOR"}]}]}`)
	for _, files := range [][]fixture.File{
		{onDisk(t, "a.json", good), onDisk(t, "b.json", bad)},
		{onDisk(t, "a.json", good), onDisk(t, "c.json", unknown)},
	} {
		inMemory := make([]fixture.File, len(files))
		for i, f := range files {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			inMemory[i] = fixture.File{Name: f.Name, Data: data}
		}
		_, _, want := seed.Load(ctx, store, inMemory)
		_, _, err := l.Load(ctx, store, files)
		if got, want := problemLines(t, err), problemLines(t, want); !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("problems:\n%q\nwant\n%q", got, want)
		}
		if err := l.Check(ctx, nil, files); err == nil {
			t.Error("Check without a store found nothing")
		}
		empty(t, tmp)
	}
	if got := export(t, store); bytes.Contains(got, []byte("india")) {
		t.Error("a refused load wrote records")
	}
}

// TestLoadProgress checks the phases a streamed load reports.
func TestLoadProgress(t *testing.T) {
	ctx := context.Background()
	var got []seed.Progress
	l := &seed.Loader{TempDir: t.TempDir(), Progress: func(p seed.Progress) { got = append(got, p) }}
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 1200, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Load(ctx, openStore(t), []fixture.File{onDisk(t, "s.json", buf.Bytes())}); err != nil {
		t.Fatal(err)
	}
	set, err := fixture.Decode([]fixture.File{{Name: "s.json", Data: buf.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	b := set.Batch
	order := map[seed.Phase]int{seed.PhaseChecking: 0, seed.PhaseWriting: 1, seed.PhaseLinking: 2}
	last := map[seed.Phase]seed.Progress{}
	for i, p := range got {
		if i > 0 && order[p.Phase] < order[got[i-1].Phase] {
			t.Fatalf("progress %d: %+v after %+v", i, p, got[i-1])
		}
		last[p.Phase] = p
	}
	if p := last[seed.PhaseChecking]; p.Done == 0 || p.Done > b.Len() {
		t.Errorf("last checking progress %+v, want up to %d records", p, b.Len())
	}
	if p, n := last[seed.PhaseWriting], b.Len()-len(b.Statements); p.Done != n || p.Total != n {
		t.Errorf("last writing progress %+v, want %d of %d", p, n, n)
	}
	if p, n := last[seed.PhaseLinking], len(b.Events)+len(b.Statements); p.Done != n || p.Total != n {
		t.Errorf("last linking progress %+v, want %d of %d", p, n, n)
	}
}

// TestLoadBoundedMemory checks that a streamed load's heap does not grow
// with the fixture: the peak of the Go heap in use (sampled every 5 ms, less
// what was in use before), while fixtures of 5 000 and 25 000 events load,
// must not grow with it. Before loads streamed, the heap held the file, a
// tree of it and every record, and grew about as the file (5x here). What
// still grows is small per record: the keys the run defines, kept to find
// duplicates and resolve references, and the writer's id cache up to its
// bound. The garbage collector lets the heap reach about twice what is
// live, at moments the sampling may or may not catch, so the check allows
// 1.5 times the small load's peak plus 16 MB: loose for noise, far below
// the 5x of a heap that grows with the file. (Measured here: 15 to 25 MB
// for both; SQLite's page cache is outside the Go heap and bounded by its
// cache_size.)
func TestLoadBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 30 000 events; skipped with -short")
	}
	peak := func(events int) uint64 {
		var buf bytes.Buffer
		if err := synth.Write(&buf, synth.Options{Events: events, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		file := onDisk(t, "big.json", buf.Bytes())
		size := buf.Len()
		buf = bytes.Buffer{}
		store := openStore(t)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		var (
			mu   sync.Mutex
			max  uint64
			stop = make(chan struct{})
			done = make(chan struct{})
		)
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				mu.Lock()
				max = maxOf(max, ms.HeapInuse)
				mu.Unlock()
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		_, sum, err := (&seed.Loader{TempDir: t.TempDir()}).Load(context.Background(), store, []fixture.File{file})
		close(stop)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d events (%d bytes): %v in %v, heap in use %d MB before, %d MB at the peak",
			events, size, sum, time.Since(start).Round(time.Millisecond), base>>20, max>>20)
		return max - min(base, max)
	}
	small, large := peak(5000), peak(25000)
	if limit := small*3/2 + 16<<20; large > limit {
		t.Errorf("heap grew by %d MB at 25 000 events, over %d MB (1.5 times the %d MB at 5 000, plus 16 MB): memory grows with the fixture",
			large>>20, limit>>20, small>>20)
	}
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// TestLoadStreamedIntoStored checks that a streamed run of new records
// loads into a database that holds records exactly as the same records
// given as Data do: the spill lists its keys before the write (which may
// then take the bulk path) and replays them after.
func TestLoadStreamedIntoStored(t *testing.T) {
	ctx := context.Background()
	var more bytes.Buffer
	if err := synth.Write(&more, synth.Options{Events: 800, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	inMemory, streamed := openStore(t), openStore(t)
	l := &seed.Loader{TempDir: t.TempDir()}
	var sums [2]db.Summary
	for i, data := range [][]byte{demo.JSON, more.Bytes()} {
		if _, _, err := seed.Load(ctx, inMemory, []fixture.File{{Name: "run.json", Data: data}}); err != nil {
			t.Fatal(err)
		}
		_, sum, err := l.Load(ctx, streamed, []fixture.File{onDisk(t, "run.json", data)})
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sum
	}
	if sums[1].Inserted == 0 || sums[1].Updated+sums[1].Unchanged != 0 {
		t.Errorf("second load: %v, want inserts only", sums[1])
	}
	if got, want := export(t, streamed), export(t, inMemory); !bytes.Equal(got, want) {
		t.Errorf("streamed load exports\n%.1000s\nin-memory load:\n%.1000s", got, want)
	}
}
