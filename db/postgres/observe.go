package postgres

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// observer times the store's SQL for ObserveSQL, and counts its reads for
// ReadStatements: pgx's tracer of every connection of the pool for reads,
// and writeTx for writes.
type observer struct {
	fn    atomic.Pointer[func(db.Pool, time.Duration)]
	reads atomic.Int64
	// writing holds the connections of write transactions under way,
	// whose statements are timed with their transaction, not one by one.
	writing sync.Map // *pgx.Conn → struct{}
}

type readStartKey struct{}

// TraceQueryStart starts timing a read.
func (o *observer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if _, ok := o.writing.Load(conn); ok {
		return ctx
	}
	sql := strings.ToLower(strings.TrimSpace(data.SQL))
	switch {
	case strings.HasPrefix(sql, "begin"), sql == "commit", sql == "rollback":
		// A read transaction's own statements (a traversal's, an
		// export's) are no reads of data.
		return ctx
	case queriesData(sql):
		o.reads.Add(1)
	}
	if o.fn.Load() == nil {
		return ctx
	}
	return context.WithValue(ctx, readStartKey{}, time.Now())
}

// queriesData reports whether a read statement (lower case), other than
// a transaction's BEGIN, COMMIT or ROLLBACK, is a query of data, so that
// ReadStatements counts what the SQLite store's does. A snapshot's export
// and import are not, nor a cursor's FETCH and CLOSE (graph.go reads a
// level's edges through one): its DECLARE is the query, and the pages it
// fetches are that query's rows, as SQLite steps through them. All of
// them are timed for ObserveSQL, the FETCHes being where a cursor's work
// is done.
func queriesData(sql string) bool {
	return !strings.HasPrefix(sql, "set transaction") && sql != "select pg_export_snapshot()" &&
		!strings.HasPrefix(sql, "fetch ") && !strings.HasPrefix(sql, "close ")
}

// TraceQueryEnd reports a read's time: for a query, until its rows are
// closed (pgx traces no first row), which for the store's reads, read to
// the end, is the time of the whole read.
func (o *observer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	start, ok := ctx.Value(readStartKey{}).(time.Time)
	if !ok {
		return
	}
	if fn := o.fn.Load(); fn != nil {
		(*fn)(db.PoolRead, time.Since(start))
	}
}

// write marks conn as a write transaction's until the returned function,
// which reports the transaction's time when committed is true.
func (o *observer) write(conn *pgx.Conn) func(committed bool) {
	start := time.Now()
	o.writing.Store(conn, struct{}{})
	return func(committed bool) {
		o.writing.Delete(conn)
		if fn := o.fn.Load(); fn != nil && committed {
			(*fn)(db.PoolWrite, time.Since(start))
		}
	}
}

// ReadStatements is the number of statements of data the store has run
// outside writes since it was opened (its own opening's included), as the
// SQLite store's count of its reader pool's: what tests pin a request's
// round trips with.
func (s *Store) ReadStatements() int64 { return s.observer.reads.Load() }

// ObserveSQL makes the store report how long its SQL takes to fn, which
// must be quick and safe for concurrent use: for a read, each statement
// outside a write, until its rows are read; for a write, the whole
// transaction, commit included. The server feeds these to /metrics.
func (s *Store) ObserveSQL(fn func(db.Pool, time.Duration)) {
	s.observer.fn.Store(&fn)
}
