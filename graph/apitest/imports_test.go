package apitest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer/acled"
	"github.com/geotimeline/geotimeline/db/importer/gdelt"
	"github.com/geotimeline/geotimeline/db/importer/icews"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/importer/plover"
	"github.com/geotimeline/geotimeline/db/importer/ucdp"
	"github.com/geotimeline/geotimeline/graph/server"
)

// TestImportedDatasetsTogether imports the real files of all five datasets
// into the demo's database, as `geotimeline import` does, and queries them
// together. The expected figures are counted from the files themselves,
// not from the importers' output.
func TestImportedDatasetsTogether(t *testing.T) {
	a := newAPIWith(t, server.Options{})
	// The real files live beside the repository: CI has them, a clone
	// alone does not (skipped then, unless GEOTIMELINE_REAL_DATA=require).
	files := importtest.Samples(t)
	importtest.ImportSamples(t, a.store, files, gdelt.Format{}, icews.Format{}, ucdp.Format{}, acled.Format{}, plover.Format{})

	gdeltRows := tsvRows(t, files["gdelt"], false)
	icewsRows := tsvRows(t, files["icews"], true)
	ucdpRows := csvRows(t, files["ucdp"])
	acledRows := csvRows(t, files["acled"])
	var gsr []map[string]any
	readJSON(t, files["plover"], &gsr)
	set, err := fixture.Decode([]fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		t.Fatal(err)
	}

	count := func(filter string) int {
		t.Helper()
		var out struct {
			Events struct{ TotalCount int }
		}
		if err := json.Unmarshal(a.data(`{ events(filter: `+filter+`) { totalCount } }`, nil), &out); err != nil {
			t.Fatal(err)
		}
		return out.Events.TotalCount
	}

	// Every row is an event: the gold standard's documentation record
	// aside, and its duplicate id renamed, not dropped.
	want := len(set.Batch.Events) + len(gdeltRows) + len(icewsRows) + len(ucdpRows) + len(acledRows) + len(gsr) - 1
	if got := count(`{}`); got != want {
		t.Errorf("%d events, want %d", got, want)
	}

	// The codes filter reaches across datasets: CAMEO 19x from GDELT's
	// EventCode, ICEWS's CAMEO Code and the demo's air attacks (195).
	want = 0
	for _, r := range gdeltRows {
		if strings.HasPrefix(r["26"], "19") {
			want++
		}
	}
	for _, r := range icewsRows {
		if strings.HasPrefix(r["CAMEO Code"], "19") {
			want++
		}
	}
	for _, e := range set.Batch.Events {
		for _, c := range e.Codes {
			if c.Scheme == "CAMEO" && strings.HasPrefix(c.Code, "19") {
				want++
			}
		}
	}
	if got := count(`{codes: ["CAMEO:19*"]}`); got != want {
		t.Errorf("CAMEO:19*: %d events, want %d", got, want)
	}
	// Each dataset's own scheme.
	state := 0
	for _, r := range ucdpRows {
		if r["type_of_violence"] == "1" {
			state++
		}
	}
	for filter, want := range map[string]int{
		`{codes: ["GDELT_QUADCLASS:*"]}`: len(gdeltRows), `{codes: ["UCDP:*"]}`: len(ucdpRows), `{codes: ["UCDP:1"]}`: state,
		`{codes: ["ACLED:*"]}`: len(acledRows), `{codes: ["PLOVER_MODE:*", "PLOVER_CONTEXT:*"]}`: ploverCoded(gsr),
	} {
		if got := count(filter); got != want {
			t.Errorf("%s: %d events, want %d", filter, got, want)
		}
	}

	// One state per country, whichever dataset named it first; India is
	// the demo's, untouched.
	byCountry := map[string][]string{}
	after := ""
	for page := 0; page < 20; page++ {
		var out struct {
			Actors struct {
				Edges []struct {
					Node struct {
						Key     string
						Country *struct{ Code string }
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		data := a.data(`query($after: String) { actors(filter: {kinds: [STATE]}, first: 100, after: $after) {
		    edges { node { key country { code } } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": nilIfEmpty(after)})
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Actors.Edges {
			if e.Node.Country != nil {
				byCountry[e.Node.Country.Code] = append(byCountry[e.Node.Country.Code], e.Node.Key)
			}
		}
		if !out.Actors.PageInfo.HasNextPage {
			break
		}
		after = out.Actors.PageInfo.EndCursor
	}
	for code, keys := range byCountry {
		if len(keys) > 1 {
			t.Errorf("%s has %d states: %q", code, len(keys), keys)
		}
	}
	for code, key := range map[string]string{"IN": "india", "PK": "pakistan", "US": "united-states", "SY": "syrian-arab-republic"} {
		if got := byCountry[code]; len(got) != 1 || got[0] != key {
			t.Errorf("the state of %s is %q, want [%s]", code, got, key)
		}
	}
	var demoIndia string
	for _, act := range set.Batch.Actors {
		if act.Key == "india" {
			demoIndia = act.Name + "|" + act.Description
		}
	}
	var india struct {
		Actor struct{ Name, Description string }
	}
	if err := json.Unmarshal(a.data(`{ actor(key: "india") { name description } }`, nil), &india); err != nil {
		t.Fatal(err)
	}
	if got := india.Actor.Name + "|" + india.Actor.Description; got != demoIndia {
		t.Errorf("india is %q after the imports, want the demo's %q", got, demoIndia)
	}

	// India's events of one GDELT update: the rows whose Actor1Code or
	// Actor2Code is IND alone (QuadClass codes only GDELT's events).
	want = 0
	for _, r := range gdeltRows {
		if r["5"] == "IND" || r["15"] == "IND" {
			want++
		}
	}
	if got := count(`{actors: ["india"], codes: ["GDELT_QUADCLASS:*"]}`); got != want {
		t.Errorf("India in GDELT: %d events, want %d", got, want)
	}
	// And of ICEWS's day: the rows whose source or target is India or its
	// government.
	want = 0
	for _, r := range icewsRows {
		for _, side := range []string{"Source Name", "Target Name"} {
			if r[side] == "India" || r[side] == "Government (India)" {
				want++
				break
			}
		}
	}
	if got := count(`{actors: ["india"], from: "2018-06-01", to: "2018-06-02"}`); got != want {
		t.Errorf("India in ICEWS: %d events, want %d", got, want)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ploverCoded counts the gold standard's records with a mode or a context.
func ploverCoded(gsr []map[string]any) int {
	n := 0
	for _, r := range gsr {
		if r["event"] == "DOCUMENT" {
			continue
		}
		mode, _ := r["mode"].(string)
		ctx, _ := r["context"].(string)
		if strings.TrimSpace(mode) != "" || strings.Trim(ctx, " ,") != "" {
			n++
		}
	}
	return n
}

// tsvRows reads a tab-separated file, each row a map from column to
// value: by the header's names, or by position ("0", "1", …) without one.
func tsvRows(t *testing.T, path string, header bool) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var names []string
	if header {
		names, lines = strings.Split(lines[0], "\t"), lines[1:]
	}
	out := make([]map[string]string, len(lines))
	for i, l := range lines {
		f := strings.Split(strings.TrimRight(l, "\r"), "\t")
		out[i] = map[string]string{}
		for j, v := range f {
			name := fmt.Sprint(j)
			if header {
				name = names[j]
			}
			out[i][name] = v
		}
	}
	return out
}

func csvRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]string, len(recs)-1)
	for i, r := range recs[1:] {
		out[i] = map[string]string{}
		for j, v := range r {
			out[i][recs[0][j]] = v
		}
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}
