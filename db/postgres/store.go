// Package postgres is geotimeline's store on PostgreSQL 15 or later
// (github.com/jackc/pgx/v5, pooled with pgxpool), for deployments that
// outgrow one machine: any number of `serve` processes over one database.
// It mirrors the SQLite store's methods and answers (package db's types);
// all of its SQL lives in this package and its schema in
// db/postgres/migrations, at the same versions as SQLite's.
//
// Unlike SQLite's one writer, writers here run at once, from this process
// and others. Each write is one READ COMMITTED transaction whose upserts
// are single statements (INSERT ... ON CONFLICT ... RETURNING), so two
// writers of the same key both succeed, one after the other; a transaction
// that fails with a serialization failure or a deadlock (SQLSTATE 40001,
// 40P01), or finds a record it read deleted by a concurrent commit (a
// foreign key violation, 23503, or a referrer gone), is rolled back and run
// again, whole (see inWriteTx), and then answers for what it finds.
//
// Writers lock shared rows in one order, so that they queue rather than
// deadlock: a batch's records are written kind by kind in key order, and
// the kept counts, which every event touches, are added up once per
// transaction at commit in their key order (migration 00006).
//
// The change logs (changes, change_feed) are numbered at commit through a
// counter row per log locked by the committing transaction (migration
// 00005): numbers follow commit order, without gaps, so a reader of "the
// rows after N", on any replica, never skips a row that committed late.
// The alternative, numbers from a sequence read up to a safe high-water
// mark (pg_snapshot_xmin), lets commits overlap but makes every reader
// compute that mark; commits queueing on one row for the length of the
// numbering and the commit is the simpler price.
//
// A write of new records only — into a database that holds none, or none
// of whose keys is stored — takes a bulk path (bulk.go): its rows are
// written with COPY, table by table, numbered from the tables' identities
// as the upserts would be, and its derived rows built set-wise at the end;
// a key stored meanwhile by another writer sends it back, whole, to the
// normal path. bulk_internal_test.go compares the databases the two paths
// leave, table by table.
//
// It answers as the SQLite store does, which db/storetest's suite checks
// on both, and the *_internal_test.go files compare rows, pages, counts
// and error messages with a SQLite store's on the same data. Search ranks
// by SQLite's BM25 from the same counts (the index's totals are kept in
// search_stats, migration 00016); PostgreSQL's parser and FTS4's tokenizer
// split text alike but for rarer forms (decimals, URLs, negative numbers),
// whose lengths may then differ. A delete's cascade rewrites its referrers
// one by one, where SQLite's rewrites events and statements set-wise: the
// same rows, more statements.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/postgres/migrations"
)

// Store is the PostgreSQL system of record. It is safe for concurrent use,
// and so is the database by several stores in several processes.
type Store struct {
	pool *pgxpool.Pool
	// exporters lends the transactions that export a request's snapshot
	// (snapshot.go): at most a quarter of the pool's connections, at
	// least 2, taken from a pool of their own.
	exporters *pgxpool.Pool

	// Now is the clock behind createdAt and updatedAt and the changes
	// feed's times; tests replace it.
	Now func() time.Time

	// MaxCascade is the most records a delete with cascade may rewrite or
	// delete besides its target; zero means DefaultMaxCascade.
	MaxCascade int

	opts Options

	// graph holds the traversals' budgets; tests lower them for their own
	// store.
	graph graphLimits

	// retries counts the write transactions run again after a
	// serialization failure or a deadlock, for tests and figures.
	retries atomic.Int64

	// observer times the SQL for ObserveSQL.
	observer *observer

	// commits is Commits' channel, made at its first use.
	commitsOnce sync.Once
	commits     chan struct{}

	// noBulk makes every write take the normal path, not the bulk path
	// (bulk.go): the reference the bulk path is tested against.
	noBulk bool
	// lastBulk says whether the last write took the bulk path, for tests.
	lastBulk atomic.Bool
	// bulkRangeSize is how many records' derived rows a bulk write builds
	// in one statement; zero means defaultBulkRange. Tests lower it.
	bulkRangeSize int
	// bulkRowsSize is how many rows of a table a bulk write sends in one
	// COPY; zero means defaultBulkRows. Tests lower it.
	bulkRowsSize int

	// lastFault is the storage fault of the last write, nil once a write
	// commits: what Writable reports for faults no question to the
	// server shows (a full disk).
	lastFault atomic.Pointer[db.Error]
}

// Options are how a store is opened; the zero Options are the defaults.
type Options struct {
	// MaxConns bounds the pool's connections; zero leaves pgxpool's
	// default (the larger of 4 and the number of CPUs) or the URL's
	// pool_max_conns.
	MaxConns int32
	// MaxRetries is how many times a write that failed with a
	// serialization failure or a deadlock is run again; zero means
	// DefaultMaxRetries.
	MaxRetries int
	// ChangeRetention is how long the changes feed keeps a change (and a
	// cursor into it stays valid); zero means DefaultChangeRetention.
	ChangeRetention time.Duration
	// ReadOnly opens the database for reading only: the connections'
	// transactions are read-only (default_transaction_read_only), so
	// every write fails with READ_ONLY and Writable says so. Nothing is
	// migrated: the schema must be at this build's version.
	ReadOnly bool
	// WriteWait bounds how long a statement waits for a lock another
	// transaction holds (lock_timeout); past it the write fails with
	// UNAVAILABLE and is not retried. Zero leaves the server's setting
	// (by default, no bound).
	WriteWait time.Duration
}

