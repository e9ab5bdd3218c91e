package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// A snapshot makes every read of the store under one context see the same
// state of the database: one read transaction, begun at the first read
// and ended by the release function. A GraphQL query reads a page's keys in
// one statement and their records in others, from goroutines of its own;
// without one, a record deleted in between was a "not found" in the middle
// of an answer. In WAL mode a read transaction sees the database as of its
// first statement, whatever commits after, and never blocks a writer.
//
// The statements of one snapshot share one connection, so they run one at
// a time; other requests' reads run beside them on the pool's other
// connections.
type snapshot struct {
	ctx context.Context // the snapshot's own: its transaction ends with it

	mu   sync.Mutex
	tx   *sql.Tx
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
	snap := &snapshot{ctx: snapCtx}
	return context.WithValue(ctx, snapshotKey{}, snap), func() {
		snap.end()
		cancel()
	}
}

// begin returns the snapshot's transaction, begun on pool at the first
// call, or nil once the snapshot has ended or when it could not begin.
func (sn *snapshot) begin(pool *sql.DB) *sql.Tx {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if !sn.done && sn.tx == nil && sn.err == nil {
		// The transaction lives on the snapshot's context, not on one
		// read's: database/sql rolls it back when that context ends.
		sn.tx, sn.err = pool.BeginTx(sn.ctx, &sql.TxOptions{ReadOnly: true})
	}
	if sn.done {
		return nil
	}
	return sn.tx
}

func (sn *snapshot) end() {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	sn.done = true
	if sn.tx != nil {
		_ = sn.tx.Rollback()
	}
}

// querier is what reads run on: the pool, or a snapshot's transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// on is where a read under ctx runs: its snapshot's transaction, or the
// pool itself. A snapshot that could not begin (its request cancelled, the
// pool closed) or has ended leaves the read to the pool, where it meets the
// same cause, or runs on its own.
func (p *readPool) on(ctx context.Context) querier {
	if sn, ok := ctx.Value(snapshotKey{}).(*snapshot); ok {
		if tx := sn.begin(p.DB); tx != nil {
			return tx
		}
	}
	return p.DB
}
