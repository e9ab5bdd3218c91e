package postgres

import (
	stdcmp "cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// Full-text search over search_text (migration 00003), with SQLite's rules
// (db.ParseSearch): user text never reaches to_tsquery as written. Its
// words are rebuilt into a tsquery of quoted lexemes, `'word1' & 'word2':*`,
// which leaves tsquery operators (&, |, !, <->, :, parentheses) no meaning,
// and folded by the same unaccent and 'simple' configuration as the
// documents, as FTS4 runs a MATCH phrase through its tokenizer.

// maxSearchRows bounds the matching rows Search reads and ranks, as
// SQLite's: with more matches, only the first maxSearchRows in docid order
// (record id, then kind) are ranked.
const maxSearchRows = 5000

// BM25 parameters, as SQLite's: the usual k1 and b, and the weight of a hit
// in the title (weight A in the document) and the body (weight B).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

var columnWeights = [...]struct {
	label  byte
	weight float64
}{{'A', 2.0}, {'B', 1.0}}

// searchQuerySQL is the tsquery of the parameter placeholder p: a tsQuery
// string, folded as the documents are.
func searchQuerySQL(p string) string {
	return `to_tsquery('simple'::regconfig, unaccent('unaccent'::regdictionary, ` + p + `))`
}

// tsQuery writes terms as tsquery text: every word a quoted lexeme, all
// required, the last one a prefix when terms say so; with a weight label
// ('A', 'B'), the lexemes match in that part of a document only. The words
// hold letters, digits and marks alone, but quotes and backslashes are
// escaped all the same.
func tsQuery(terms db.SearchTerms, label byte) string {
	var b strings.Builder
	for i, w := range terms.Words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString(tsWord(w, terms.Prefix && i == len(terms.Words)-1, label))
	}
	return b.String()
}

func tsWord(w string, prefix bool, label byte) string {
	var b strings.Builder
	b.WriteByte('\'')
	b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w))
	b.WriteByte('\'')
	if prefix || label != 0 {
		b.WriteByte(':')
	}
	if prefix {
		b.WriteByte('*')
	}
	if label != 0 {
		b.WriteByte(label)
	}
	return b.String()
}

