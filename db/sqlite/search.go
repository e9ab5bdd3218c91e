package sqlite

import (
	stdcmp "cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/geotimeline/geotimeline/db"
)

// Full-text search over the index that search_index.go keeps.
//
// User text never reaches MATCH as written: matchQuery rebuilds it from its
// words alone, each quoted as a phrase, so that FTS syntax (quotes, AND, OR,
// NOT, NEAR, "-", "^", "*", column filters, parentheses) is read as plain
// text. Should SQLite still refuse a MATCH expression, the client gets
// BAD_USER_INPUT, never SQLite's message.

// maxSearchRows bounds the matching rows Search reads and ranks: with
// more matches, only the first maxSearchRows in docid order (record id,
// then kind) are ranked.
const maxSearchRows = 5000

// BM25 parameters: the usual k1 and b, and the weight of a hit in each
// column of search_text (title, body).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

var columnWeights = [...]float64{2.0, 1.0}

// matchQuery turns user text into an FTS4 MATCH expression that finds the
// records holding every word of it (db.ParseSearch): each word quoted as a
// phrase, `"word"`, which leaves FTS keywords and operators no meaning, the
// phrases joined with spaces (all must match), and a prefix last word
// written `"word*"`.
func matchQuery(text string) (string, error) {
	terms, err := db.ParseSearch(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, w := range terms.Words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(w)
		if i == len(terms.Words)-1 && terms.Prefix {
			b.WriteByte('*')
		}
		b.WriteByte('"')
	}
	return b.String(), nil
}

