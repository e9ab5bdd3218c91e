package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/geotimeline/geotimeline/db"
)

// retryable reports whether err is the transaction losing to a concurrent
// one, so that run again it sees what the other committed and succeeds or
// fails for what it then finds: a serialization failure (40001) or a
// deadlock (40P01); a foreign key violation (23503), which the store's
// writes, checking their references first, meet only when a concurrent
// commit deleted a record they refer to after they read it (an event's
// actor) or referred to the record they delete after they read its
// referrers; or errConcurrentWrite.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "23503") {
		return true
	}
	return errors.Is(err, errConcurrentWrite)
}

// errConcurrentWrite is the error of a write that found gone a row it had
// read in its transaction: under READ COMMITTED each statement sees the
// latest commits, so a record a delete's cascade listed may have been
// deleted by another process before the cascade reads it whole.
var errConcurrentWrite = errors.New("a record this write read was deleted by a concurrent write")

// inWriteTx runs fn in a write transaction, committing when fn returns nil
// and rolling back otherwise, and runs it again from the start when the
// transaction failed for a concurrent one (retryable), up to
// Options.MaxRetries times: fn must therefore do nothing outside tx that a
// second run would do twice.
//
// Every write transaction first sets geotimeline.now, the clock the change
// feed's triggers stamp their rows with (migration 00008), to Store.Now,
// and hands fn the same instant (Unix ms) for the records' clocks.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx pgx.Tx, now int64) error) error {
	var err error
	for attempt := range s.opts.maxRetries() + 1 {
		if attempt > 0 {
			if werr := backoff(ctx, attempt); werr != nil {
				return classify(err)
			}
		}
		err = s.writeTx(ctx, fn)
		if !retryable(err) || ctx.Err() != nil {
			return s.noteFault(classify(err))
		}
		s.retries.Add(1)
	}
	return s.noteFault(classify(fmt.Errorf("gave up after %d retries: %w", s.opts.maxRetries(), err)))
}

// noteFault keeps the storage fault of a write for Writable, and forgets
// it once a write commits; it returns err.
func (s *Store) noteFault(err error) error {
	var e *db.Error
	switch {
	case err == nil:
		s.lastFault.Store(nil)
	case errors.As(err, &e) && db.IsStorageFault(e.Code):
		s.lastFault.Store(e)
	}
	return err
}

// backoff waits before the attempt-th try (from 1): a random time up to
// 10 ms doubled per try, at most 1 s. Transactions that collided and were
// run again at once would collide again; spread out, one goes first.
func backoff(ctx context.Context, attempt int) error {
	ceiling := min(10*time.Millisecond<<min(attempt-1, 10), time.Second)
	t := time.NewTimer(rand.N(ceiling) + time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) writeTx(ctx context.Context, fn func(tx pgx.Tx, now int64) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	// After a commit, Rollback does nothing.
	defer tx.Rollback(context.WithoutCancel(ctx))
	committed := false
	done := s.observer.write(tx.Conn())
	defer func() { done(committed) }()
	now := s.Now().UnixMilli()
	if _, err := tx.Exec(ctx, `SELECT set_config('geotimeline.now', $1, true)`, strconv.FormatInt(now, 10)); err != nil {
		return fmt.Errorf("set write clock: %w", err)
	}
	if err := fn(tx, now); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	s.signalCommit()
	return nil
}

// classify gives an error from PostgreSQL the storage code its SQLSTATE
// says, as the SQLite store does for SQLite's result codes: a full disk
// (53100), a read-only transaction or a hot standby (25006), a connection
// lost or refused (08xxx), a server shutting down (57P01..57P03: another
// try may reach it).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if p := (db.Problems{}); errors.As(err, &p) {
		return err
	}
	if e := (*db.Error)(nil); errors.As(err, &e) {
		return err
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.Code == "53100":
		return &db.Error{Code: db.CodeStorageFull, Err: err,
			Message: "the database's disk is full: nothing was written; the database server needs free space before writes can succeed"}
	case pe.Code == "25006":
		return &db.Error{Code: db.CodeReadOnly, Err: err,
			Message: "the database is read-only (a standby, or default_transaction_read_only): nothing was written"}
	case pe.Code == "55P03":
		return &db.Error{Code: db.CodeUnavailable, Err: err,
			Message: "another writer held the rows this write needed past the write wait (lock_timeout): nothing was written; try again"}
	case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", pe.Code[:2] == "08":
		return &db.Error{Code: db.CodeUnavailable, Err: err,
			Message: fmt.Sprintf("the database server is unavailable (%s); nothing was written", pe.Code)}
	}
	return err
}
