package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A snapshot makes every read of the store under one context see the same
// state of the database, as the SQLite store's does: a GraphQL query reads
// a page's keys in one statement and their records in others, from
// goroutines of its own, and a record deleted in between must not turn
// into a "not found" in the middle of an answer.
//
// SQLite's snapshot is one read transaction whose statements take turns on
// one connection. A pgx connection runs one statement at a time too, but
// its rows hold it until they are closed, so readers in turns would have to
// be careful never to read while iterating. Instead the snapshot is
// exported (pg_export_snapshot) by a transaction that holds nothing but
// that, begun at the first read; each read then runs in a transaction of
// its own, on any connection of the pool, that imports the snapshot (SET
// TRANSACTION SNAPSHOT): reads run side by side and still see one state.
// The price is two round trips per statement (the BEGIN with the import,
// and the ROLLBACK).
//
// The exporting transactions take connections of a pool of their own:
// taken from the readers' pool, every connection could end up exporting
// while the reads that would release them wait for one.
//
// An engine that cannot export snapshots (CockroachDB, YugabyteDB) reads
// without one, as the store did before: each statement sees the newest
// committed state.
type snapshot struct {
	ctx       context.Context // the snapshot's own: its transaction ends with it
	exporters *pgxpool.Pool

	mu   sync.Mutex
	conn *pgxpool.Conn // the exporting transaction's, until end
	id   string        // what pg_export_snapshot returned
	err  error
	done bool
}

type snapshotKey struct{}

// Snapshot returns a context under which the store's reads see one state
// of the database, and the function that ends it. Writes are not affected.
// A context that has a snapshot already keeps it.
func (s *Store) Snapshot(ctx context.Context) (context.Context, func()) {
	if _, ok := ctx.Value(snapshotKey{}).(*snapshot); ok {
		return ctx, func() {}
	}
	snapCtx, cancel := context.WithCancel(ctx)
	snap := &snapshot{ctx: snapCtx, exporters: s.exporters}
	return context.WithValue(ctx, snapshotKey{}, snap), func() {
		snap.end()
		cancel()
	}
}

// snapshotID is the form of pg_export_snapshot's answer
// ("00000003-0000001B-1"); SET TRANSACTION takes no parameters, so the
// id is checked before it is spliced in.
var snapshotID = regexp.MustCompile(`^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$`)

// begin returns the snapshot's id, exporting it at the first call, or ""
// once the snapshot has ended or when it could not be exported.
func (sn *snapshot) begin() string {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.done || sn.err != nil {
		return ""
	}
	if sn.id == "" {
		sn.id, sn.err = sn.export()
	}
	return sn.id
}

func (sn *snapshot) export() (string, error) {
	conn, err := sn.exporters.Acquire(sn.ctx)
	if err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	var id string
	_, err = conn.Exec(sn.ctx, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
	if err == nil {
		err = conn.QueryRow(sn.ctx, `SELECT pg_export_snapshot()`).Scan(&id)
	}
	if err == nil && !snapshotID.MatchString(id) {
		err = fmt.Errorf("snapshot: unexpected id %q", id)
	}
	if err != nil {
		release(conn)
		return "", fmt.Errorf("snapshot: %w", err)
	}
	sn.conn = conn
	return id, nil
}

func (sn *snapshot) end() {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	sn.done = true
	if sn.conn != nil {
		release(sn.conn)
		sn.conn = nil
	}
}

// release rolls back whatever transaction conn is in and returns it to its
// pool, or closes it when the rollback fails (the connection is then in no
// state to lend).
func release(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseWait)
	defer cancel()
	if _, err := conn.Exec(ctx, `ROLLBACK`); err != nil {
		_ = conn.Conn().Close(ctx)
	}
	conn.Release()
}

// releaseWait bounds the ROLLBACK of release, which runs after its
// request's context may have ended: a server that does not answer in that
// time loses the connection instead.
const releaseWait = 5 * time.Second

// querier is what reads run on: the pool, a transaction, or a snapshot.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// reader is where a read under ctx runs: the transaction Export or a
// delete put in ctx, the snapshot of ctx, or the pool. A pgx.Tx is one
// connection, used by one goroutine at a time: only those two, which read
// in sequence, put one there.
func (s *Store) reader(ctx context.Context) querier {
	if tx, ok := ctx.Value(readTxKey{}).(pgx.Tx); ok {
		return tx
	}
	if sn, ok := ctx.Value(snapshotKey{}).(*snapshot); ok {
		return snapshotReader{s.pool, sn}
	}
	return s.pool
}

// beginRead begins a read-only REPEATABLE READ transaction, in the
// snapshot of ctx when it has one, for reads that must see one state
// whether or not their caller asked for a snapshot (a traversal's levels).
//
// The snapshot is exported before a connection of the pool is taken, as
// snapshotReader.Query does: a read holding a connection of the pool while
// it waits for an exporter, with the exporters' connections held by
// requests waiting for the pool, would wait until the request's deadline
// (measured: 32 clients asking for neighbourhoods at once all did, on a
// pool of 4 and 2 exporters).
func (s *Store) beginRead(ctx context.Context) (pgx.Tx, error) {
	id := ""
	if sn, ok := ctx.Value(snapshotKey{}).(*snapshot); ok {
		id = sn.begin()
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	if id == "" {
		return tx, nil
	}
	if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+id+`'`); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		if !snapshotGone(err) {
			return nil, err
		}
		// The snapshot ended between begin and the import: read the
		// newest state in a transaction of its own.
		return s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	}
	return tx, nil
}

// snapshotGone reports whether err is PostgreSQL refusing to import a
// snapshot whose exporting transaction has ended (22023, "invalid
// snapshot identifier"): the snapshot's request was answered or cancelled
// while a read of it was starting.
func snapshotGone(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "22023"
}

// snapshotReader runs each statement in a transaction of its own that
// imports the snapshot; a snapshot that could not be exported, or has
// ended, leaves the statement to the pool, where it meets the same cause
// or runs on its own.
type snapshotReader struct {
	pool *pgxpool.Pool
	sn   *snapshot
}

func (r snapshotReader) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	id := r.sn.begin()
	if id == "" {
		return r.pool.Query(ctx, sql, args...)
	}
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '`+id+`'`); err != nil {
		release(conn)
		if snapshotGone(err) {
			return r.pool.Query(ctx, sql, args...)
		}
		return nil, err
	}
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		release(conn)
		return nil, err
	}
	return &snapshotRows{Rows: rows, conn: conn}, nil
}

func (r snapshotReader) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := r.Query(ctx, sql, args...)
	return snapshotRow{rows, err}
}

// snapshotRows are a read's rows, whose transaction ends and whose
// connection goes back to the pool when they are closed or read to the
// end (pgx closes rows itself after the last one; callers that rely on
// that must not hold the connection).
type snapshotRows struct {
	pgx.Rows
	conn *pgxpool.Conn
	once sync.Once
}

func (r *snapshotRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *snapshotRows) Close() {
	r.Rows.Close()
	r.once.Do(func() { release(r.conn) })
}

// snapshotRow is QueryRow's answer: pgx.Row's rules (ErrNoRows when there
// is no row) over snapshotRows.
type snapshotRow struct {
	rows pgx.Rows
	err  error
}

func (r snapshotRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
