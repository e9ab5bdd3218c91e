package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// crashChildEnv, set to 1, makes the test binary run the program itself
// with its arguments instead of the tests, so that TestSeedCrash can kill a
// real seed process without building the binary first.
const crashChildEnv = "GEOTIMELINE_CRASH_CHILD"

// crashSeedEnv, when set, is the seed of TestSeedCrash's kill delays, to
// replay a run; otherwise the seed is the clock, and logged.
const crashSeedEnv = "GEOTIMELINE_CRASH_SEED"

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if path := os.Getenv(holdLockChildEnv); path != "" {
		os.Exit(holdLockChild(path))
	}
	os.Exit(m.Run())
}

// Sizes of TestSeedCrash's fixtures. The large one (0.5 MB: 300 actors, 1500
// events with 3750 participants, 300 statements) took 1.3 s to seed on a
// 2-core machine, from process start to exit, of which decoding is under
// 0.1 s: most kill moments fall inside the write transaction. The test took
// 13 s alone, 18 s within `go test ./...`; 20000 events took 15 s to seed.
const (
	crashSmallActors, crashSmallEvents = 10, 40
	crashBigActors, crashBigEvents     = 300, 1500
	crashRenamed                       = 10 // actors of the small fixture the large one renames
	crashRuns                          = 20
	crashBudget                        = 40 * time.Second
)

// TestSeedCrash kills seed processes with SIGKILL at random moments and
// checks that the database is left intact and either as it was before the
// seed (state A) or with the whole fixture loaded (state B), never in
// between: seed is one transaction, and SQLite's WAL makes it atomic across
// a crash.
func TestSeedCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills ~20 seed processes of a large fixture; skipped with -short")
	}
	start := time.Now()
	ctx := context.Background()
	dir := t.TempDir()
	small := writeFile(t, dir, "small.json", string(crashFixture(t, crashSmallActors, crashSmallEvents, false)))
	big := writeFile(t, dir, "big.json", string(crashFixture(t, crashBigActors, crashBigEvents, true)))

	// State A: the small fixture, seeded and closed, so that the database
	// is one file with its WAL checkpointed.
	template := filepath.Join(dir, "a.db")
	mustRun(t, "seed", "--db", template, small)
	stateA := crashExport(t, ctx, template)

	// State B: the large fixture seeded over state A without interruption.
	// Its wall time, child start to exit, is the range of the kill delays.
	bPath := filepath.Join(dir, "b.db")
	copyDatabase(t, template, bPath)
	var stderr bytes.Buffer
	child := crashChild(bPath, big, &stderr)
	t0 := time.Now()
	if err := child.Run(); err != nil {
		t.Fatalf("uninterrupted seed: %v\n%s", err, stderr.String())
	}
	full := time.Since(t0)
	stateB := crashExport(t, ctx, bPath)
	if bytes.Equal(stateA, stateB) {
		t.Fatal("state B exports the same as state A: the large fixture changed nothing")
	}
	// How much of the run is spent before the transaction begins.
	data, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	if _, err := fixture.Decode([]fixture.File{{Name: "big.json", Data: data}}); err != nil {
		t.Fatal(err)
	}
	decode := time.Since(t1)
	t.Logf("fixture %d bytes; uninterrupted seed %v (decoding alone %v in-process); state A export %d bytes, state B %d bytes",
		len(data), full.Round(time.Millisecond), decode.Round(time.Millisecond), len(stateA), len(stateB))

	seed := time.Now().UnixNano()
	if s := os.Getenv(crashSeedEnv); s != "" {
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
	}
	t.Logf("kill delays from math/rand seed %d (replay with %s=%d)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewSource(seed))

	var inA, inB, finished, runs int
	for i := range crashRuns {
		if elapsed := time.Since(start); elapsed > crashBudget {
			t.Logf("stopping after %d runs: %v spent, budget %v", i, elapsed.Round(time.Millisecond), crashBudget)
			break
		}
		runs++
		path := filepath.Join(dir, fmt.Sprintf("run%02d.db", i))
		copyDatabase(t, template, path)
		delay := time.Duration(rng.Int63n(int64(full) + 1))
		var stderr bytes.Buffer
		child := crashChild(path, big, &stderr)
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		// Kill fails only when the child has already been reaped; a child
		// that finished but is not waited for yet still takes the signal
		// harmlessly.
		_ = child.Process.Kill()
		err := child.Wait()
		outcome := "killed"
		var exitErr *exec.ExitError
		switch {
		case err == nil:
			outcome = "finished"
			finished++
		case errors.As(err, &exitErr) && exitErr.ExitCode() == -1:
			// Terminated by the signal.
		default:
			t.Fatalf("run %d: seed failed on its own: %v\n%s", i, err, stderr.String())
		}

		got := crashExport(t, ctx, path)
		state := "A"
		switch {
		case bytes.Equal(got, stateA):
			inA++
		case bytes.Equal(got, stateB):
			state = "B"
			inB++
		default:
			t.Errorf("run %d (kill after %v, %s): the database is neither state A nor state B; export:\n%.3000s",
				i, delay.Round(time.Millisecond), outcome, got)
			state = "?"
		}
		t.Logf("run %2d: kill after %4dms (%3.0f%%), %s, state %s", i, delay.Milliseconds(),
			100*float64(delay)/float64(full), outcome, state)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
	}
	t.Logf("%d runs: %d in state A, %d in state B (%d of them finished before the kill); %v in all",
		runs, inA, inB, finished, time.Since(start).Round(time.Millisecond))
	// Delays are drawn up to the measured duration, and the commit is at
	// its very end, so runs that end in state B are rare and not required.
	if inA == 0 {
		t.Errorf("no run was killed before its commit: the fixture is too small for the kill delays")
	}
}