// Search returns the best limit actors, events and statements for text:
// those holding every word of it (db.ParseSearch) in a title (an actor's
// name and aliases, an event's title, a statement's text) or body
// (description; summary and tags; summary). Hits come highest score first,
// ties by kind (ACTOR, EVENT, STATEMENT) then id.
//
// The score is SQLite's BM25 (title hits weigh twice as much as body
// hits) from the same counts, read with the hits in one statement. To
// bound the work of a search whatever the database holds, at most the
// first 5 000 matching records in docid order are read and ranked.
//
// A limit outside 1–100, or text with no words, more than 16 words or more
// than 1 000 bytes is a BAD_USER_INPUT error.
func (s *Store) Search(ctx context.Context, text string, limit int) ([]db.SearchHit, error) {
	if err := db.CheckSearchLimit(limit); err != nil {
		return nil, err
	}
	terms, err := db.ParseSearch(text)
	if err != nil {
		return nil, err
	}
	q, args := searchSQL(terms)
	rows, err := s.reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	st := &searchStats{terms: terms, rows: make([][len(columnWeights)]float64, len(terms.Words))}
	var docs []int64
	var vectors []tsVector
	for rows.Next() {
		var doc, n int64
		var text string
		var tokens [len(columnWeights)]int64
		var lexemes []byte
		counts := make([]int64, len(terms.Words)*len(columnWeights))
		dst := []any{&doc, &text, &n, &tokens[0], &tokens[1], &lexemes}
		for i := range counts {
			dst = append(dst, &counts[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: %w", err)
		}
		v, err := parseTSVector(text)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: docid %d: %w", doc, err)
		}
		docs, vectors = append(docs, doc), append(vectors, v)
		if len(docs) == 1 {
			if err := json.Unmarshal(lexemes, &st.lexemes); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: lexemes: %w", err)
			}
			st.n = float64(n)
			for i := range columnWeights {
				// FTS4's matchinfo 'a': tokens per row, rounded to
				// the nearest whole token (fts3_snippet.c adds nDoc/2
				// before dividing).
				st.avg[i] = float64((tokens[i] + n/2) / max(n, 1))
			}
			for i := range terms.Words {
				for c := range columnWeights {
					st.rows[i][c] = float64(counts[i*len(columnWeights)+c])
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	hits := []db.SearchHit{}
	if len(docs) == 0 {
		return hits, nil
	}
	if len(st.lexemes) != len(terms.Words) {
		return nil, fmt.Errorf("search: %d words folded into %d", len(terms.Words), len(st.lexemes))
	}
	for i, doc := range docs {
		hits = append(hits, db.SearchHit{Kind: hitKinds[doc&3], ID: doc >> 2, Score: st.bm25(vectors[i])})
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

// Kinds of record in search_text: the low two bits of a docid.
const (
	docActor     = 0
	docEvent     = 1
	docStatement = 2
)

// A timeline item's docid is item_id*4 + kind + 1 (the timeline's text
// filter relies on it): these fail to compile if the kind codes drift
// apart.
var (
	_ [docEvent - kindEvent - 1]struct{}
	_ [docStatement - kindStatement - 1]struct{}
	_ [kindEvent + 1 - docEvent]struct{}
	_ [kindStatement + 1 - docStatement]struct{}
)

// hitKinds names the kinds of docid (its low two bits); hitRank orders them.
var (
	hitKinds = [4]string{docActor: db.HitActor, docEvent: db.HitEvent, docStatement: db.HitStatement, 3: "UNKNOWN"}
	hitRank  = map[string]int{db.HitActor: docActor, db.HitEvent: docEvent, db.HitStatement: docStatement}
)

// searchStats are the counts BM25 needs beyond one row's: the rows of the
// index, and for each word and column the rows with a hit there, as
// FTS4's matchinfo gives them, and each word's lexemes as the documents
// hold them (a word the parser splits, as "cross-border", is several).
type searchStats struct {
	terms   db.SearchTerms
	lexemes [][]string
	n       float64
	rows    [][len(columnWeights)]float64
	avg     [len(columnWeights)]float64
}

// searchSQL is Search's one statement: the matching documents, each
// with the counts BM25 needs beyond its own (searchStats), which are the
// same on every row: the rows of the index and their titles' and bodies'
// tokens (kept in search_stats, migration 00016), each word's lexemes as
// the documents hold them, and for each word and column the count of the
// documents holding it there (the GIN index finds the documents holding
// the word; the weight is checked on each). One statement, as SQLite's
// search is: a request's cost in round trips is the same on both stores.
func searchSQL(terms db.SearchTerms) (string, []any) {
	args := []any{tsQuery(terms, 0), maxSearchRows, terms.Words}
	var q strings.Builder
	q.WriteString(`WITH hits AS (SELECT docid, document FROM search_text
		WHERE document @@ ` + searchQuerySQL("$1") + ` ORDER BY docid LIMIT $2),
	stats AS MATERIALIZED (SELECT st.docs, st.title_tokens, st.body_tokens,
		(SELECT json_agg(tsvector_to_array(to_tsvector('simple'::regconfig,
			unaccent('unaccent'::regdictionary, w))) ORDER BY i)
		 FROM unnest($3::text[]) WITH ORDINALITY AS u (w, i)) AS lexemes`)
	for i, w := range terms.Words {
		prefix := terms.Prefix && i == len(terms.Words)-1
		for _, c := range columnWeights {
			args = append(args, tsWord(w, prefix, c.label))
			fmt.Fprintf(&q, `,
		(SELECT count(*) FROM search_text WHERE document @@ %s)`, searchQuerySQL(fmt.Sprintf("$%d", len(args))))
		}
	}
	q.WriteString(`
		FROM search_stats st WHERE st.id = 0 AND EXISTS (SELECT FROM hits))
	SELECT h.docid, h.document::text, s.* FROM hits h, stats s ORDER BY h.docid`)
	return q.String(), args
}

// bm25 scores one document as SQLite's bm25 does a row: the sum, over words
// q and columns i with a hit, of
//
//	w[i] · idf(q, i) · tf·(k1+1) / (tf + k1·(1 − b + b·l[i]/a[i]))
//
// with idf(q, i) = ln(1 + (n − d + 0.5) / (d + 0.5)). A word of several
// lexemes (a phrase to FTS4) counts the hits of its rarest lexeme.
func (st *searchStats) bm25(v tsVector) float64 {
	score := 0.0
	for q := range st.terms.Words {
		prefix := st.terms.Prefix && q == len(st.terms.Words)-1
		for i, c := range columnWeights {
			tf := v.hits(st.lexemes[q], prefix, c.label)
			if tf == 0 {
				continue
			}
			d := st.rows[q][i]
			idf := math.Log(1 + (st.n-d+0.5)/(d+0.5))
			norm := bm25K1 * (1 - bm25B + bm25B*float64(v.length(c.label))/max(st.avg[i], 1))
			score += c.weight * idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	return score
}

// tsVector is a document as its text form lists it: each lexeme with the
// weight labels of its positions.
type tsVector map[string][]byte

// parseTSVector reads PostgreSQL's text form of a tsvector:
// 'lexeme':1A,5B 'it”s':2 ... (a position without a label is D).
func parseTSVector(s string) (tsVector, error) {
	v := tsVector{}
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		if s[i] != '\'' {
			return nil, fmt.Errorf("tsvector: unexpected %q at %d", s[i], i)
		}
		var lx strings.Builder
		i++
		for {
			if i >= len(s) {
				return nil, fmt.Errorf("tsvector: unterminated lexeme")
			}
			if s[i] == '\\' && i+1 < len(s) {
				lx.WriteByte(s[i+1])
				i += 2
				continue
			}
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					lx.WriteByte('\'')
					i += 2
					continue
				}
				i++
				break
			}
			lx.WriteByte(s[i])
			i++
		}
		var labels []byte
		if i < len(s) && s[i] == ':' {
			i++
			for i < len(s) && s[i] != ' ' {
				// A position: digits, then maybe a label, then maybe a comma.
				for i < len(s) && s[i] >= '0' && s[i] <= '9' {
					i++
				}
				label := byte('D')
				if i < len(s) && s[i] >= 'A' && s[i] <= 'D' {
					label = s[i]
					i++
				}
				labels = append(labels, label)
				if i < len(s) && s[i] == ',' {
					i++
				}
			}
		}
		v[lx.String()] = append(v[lx.String()], labels...)
	}
	return v, nil
}

// length is the number of positions of v labelled label: the tokens of one
// column, as FTS4's tokenizer counts them. A hyphenated word's compound
// lexeme ('timor-leste', beside 'timor' and 'leste') is no token of its
// own there, and is not counted (search_tokens, migration 00016, neither).
func (v tsVector) length(label byte) int {
	n := 0
	for lx, labels := range v {
		if strings.Contains(lx, "-") {
			continue
		}
		for _, l := range labels {
			if l == label {
				n++
			}
		}
	}
	return n
}

// hits counts the positions labelled label of a word's lexemes (the
// fewest of any of them), the last a prefix when prefix is set.
func (v tsVector) hits(lexemes []string, prefix bool, label byte) float64 {
	fewest := -1
	for j, want := range lexemes {
		n := 0
		for lx, labels := range v {
			if lx != want && !(prefix && j == len(lexemes)-1 && strings.HasPrefix(lx, want)) {
				continue
			}
			for _, l := range labels {
				if l == label {
					n++
				}
			}
		}
		if fewest < 0 || n < fewest {
			fewest = n
		}
	}
	return float64(max(fewest, 0))
}
