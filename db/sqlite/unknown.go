package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// A filter value that names nothing is an error, never an empty answer: an
// analyst who typed "UK" for a country or misspelt an actor's key would
// otherwise read "no events" as a finding. The error names each such value
// with the known values nearest to it.

// maxUnknownNamed is how many unknown values one error names, with their
// suggestions; more are counted.
const maxUnknownNamed = 5

// maxSuggestionScan bounds the stored records one error compares against,
// so that a stream of misspelt keys costs each request a bounded read.
const maxSuggestionScan = 100_000

// suggestionTexts reads, per kind, the column a hint names and the text a
// person may have written instead of it.
var suggestionTexts = map[db.RefKind]string{
	db.RefActor:     `SELECT key, name FROM actors ORDER BY id LIMIT ?`,
	db.RefEvent:     `SELECT key, title FROM events ORDER BY id LIMIT ?`,
	db.RefStatement: `SELECT key, '' FROM statements ORDER BY id LIMIT ?`,
	db.RefSource:    `SELECT key, title FROM sources ORDER BY id LIMIT ?`,
	// ISO 3166-1 codes are iso3166.Suggest's; these are the others.
	db.RefCountry: `SELECT code, name FROM countries WHERE from_fixture = 1 ORDER BY id LIMIT ?`,
}

// resolveKeys resolves a filter's keys (or country codes) of kind to row
// ids. A key that names no stored record is a BAD_USER_INPUT error naming
// it, with suggestions.
func (s *Store) resolveKeys(ctx context.Context, kind db.RefKind, table, column string, keys []string) ([]int64, error) {
	ids, missing, err := s.lookupKeys(ctx, table, column, keys)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, s.unknownKeys(ctx, kind, missing)
	}
	return ids, nil
}

// filterKeys is resolveKeys, or with lenient lookupKeys's ids alone.
func (s *Store) filterKeys(ctx context.Context, kind db.RefKind, table, column string, keys []string, lenient bool) ([]int64, error) {
	if !lenient {
		return s.resolveKeys(ctx, kind, table, column, keys)
	}
	ids, _, err := s.lookupKeys(ctx, table, column, keys)
	return ids, err
}

// lookupKeys resolves keys to the row ids of those stored and returns the
// others, each once, in the order given.
func (s *Store) lookupKeys(ctx context.Context, table, column string, keys []string) (ids []int64, missing []string, err error) {
	in, args := inClause(column, keys)
	rows, err := s.read.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+` WHERE `+in+` ORDER BY id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", table, err)
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, nil, fmt.Errorf("resolve %s: %w", table, err)
		}
		ids = append(ids, id)
		found[key] = true
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", table, err)
	}
	for _, k := range keys {
		if !found[k] {
			found[k] = true // each named once
			missing = append(missing, k)
		}
	}
	return ids, missing, nil
}

// unknownKeys is the error for keys of kind that name nothing: `unknown
// actor "x": did you mean "y"?`, one such part per key (the first
// maxUnknownNamed of them), joined by "; ".
func (s *Store) unknownKeys(ctx context.Context, kind db.RefKind, keys []string) error {
	hints, err := hints(ctx, s.read, kind, keys[:min(len(keys), maxUnknownNamed)], nil)
	if err != nil {
		return err
	}
	parts := make([]string, 0, len(hints)+1)
	for i, h := range hints {
		parts = append(parts, db.UnknownRef(db.Ref{Kind: kind, Key: keys[i]}).What+h)
	}
	if more := len(keys) - len(hints); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more unknown %ss", more, kind))
	}
	return db.Errorf(db.CodeInvalid, "%s", strings.Join(parts, "; "))
}

// hints returns, for each key of kind, the end of its message: the nearest
// known values (suggest.Hint), or "" when none is near. Stored records are
// read through q (unless nil) once, and only when a key needs them; extra
// are candidates besides them.
func hints(ctx context.Context, q querier, kind db.RefKind, keys []string, extra []suggest.Candidate) ([]string, error) {
	var stored func() ([]suggest.Candidate, error)
	if q != nil {
		stored = func() ([]suggest.Candidate, error) { return candidates(ctx, q, kind) }
	}
	return suggest.Hints(keys, directHint(kind), extra, stored)
}

// directHint is how a key of kind is answered before the stored values:
// an ISO 3166-1 code's own suggestions for a country.
func directHint(kind db.RefKind) func(string) []string {
	if kind == db.RefCountry {
		return iso3166.Suggest
	}
	return nil
}

// candidates reads the stored values of kind a hint may name.
func candidates(ctx context.Context, q querier, kind db.RefKind) ([]suggest.Candidate, error) {
	query, ok := suggestionTexts[kind]
	if !ok {
		return nil, fmt.Errorf("suggest: unknown reference kind %q", kind)
	}
	rows, err := q.QueryContext(ctx, query, maxSuggestionScan)
	if err != nil {
		return nil, fmt.Errorf("read %ss to suggest: %w", kind, err)
	}
	defer rows.Close()
	out, err := suggest.ReadCandidates(rows)
	if err != nil {
		return nil, fmt.Errorf("read %ss to suggest: %w", kind, err)
	}
	return out, nil
}

// nodeKinds names the kind of record behind each node type, whose key
// query (refTables) resolves a reference by key.
var nodeKinds = map[db.NodeType]db.RefKind{
	db.NodeActor:     db.RefActor,
	db.NodeCountry:   db.RefCountry,
	db.NodeEvent:     db.RefEvent,
	db.NodeStatement: db.RefStatement,
}

// ResolveNodes returns refs with every reference by key (db.NodeRef.Key)
// turned into its row id. A key that names nothing is NOT_FOUND, as an ID
// that names nothing is, with the nearest keys: `no actor "marco-rubi":
// did you mean "marco-rubio"?`.
func (s *Store) ResolveNodes(ctx context.Context, refs []db.NodeRef) ([]db.NodeRef, error) {
	out := make([]db.NodeRef, len(refs))
	for i, r := range refs {
		out[i] = r
		if r.Key == "" || r.ID != 0 {
			continue
		}
		kind, ok := nodeKinds[r.Type]
		if !ok {
			return nil, fmt.Errorf("resolve node: unknown node type %q", r.Type)
		}
		err := s.read.QueryRowContext(ctx, refTables[kind], r.Key).Scan(&out[i].ID)
		if errors.Is(err, sql.ErrNoRows) {
			h, err := hints(ctx, s.read, kind, []string{r.Key}, nil)
			if err != nil {
				return nil, err
			}
			return nil, db.Errorf(db.CodeNotFound, "no %s %q%s", kind, r.Key, h[0])
		}
		if err != nil {
			return nil, fmt.Errorf("resolve %s %q: %w", kind, r.Key, err)
		}
		out[i].Key = ""
	}
	return out, nil
}
