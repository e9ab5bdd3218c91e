// Package backend opens the store that --db names, choosing the backend by
// the form of the name: a postgres:// or postgresql:// URL is a PostgreSQL
// database, anything else the path of a SQLite file (the default, embedded
// case). It is the one place that knows the backends; everything above it
// takes the small interfaces its packages declare (graph/loader's
// BatchReader, graph/live's ChangeLog, db/seed's Writer, …).
//
// Store is declared here rather than in cmd/geotimeline because Open has
// to return one type for every backend, and this is the contract a backend
// implements to be opened by it: the union of what the binary's commands
// and the server ask of a store, nothing more.
package backend

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/postgres"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// Kind is a storage backend.
type Kind string

// The backends.
const (
	SQLite     Kind = "sqlite"
	PostgreSQL Kind = "postgresql"
)

// KindOf tells which backend dsn names: PostgreSQL for a postgres:// or
// postgresql:// URL (the schemes libpq and pgx accept), SQLite for anything
// else, which is a file path. The scheme is matched without regard to case,
// as URL schemes are.
func KindOf(dsn string) Kind {
	scheme, _, ok := strings.Cut(dsn, "://")
	if ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql")) {
		return PostgreSQL
	}
	return SQLite
}

// Defaults of Options, the same for every backend.
const (
	DefaultWriteWait       = sqlite.DefaultWriteWait
	DefaultChangeRetention = sqlite.DefaultChangeRetention
)

// Options are how a store is opened; the zero Options are the defaults.
// Each backend applies what it can: see sqlite.Options and
// postgres.Options.
type Options struct {
	// ReadOnly opens the database for reading only: every write fails
	// with READ_ONLY, and Writable says so.
	ReadOnly bool
	// WriteWait bounds how long a write waits for another writer's lock;
	// zero means DefaultWriteWait. Past it the write fails with
	// UNAVAILABLE.
	WriteWait time.Duration
	// Writer names this process to other writers ("geotimeline seed"),
	// for the message of a write that waited for it in vain.
	Writer string
	// ChangeRetention is how long the changes feed keeps a change; zero
	// means DefaultChangeRetention.
	ChangeRetention time.Duration
}

