package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// holdLock begins a write on s that holds the write lock until release is
// closed; it returns once the lock is held, and the channel the write's
// error arrives on.
func holdLock(t *testing.T, s *Store, release <-chan struct{}) <-chan error {
	t.Helper()
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := s.ApplyStream(context.Background(), nil, func(db.Feeder) error {
			close(held)
			<-release
			return nil
		})
		done <- err
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("the holding write failed: %v", err)
	}
	return done
}

// openPair opens two stores on one file, as two processes would: each has
// its own writer connection, so one's write makes the other's BEGIN
// IMMEDIATE busy.
func openPair(t *testing.T, holder, waiter Options) (*Store, *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lock.db")
	a, err := OpenWith(context.Background(), path, holder)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err := OpenWith(context.Background(), path, waiter)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// waitForNote waits (up to a generous 10 s) until the holder has left its
// note, and returns it.
func waitForNote(t *testing.T, s *Store) writerNote {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(s.notePath())
		var n writerNote
		if err == nil && json.Unmarshal(b, &n) == nil {
			return n
		}
	}
	t.Fatal("the holding write left no note within 10s")
	return writerNote{}
}

// TestWriteWaitsForLock: a write that finds the lock held by another
// connection waits, and commits once the lock is released within its
// bound. The release comes only after the waiter has been refused once, so
// the test does not depend on timing.
func TestWriteWaitsForLock(t *testing.T) {
	a, b := openPair(t, Options{Writer: "test holder"}, Options{WriteWait: time.Minute})
	release := make(chan struct{})
	held := holdLock(t, a, release)
	busy := make(chan struct{}, 1)
	b.busyHook = func() {
		select {
		case busy <- struct{}{}:
		default:
		}
	}
	set := faultSources(t, 2)
	done := make(chan error, 1)
	go func() {
		_, err := b.Apply(context.Background(), &set.Batch, set.Refs)
		done <- err
	}()
	<-busy
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("holder: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiting write: %v", err)
	}
	if n := countRows(t, b, "sources"); n != 2 {
		t.Errorf("sources = %d, want 2", n)
	}
	if _, err := os.Stat(a.notePath()); !os.IsNotExist(err) {
		t.Errorf("the holder's note is still there after its write: %v", err)
	}
}

// TestWriteWaitExceeded: past its bound a waiting write fails with
// UNAVAILABLE naming the holder from its note; and by the request's
// deadline when that comes first.
func TestWriteWaitExceeded(t *testing.T) {
	a, b := openPair(t, Options{Writer: "test holder"}, Options{WriteWait: 300 * time.Millisecond})
	release := make(chan struct{})
	held := holdLock(t, a, release)
	n := waitForNote(t, a)
	holder := fmt.Sprintf("another process (test holder, pid %d, writing since %s)",
		os.Getpid(), n.Since.UTC().Format(time.RFC3339))

	set := faultSources(t, 2)
	_, err := b.Apply(context.Background(), &set.Batch, set.Refs)
	checkFault(t, "Apply", err, db.CodeUnavailable,
		"the database is busy: its write lock is held by "+holder+"; waited 300ms: try again later")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = b.Delete(ctx, db.RefSource, "nothing", false)
	checkFault(t, "Delete with a deadline", err, db.CodeUnavailable,
		"the database is busy: its write lock is held by "+holder+"; waited until the request's deadline: try again later")

	close(release)
	if err := <-held; err != nil {
		t.Fatalf("holder: %v", err)
	}
	if n := countRows(t, b, "sources"); n != 0 {
		t.Errorf("sources = %d, want 0", n)
	}
}

// TestWriteWaitStaleNote: a note whose process is gone (killed while it
// wrote) names nobody.
func TestWriteWaitStaleNote(t *testing.T) {
	a, b := openPair(t, Options{}, Options{WriteWait: 200 * time.Millisecond})
	release := make(chan struct{})
	held := holdLock(t, a, release)
	waitForNote(t, a)
	// Linux pids stay below 2^22: this one cannot be running.
	stale, _ := json.Marshal(writerNote{PID: 1 << 30, Writer: "geotimeline seed", Since: time.Unix(0, 0)})
	if err := os.WriteFile(a.notePath(), stale, 0o644); err != nil {
		t.Fatal(err)
	}
	set := faultSources(t, 1)
	_, err := b.Apply(context.Background(), &set.Batch, set.Refs)
	checkFault(t, "Apply", err, db.CodeUnavailable,
		"the database is busy: its write lock is held by another process; waited 200ms: try again later")
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("holder: %v", err)
	}
}

// TestWriteWaitSameStore: two writes of one store queue in Go for its one
// writer connection, with the same bound.
func TestWriteWaitSameStore(t *testing.T) {
	s, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "one.db"), Options{WriteWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := make(chan struct{})
	held := holdLock(t, s, release)
	set := faultSources(t, 1)
	_, err = s.Apply(context.Background(), &set.Batch, set.Refs)
	checkFault(t, "Apply", err, db.CodeUnavailable,
		"the database is busy: its write lock is held by another write of this process; waited 200ms: try again later")
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("holder: %v", err)
	}
	if _, err := s.Apply(context.Background(), &set.Batch, set.Refs); err != nil {
		t.Errorf("Apply after the release: %v", err)
	}
}

// TestOpenWaitsForLock: opening a new database while another connection
// holds its write lock waits up to WriteWait for the migrations, then fails
// with the lock's UNAVAILABLE error, not as an internal one; once the lock
// is released, the same open succeeds.
func TestOpenWaitsForLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	other, err := sql.Open("sqlite3", dsn(path, true, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	tx, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the DSN's _txlock
	if err != nil {
		t.Fatal(err)
	}
	// goose itself retries making its version table three times a second
	// apart, so this takes about 4 s, not 300 ms.
	_, err = OpenWith(ctx, path, Options{WriteWait: 300 * time.Millisecond})
	checkFault(t, "Open", err, db.CodeUnavailable,
		"the database is busy: its write lock is held by another process; waited 300ms: try again later")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenWith(ctx, path, Options{WriteWait: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("open once the lock is free: %v", err)
	}
	s.Close()
}
