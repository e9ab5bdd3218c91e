package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// serveSmall serves db/export/testdata/small.json (three events and a
// statement; see cmd/geotimeline's export tests for every value) on a
// loopback port.
func serveSmall(t *testing.T, opts Options) string {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "small.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	data, err := os.ReadFile(filepath.Join("..", "..", "db", "export", "testdata", "small.json"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := fixture.Decode([]fixture.File{{Name: "small.json", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(store, slog.New(slog.NewTextHandler(io.Discard, nil)), opts))
	t.Cleanup(ts.Close)
	return ts.URL
}

type download struct {
	status      int
	contentType string
	disposition string
	body        string
	readErr     error
}

func fetchExport(t *testing.T, url, token string) download {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(resp.Body)
	return download{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), string(body), readErr}
}

func TestExportOverHTTP(t *testing.T) {
	base := serveSmall(t, Options{})

	d := fetchExport(t, base+"/export/csv?actors=united-states", "")
	if d.status != 200 || d.contentType != "text/csv; charset=utf-8" || d.disposition != `attachment; filename="geotimeline-csv.csv"` {
		t.Fatalf("csv: %d %q %q\n%s", d.status, d.contentType, d.disposition, d.body)
	}
	rows, err := csv.NewReader(strings.NewReader(d.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "key" || rows[1][0] != "talks" || rows[1][18] != "india:PARTICIPANT;united-states:MEDIATOR" {
		t.Errorf("csv rows %q", rows)
	}

	d = fetchExport(t, base+"/export/geojson?from=2025-01-01&to=2025-02-01&time-match=OVERLAPS", "")
	var geo struct {
		Type     string
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties struct{ Key string }
		}
	}
	if err := json.Unmarshal([]byte(d.body), &geo); err != nil || d.contentType != "application/geo+json" {
		t.Fatalf("geojson: %v %q\n%s", err, d.contentType, d.body)
	}
	if geo.Type != "FeatureCollection" || len(geo.Features) != 1 || geo.Features[0].Properties.Key != "siege" ||
		!reflect.DeepEqual(geo.Features[0].Geometry.Coordinates, []float64{73.5, 34}) {
		t.Errorf("geojson %+v", geo)
	}

	d = fetchExport(t, base+"/export/timelinejs?types=STRIKE", "")
	var tl struct {
		Events []struct {
			UniqueID string `json:"unique_id"`
		}
	}
	if err := json.Unmarshal([]byte(d.body), &tl); err != nil || d.contentType != "application/json" {
		t.Fatalf("timelinejs: %v %q\n%s", err, d.contentType, d.body)
	}
	// types restricts events only: the statement is kept.
	if len(tl.Events) != 2 || tl.Events[0].UniqueID != "event:strike" || tl.Events[1].UniqueID != "statement:call" {
		t.Errorf("timelinejs %+v", tl)
	}
	// Newest first, as a list ordered so shows them.
	d = fetchExport(t, base+"/export/timelinejs?types=STRIKE&order=desc", "")
	tl.Events = nil
	if err := json.Unmarshal([]byte(d.body), &tl); err != nil {
		t.Fatalf("timelinejs newest first: %v\n%s", err, d.body)
	}
	if len(tl.Events) != 2 || tl.Events[0].UniqueID != "statement:call" || tl.Events[1].UniqueID != "event:strike" {
		t.Errorf("timelinejs newest first %+v", tl)
	}

	for format, media := range map[string]string{"gexf": "application/gexf+xml", "graphml": "application/graphml+xml"} {
		d = fetchExport(t, base+"/export/"+format+"?actors=pakistan", "")
		var doc struct {
			Nodes []struct {
				ID string `xml:"id,attr"`
			} `xml:"graph>nodes>node"`
			GraphMLNodes []struct {
				ID string `xml:"id,attr"`
			} `xml:"graph>node"`
		}
		if err := xml.Unmarshal([]byte(d.body), &doc); err != nil || d.status != 200 || d.contentType != media {
			t.Fatalf("%s: %d %v %q\n%s", format, d.status, err, d.contentType, d.body)
		}
		var ids []string
		for _, n := range append(doc.Nodes, doc.GraphMLNodes...) {
			ids = append(ids, n.ID)
		}
		want := []string{"event:siege", "event:strike", "statement:call", "actor:india", "actor:pakistan", "actor:united-states",
			"country:IN", "country:PK", "country:US"}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("%s nodes %q, want %q", format, ids, want)
		}
	}
}

