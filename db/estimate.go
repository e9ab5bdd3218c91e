package db

import (
	"fmt"
	"strings"
)

// FatalityRange is the range of fatalities an event's figures span, what
// eventCounts sums (API.md): the least of its FATALITIES estimates' lows
// and the greatest of their highs, where an estimate's low is Low, else
// Best, else High, and its high is High, else Best, else Low. An event
// without FATALITIES estimates has its own Fatalities (0 when absent) for
// both. The store keeps the two as columns, so this is the one definition.
func (e *Event) FatalityRange() (low, high int) {
	found := false
	for _, est := range e.Estimates {
		if est.Measure != MeasureFatalities {
			continue
		}
		l, h := est.bounds()
		if !found {
			low, high, found = l, h, true
			continue
		}
		low, high = min(low, l), max(high, h)
	}
	if !found && e.Fatalities != nil {
		return *e.Fatalities, *e.Fatalities
	}
	return low, high
}

// bounds is the estimate's low and high as FatalityRange reads them. An
// estimate has at least one figure; one without any counts as 0.
func (est Estimate) bounds() (low, high int) {
	first := func(ps ...*int) int {
		for _, p := range ps {
			if p != nil {
				return *p
			}
		}
		return 0
	}
	return first(est.Low, est.Best, est.High), first(est.High, est.Best, est.Low)
}

// MaxSchemeLength is the longest code scheme name.
const MaxSchemeLength = 16

// ValidScheme reports whether s names a code scheme: 1 to 16 characters of
// A-Z 0-9 _.
func ValidScheme(s string) bool {
	if len(s) == 0 || len(s) > MaxSchemeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// CodeMatch is one value of a codes filter: "SCHEME:CODE" matches that code
// exactly, "SCHEME:PREFIX*" every code of the scheme that begins with
// PREFIX. Codes are compared as bytes.
type CodeMatch struct {
	Scheme string
	Code   string // the code, or the prefix when Prefix
	Prefix bool
}

// ParseCodeMatch reads a codes filter value.
func ParseCodeMatch(v string) (CodeMatch, error) {
	scheme, code, ok := strings.Cut(v, ":")
	switch {
	case !ok:
		return CodeMatch{}, fmt.Errorf(`invalid code %q: want "SCHEME:CODE" or "SCHEME:PREFIX*"`, v)
	case !ValidScheme(scheme):
		return CodeMatch{}, fmt.Errorf(`invalid code %q: the scheme must be 1 to %d characters of A-Z 0-9 _`, v, MaxSchemeLength)
	}
	m := CodeMatch{Scheme: scheme, Code: code}
	if c, star := strings.CutSuffix(code, "*"); star {
		m.Code, m.Prefix = c, true
	}
	switch {
	case strings.Contains(m.Code, "*"):
		return CodeMatch{}, fmt.Errorf(`invalid code %q: "*" may only end the code, for a prefix`, v)
	case m.Code == "" && !m.Prefix:
		// "SCHEME:*" is every code of the scheme: an event's dataset.
		return CodeMatch{}, fmt.Errorf(`invalid code %q: the code must not be empty (SCHEME:* is every code of a scheme)`, v)
	}
	return m, nil
}
