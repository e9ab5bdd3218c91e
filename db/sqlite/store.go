// Package sqlite is geotimeline's store on SQLite (github.com/mattn/go-sqlite3):
// every SQL statement of the project lives in this package.
//
// A Store holds two pools on one database file: a single-connection writer
// whose transactions take the write lock when they begin (_txlock=immediate),
// and a pool of query-only readers. WAL lets the readers go on while the
// writer writes, and the single writer means writers queue in Go instead of
// failing with "database is locked".
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	// The driver registers itself as "sqlite3".
	_ "github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/migrations"
)

// Store is the SQLite system of record. It is safe for concurrent use.
type Store struct {
	path  string
	write *sql.DB
	read  *readPool

	// Now is the clock behind createdAt and updatedAt; tests replace it.
	Now func() time.Time
	// MaxCascade is the most records a delete with cascade may rewrite or
	// delete besides its target; a larger one is refused up front.
	// DefaultMaxCascade unless a test changes it.
	MaxCascade int
	// cascadeOneByOne makes a cascade rewrite every referring record one
	// at a time, reading it whole and writing it through the loader's
	// writer, instead of events and statements set-wise: the reference the
	// set-wise rewrite is tested against.
	cascadeOneByOne bool
	// noBulk makes every write take the normal path,
	// not the bulk path (bulk.go): the reference the bulk path is tested
	// against.
	noBulk bool
	// lastBulk says whether the last write took the bulk path, for tests.
	lastBulk atomic.Bool
	// bulkRange is how many records' derived rows a bulk write builds in
	// one statement (defaultBulkRange); tests lower it.
	bulkRange int
	// maxCachedIDs bounds the ids a write keeps per kind of record and
	// flushEvery how many changed records it lets pile up before rebuilding
	// their derived rows (defaultMaxCachedIDs, defaultFlushEvery): fields,
	// not package variables, so that a test can make them tiny for its own
	// store while other tests run.
	maxCachedIDs int
	flushEvery   int
	// maxEdgesRead is the number of edge rows one graph traversal may read
	// (defaultMaxEdgesRead); internal tests lower it for their own store.
	maxEdgesRead int
	// neighborhoodReadsAll makes a neighbourhood read every row of each
	// level, within the budget, instead of stopping once the limit is
	// reached: the reference the early stop is tested against.
	neighborhoodReadsAll bool
	// maxChainNodes is the most events an event chain returns
	// (db.MaxChainNodes); internal tests lower it to reach the bound.
	maxChainNodes int
	// pauseEventCounts is how many events a write makes, at the least,
	// before it pauses the count triggers and rebuilds the counts at the
	// end (defaultPauseEventCounts); tests lower it.
	pauseEventCounts int
	// rareMatches is the number of matching items below which a timeline
	// text filter starts from the full-text index (defaultRareMatches);
	// tests set it to 0 or past every count to take one path or the other.
	rareMatches int
	// graphRowsRead counts the edge rows this store's traversals have read,
	// for tests that check the budget holds: per store, so that tests
	// running in parallel do not count each other's rows.
	graphRowsRead atomic.Int64

	opts Options

	observer *observer
	commits  chan struct{}
	version  *versionWatch

	// lastFault is the storage fault of the last write, nil once a write
	// commits: what Writable reports for faults no file check can see.
	lastFault atomic.Pointer[db.Error]

	// busyHook, when set, is called each time a write finds the lock
	// held by another connection and waits again; tests use it to know
	// that a write is waiting.
	busyHook func()
}

// Options are how a store is opened; the zero Options are the defaults.
type Options struct {
	// ReadOnly opens the database for reading only, as from a read-only
	// medium: every write fails with READ_ONLY, and Writable says so.
	// Migrations and the built-in countries must already be in place.
	ReadOnly bool
	// WriteWait bounds how long a write waits for the write lock, held by
	// another write of this store or by another process (a seed); zero
	// means DefaultWriteWait. A write whose context has an earlier
	// deadline waits until that deadline. Past the bound the write fails
	// with UNAVAILABLE, naming the other writer when it is known.
	WriteWait time.Duration
	// Writer names this process in the note a long write leaves for
	// others to read ("geotimeline seed"); "" names it by its pid alone.
	Writer string
	// ChangeRetention is how long the changes feed keeps a change (and a
	// cursor into it stays valid); zero means DefaultChangeRetention.
	ChangeRetention time.Duration
}

