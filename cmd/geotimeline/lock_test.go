package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// TestWriteWhileSeeding runs a real seed process and writes to its
// database from this one, as a server would: a write whose bound passes
// while the seed holds the lock fails with UNAVAILABLE naming the seed by
// its pid, one with room to wait commits after it, and the seed is whole.
func TestWriteWhileSeeding(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a fixture of 6000 events in a child process; skipped with -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	big := writeFile(t, dir, "big.json", string(crashFixture(t, crashBigActors, 4*crashBigEvents, false)))
	path := filepath.Join(dir, "db.db")
	mustRun(t, "seed", "--db", path, writeFile(t, dir, "small.json", `{"version": 1, "sources": [{"key": "s0", "url": "https://example.org/0"}]}`))

	var stderr bytes.Buffer
	child := crashChild(path, big, &stderr)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	// The seed leaves its note once it has held the lock for a moment.
	for seen := false; !seen; {
		select {
		case err := <-exited:
			t.Fatalf("the seed ended (%v) before its note was seen:\n%s", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
			_, err := os.Stat(path + "-writer")
			seen = err == nil
		}
	}

	upsert := func(wait time.Duration, key string) error {
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
	err := upsert(100*time.Millisecond, "during")
	if err == nil {
		// Only if the seed committed within those 100 ms.
		t.Skip("the seed finished before the write gave up waiting")
	}
	if got := db.ErrorCode(err); got != db.CodeUnavailable {
		t.Fatalf("write during the seed: code %s (%v), want UNAVAILABLE", got, err)
	}
	pattern := fmt.Sprintf(`^the database is busy: its write lock is held by another process \(geotimeline seed, pid %d, writing since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\); waited 100ms: try again later$`,
		child.Process.Pid)
	if msg := db.ErrorMessage(err); !regexp.MustCompile(pattern).MatchString(msg) {
		t.Errorf("write during the seed: message %q, want it to match %s", msg, pattern)
	}
	if err := upsert(5*time.Minute, "after"); err != nil {
		t.Errorf("write waiting for the seed: %v", err)
	}
	if err := <-exited; err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr.String())
	}
	res := mustRun(t, "export", "--db", path)
	for _, key := range []string{`"key": "s0"`, `"key": "after"`, `"key": "event-05999"`} {
		if !bytes.Contains([]byte(res.stdout), []byte(key)) {
			t.Errorf("the export lacks %s", key)
		}
	}
	if bytes.Contains([]byte(res.stdout), []byte(`"key": "during"`)) {
		t.Errorf("the refused write was stored")
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
		_, err := store.ApplyStream(ctx, nil, func(*sqlite.Feeder) error {
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