// matchError turns SQLite's refusal of a MATCH expression (SQLITE_ERROR:
// "malformed MATCH expression", "unable to use function MATCH", …) into
// BAD_USER_INPUT without SQLite's text. Any other error (a cancelled
// context, I/O) stays internal.
func matchError(text, what string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrError {
		return db.Errorf(db.CodeInvalid, "search text %q cannot be searched", text)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Search returns the best limit actors, events and statements for text:
// those holding every word of it (read as matchQuery says) in a title (an
// actor's name and aliases, an event's title, a statement's text) or body
// (description; summary and tags; summary). Hits come highest score first,
// ties by kind (ACTOR, EVENT, STATEMENT) then id.
//
// The score is BM25 with title hits weighing twice as much as body hits; see
// bm25. To bound the work of a search whatever the database holds, at most
// the first 5 000 matching records in docid order (record id, then kind) are
// read and ranked.
//
// A limit outside 1–100, or text with no words, more than 16 words or more
// than 1 000 bytes is a BAD_USER_INPUT error.
func (s *Store) Search(ctx context.Context, text string, limit int) ([]db.SearchHit, error) {
	if err := db.CheckSearchLimit(limit); err != nil {
		return nil, err
	}
	match, err := matchQuery(text)
	if err != nil {
		return nil, err
	}
	return s.searchMatch(ctx, text, match, limit)
}

// searchMatch runs a MATCH expression built from text and ranks its hits.
func (s *Store) searchMatch(ctx context.Context, text, match string, limit int) ([]db.SearchHit, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT docid, matchinfo(search_text, 'pcnalx') FROM search_text
		WHERE search_text MATCH ? ORDER BY docid LIMIT ?`, match, maxSearchRows)
	if err != nil {
		return nil, matchError(text, "search", err)
	}
	defer rows.Close()
	hits := []db.SearchHit{}
	for rows.Next() {
		var doc int64
		var info []byte
		if err := rows.Scan(&doc, &info); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		score, err := bm25(info)
		if err != nil {
			return nil, fmt.Errorf("search: docid %d: %w", doc, err)
		}
		hits = append(hits, db.SearchHit{Kind: hitKinds[doc&3], ID: doc >> 2, Score: score})
	}
	if err := rows.Err(); err != nil {
		return nil, matchError(text, "search", err)
	}
	slices.SortFunc(hits, func(a, b db.SearchHit) int {
		return stdcmp.Or(stdcmp.Compare(b.Score, a.Score), stdcmp.Compare(hitRank[a.Kind], hitRank[b.Kind]),
			stdcmp.Compare(a.ID, b.ID))
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// hitKinds names the kinds of docid (its low two bits); hitRank orders them.
var (
	hitKinds = [4]string{docActor: db.HitActor, docEvent: db.HitEvent, docStatement: db.HitStatement, 3: "UNKNOWN"}
	hitRank  = map[string]int{db.HitActor: docActor, db.HitEvent: docEvent, db.HitStatement: docStatement}
)

// bm25 scores one row from its matchinfo(search_text, 'pcnalx') blob, an
// array of unsigned 32-bit integers in the machine's byte order (little-endian
// on amd64 and arm64):
//
//	p        phrases in the query
//	c        columns (2: title, body)
//	n        rows in the table
//	a[c]     average tokens per column, rounded to the nearest (FTS4
//	         adds n/2 to the total before dividing)
//	l[c]     tokens per column in this row
//	x[p][c]  3 each: hits in this row, hits in all rows, rows with a hit
//
// The score sums, over phrases q and columns i with a hit,
//
//	w[i] · idf(q, i) · tf·(k1+1) / (tf + k1·(1 − b + b·l[i]/a[i]))
//
// where tf is the phrase's hits in the column of this row, w is 2 for the
// title and 1 for the body, k1 = 1.2, b = 0.75, and idf(q, i) =
// ln(1 + (n − d + 0.5) / (d + 0.5)), d the rows with a hit in that column:
// FTS4 counts matching rows per column, and this form of idf stays positive
// for a word most rows hold.
func bm25(info []byte) (float64, error) {
	if len(info)%4 != 0 || len(info) < 12 {
		return 0, fmt.Errorf("matchinfo of %d bytes", len(info))
	}
	u := func(i int) float64 { return float64(binary.NativeEndian.Uint32(info[4*i:])) }
	p, c := int(u(0)), int(u(1))
	if c != len(columnWeights) || len(info)/4 != 3+2*c+3*c*p {
		return 0, fmt.Errorf("matchinfo of %d bytes for %d phrases and %d columns", len(info), p, c)
	}
	n := u(2)
	const avg, length, hits = 3, 3 + len(columnWeights), 3 + 2*len(columnWeights)
	score := 0.0
	for q := range p {
		for i, w := range columnWeights {
			x := hits + 3*(q*c+i)
			tf, d := u(x), u(x+2)
			if tf == 0 {
				continue
			}
			idf := math.Log(1 + (n-d+0.5)/(d+0.5))
			norm := bm25K1 * (1 - bm25B + bm25B*u(length+i)/max(u(avg+i), 1))
			score += w * idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	return score, nil
}

// timelineTextSQL keeps the timeline index rows t whose item matches a
// MATCH expression. A timeline item's docid is item_id*4 + kind + 1 (see
// search_index.go); actors' docids never equal one.
const timelineTextSQL = `(t.item_id * 4 + t.kind + 1) IN (SELECT docid FROM search_text WHERE search_text MATCH ?)`

// defaultRareMatches is Store.rareMatches's default: the number of matching
// events and statements below which a text filter is rare: reads start from its matches, each looked up in the
// timeline index (about 1.5 µs each), instead of walking the timeline in
// order until a page of them turns up, which reads about N/matches rows per
// item found and costs O(N) for a word no item holds beyond the last page.
// FTS4 reads a doclist incrementally, so counting up to the bound costs no
// more than the bound, however common the word.
const defaultRareMatches = 2000

// timelineText compiles the timeline's text filter to a MATCH expression and
// reports whether any event or statement matches it at all (when none does,
// the timeline is answered without reading it) and whether fewer than
// the store's rareMatches do.
func (s *Store) timelineText(ctx context.Context, text string) (match string, found, rare bool, err error) {
	if match, err = matchQuery(text); err != nil {
		return "", false, false, err
	}
	var n int
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM search_text
		WHERE search_text MATCH ? AND (docid & 3) IN (1, 2) LIMIT ?)`, match, max(s.rareMatches, 1)).Scan(&n)
	if err != nil {
		return "", false, false, matchError(text, "timeline text", err)
	}
	return match, n > 0, n < s.rareMatches, nil
}
