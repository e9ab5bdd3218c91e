package postgres

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// codeMatchCondition is the condition on the codes aliased alias that m
// matches: scheme and code equal, or for a prefix the code in the range
// [prefix, successor), so that event_codes_scheme_code answers it; arg
// adds a parameter and returns its placeholder.
func codeMatchCondition(alias string, m db.CodeMatch, arg func(any) string) string {
	cond := alias + `.scheme = ` + arg(m.Scheme)
	if !m.Prefix {
		return cond + ` AND ` + alias + `.code = ` + arg(m.Code)
	}
	cond += ` AND ` + alias + `.code >= ` + arg(m.Code)
	if next, ok := prefixSuccessor(m.Code); ok {
		cond += ` AND ` + alias + `.code < ` + arg(next)
	}
	return cond
}

// prefixSuccessor is the least string greater than every string that
// begins with p, under COLLATE "C" (byte order, which for UTF-8 is code
// point order): p with its last character that can be incremented
// incremented and what follows dropped. Unlike SQLite's, it must be valid
// UTF-8 (PostgreSQL's text is), so it steps code points, not bytes.
func prefixSuccessor(p string) (string, bool) {
	runes := []rune(p)
	for i := len(runes) - 1; i >= 0; i-- {
		r := runes[i] + 1
		if r >= 0xD800 && r <= 0xDFFF {
			r = 0xE000 // past the surrogates, which UTF-8 cannot hold
		}
		if r <= utf8.MaxRune {
			runes[i] = r
			return string(runes[:i+1]), true
		}
	}
	return "", false
}

// checkCodes refuses the codes (and prefixes) that match no event's code,
// worded and hinted as the SQLite store's.
func (s *Store) checkCodes(ctx context.Context, ms []db.CodeMatch) error {
	var missing []db.CodeMatch
	for _, m := range ms {
		var args []any
		cond := codeMatchCondition("c", m, func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		})
		var ok bool
		if err := s.reader(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM event_codes c WHERE `+cond+`)`, args...).Scan(&ok); err != nil {
			return fmt.Errorf("look up codes: %w", err)
		}
		if !ok && !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	schemes, err := s.labelCandidates(ctx, `SELECT DISTINCT scheme FROM event_codes LIMIT $1`)
	if err != nil {
		return err
	}
	codes, err := s.labelCandidates(ctx, `SELECT DISTINCT scheme || ':' || code FROM event_codes LIMIT $1`)
	if err != nil {
		return err
	}
	return suggest.UnknownCodes(missing, schemes, codes, maxUnknownNamed)
}

// labelCandidates reads the values of one text column a hint may name,
// sorted.
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