func TestExportOverHTTPErrors(t *testing.T) {
	base := serveSmall(t, Options{})
	for _, tc := range []struct {
		path, code, message string
	}{
		{"/export/csv?actors=inda", "BAD_USER_INPUT", `unknown actor "inda": did you mean "india"?`},
		{"/export/xlsx", "BAD_USER_INPUT", `unknown export format "xlsx": want csv, timelinejs, geojson, gexf, graphml`},
		{"/export/fixture", "BAD_USER_INPUT", "the fixture format is the whole database and is not streamed: use geotimeline export --format fixture"},
		{"/export/csv?actor=india", "BAD_USER_INPUT", `unknown query parameter "actor": the filter takes [actors countries types from to text sources tags codes time-match order]`},
		{"/export/gexf?from=May", "BAD_USER_INPUT", ""},
		{"/export/csv?time-match=ANY", "BAD_USER_INPUT", `time-match: "ANY" is not one of START, OVERLAPS, WITHIN`},
		{"/export/csv?order=newest", "BAD_USER_INPUT", `order: "newest" is not asc or desc`},
	} {
		d := fetchExport(t, base+tc.path, "")
		var body struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if err := json.Unmarshal([]byte(d.body), &body); err != nil || d.status != 400 || d.contentType != "application/json" ||
			len(body.Errors) != 1 || body.Errors[0].Extensions.Code != tc.code || (tc.message != "" && body.Errors[0].Message != tc.message) {
			t.Errorf("%s: %d %q %v\n%s", tc.path, d.status, d.contentType, err, d.body)
		}
	}
}

// TestExportOverHTTPAccess checks that an export is a read like a query:
// a private server wants a token for it.
func TestExportOverHTTPAccess(t *testing.T) {
	base := serveSmall(t, Options{Private: true, Tokens: []Token{NewToken("dashboard", "s3cret")}})
	if d := fetchExport(t, base+"/export/csv", ""); d.status != http.StatusUnauthorized || !strings.Contains(d.body, "UNAUTHENTICATED") {
		t.Errorf("without a token: %d %s", d.status, d.body)
	}
	if d := fetchExport(t, base+"/export/csv", "wrong"); d.status != http.StatusUnauthorized {
		t.Errorf("with a wrong token: %d %s", d.status, d.body)
	}
	if d := fetchExport(t, base+"/export/csv", "s3cret"); d.status != 200 || strings.Count(d.body, "\n") != 4 {
		t.Errorf("with the token: %d %s", d.status, d.body)
	}
}

// TestExportOverHTTPSizeBound checks that an export does not pass the
// response size bound: past it the download is aborted, not cut short
// into something that looks whole.
func TestExportOverHTTPSizeBound(t *testing.T) {
	base := serveSmall(t, Options{MaxResponseBytes: 6000})
	d := fetchExport(t, base+"/export/gexf", "")
	if d.status != 200 || d.readErr == nil {
		t.Errorf("gexf over the bound: status %d, read error %v, %d bytes", d.status, d.readErr, len(d.body))
	}
	if d := fetchExport(t, base+"/export/csv", ""); d.status != 200 || d.readErr != nil {
		t.Errorf("csv under the bound: status %d, read error %v", d.status, d.readErr)
	}
}

// TestExportOverHTTPTimeout checks that the request timeout bounds an
// export as it bounds a query.
func TestExportOverHTTPTimeout(t *testing.T) {
	base := serveSmall(t, Options{RequestTimeout: time.Nanosecond})
	d := fetchExport(t, base+"/export/csv", "")
	if d.status != 400 || d.body != `{"errors":[{"message":"the request took longer than 1ns and was cancelled","extensions":{"code":"QUERY_TOO_COMPLEX"}}]}`+"\n" {
		t.Errorf("%d %s", d.status, d.body)
	}
}