// DefaultWriteWait is Options.WriteWait's default: long enough for any
// write the server makes (a delete's cascade is bounded by MaxCascade), not
// for a bulk seed, whose one transaction may hold the lock for minutes.
const DefaultWriteWait = 30 * time.Second

// DefaultMaxCascade is Store.MaxCascade's default. A cascade strips its
// events and statements set-wise (cascade.go) at about 0.1 ms a record on
// 2 cores (the hub of a generated 100 000-event graph, 40 381 records, in
// 3.4–3.8 s), so 50 000 records hold the write lock for about 5 s: within
// the request timeout (10 s) that bounds how long the server's other
// writes wait for it, with room for a loaded machine. On a larger database
// each record costs more, and the bound keeps a hub of a 1M-event graph
// from holding the lock for a minute.
const DefaultMaxCascade = 50_000

func (o Options) writeWait() time.Duration {
	if o.WriteWait > 0 {
		return o.WriteWait
	}
	return DefaultWriteWait
}

// dsn builds the connection string: pragmas go in the DSN so that every
// pooled connection gets them, not only the one a db.Exec happens to use.
func dsn(path string, writer bool, opts Options) string {
	q := url.Values{}
	if opts.ReadOnly {
		q.Set("mode", "ro")
	}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "1")
	if writer {
		// SQLite's busy handler waits inside one C call, deaf to the
		// context (go-sqlite3 #863); a short one, retried by beginWrite
		// up to Options.WriteWait, lets a write wait long and still stop
		// when its request does.
		q.Set("_busy_timeout", strconv.Itoa(int(busyStep/time.Millisecond)))
		// A deferred transaction that reads and then writes gets SQLITE_BUSY
		// without the busy handler running (go-sqlite3 #274); take the lock
		// up front instead.
		q.Set("_txlock", "immediate")
		// A 64 MiB page cache (the default is 2 MiB) keeps the indexes a
		// large load writes to in memory.
		q.Set("_cache_size", "-65536")
	} else {
		q.Set("_busy_timeout", "5000")
		q.Set("_query_only", "1")
	}
	return "file:" + url.PathEscape(path) + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, applies pending
// migrations and makes sure the built-in ISO 3166-1 countries are present.
//
// A database that cannot be opened or migrated because of its storage (a
// read-only file with migrations pending, a full disk) is an error with a
// storage code (see classify).
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty database path")
	}
	write, err := sql.Open("sqlite3", dsn(path, true, opts))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	s := &Store{path: path, write: write, opts: opts, Now: time.Now, MaxCascade: DefaultMaxCascade,
		maxCachedIDs: defaultMaxCachedIDs, flushEvery: defaultFlushEvery, maxEdgesRead: defaultMaxEdgesRead,
		maxChainNodes: db.MaxChainNodes,
		rareMatches:   defaultRareMatches, pauseEventCounts: defaultPauseEventCounts, bulkRange: defaultBulkRange,
		observer: &observer{}, commits: make(chan struct{}, 1), version: &versionWatch{}}
	if err := s.migrate(ctx); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite3", dsn(path, false, opts))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// A query holds one reader for its whole snapshot (Snapshot), Go work
	// between its statements included, so there are more readers than
	// cores: measured with `geotimeline bench` on the 100k graph, 4 and 8
	// readers gave the same req/s within the machine's noise (±30 %).
	readers := max(8, 4*runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	s.read = &readPool{DB: read, observer: s.observer}
	if err := s.ensureCountries(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// readPool is the reader pool, counting the statements it runs so that tests
// can prove nested reads are batched (a page of 50 costs what a page of 10
// does).
type readPool struct {
	*sql.DB
	statements atomic.Int64
	observer   *observer
}

func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p.statements.Add(1)
	defer p.observer.time(db.PoolRead, time.Now())
	return p.on(ctx).QueryContext(ctx, query, args...)
}

func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p.statements.Add(1)
	defer p.observer.time(db.PoolRead, time.Now())
	return p.on(ctx).QueryRowContext(ctx, query, args...)
}

// observer holds the function ObserveSQL installed, if any.
type observer struct {
	fn atomic.Pointer[func(db.Pool, time.Duration)]
}

