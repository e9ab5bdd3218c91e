package db

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The kinds of record a search hit can be, as SearchHit.Kind spells them.
const (
	HitActor     = "ACTOR"
	HitEvent     = "EVENT"
	HitStatement = "STATEMENT"
)

// SearchHit is one record that full-text search found: an actor (its name,
// aliases or description matched), an event (title, summary or tags) or a
// statement (text or summary).
type SearchHit struct {
	// Kind is HitActor, HitEvent or HitStatement.
	Kind string
	// ID is the record's row id.
	ID int64
	// Score is the hit's relevance, higher first; it only compares hits of
	// the same search.
	Score float64
}

// Bounds of one search, the same for every store.
const (
	// MaxSearchWords bounds the words of one search: each costs the store
	// a read of the records holding it.
	MaxSearchWords = 16
	// MinPrefixRunes is the shortest word a "*" makes a prefix of: "a*"
	// would read the records of every word beginning with a. A shorter one
	// is looked up as a whole word.
	MinPrefixRunes = 3
	// MaxSearchLimit bounds Search's limit, as the API bounds page sizes.
	MaxSearchLimit = 100
)

// SearchTerms is user search text as the stores look it up: records that
// hold every word, the last one as a prefix when Prefix is set.
type SearchTerms struct {
	// Words are lower-case runs of letters, digits and their combining
	// marks, without combining diacritics; never empty.
	Words []string
	// Prefix reports whether the last word is a prefix.
	Prefix bool
}

// ParseSearch reads user search text into words, the one rule behind the
// stores' full-text search and the timeline's text filter, so that no
// full-text syntax of any engine reaches it.
//
// A word is a run of letters, digits and the combining marks that belong to
// them (Devanagari and Arabic script vowel signs); everything else (white
// space, punctuation, quotes, "*", "-", ":", parentheses, NUL, emoji)
// separates words. Combining diacritics (U+0300–U+036F and kin) are dropped,
// so that a decomposed "Pa\u0308halgam" is the word "pahalgam", as the
// stores' indexes read the precomposed "Pähalgam". Each word is lower-cased.
// When the text (less trailing white space) ends with "*" right after its
// last word, and that word has at least MinPrefixRunes characters, the last
// word is a prefix.
//
// Text over MaxTextBytes bytes, with no word or with more than
// MaxSearchWords words is a BAD_USER_INPUT error.
func ParseSearch(text string) (SearchTerms, error) {
	if len(text) > MaxTextBytes {
		return SearchTerms{}, Errorf(CodeInvalid, "search text is %d bytes long; at most %d are allowed", len(text), MaxTextBytes)
	}
	words := searchWords(text)
	if len(words) == 0 {
		return SearchTerms{}, Errorf(CodeInvalid, "search text %q has no words to look for", text)
	}
	if len(words) > MaxSearchWords {
		return SearchTerms{}, Errorf(CodeInvalid, "search text has %d words; at most %d are allowed", len(words), MaxSearchWords)
	}
	prefix := wantsPrefix(text) && utf8.RuneCountInString(words[len(words)-1]) >= MinPrefixRunes
	return SearchTerms{Words: words, Prefix: prefix}, nil
}

// CheckSearchLimit is Search's rule for its limit: 1 to MaxSearchLimit, or
// a BAD_USER_INPUT error.
func CheckSearchLimit(limit int) error {
	if limit < 1 || limit > MaxSearchLimit {
		return Errorf(CodeInvalid, "limit must be between 1 and %d, not %d", MaxSearchLimit, limit)
	}
	return nil
}

// searchWords splits text into lower-case words as ParseSearch describes.
func searchWords(text string) []string {
	var words []string
	var w strings.Builder
	hasLetter := false
	end := func() {
		// A run of marks alone (a stray virama) is no word.
		if hasLetter {
			words = append(words, w.String())
		}
		w.Reset()
		hasLetter = false
	}
	for _, r := range text {
		switch {
		case isDiacritic(r):
			// Dropped, not a separator.
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			w.WriteRune(unicode.ToLower(r))
			hasLetter = true
		case unicode.IsMark(r) && w.Len() > 0:
			w.WriteRune(r)
		default:
			end()
		}
	}
	end()
	return words
}

// isDiacritic reports whether r is a combining diacritical mark, which
// the indexes fold away from precomposed letters.
func isDiacritic(r rune) bool {
	return r >= 0x0300 && r <= 0x036F || r >= 0x1AB0 && r <= 0x1AFF ||
		r >= 0x1DC0 && r <= 0x1DFF || r >= 0x20D0 && r <= 0x20FF || r >= 0xFE20 && r <= 0xFE2F
}

// wantsPrefix reports whether text ends with "*" written right after a word.
func wantsPrefix(text string) bool {
	text = strings.TrimRightFunc(text, unicode.IsSpace)
	before, ok := strings.CutSuffix(text, "*")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(before)
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}
