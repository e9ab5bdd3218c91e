package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// versionWatch reads SQLite's PRAGMA data_version on a connection of its
// own. That number changes when any other connection commits to the
// database, this process's writer or another process's (a `geotimeline
// seed` beside a server), and stays put otherwise; the connection never
// writes, so every commit counts. A number is only comparable with those
// of the same connection: should the connection be lost and reopened, its
// epoch changes, and so do the numbers DataVersion returns.
type versionWatch struct {
	mu    sync.Mutex
	db    *sql.DB
	conn  *sql.Conn
	epoch int64
}

// DataVersion returns a number that is the same for two calls exactly when
// nothing was committed to the database in between (by anyone). A cache of
// answers keyed by it never serves an answer older than the last commit.
// The first call opens the connection it reads on.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	w := s.version
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		if w.db == nil {
			db, err := sql.Open("sqlite3", dsn(s.path, false, s.opts))
			if err != nil {
				return 0, fmt.Errorf("data version: %w", err)
			}
			w.db = db
		}
		conn, err := w.db.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("data version: %w", err)
		}
		w.conn = conn
		w.epoch++
	}
	var v int64
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		// The next call starts a new connection, and with it a new epoch.
		_ = w.conn.Close()
		w.conn = nil
		return 0, fmt.Errorf("data version: %w", err)
	}
	// data_version is a small counter; the epoch in the high bits keeps
	// the numbers of two connections apart.
	return w.epoch<<40 | v, nil
}

func (w *versionWatch) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var err error
	if w.conn != nil {
		err = w.conn.Close()
		w.conn = nil
	}
	if w.db != nil {
		if cerr := w.db.Close(); err == nil {
			err = cerr
		}
		w.db = nil
	}
	return err
}