func (o *observer) time(pool db.Pool, start time.Time) {
	if fn := o.fn.Load(); fn != nil {
		(*fn)(pool, time.Since(start))
	}
}

// ObserveSQL makes the store report how long its SQL takes to fn, which
// must be quick and safe for concurrent use: for a read, the time until
// its first row is ready (which, for SQLite, includes any sorting or
// grouping; reading further rows is not counted); for a write, the whole
// transaction, commit included. The server feeds these to /metrics.
func (s *Store) ObserveSQL(fn func(db.Pool, time.Duration)) {
	s.observer.fn.Store(&fn)
}

// Commits is signalled, without blocking the writer, after each write
// transaction of this store commits. One receiver (the live-update hub)
// is expected; several commits may be signalled once. Writes by other
// processes are not signalled: readers of the change log poll for those.
func (s *Store) Commits() <-chan struct{} { return s.commits }

// ReadStatements is the number of SQL statements the reader pool has run
// since the store was opened.
func (s *Store) ReadStatements() int64 { return s.read.statements.Load() }

// Close closes both pools.
func (s *Store) Close() error {
	errs := []error{s.version.close()}
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
	return errors.Join(errs...)
}

// Path is the database file the store was opened on.
func (s *Store) Path() string { return s.path }

func (s *Store) migrate(ctx context.Context) error {
	// Applying migrations (and making goose's version table in a new file)
	// writes: it waits for another writer as any write does. A provider
	// per try, since goose remembers having made its version table even
	// when the lock stopped it.
	wait := s.opts.writeWait()
	err := s.waitBusy(ctx, time.Now().Add(wait), func() error {
		p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
		if err != nil {
			return err
		}
		_, err = p.Up(ctx)
		return err
	})
	if isBusy(err) {
		return fmt.Errorf("migrate %s: %w", s.path, s.lockedError(err, s.holder(), wait, false))
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, classify(err))
	}
	return nil
}

// ensureCountries inserts the ISO 3166-1 countries the database lacks,
// leaving fixture overrides alone. It reads the codes first so that opening
// an up-to-date database writes nothing.
func (s *Store) ensureCountries(ctx context.Context) error {
	rows, err := s.write.QueryContext(ctx, `SELECT code FROM countries`)
	if err != nil {
		return fmt.Errorf("read countries: %w", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			rows.Close()
			return fmt.Errorf("read countries: %w", err)
		}
		have[code] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read countries: %w", err)
	}
	var missing []db.Country
	for _, c := range iso3166.All() {
		if !have[c.Code] {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return s.inWriteTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO countries (code, alpha3, name, region) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range missing {
			if _, err := stmt.ExecContext(ctx, c.Code, c.Alpha3, c.Name, c.Region); err != nil {
				return fmt.Errorf("insert country %s: %w", c.Code, err)
			}
		}
		return nil
	})
}

// inWriteTx runs fn in a write transaction, committing when fn returns nil
// and rolling back otherwise. Storage faults come back classified (a full
// disk, a read-only database, an I/O error), and are remembered for
// Writable until a write commits.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	err := s.writeTx(ctx, fn)
	if e, ok := storageFault(err); ok {
		s.lastFault.Store(e)
	}
	return err
}

func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	defer s.observer.time(db.PoolWrite, time.Now())
	conn, tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", classify(err))
	}
	defer conn.Close()
	note := s.startNote()
	defer note.stop()
	err = fn(tx)
	// The note goes while the lock is still held: once it is released,
	// the next writer may leave a note of its own at the same path.
	note.stop()
	if err != nil {
		_ = tx.Rollback()
		return classify(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	s.lastFault.Store(nil)
	select {
	case s.commits <- struct{}{}:
	default: // a signal is already pending
	}
	return nil
}

// IsEmpty reports whether the database holds no records of its own (the
// built-in countries do not count): the state in which serve loads the demo.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var any int
	err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM actors) OR EXISTS (SELECT 1 FROM events)
		OR EXISTS (SELECT 1 FROM statements) OR EXISTS (SELECT 1 FROM sources)
		OR EXISTS (SELECT 1 FROM relationships) OR EXISTS (SELECT 1 FROM countries WHERE from_fixture = 1)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("check empty: %w", err)
	}
	return any == 0, nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless the
// database reports "ok".
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