// DefaultMaxRetries is Options.MaxRetries's default. A retry happens when
// two writers collide on the same rows (a bucket of the kept counts, one
// record written by both); each retry runs after the other writer's
// commit, so a handful covers any number of writers short of a storm.
const DefaultMaxRetries = 10

func (o Options) maxRetries() int {
	if o.MaxRetries > 0 {
		return o.MaxRetries
	}
	return DefaultMaxRetries
}

// Open connects to the database at url (postgres://...), applies pending
// migrations and makes sure the built-in ISO 3166-1 countries are present.
// Several processes may open one database at once: migrations run under
// goose's session lock (an advisory lock), one process at a time.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: the error names neither.
		return nil, errors.New("open store: not a valid postgres:// URL")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if opts.WriteWait > 0 {
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = strconv.FormatInt(opts.WriteWait.Milliseconds(), 10)
	}
	// Plan every execution of a prepared statement for its parameters.
	// pgx prepares each statement once per connection, and after five
	// executions PostgreSQL may switch to a generic plan, blind to the
	// parameters, whenever it looks no dearer than the custom plans so far:
	// the timeline's page with a text filter then took the plan of a
	// common word for a rare one and back (measured at 1M events: 21 ms
	// for the first pages of a rare word, then 9 to 60 s). The skew is the
	// data's (a word in 5 items or in 700 000, an actor in 3 events or in
	// 300 000), so no one plan serves; planning costs a fraction of a
	// millisecond a statement.
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	obs := &observer{}
	cfg.ConnConfig.Tracer = obs
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	ecfg := cfg.Copy()
	ecfg.MaxConns = max(2, cfg.MaxConns/4)
	ecfg.MinConns = 0
	exporters, err := pgxpool.NewWithConfig(ctx, ecfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	s := &Store{pool: pool, exporters: exporters, Now: time.Now, opts: opts, observer: obs}
	if opts.ReadOnly {
		if err := s.checkSchema(ctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
		}
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	if err := s.ensureCountries(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	return s, nil
}

// describe names the database of cfg for errors, without its password.
func describe(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.exporters.Close()
	s.pool.Close()
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	// goose reads and writes through database/sql; pgx's adapter lends it
	// connections of the same pool.
	sqlDB := stdlib.OpenDBFromPool(s.pool)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// checkSchema makes sure a database opened read-only, which is not
// migrated, has this build's schema.
func (s *Store) checkSchema(ctx context.Context) error {
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	want, err := latestMigration()
	if err != nil {
		return err
	}
	if have != want {
		return fmt.Errorf("the schema is at version %d, this build's is %d: open it once for writing to migrate it", have, want)
	}
	return nil
}

// latestMigration is the version of the newest migration in this build.
func latestMigration() (int64, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, name := range names {
		digits, _, _ := strings.Cut(name, "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migration %s: not named for its version", name)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// SchemaVersion is the schema's goose version: the number of the newest
// migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// ensureCountries inserts the ISO 3166-1 countries the database lacks,
// leaving fixture overrides alone. ON CONFLICT DO NOTHING lets replicas
// that open a new database together each insert them.
func (s *Store) ensureCountries(ctx context.Context) error {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM countries WHERE code = ANY ($1)`,
		countryCodes()).Scan(&n); err != nil {
		return fmt.Errorf("read countries: %w", err)
	}
	all := iso3166.All()
	if n >= len(all) {
		return nil
	}
	return s.inWriteTx(ctx, func(tx pgx.Tx, _ int64) error {
		var codes, alpha3s, names, regions []string
		for _, c := range all {
			codes, alpha3s, names, regions = append(codes, c.Code), append(alpha3s, c.Alpha3),
				append(names, c.Name), append(regions, c.Region)
		}
		_, err := tx.Exec(ctx, `INSERT INTO countries (code, alpha3, name, region)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
			ON CONFLICT (code) DO NOTHING`, codes, alpha3s, names, regions)
		if err != nil {
			return fmt.Errorf("insert countries: %w", err)
		}
		return nil
	})
}

func countryCodes() []string {
	all := iso3166.All()
	codes := make([]string, len(all))
	for i, c := range all {
		codes[i] = c.Code
	}
	return codes
}

func (s *Store) bulkRange() int {
	if s.bulkRangeSize > 0 {
		return s.bulkRangeSize
	}
	return defaultBulkRange
}

func (s *Store) bulkRows() int {
	if s.bulkRowsSize > 0 {
		return s.bulkRowsSize
	}
	return defaultBulkRows
}
