package sqlite

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/migrations"
)

func TestMatchQuery(t *testing.T) {
	for _, tt := range []struct {
		text, want, err string
	}{
		{"Pahalgam", `"pahalgam"`, ""},
		{"  Operation   SINDOOR ", `"operation" "sindoor"`, ""},
		{"Pähalgam", `"pähalgam"`, ""},
		{"Pa\u0308halgam", `"pahalgam"`, ""},
		{"cross-border", `"cross" "border"`, ""},
		{"indi*", `"indi*"`, ""},
		{"indi*  \n", `"indi*"`, ""},
		{"indi* pak*", `"indi" "pak*"`, ""},
		{"in*", `"in"`, ""},
		{"indi *", `"indi"`, ""},
		{"indi**", `"indi"`, ""},
		{"*indi", `"indi"`, ""},
		{`"a" OR "b"`, `"a" "or" "b"`, ""},
		{`NEAR/3`, `"near" "3"`, ""},
		{`title:rubio`, `"title" "rubio"`, ""},
		{`'; DROP TABLE actors; --`, `"drop" "table" "actors"`, ""},
		{"a\x00b", `"a" "b"`, ""},
		{"हिन्दी", `"हिन्दी"`, ""},
		{"شہباز شریف", `"شہباز" "شریف"`, ""},
		{"x \u094d y", `"x" "y"`, ""}, // a virama alone is no word
		{"½ ²", `"½" "²"`, ""},
		{"", "", `search text "" has no words to look for`},
		{`"*"`, "", `search text "\"*\"" has no words to look for`},
		{"😀", "", `search text "😀" has no words to look for`},
		{strings.Repeat("w ", 16), strings.TrimSpace(strings.Repeat(`"w" `, 16)), ""},
		{strings.Repeat("w ", 17), "", "search text has 17 words; at most 16 are allowed"},
		{strings.Repeat("-", 1001), "", "search text is 1001 bytes long; at most 1000 are allowed"},
	} {
		got, err := matchQuery(tt.text)
		if tt.err != "" {
			if db.ErrorCode(err) != db.CodeInvalid || db.ErrorMessage(err) != tt.err {
				t.Errorf("matchQuery(%q) error = %v (%s), want %q (BAD_USER_INPUT)", tt.text, err, db.ErrorCode(err), tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("matchQuery(%q) = %q, %v, want %q", tt.text, got, err, tt.want)
		}
	}
}

// matchinfo builds a matchinfo 'pcnalx' blob from its integers.
func matchinfo(values ...uint32) []byte {
	b := make([]byte, 0, 4*len(values))
	for _, v := range values {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

func TestBM25(t *testing.T) {
	// One phrase, a title hit in a row of two: idf = ln(1 + 1.5/1.5) = ln 2,
	// the title as long as the average, so the tf part is 2.2/2.2 = 1, and
	// the title weighs 2.
	got, err := bm25(matchinfo(1, 2, 2, 2, 5, 2, 10, 1, 1, 1, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * math.Ln2; math.Abs(got-want) > 1e-12 {
		t.Errorf("title hit: %v, want %v", got, want)
	}
	// A second phrase, twice in a body twice the average length, in both
	// rows: idf = ln(1 + 0.5/2.5), tf part 2·2.2/(2 + 1.2·(0.25 + 1.5)).
	got, err = bm25(matchinfo(2, 2, 2, 2, 5, 2, 10, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*math.Ln2 + math.Log(1.2)*4.4/4.1; math.Abs(got-want) > 1e-12 {
		t.Errorf("title and body hits: %v, want %v", got, want)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, matchinfo(1, 2, 2), matchinfo(1, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)} {
		if _, err := bm25(bad); err == nil {
			t.Errorf("bm25(%v): no error", bad)
		}
	}
}

func openSearchStore(tb testing.TB) *Store {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(tb.TempDir(), "search.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	at, _ := db.ParseDate("2025-05-07")
	b := &db.Batch{
		Actors: []db.Actor{{Key: "modi", Name: "Narendra Modi", Kind: db.ActorPerson, Aliases: []string{"NaMo", "Modiji"},
			Description: "Prime Minister"}},
		Events: []db.Event{{Key: "strike", Type: db.EventStrike, Title: "Operation Sindoor", OccurredAt: at,
			Summary: "Strikes near Muzaffarābād.", Tags: []string{"cross-border", "missiles"}}},
		Statements: []db.Statement{{Key: "speech", Kind: db.StatementSpeech, Speaker: "modi", MadeAt: at,
			Text: "Terror and talks cannot go together.", Summary: "After Operation Sindoor."}},
	}
	if _, err := s.Apply(ctx, b, nil); err != nil {
		tb.Fatal(err)
	}
	return s
}

// searchIndex is every row of the full-text index, one line each.
func searchIndex(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), `SELECT docid, title, body FROM search_text ORDER BY docid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var doc int64
		var title, body string
		if err := rows.Scan(&doc, &title, &body); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strconv.FormatInt(doc, 10)+"|"+title+"|"+body)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// The write path's rows are what migration 00003's backfill writes, and the
// rows are exactly those of the records.
func TestSearchIndexMatchesBackfill(t *testing.T) {
	ctx := context.Background()
	s := openSearchStore(t)
	written := searchIndex(t, s)
	want := "4|Narendra Modi\nNaMo\nModiji|Prime Minister\n" +
		"5|Operation Sindoor|Strikes near Muzaffarābād.\ncross-border\nmissiles\n" +
		"6|Terror and talks cannot go together.|After Operation Sindoor."
	if written != want {
		t.Fatalf("index:\n%s\nwant\n%s", written, want)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `SELECT 1 FROM search_text`); err == nil {
		t.Fatal("search_text is still there after migrating down")
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := searchIndex(t, s); got != written {
		t.Errorf("backfilled index:\n%s\nwant\n%s", got, written)
	}
}

// SQLite's refusal of a MATCH expression reaches the client as BAD_USER_INPUT
// without SQLite's text; other errors stay internal.
func TestSearchMatchErrors(t *testing.T) {
	ctx := context.Background()
	s := openSearchStore(t)
	for _, raw := range []string{`(`, `"`, `a OR`, `NOT`} {
		_, err := s.searchMatch(ctx, "some text", raw, 10)
		if got, want := db.ErrorCode(err), db.CodeInvalid; got != want {
			t.Errorf("MATCH %q: code %q (%v), want %q", raw, got, err, want)
		}
		if got, want := db.ErrorMessage(err), `search text "some text" cannot be searched`; got != want {
			t.Errorf("MATCH %q: message %q, want %q", raw, got, want)
		}
	}
	err := matchError("x", "search", context.Canceled)
	if got, want := db.ErrorCode(err), db.CodeInternal; got != want || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: code %q (%v), want %q wrapping context.Canceled", got, err, want)
	}
}

// A text filter that many items match keeps timeline pages range scans of
// the index in order: the FTS query is a subquery run once, not a table scan
// nor a sort. One that few match starts from its matches, each looked up by
// item, and sorts those alone.
func TestTimelineTextPlanUsesTheIndex(t *testing.T) {
	ctx := context.Background()
	s := openSearchStore(t)
	for _, rare := range []bool{false, true} {
		s.rareMatches = 0
		if rare {
			s.rareMatches = defaultRareMatches
		}
		for _, f := range []db.TimelineFilter{
			{Text: "sindoor"},
			{Text: "sindoor", Actors: []string{"modi"}},
			{Text: "sindoor", Include: []db.ItemKind{db.ItemEvent}, EventTypes: []db.EventType{db.EventStrike}},
		} {
			q, err := s.compileTimeline(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.rareText != ""; got != rare {
				t.Fatalf("%+v: rare = %v, want %v", f, got, rare)
			}
			// A page after a cursor too: a range of the primary key from the
			// cursor must not become the lookup of each match.
			for _, page := range []db.Page{{Limit: 20}, {Limit: 20, After: &db.Position{At: 1, Key: "k", Kind: db.ItemEvent}}} {
				query, args := q.pageSQL(false, page)
				text := queryPlan(t, s, query, args...)
				if strings.Contains(text, "SCAN t") {
					t.Errorf("%+v, rare %v: plan scans the index\n%s", f, rare, text)
				}
				if !rare && (!strings.Contains(text, "SEARCH t USING PRIMARY KEY (facet=? AND value=?") ||
					strings.Contains(text, "TEMP B-TREE FOR ORDER BY")) {
					t.Errorf("%+v: plan\n%s", f, text)
				}
				if rare && !strings.HasPrefix(text, "SCAN search_text VIRTUAL TABLE INDEX") ||
					rare && !strings.Contains(text, "SEARCH t USING COVERING INDEX timeline_index_item (kind=? AND item_id=? AND facet=? AND value=?)") {
					t.Errorf("%+v: plan does not start from the matches:\n%s", f, text)
				}
				if !strings.Contains(text, "VIRTUAL TABLE INDEX") {
					t.Errorf("%+v: plan does not use the full-text index:\n%s", f, text)
				}
			}
		}
	}
}

// phrases is what matchQuery writes: 1 to 16 quoted words, the last maybe a
// prefix.
var phrases = regexp.MustCompile(`^"[^"* ]+"( "[^"* ]+")*( "[^"* ]+\*")?$|^"[^"* ]+\*"$`)

// FuzzMatchQuery checks that matchQuery never panics, that its errors are
// BAD_USER_INPUT, and that what it writes is a MATCH expression SQLite
// accepts.
func FuzzMatchQuery(f *testing.F) {
	for _, seed := range []string{`"`, `""`, `"unbalanced`, `*`, `a*`, `NEAR`, `a NEAR b`, `AND`, `OR`, `NOT x`,
		`-x`, `x -y`, `title:rubio`, `(`, `)`, `((a)`, `^a`, `a^b`, `'; DROP TABLE actors; --`, ``, "a\x00b",
		"😀 india", "हिन्दी*", "شہباز", "Pa\u0308halgam", "indi*", "x \u094d", strings.Repeat("w ", 17), "\xff"} {
		f.Add(seed)
	}
	s := openSearchStore(f)
	f.Fuzz(func(t *testing.T, text string) {
		q, err := matchQuery(text)
		if err != nil {
			if db.ErrorCode(err) != db.CodeInvalid {
				t.Fatalf("matchQuery(%q): %v is not BAD_USER_INPUT", text, err)
			}
			return
		}
		if !phrases.MatchString(q) || strings.Count(q, `"`) > 2*db.MaxSearchWords {
			t.Fatalf("matchQuery(%q) = %q", text, q)
		}
		var n int
		if err := s.read.QueryRowContext(context.Background(),
			`SELECT count(*) FROM search_text WHERE search_text MATCH ?`, q).Scan(&n); err != nil {
			t.Fatalf("matchQuery(%q) = %q: %v", text, q, err)
		}
	})
}
