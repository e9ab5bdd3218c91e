package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// The store's remaining small methods of backend.Store, as SQLite's
// answer them (db/sqlite read.go, runs.go, fault.go, store.go,
// version.go), where their meaning is not SQLite's own.

// ActorsOfKind returns every actor of one kind, by key: importers look
// among the states for the one that stands for a country.
func (s *Store) ActorsOfKind(ctx context.Context, kind db.ActorKind) ([]*db.Actor, error) {
	return s.actors(ctx, `a.kind = $1 ORDER BY a.key`, string(kind))
}

// CountRuns counts the recorded runs.
func (s *Store) CountRuns(ctx context.Context) (int, error) {
	var n int
	if err := s.reader(ctx).QueryRow(ctx, `SELECT count(*) FROM runs`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count runs: %w", err)
	}
	return n, nil
}

// Classify gives an error from the store its storage code when
// PostgreSQL's SQLSTATE says the storage failed (see classify). Writes
// are classified by the store itself; this is for the errors of reads,
// applied where errors are shown. It is a method so that the server asks
// whichever store it has and never names a backend.
func (s *Store) Classify(err error) error { return classify(err) }

// UnknownRefs reports the references that no stored record satisfies, one
// problem each, in the order given, ending with the stored values nearest
// to the first of them ("did you mean"). It reads only: a loader uses it to
// report unknown references together with a fixture's other problems.
//
// defined, which may be nil, gives the keys the run's own files define of
// a kind: candidates for the suggestions too.
func (s *Store) UnknownRefs(ctx context.Context, refs []db.Ref, defined func(db.RefKind) []string) (db.Problems, error) {
	var probs db.Problems
	var missing []db.Ref
	for _, r := range refs {
		q, ok := refTables[r.Kind]
		if !ok {
			return nil, fmt.Errorf("unknown reference kind %q", r.Kind)
		}
		var id int64
		err := s.reader(ctx).QueryRow(ctx, q, r.Key).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			probs = append(probs, db.UnknownRef(r))
			missing = append(missing, r)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("look up %s %q: %w", r.Kind, r.Key, err)
		}
	}
	byKind := map[db.RefKind][]int{}
	for i, r := range missing[:min(len(missing), maxHintedRefs)] {
		byKind[r.Kind] = append(byKind[r.Kind], i)
	}
	for kind, idx := range byKind {
		keys := make([]string, len(idx))
		for j, i := range idx {
			keys[j] = missing[i].Key
		}
		var extra []suggest.Candidate
		if defined != nil {
			for _, k := range defined(kind) {
				extra = append(extra, suggest.Candidate{Value: k, Texts: []string{k}})
			}
		}
		ends, err := hintsAmong(ctx, s.pool, kind, keys, extra)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			probs[i].What += ends[j]
		}
	}
	return probs, nil
}

// hintsAmong is hints with more candidates, extra, before the stored ones,
// in the order SQLite's hints weighs them.
func hintsAmong(ctx context.Context, q querier, kind db.RefKind, keys []string, extra []suggest.Candidate) ([]string, error) {
	out := make([]string, len(keys))
	cands := extra
	read := false
	for i, k := range keys {
		var near []string
		if kind == db.RefCountry {
			near = iso3166.Suggest(k)
		}
		if len(near) == 0 {
			if !read {
				stored, err := candidates(ctx, q, kind)
				if err != nil {
					return nil, err
				}
				cands = append(cands, stored...)
				read = true
			}
			near = suggest.Nearest(k, cands)
		}
		out[i] = suggest.Hint(near)
	}
	return out, nil
}

// Commits is signalled, without blocking the writer, after each write
// transaction of this store commits. One receiver (the live-update hub)
// is expected; several commits may be signalled once. Writes by other
// processes, replicas included, are not signalled: readers of the change
// log poll for those.
func (s *Store) Commits() <-chan struct{} { return s.commitSignal() }

func (s *Store) commitSignal() chan struct{} {
	s.commitsOnce.Do(func() { s.commits = make(chan struct{}, 1) })
	return s.commits
}

// signalCommit tells the receiver of Commits that a write committed.
func (s *Store) signalCommit() {
	select {
	case s.commitSignal() <- struct{}{}:
	default: // one signal pending says as much
	}
}

// writableTimeout bounds Writable's question to the server: it answers
// health checks, which must not hang on a server that does not answer.
const writableTimeout = 5 * time.Second

// Writable reports whether writes can succeed, cheaply: nil, or a
// *db.Error with a storage code saying why not. Not writable: a last
// write that failed with a storage fault (a full disk), until a write
// succeeds again; a server that is a standby or whose transactions are
// read-only by default (READ_ONLY); a server that cannot be reached
// (UNAVAILABLE). It writes nothing and takes no lock.
func (s *Store) Writable() error {
	if e := s.lastFault.Load(); e != nil {
		return e
	}
	ctx, cancel := context.WithTimeout(context.Background(), writableTimeout)
	defer cancel()
	var readOnly bool
	err := s.pool.QueryRow(ctx, `SELECT pg_is_in_recovery() OR current_setting('default_transaction_read_only')::boolean`).Scan(&readOnly)
	switch {
	case err != nil:
		if e := (*db.Error)(nil); errors.As(classify(err), &e) && db.IsStorageFault(e.Code) {
			return e
		}
		return &db.Error{Code: db.CodeUnavailable, Err: err, Message: "the database server does not answer"}
	case readOnly:
		return db.Errorf(db.CodeReadOnly, "the database is read-only (a standby, or default_transaction_read_only)")
	}
	return nil
}

// DataVersion returns a number that is the same for two calls exactly when
// nothing was committed to the database in between (by any process), so
// that a cache of answers keyed by it never serves one older than the last
// commit. Every write that changes a record logs it in both change logs,
// whose counters (change_clock) are taken at commit and only grow; a run
// is recorded with a new id even when it changed nothing. Their sum grows
// with every such commit, and only then.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.reader(ctx).QueryRow(ctx, `SELECT (SELECT coalesce(sum(last), 0) FROM change_clock)::bigint
		+ (SELECT coalesce(max(id), 0) FROM runs)`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}