// crashChild is the command that runs "seed --db path fixture" in a child
// process: the test binary itself, switched by crashChildEnv.
func crashChild(path, fixture string, stderr io.Writer) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "seed", "--db", path, fixture)
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	cmd.Stderr = stderr
	return cmd
}

// crashExport opens the database at path in-process, as after a crash,
// checks its integrity and returns its export: what the export command
// writes.
func crashExport(tb testing.TB, ctx context.Context, path string) []byte {
	tb.Helper()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer store.Close()
	if err := store.IntegrityCheck(ctx); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	b, err := store.Export(ctx)
	if err != nil {
		tb.Fatalf("export %s: %v", path, err)
	}
	fixture.Sort(b)
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		tb.Fatalf("encode %s: %v", path, err)
	}
	return buf.Bytes()
}

// copyDatabase copies a closed database, with its WAL files if any, to a
// new path.
func copyDatabase(tb testing.TB, from, to string) {
	tb.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// crashFixture generates a deterministic fixture: actors, events with two
// or three participants each, and a statement about one event in five. With
// renamed, the first crashRenamed actors get new names and descriptions, so
// that seeding it over the small fixture updates records as well as
// inserting them.
func crashFixture(tb testing.TB, actors, events int, renamed bool) []byte {
	tb.Helper()
	type (
		obj = map[string]any
		arr = []any
	)
	kinds := []string{"STATE", "PERSON", "GOVERNMENT_BODY", "MILITARY", "ARMED_GROUP", "MEDIA"}
	countries := []string{"IN", "PK", "US", "CN", "FR", "GB", "DE", "BR"}
	types := []string{"ATTACK", "STRIKE", "CALL", "MEETING", "PROTEST", "SANCTION", "AGREEMENT", "OTHER"}
	roles := []string{"INITIATOR", "TARGET", "PARTICIPANT", "MEDIATOR", "VICTIM"}
	stmtKinds := []string{"QUOTE", "READOUT", "PRESS_RELEASE", "SPEECH"}

	actorKey := func(i int) string { return fmt.Sprintf("actor-%04d", i) }
	var as arr
	for i := range actors {
		name, desc := fmt.Sprintf("Actor %d", i), "Generated for the crash test."
		if renamed && i < crashRenamed {
			name, desc = fmt.Sprintf("Actor %d, renamed", i), "Renamed by the large fixture."
		}
		as = append(as, obj{"key": actorKey(i), "name": name, "kind": kinds[i%len(kinds)],
			"country": countries[i%len(countries)], "description": desc,
			"aliases": arr{fmt.Sprintf("A%d", i)}})
	}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var es, ss arr
	for i := range events {
		at := base.Add(time.Duration(i) * 97 * time.Minute).Format("2006-01-02T15:04Z")
		var ps arr
		for j := range 2 + i%2 {
			ps = append(ps, obj{"actor": actorKey((i*7 + j*13) % actors), "role": roles[(i+j)%len(roles)]})
		}
		key := fmt.Sprintf("event-%05d", i)
		ev := obj{"key": key, "type": types[i%len(types)], "title": fmt.Sprintf("Event %d between generated actors", i),
			"occurredAt": at, "participants": ps, "tags": arr{fmt.Sprintf("tag%d", i%17)}}
		if i > 0 && i%10 == 0 {
			ev["links"] = arr{obj{"kind": "FOLLOWS", "event": fmt.Sprintf("event-%05d", i-1)}}
		}
		es = append(es, ev)
		if i%5 == 0 {
			ss = append(ss, obj{"key": fmt.Sprintf("statement-%05d", i), "kind": stmtKinds[i%len(stmtKinds)],
				"speaker": actorKey(i % actors), "madeAt": at, "text": fmt.Sprintf("Statement about event %d.", i),
				"about": arr{key}})
		}
	}
	data, err := json.Marshal(obj{"version": 1, "actors": as, "events": es, "statements": ss})
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
