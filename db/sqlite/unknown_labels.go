package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// Tags and codes are free labels, not records, but a filter value that no
// event carries names nothing all the same: `tags: ["kashmri"]` or
// `codes: ["PLOVR:ASSAULT"]` would answer "no events" as if that were a
// finding. Each is looked up in an index of its own (migration 00013), and
// one that matches no event is a BAD_USER_INPUT error with the nearest
// labels stored.

// checkTags refuses the tags that no event carries.
func (s *Store) checkTags(ctx context.Context, tags []string) error {
	in, args := inClause("tag", tags)
	found, err := s.texts(ctx, `SELECT DISTINCT tag FROM event_tags WHERE `+in, args...)
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
	known, err := s.labelCandidates(ctx, `SELECT DISTINCT tag FROM event_tags LIMIT ?`)
	if err != nil {
		return err
	}
	var parts []string
	for _, t := range missing[:min(len(missing), maxUnknownNamed)] {
		parts = append(parts, fmt.Sprintf("no event has the tag %q%s", t, suggest.Hint(suggest.Nearest(t, known))))
	}
	return labelsError(parts, len(missing), "tags")
}

// checkCodes refuses the codes (and prefixes) that match no event's code.
// A scheme that no event uses is named as such, with the value under the
// schemes nearest to it, so that "PLOVR:ASSAULT" is answered with
// "PLOVER:ASSAULT" rather than with codes of other schemes.
func (s *Store) checkCodes(ctx context.Context, ms []db.CodeMatch) error {
	var missing []db.CodeMatch
	for _, m := range ms {
		// One probe (a prefix one range) of event_codes_scheme_code: the
		// condition the filter checks each event's codes with.
		cond, args := codeMatchCondition("c", m)
		var ok bool
		if err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM event_codes c WHERE `+cond+`)`, args...).Scan(&ok); err != nil {
			return fmt.Errorf("look up codes: %w", err)
		}
		if !ok && !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	schemes, err := s.labelCandidates(ctx, `SELECT DISTINCT scheme FROM event_codes LIMIT ?`)
	if err != nil {
		return err
	}
	codes, err := s.labelCandidates(ctx, `SELECT DISTINCT scheme || ':' || code FROM event_codes LIMIT ?`)
	if err != nil {
		return err
	}
	return suggest.UnknownCodes(missing, schemes, codes, maxUnknownNamed)
}

// labelsError joins the parts naming the first unknown labels, counting
// the others.
func labelsError(parts []string, n int, what string) error {
	if more := n - len(parts); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more unknown %s", more, what))
	}
	return db.Errorf(db.CodeInvalid, "%s", strings.Join(parts, "; "))
}

// texts runs a query of one text column and returns its values in order.
func (s *Store) texts(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanColumn[string](rows)
}

// labelCandidates reads at most maxSuggestionScan distinct labels (query
// takes the limit), sorted, as the candidates of a hint.
func (s *Store) labelCandidates(ctx context.Context, query string) ([]suggest.Candidate, error) {
	found, err := s.texts(ctx, query, maxSuggestionScan)
	if err != nil {
		return nil, fmt.Errorf("read labels to suggest: %w", err)
	}
	slices.Sort(found)
	out := make([]suggest.Candidate, len(found))
	for i, v := range found {
		out[i] = suggest.Candidate{Value: v, Texts: []string{v}}
	}
	return out, nil
}
