package db

// The bounds on what one request may name, enforced before any SQL so that
// an oversized argument is the caller's error (BAD_USER_INPUT, naming the
// argument and the bound) and never an internal one: SQLite refuses a
// statement of more than 32 766 variables, and a list of that size is no
// dashboard's filter.
const (
	// MaxListLength bounds every list argument of a filter (actors,
	// countries, event types, roles, kinds, edge kinds, include). The
	// dashboard sends a handful; an analyst's saved list of a few hundred
	// actors fits.
	MaxListLength = 1000
	// MaxTextBytes bounds full-text search text and text filters.
	MaxTextBytes = 1000
	// MaxCodeBytes bounds a country code argument. Codes are 2 or 3
	// letters; the bound is higher so that a country name written by
	// mistake gets the "not an ISO 3166-1 code" error that quotes it,
	// while a pasted blob is refused without being echoed.
	MaxCodeBytes = 64
)

// CheckList returns a BAD_USER_INPUT error naming arg ("filter.actors") when
// a list of n entries, each a noun ("keys"), is longer than MaxListLength.
func CheckList(arg, noun string, n int) error {
	if n > MaxListLength {
		return Errorf(CodeInvalid, "%s has %d %s, more than the limit of %d", arg, n, noun, MaxListLength)
	}
	return nil
}

// CheckBytes returns a BAD_USER_INPUT error naming arg when s is longer than
// max bytes.
func CheckBytes(arg, s string, max int) error {
	if len(s) > max {
		return Errorf(CodeInvalid, "%s is %d bytes, more than the limit of %d", arg, len(s), max)
	}
	return nil
}

// CheckCodes bounds and reads a codes filter ("SCHEME:CODE" or
// "SCHEME:PREFIX*" each), named as arg[i].
func CheckCodes(arg string, values []string) ([]CodeMatch, error) {
	if err := CheckList(arg, "values", len(values)); err != nil {
		return nil, err
	}
	var out []CodeMatch
	for i, v := range values {
		if len(v) > MaxTextBytes {
			return nil, Errorf(CodeInvalid, "%s[%d] is %d bytes, more than the limit of %d", arg, i, len(v), MaxTextBytes)
		}
		m, err := ParseCodeMatch(v)
		if err != nil {
			return nil, Errorf(CodeInvalid, "%s[%d]: %v", arg, i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// CheckKeys bounds a list of record keys: its length, then each key's
// (MaxKeyLength; a longer one names no record and is refused rather than
// looked up), named as arg[i].
func CheckKeys(arg string, keys []string) error {
	if err := CheckList(arg, "keys", len(keys)); err != nil {
		return err
	}
	for i, k := range keys {
		if len(k) > MaxKeyLength {
			return Errorf(CodeInvalid, "%s[%d] is %d bytes, more than the limit of %d", arg, i, len(k), MaxKeyLength)
		}
	}
	return nil
}
