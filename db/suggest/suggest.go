// Package suggest finds, for a value that names nothing (a misspelt actor
// key, a country code from another standard), the known values a person
// most likely meant: the "did you mean" of error messages. Distances are
// Levenshtein's, from github.com/agnivade/levenshtein, the library
// gqlparser uses for its own suggestions.
package suggest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/geotimeline/geotimeline/db"
)

// Max is how many suggestions a hint names at most.
const Max = 3

// Candidate is a value that may be suggested and the texts it answers to:
// an actor's key and name, say. Value is what the hint names.
type Candidate struct {
	Value string
	Texts []string
}

// Nearest returns up to Max values of candidates nearest to input, nearest
// first and then in the order given. A text equal to input but for case
// (or for separators: "Marco Rubio" for "marco-rubio") comes first; other
// texts count when their edit distance, ignoring case, is at most a third
// of input's length (at least 1, at most 3), so a short code does not
// bring every other short code. Each value is named once.
func Nearest(input string, candidates []Candidate) []string {
	in := fold(input)
	limit := min(max(1, utf8.RuneCountInString(in)/3), 3)
	type scored struct {
		value string
		dist  int
		order int
	}
	best := map[string]scored{}
	for i, c := range candidates {
		for _, t := range c.Texts {
			t = fold(t)
			if abs(utf8.RuneCountInString(t)-utf8.RuneCountInString(in)) > limit && t != in {
				continue
			}
			d := levenshtein.ComputeDistance(in, t)
			if d > limit {
				continue
			}
			if s, ok := best[c.Value]; !ok || d < s.dist {
				best[c.Value] = scored{c.Value, d, i}
			}
		}
	}
	found := make([]scored, 0, len(best))
	for _, s := range best {
		found = append(found, s)
	}
	slices.SortFunc(found, func(a, b scored) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return a.order - b.order
	})
	out := make([]string, 0, Max)
	for _, s := range found[:min(len(found), Max)] {
		out = append(out, s.value)
	}
	return out
}

// fold makes texts that differ only in case or in the separators between
// words equal: "Marco Rubio", "marco_rubio" and "marco-rubio".
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '.' {
			return '-'
		}
		return r
	}, s)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Hint is the end of a message naming suggestions: `: did you mean "a"?`,
// `: did you mean "a" or "b"?`, `: did you mean "a", "b" or "c"?`, and ""
// when there are none.
func Hint(values []string) string {
	if len(values) == 0 {
		return ""
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = `"` + v + `"`
	}
	last := quoted[len(quoted)-1]
	if len(quoted) == 1 {
		return ": did you mean " + last + "?"
	}
	return ": did you mean " + strings.Join(quoted[:len(quoted)-1], ", ") + " or " + last + "?"
}

// Hints returns, for each key, the end of its "unknown …" message: the
// values nearest it (Hint), or "" when none is near. direct, when not nil,
// answers a key first on its own (a country code from another standard,
// say); the others are compared with extra and with what stored reads, which
// is called once at most, and only when a key needs it. A store passes its
// read of the known values as stored.
func Hints(keys []string, direct func(string) []string, extra []Candidate, stored func() ([]Candidate, error)) ([]string, error) {
	out := make([]string, len(keys))
	cands := extra
	read := false
	for i, k := range keys {
		var near []string
		if direct != nil {
			near = direct(k)
		}
		if len(near) == 0 {
			if !read && stored != nil {
				more, err := stored()
				if err != nil {
					return nil, err
				}
				cands = append(cands, more...)
				read = true
			}
			near = Nearest(k, cands)
		}
		out[i] = Hint(near)
	}
	return out, nil
}

// Rows is what ReadCandidates reads of a store's query: database/sql's
// *Rows and pgx's Rows both have this shape. The store closes them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ReadCandidates reads rows of (value, text): a candidate is known by its
// value and, when the text is not empty, by its text too.
func ReadCandidates(rows Rows) ([]Candidate, error) {
	var out []Candidate
	for rows.Next() {
		var key, text string
		if err := rows.Scan(&key, &text); err != nil {
			return nil, err
		}
		texts := []string{key}
		if text != "" {
			texts = append(texts, text)
		}
		out = append(out, Candidate{Value: key, Texts: texts})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// UnknownCodes is the error for code matches that no event has (missing),
// one part per match (the first named), then how many more: a scheme that
// no event uses (not among schemes) is named as such, with the match under
// the schemes nearest to it; a whole code gets the nearest of codes (a
// prefix is no misspelling of a whole code).
//
// Errors: BAD_USER_INPUT, always.
func UnknownCodes(missing []db.CodeMatch, schemes, codes []Candidate, named int) error {
	var parts []string
	for _, m := range missing[:min(len(missing), named)] {
		written := m.Scheme + ":" + m.Code
		if m.Prefix {
			written += "*"
		}
		if !slices.ContainsFunc(schemes, func(c Candidate) bool { return c.Value == m.Scheme }) {
			near := Nearest(m.Scheme, schemes)
			for i, scheme := range near {
				near[i] = scheme + strings.TrimPrefix(written, m.Scheme)
			}
			parts = append(parts, fmt.Sprintf("no event has a code of the scheme %q (in %q)%s", m.Scheme, written, Hint(near)))
			continue
		}
		hint := ""
		if !m.Prefix {
			hint = Hint(Nearest(written, codes))
		}
		parts = append(parts, fmt.Sprintf("no event has a code matching %q%s", written, hint))
	}
	if more := len(missing) - len(parts); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more unknown codes", more))
	}
	return db.Errorf(db.CodeInvalid, "%s", strings.Join(parts, "; "))
}
