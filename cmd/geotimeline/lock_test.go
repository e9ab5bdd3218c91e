package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// holdLockChildEnv names a database: the test binary run with it holds
// that database's write lock, as a seed would, from a process of its own,
// and says "held" on standard output once its note is written; it lets go
// when its standard input closes.
const holdLockChildEnv = "GEOTIMELINE_HOLD_LOCK_CHILD"

func holdLockChild(path string) int {
	ctx := context.Background()
	store, err := sqlite.OpenWith(ctx, path, sqlite.Options{Writer: "geotimeline seed"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer store.Close()
	_, err = store.ApplyStream(ctx, nil, func(db.Feeder) error {
		for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(path + "-writer"); err == nil {
				break
			}
			if time.Since(start) > 30*time.Second {
				return errors.New("no note within 30s")
			}
		}
		fmt.Println("held")
		io.Copy(io.Discard, os.Stdin)
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// upsertSource writes one source to the database at path from this
// process, waiting up to wait for the write lock.
func upsertSource(t *testing.T, path string, wait time.Duration, key string) error {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.OpenWith(ctx, path, sqlite.Options{WriteWait: wait})
	if err != nil {
		return err
	}
	defer store.Close()
	set, err := fixture.Decode([]fixture.File{{Name: "x.json",
		Data: fmt.Appendf(nil, `{"version": 1, "sources": [{"key": %q, "url": "https://example.org/x"}]}`, key)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Apply(ctx, &set.Batch, set.Refs)
	return err
}

// TestWriteWhileLocked holds a database's write lock from another process,
// as a seed does, and writes to it from this one, as a server would: a
// write whose bound passes fails with UNAVAILABLE naming the holder by its
// pid; one with room to wait commits once the holder lets go.
func TestWriteWhileLocked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.db")
	mustRun(t, "seed", "--db", path, writeFile(t, dir, "small.json", `{"version": 1, "sources": [{"key": "s0", "url": "https://example.org/0"}]}`))

	child := exec.Command(os.Args[0])
	child.Env = append(os.Environ(), holdLockChildEnv+"="+path)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); child.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("child said %q (%v):\n%s", line, err, stderr.String())
	}

	err = upsertSource(t, path, 100*time.Millisecond, "during")
	if got := db.ErrorCode(err); got != db.CodeUnavailable {
		t.Fatalf("write while locked: code %s (%v), want UNAVAILABLE", got, err)
	}
	pattern := fmt.Sprintf(`^the database is busy: its write lock is held by another process \(geotimeline seed, pid %d, writing since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\); waited 100ms: try again later$`,
		child.Process.Pid)
	if msg := db.ErrorMessage(err); !regexp.MustCompile(pattern).MatchString(msg) {
		t.Errorf("write while locked: message %q, want it to match %s", msg, pattern)
	}

	waited := make(chan error, 1)
	go func() { waited <- upsertSource(t, path, 5*time.Minute, "after") }()
	stdin.Close()
	if err := <-waited; err != nil {
		t.Errorf("write waiting for the lock: %v", err)
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("holder: %v\n%s", err, stderr.String())
	}
	res := mustRun(t, "export", "--db", path)
	if !strings.Contains(res.stdout, `"key": "after"`) || strings.Contains(res.stdout, `"key": "during"`) {
		t.Errorf("export:\n%s", res.stdout)
	}
}

// TestWriteWhileSeeding runs a real seed process and writes to its
// database from this one with room to wait: the write commits, before or
// after the seed, and the seed is whole.
func TestWriteWhileSeeding(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a fixture of 6000 events in a child process; skipped with -short")
	}
	dir := t.TempDir()
	big := writeFile(t, dir, "big.json", string(crashFixture(t, crashBigActors, 4*crashBigEvents, false)))
	path := filepath.Join(dir, "db.db")
	mustRun(t, "seed", "--db", path, writeFile(t, dir, "small.json", `{"version": 1, "sources": [{"key": "s0", "url": "https://example.org/0"}]}`))

	var stderr bytes.Buffer
	child := crashChild(path, big, &stderr)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if err := upsertSource(t, path, 5*time.Minute, "after"); err != nil {
		t.Errorf("write beside the seed: %v", err)
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr.String())
	}
	res := mustRun(t, "export", "--db", path)
	for _, key := range []string{`"key": "s0"`, `"key": "after"`, `"key": "event-05999"`} {
		if !strings.Contains(res.stdout, key) {
			t.Errorf("the export lacks %s", key)
		}
	}
}

// TestSeedWaitsForServer: seed waits for a write of another process (here
// this one, holding the lock) up to --write-wait, then exits 1 naming it.
func TestSeedWaitsForServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "db.db")
	fix := writeFile(t, dir, "one.json", `{"version": 1, "sources": [{"key": "s1", "url": "https://example.org/1"}]}`)
	store, err := sqlite.OpenWith(ctx, path, sqlite.Options{Writer: "geotimeline serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := store.ApplyStream(ctx, nil, func(db.Feeder) error {
			close(held)
			<-release
			return nil
		})
		done <- err
	}()
	<-held
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path + "-writer"); err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the holding write left no note within 10s")
		}
	}

	var stderr bytes.Buffer
	child := crashChild(path, fix, &stderr)
	child.Args = append(child.Args[:2], append([]string{"--write-wait", "300ms"}, child.Args[2:]...)...)
	if err := child.Run(); err == nil {
		t.Fatal("seed succeeded while the lock was held")
	}
	pattern := fmt.Sprintf(`^seed: begin write: the database is busy: its write lock is held by another process \(geotimeline serve, pid %d, writing since [0-9TZ:-]+\); waited 300ms: try again later: database is locked\n$`, os.Getpid())
	if !regexp.MustCompile(pattern).MatchString(stderr.String()) {
		t.Errorf("seed's stderr = %q, want it to match %s", stderr.String(), pattern)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mustRun(t, "seed", "--db", path, fix)
}
