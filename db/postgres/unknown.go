package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// Errors for keys and labels that name nothing, with the nearest known
// values as hints, worded as the SQLite store words them (db/sqlite
// unknown.go, unknown_labels.go): `unknown actor "x": did you mean "y"?`.

// maxUnknownNamed bounds the unknown keys one error names.
const maxUnknownNamed = 5

// maxHintedRefs bounds the unknown references of a write that get hints.
const maxHintedRefs = 20

// maxSuggestionScan bounds the stored records one error compares against,
// so that a stream of misspelt keys costs each request a bounded read.
const maxSuggestionScan = 100_000

// suggestionTexts reads, per kind, the column a hint names and the text a
// person may have written instead of it.
var suggestionTexts = map[db.RefKind]string{
	db.RefActor:     `SELECT key, name FROM actors ORDER BY id LIMIT $1`,
	db.RefEvent:     `SELECT key, title FROM events ORDER BY id LIMIT $1`,
	db.RefStatement: `SELECT key, '' FROM statements ORDER BY id LIMIT $1`,
	db.RefSource:    `SELECT key, title FROM sources ORDER BY id LIMIT $1`,
	// ISO 3166-1 codes are iso3166.Suggest's; these are the others.
	db.RefCountry: `SELECT code, name FROM countries WHERE from_fixture ORDER BY id LIMIT $1`,
}

// hints returns, for each key of kind, the end of its message: the nearest
// known values (suggest.Hint), or "" when none is near.
func hints(ctx context.Context, q querier, kind db.RefKind, keys []string) ([]string, error) {
	var direct func(string) []string
	if kind == db.RefCountry {
		direct = iso3166.Suggest
	}
	return suggest.Hints(keys, direct, nil, func() ([]suggest.Candidate, error) { return candidates(ctx, q, kind) })
}

func candidates(ctx context.Context, q querier, kind db.RefKind) ([]suggest.Candidate, error) {
	query, ok := suggestionTexts[kind]
	if !ok {
		return nil, fmt.Errorf("suggest: unknown reference kind %q", kind)
	}
	rows, err := q.Query(ctx, query, maxSuggestionScan)
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

// unknownKeys is the error for keys of kind that name nothing, one part
// per key (the first maxUnknownNamed), joined by "; ".
func (s *Store) unknownKeys(ctx context.Context, kind db.RefKind, keys []string) error {
	ends, err := hints(ctx, s.pool, kind, keys[:min(len(keys), maxUnknownNamed)])
	if err != nil {
		return err
	}
	parts := make([]string, 0, len(ends)+1)
	for i, h := range ends {
		parts = append(parts, db.UnknownRef(db.Ref{Kind: kind, Key: keys[i]}).What+h)
	}
	if more := len(keys) - len(ends); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more unknown %ss", more, kind))
	}
	return db.Errorf(db.CodeInvalid, "%s", strings.Join(parts, "; "))
}

// addHints ends the problems of unknown references (probs[i] for refs[i])
// with their hints.
func addHints(ctx context.Context, q querier, probs db.Problems, refs []db.Ref) error {
	byKind := map[db.RefKind][]int{}
	for i, r := range refs[:min(len(refs), maxHintedRefs)] {
		byKind[r.Kind] = append(byKind[r.Kind], i)
	}
	for kind, idx := range byKind {
		keys := make([]string, len(idx))
		for j, i := range idx {
			keys[j] = refs[i].Key
		}
		ends, err := hints(ctx, q, kind, keys)
		if err != nil {
			return err
		}
		for j, i := range idx {
			probs[i].What += ends[j]
		}
	}
	return nil
}

// checkTags refuses the tags that no event has, naming the nearest.
func (s *Store) checkTags(ctx context.Context, tags []string) error {
	found, err := s.texts(ctx, `SELECT DISTINCT tag FROM event_tags WHERE tag = ANY ($1)`, tags)
	if err != nil {
		return fmt.Errorf("look up tags: %w", err)
	}
	var missing []string
	for _, t := range tags {
		if !slices.Contains(found, t) && !slices.Contains(missing, t) {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	known, err := s.texts(ctx, `SELECT DISTINCT tag FROM event_tags LIMIT $1`, maxSuggestionScan)
	if err != nil {
		return fmt.Errorf("read labels to suggest: %w", err)
	}
	slices.Sort(known)
	cands := make([]suggest.Candidate, len(known))
	for i, v := range known {
		cands[i] = suggest.Candidate{Value: v, Texts: []string{v}}
	}
	var parts []string
	for _, t := range missing[:min(len(missing), maxUnknownNamed)] {
		parts = append(parts, fmt.Sprintf("no event has the tag %q%s", t, suggest.Hint(suggest.Nearest(t, cands))))
	}
	if more := len(missing) - len(parts); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more unknown %s", more, "tags"))
	}
	return db.Errorf(db.CodeInvalid, "%s", strings.Join(parts, "; "))
}

// texts runs a query of one text column and returns its values in order.
func (s *Store) texts(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.reader(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