// Open opens (creating and migrating if needed) the database dsn names.
// A PostgreSQL database must exist; Open migrates it.
func Open(ctx context.Context, dsn string, opts Options) (Store, error) {
	switch KindOf(dsn) {
	case PostgreSQL:
		s, err := postgres.Open(ctx, dsn, postgres.Options{ReadOnly: opts.ReadOnly, WriteWait: opts.WriteWait,
			ChangeRetention: opts.ChangeRetention})
		if err != nil {
			// pgx's errors name the host and user, never the password.
			return nil, fmt.Errorf("open %s: %w", Redact(dsn), err)
		}
		return s, nil
	default:
		s, err := sqlite.OpenWith(ctx, dsn, sqlite.Options{ReadOnly: opts.ReadOnly, WriteWait: opts.WriteWait,
			Writer: opts.Writer, ChangeRetention: opts.ChangeRetention})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Exists reports whether the database dsn names exists already. A SQLite
// file may not yet; a PostgreSQL database always does, since the server
// creates databases and this program only migrates one.
func Exists(dsn string) (bool, error) {
	if KindOf(dsn) != SQLite {
		return true, nil
	}
	_, err := os.Stat(dsn)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	default:
		return false, err
	}
}

// Remove deletes a SQLite database file that this run created and left
// empty, with its WAL and shared-memory files, so that a failed first
// seed leaves nothing behind. A server database is never removed.
func Remove(dsn string) {
	if KindOf(dsn) != SQLite {
		return
	}
	for _, p := range []string{dsn, dsn + "-wal", dsn + "-shm"} {
		os.Remove(p)
	}
}

// Redact returns dsn for messages and logs: a URL's password is replaced
// by "xxxxx" (net/url's Redacted), one that does not parse is not shown at
// all, and a file path is returned as it is.
func Redact(dsn string) string {
	if KindOf(dsn) == SQLite {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return string(KindOf(dsn)) + " URL"
	}
	return u.Redacted()
}

// Store is what the binary asks of a store: the server's reads and writes,
// the live hub's change log, the write path of seed and import, their dry
// runs, and the export.
type Store interface {
	// Reads of many records at once, by ID or key.
	ActorsByID(ctx context.Context, ids []int64) ([]*db.Actor, error)
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	ActorsOfKind(ctx context.Context, kind db.ActorKind) ([]*db.Actor, error)
	CountriesByID(ctx context.Context, ids []int64) ([]*db.Country, error)
	CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error)
	EventsByID(ctx context.Context, ids []int64) ([]*db.Event, error)
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	FullEvents(ctx context.Context, ids []int64) ([]*db.Event, error)
	StatementsByID(ctx context.Context, ids []int64) ([]*db.Statement, error)
	StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error)
	FullStatements(ctx context.Context, ids []int64) ([]*db.Statement, error)
	SourcesByID(ctx context.Context, ids []int64) ([]*db.Source, error)
	SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error)
	SourcesOf(ctx context.Context, owner db.SourceOwner, ids []int64) (map[int64][]*db.Source, error)
	RelationshipsByID(ctx context.Context, ids []int64) ([]*db.Relationship, error)
	RelationshipByIdentity(ctx context.Context, identity string) (*db.Relationship, error)
	RelationshipsOf(ctx context.Context, actorIDs []int64, kinds []db.RelationshipKind, at *time.Time) (map[int64][]*db.Relationship, error)
	Participants(ctx context.Context, eventIDs []int64) (map[int64][]db.Participant, error)
	Links(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error)
	LinkedFrom(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error)
	StatementsAbout(ctx context.Context, eventIDs []int64) (map[int64][]string, error)
	Addressees(ctx context.Context, statementIDs []int64) (map[int64][]string, error)
	About(ctx context.Context, statementIDs []int64) (map[int64][]string, error)
	Counterparts(ctx context.Context, actorIDs []int64, from, to *time.Time, limit int) (map[int64][]db.Counterpart, error)

	// Lists, the timeline, counts and search.
	Actors(ctx context.Context, f db.ActorFilter, p db.Page) (db.KeyPage, error)
	CountActors(ctx context.Context, f db.ActorFilter) (int, error)
	Countries(ctx context.Context, p db.Page) (db.KeyPage, error)
	CountCountries(ctx context.Context) (int, error)
	Timeline(ctx context.Context, f db.TimelineFilter, order db.SortOrder, p db.Page) (db.ItemPage, error)
	CountTimeline(ctx context.Context, f db.TimelineFilter) (int, error)
	MatchTimeline(ctx context.Context, f db.TimelineFilter, items []db.ItemID) (map[db.ItemID]bool, error)
	EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) ([]db.EventBucket, error)
	Search(ctx context.Context, text string, limit int) ([]db.SearchHit, error)
	Runs(ctx context.Context, before int64, limit int) ([]db.Run, bool, error)
	CountRuns(ctx context.Context) (int, error)
	ListLengths(ctx context.Context) (db.ListLengths, error)

	// Traversals.
	ResolveNodes(ctx context.Context, refs []db.NodeRef) ([]db.NodeRef, error)
	Neighborhood(ctx context.Context, start db.NodeRef, depth int, f db.GraphFilter, limit int) (db.Subgraph, error)
	ShortestPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error)
	ChronologicalPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error)
	EventChain(ctx context.Context, event db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (db.Subgraph, error)

	// The change log of the live hub and the changes feed.
	LastChange(ctx context.Context) (int64, error)
	ChangesAfter(ctx context.Context, seq int64, limit int) ([]db.Change, error)
	Commits() <-chan struct{}
	Changes(ctx context.Context, after int64, first int) ([]db.FeedChange, bool, error)
	LastFeedChange(ctx context.Context) (int64, error)

	// Writes, their checks and dry runs, and deletes.
	UnknownRefs(ctx context.Context, refs []db.Ref, defined func(db.RefKind) []string) (db.Problems, error)
	ApplyRun(ctx context.Context, run *db.Run, b *db.Batch, refs []db.Ref) (db.Summary, error)
	ApplyStreamRunKeys(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error) (db.Summary, error)
	DryRun(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, *db.Batch, error)
	DryRunStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, *db.Batch, error)
	Delete(ctx context.Context, kind db.RefKind, key string, cascade bool) (db.Deletion, error)
	DeleteRelationship(ctx context.Context, id int64, cascade bool) (db.Deletion, error)

	// Operation: snapshots, versions, timings, health, the whole export.
	Snapshot(ctx context.Context) (context.Context, func())
	DataVersion(ctx context.Context) (int64, error)
	ObserveSQL(fn func(db.Pool, time.Duration))
	IsEmpty(ctx context.Context) (bool, error)
	Writable() error
	Classify(err error) error
	Export(ctx context.Context) (*db.Batch, error)
	Close() error
}

var (
	_ Store = (*sqlite.Store)(nil)
	_ Store = (*postgres.Store)(nil)
)
