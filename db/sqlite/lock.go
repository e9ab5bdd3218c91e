package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/geotimeline/geotimeline/db"
)

// Waiting for the write lock. SQLite lets one connection write at a time,
// across processes. Writes of this store queue for its one writer
// connection in Go; a write of another process (a seed loading a large file
// in one transaction) holds the lock in SQLite, and BEGIN IMMEDIATE fails
// with SQLITE_BUSY once the connection's busy timeout has passed.
// beginWrite retries it, a busyStep at a time, until Options.WriteWait or
// the context's deadline, whichever comes first, and then fails with
// UNAVAILABLE naming the writer that holds the lock, from the note it left.
//
// The note is a file beside the database, PATH-writer, holding the pid and
// name of the process and when its write began. A write leaves it once it
// has held the lock for noteDelay, so that quick writes touch no file, and
// removes it when it ends; a note left by a killed process names a pid
// that is gone, and is ignored.

const (
	// busyStep is the writer connection's busy timeout: how long one
	// BEGIN IMMEDIATE waits inside SQLite before beginWrite looks at the
	// clock and the context again.
	busyStep = 200 * time.Millisecond
	// noteDelay is how long a write holds the lock before it leaves a
	// note: well below any WriteWait, so that whoever gives up waiting
	// finds it.
	noteDelay = 100 * time.Millisecond
)

// beginWrite takes this store's writer connection and begins a write
// transaction on it, waiting for the lock as described above. The tx
// lives on ctx; conn goes back to the pool when closed, after the tx ends.
func (s *Store) beginWrite(ctx context.Context) (*sql.Conn, *sql.Tx, error) {
	wait := s.opts.writeWait()
	deadline := time.Now().Add(wait)
	byRequest := false
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, byRequest = d, true
	}
	// The pool's wait for its one connection is the wait for another write
	// of this store: bounded by the same deadline. The tx must not live on
	// that deadline (database/sql rolls a tx back when its context ends),
	// so the connection is taken first and the tx begun on ctx.
	connCtx, cancel := context.WithDeadline(ctx, deadline)
	conn, err := s.write.Conn(connCtx)
	cancel()
	if err != nil {
		if ctx.Err() == nil || byRequest && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, nil, s.lockedError(err, "another write of this process", wait, byRequest)
		}
		return nil, nil, err
	}
	var tx *sql.Tx
	err = s.waitBusy(ctx, deadline, func() error {
		var err error
		tx, err = conn.BeginTx(ctx, nil)
		return err
	})
	if err != nil {
		conn.Close()
		if isBusy(err) {
			return nil, nil, s.lockedError(err, s.holder(), wait, byRequest)
		}
		if byRequest && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The request ran out of time while SQLite waited: the lock
			// is still what it waited for.
			return nil, nil, s.lockedError(err, s.holder(), wait, byRequest)
		}
		return nil, nil, err
	}
	return conn, tx, nil
}

// waitBusy calls try until it returns anything but SQLITE_BUSY, ctx ends
// or deadline passes, and returns its last error. Each try waits up to
// busyStep inside SQLite.
func (s *Store) waitBusy(ctx context.Context, deadline time.Time, try func() error) error {
	for {
		err := try()
		if !isBusy(err) || ctx.Err() != nil || !time.Now().Before(deadline) {
			return err
		}
		if s.busyHook != nil {
			s.busyHook()
		}
	}
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// lockedError is the UNAVAILABLE error of a write that waited for the lock
// in vain; holder says who holds it.
func (s *Store) lockedError(cause error, holder string, wait time.Duration, byRequest bool) error {
	waited := "waited " + wait.String()
	if byRequest {
		waited = "waited until the request's deadline"
	}
	return &db.Error{Code: db.CodeUnavailable, Err: cause,
		Message: fmt.Sprintf("the database is busy: its write lock is held by %s; %s: try again later", holder, waited)}
}

// writerNote is the content of the note file.
type writerNote struct {
	PID    int       `json:"pid"`
	Writer string    `json:"writer,omitempty"`
	Since  time.Time `json:"since"`
}

func (s *Store) notePath() string { return s.path + "-writer" }

// holder names the writer that holds the lock, from its note: "another
// process (geotimeline seed, pid 4242, writing since 2026-11-25T10:00:00Z)",
// or "another process" when there is no note or its process is gone.
func (s *Store) holder() string {
	b, err := os.ReadFile(s.notePath())
	var n writerNote
	if err != nil || json.Unmarshal(b, &n) != nil || n.PID <= 0 || !processAlive(n.PID) {
		return "another process"
	}
	who := fmt.Sprintf("pid %d", n.PID)
	if n.Writer != "" {
		who = n.Writer + ", " + who
	}
	return fmt.Sprintf("another process (%s, writing since %s)", who, n.Since.UTC().Format(time.RFC3339))
}

// note is the note of one write, left once it has held the lock for
// noteDelay.
type note struct {
	s       *Store
	since   time.Time
	timer   *time.Timer
	mu      sync.Mutex
	done    bool
	written bool
}

// startNote arms the note of a write that has just taken the lock.
func (s *Store) startNote() *note {
	n := &note{s: s, since: time.Now()}
	n.timer = time.AfterFunc(noteDelay, n.write)
	return n
}

// write leaves the note, unless the write has ended. It is best effort: a
// read-only directory only costs the waiters the writer's name.
func (n *note) write() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done {
		return
	}
	b, _ := json.Marshal(writerNote{PID: os.Getpid(), Writer: n.s.opts.Writer, Since: n.since.UTC().Truncate(time.Second)})
	// Written aside and renamed, so that a reader never sees half a note.
	tmp := n.s.notePath() + ".tmp"
	if os.WriteFile(tmp, b, 0o644) != nil {
		return
	}
	if os.Rename(tmp, n.s.notePath()) != nil {
		os.Remove(tmp)
		return
	}
	n.written = true
}

// stop ends the note when the write ends, removing it if it was left.
func (n *note) stop() {
	n.timer.Stop()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done {
		// Stopped already: the note there now may be another writer's.
		return
	}
	n.done = true
	if n.written {
		os.Remove(n.s.notePath())
	}
}
