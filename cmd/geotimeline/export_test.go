package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestExportRoundTrip checks FIXTURES.md's promise: exporting, seeding the
// export into an empty database and exporting again gives the same bytes.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first.db")
	second := filepath.Join(dir, "second.db")

	mustRun(t, "seed", "--db", first, demoFile(t, dir))
	export1 := mustRun(t, "export", "--db", first)
	if export1.stderr != "" {
		t.Errorf("export wrote to stderr: %q", export1.stderr)
	}
	mustRun(t, "seed", "--db", second, writeFile(t, dir, "export.json", export1.stdout))
	export2 := mustRun(t, "export", "--db", second)
	if !bytes.Equal([]byte(export1.stdout), []byte(export2.stdout)) {
		t.Errorf("second export differs from the first:\nfirst:\n%.2000s\nsecond:\n%.2000s", export1.stdout, export2.stdout)
	}
	if !strings.HasPrefix(export1.stdout, "{\n  \"version\": 1,") {
		t.Errorf("export does not start like a fixture: %.100s", export1.stdout)
	}
}

// TestExportMissingDatabase checks that export does not create an empty
// database for a mistyped path.
func TestExportMissingDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "typo.db")
	res := runCLI(t, "", "export", "--db", dbPath)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	if want := "export: database " + dbPath + " does not exist\n"; res.stderr != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}
	if res.stdout != "" {
		t.Errorf("stdout = %q, want nothing", res.stdout)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("export created %s", dbPath)
	}
}

// smallDB seeds db/export/testdata/small.json, three events and a
// statement whose every exported value is known by construction.
func smallDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.db")
	mustRun(t, "seed", "--db", path, filepath.Join("..", "..", "db", "export", "testdata", "small.json"))
	return path
}

func TestExportCSV(t *testing.T) {
	dbPath := smallDB(t)
	res := mustRun(t, "export", "--db", dbPath, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v\n%s", err, res.stdout)
	}
	want := [][]string{
		{"key", "occurred_at", "precision", "earliest", "latest", "ended_at", "type", "codes", "title", "summary", "country", "place",
			"lat", "lon", "fatalities", "fatalities_low", "fatalities_high", "intensity", "actors", "tags", "sources"},
		{"siege", "2024-12-30T00:00:00Z", "DAY", "2024-12-30T00:00:00Z", "2025-01-03T00:00:00Z", "", "ATTACK", "", "Siege", "", "PK", "",
			"34", "73.5", "", "0", "0", "", "pakistan:INITIATOR", "", "s1"},
		{"talks", "2025-05-01T00:00:00Z", "MONTH", "2025-05-01T00:00:00Z", "2025-06-11T00:00:00Z", "2025-06-10T00:00:00Z", "MEETING", "",
			"Talks in Washington", "", "US", "Washington", "", "", "", "0", "0", "", "india:PARTICIPANT;united-states:MEDIATOR", "", "s1"},
		{"strike", "2025-05-07T01:05:00Z", "MINUTE", "2025-05-07T01:05:00Z", "2025-05-07T01:06:00Z", "", "STRIKE", "CAMEO:190;PLOVER:ASSAULT",
			"Strikes on Muridke", `Missiles, "precision" strikes`, "PK", "Muridke", "31.8", "74.26", "31", "26", "40", "-10",
			"india:INITIATOR;pakistan:TARGET", "strike;india-pakistan", "s1;s2"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("csv rows:\n got %q\nwant %q", rows, want)
	}
}

// TestExportFilters checks that the filter flags select as the timeline
// filter does.
func TestExportFilters(t *testing.T) {
	dbPath := smallDB(t)
	keys := func(args ...string) []string {
		t.Helper()
		res := mustRun(t, append([]string{"export", "--db", dbPath, "--format", "csv"}, args...)...)
		rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0])
		}
		return out
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--actors", "united-states"}, []string{"talks"}},
		{[]string{"--actors", "pakistan,united-states"}, []string{"siege", "talks", "strike"}},
		{[]string{"--actors", "pakistan,united-states", "--order", "desc"}, []string{"strike", "talks", "siege"}},
		{[]string{"--types", "attack,strike"}, []string{"siege", "strike"}},
		{[]string{"--from", "2025-01-01", "--to", "2025-02-01"}, nil},
		{[]string{"--from", "2025-01-01", "--to", "2025-02-01", "--time-match", "OVERLAPS"}, []string{"siege"}},
		{[]string{"--from", "2025-05", "--to", "2025-06", "--time-match", "WITHIN"}, []string{"strike"}},
		{[]string{"--countries", "PAK"}, []string{"siege", "strike"}},
		{[]string{"--countries", "US"}, []string{"talks"}},
		{[]string{"--codes", "CAMEO:19*"}, []string{"strike"}},
		{[]string{"--tags", "strike"}, []string{"strike"}},
		{[]string{"--sources", "s2"}, []string{"strike"}},
		{[]string{"--text", "washington"}, []string{"talks"}},
	} {
		if got := keys(tc.args...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: keys %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestExportErrors(t *testing.T) {
	dbPath := smallDB(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--format", "csv", "--actors", "inda"}, 1, "export: unknown actor \"inda\": did you mean \"india\"?\n"},
		{[]string{"--format", "xlsx"}, 2, "export: --format \"xlsx\": want fixture, csv, timelinejs, geojson, gexf or graphml\n" +
			"Run 'geotimeline export --help' for usage.\n"},
		{[]string{"--actors", "india"}, 2, "export: the fixture format is the whole database and takes no filter flags; " +
			"use another --format to export a filtered view\nRun 'geotimeline export --help' for usage.\n"},
		{[]string{"--format", "csv", "--time-match", "ANY"}, 2, "export: time-match: \"ANY\" is not one of START, OVERLAPS, WITHIN\n" +
			"Run 'geotimeline export --help' for usage.\n"},
		{[]string{"--format", "csv", "--types", "atack"}, 2, "export: types: \"atack\" is not an event type: did you mean \"ATTACK\"?\n" +
			"Run 'geotimeline export --help' for usage.\n"},
		{[]string{"--format", "csv", "--order", "newest"}, 2, "export: order: \"newest\" is not asc or desc\n" +
			"Run 'geotimeline export --help' for usage.\n"},
	} {
		res := runCLI(t, "", append([]string{"export", "--db", dbPath}, tc.args...)...)
		if res.code != tc.code || res.stderr != tc.stderr || res.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want %d, %q and nothing", tc.args, res.code, res.stderr, res.stdout, tc.code, tc.stderr)
		}
	}
}

func TestExportTimelineJS(t *testing.T) {
	dbPath := smallDB(t)
	res := mustRun(t, "export", "--db", dbPath, "--format", "timelinejs")
	type date struct {
		Year                             int
		Month, Day, Hour, Minute, Second *int
		Display                          string `json:"display_date"`
	}
	var doc struct {
		Title struct {
			Text struct{ Headline string }
		}
		Events []struct {
			StartDate date  `json:"start_date"`
			EndDate   *date `json:"end_date"`
			Text      struct{ Headline, Text string }
			UniqueID  string `json:"unique_id"`
			Group     string
		}
	}
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, res.stdout)
	}
	n := func(v int) *int { return &v }
	type slide struct {
		id, group, headline, text string
		start                     date
		end                       *date
	}
	want := []slide{
		{"event:siege", "ATTACK", "Siege", "", date{Year: 2024, Month: n(12), Day: n(30), Display: "2024-12-30"},
			&date{Year: 2025, Month: n(1), Day: n(2), Display: "2025-01-02"}},
		{"event:talks", "MEETING", "Talks in Washington", "", date{Year: 2025, Month: n(5), Display: "2025-05"},
			&date{Year: 2025, Month: n(6), Day: n(10), Display: "2025-06-10"}},
		{"event:strike", "STRIKE", "Strikes on Muridke", "Missiles, &#34;precision&#34; strikes",
			date{Year: 2025, Month: n(5), Day: n(7), Hour: n(1), Minute: n(5), Display: "2025-05-07T01:05Z"}, nil},
		{"statement:call", "STATEMENT", "united-states: QUOTE", "Stop now", date{Year: 2025, Month: n(5), Day: n(8), Display: "2025-05-08"}, nil},
	}
	if doc.Title.Text.Headline != "geotimeline" {
		t.Errorf("title %q", doc.Title.Text.Headline)
	}
	var got []slide
	for _, e := range doc.Events {
		got = append(got, slide{e.UniqueID, e.Group, e.Text.Headline, e.Text.Text, e.StartDate, e.EndDate})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("slides:\n got %+v\nwant %+v", got, want)
	}
}

func TestExportGeoJSON(t *testing.T) {
	dbPath := smallDB(t)
	res := mustRun(t, "export", "--db", dbPath, "--format", "geojson")
	type feature struct {
		Type     string
		Geometry struct {
			Type        string
			Coordinates []float64
		}
		Properties struct {
			Key, Title, Type, OccurredAt, Precision, Country, Place string
			Fatalities                                              *int
			Codes, Actors                                           []string
		}
	}
	var doc struct {
		Type     string
		Features []feature
	}
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, res.stdout)
	}
	if doc.Type != "FeatureCollection" || len(doc.Features) != 2 {
		t.Fatalf("got %s with %d features, want a FeatureCollection of 2 (talks has no coordinates):\n%s", doc.Type, len(doc.Features), res.stdout)
	}
	siege, strike := doc.Features[0], doc.Features[1]
	if siege.Type != "Feature" || siege.Geometry.Type != "Point" || !reflect.DeepEqual(siege.Geometry.Coordinates, []float64{73.5, 34}) ||
		siege.Properties.Key != "siege" || siege.Properties.Fatalities != nil || siege.Properties.OccurredAt != "2024-12-30T00:00:00Z" {
		t.Errorf("siege: %+v", siege)
	}
	p := strike.Properties
	if !reflect.DeepEqual(strike.Geometry.Coordinates, []float64{74.26, 31.8}) || p.Key != "strike" || p.Title != "Strikes on Muridke" ||
		p.Type != "STRIKE" || p.OccurredAt != "2025-05-07T01:05:00Z" || p.Precision != "MINUTE" || p.Country != "PK" ||
		p.Place != "Muridke" || p.Fatalities == nil || *p.Fatalities != 31 ||
		!reflect.DeepEqual(p.Codes, []string{"CAMEO:190", "PLOVER:ASSAULT"}) ||
		!reflect.DeepEqual(p.Actors, []string{"india:INITIATOR", "pakistan:TARGET"}) {
		t.Errorf("strike: %+v", strike)
	}
	res = mustRun(t, "export", "--db", dbPath, "--format", "geojson", "--actors", "united-states")
	if res.stdout != "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n" {
		t.Errorf("geojson of talks alone = %q, want an empty collection", res.stdout)
	}
}

// graphEdge is an edge as both graph formats are compared: source, target,
// kind, role, start, end.
type graphEdge [6]string

// wantEdges are the edges of the whole small fixture, in the order written:
// item edges in timeline order, then affiliations and relationships.
var wantEdges = []graphEdge{
	{"event:siege", "actor:pakistan", "PARTICIPANT", "INITIATOR", "2024-12-30T00:00:00Z", "2025-01-03T00:00:00Z"},
	{"event:siege", "country:PK", "LOCATION", "", "2024-12-30T00:00:00Z", "2025-01-03T00:00:00Z"},
	{"event:talks", "actor:india", "PARTICIPANT", "PARTICIPANT", "2025-05-01T00:00:00Z", "2025-06-11T00:00:00Z"},
	{"event:talks", "actor:united-states", "PARTICIPANT", "MEDIATOR", "2025-05-01T00:00:00Z", "2025-06-11T00:00:00Z"},
	{"event:talks", "country:US", "LOCATION", "", "2025-05-01T00:00:00Z", "2025-06-11T00:00:00Z"},
	{"event:strike", "actor:india", "PARTICIPANT", "INITIATOR", "2025-05-07T01:05:00Z", "2025-05-07T01:06:00Z"},
	{"event:strike", "actor:pakistan", "PARTICIPANT", "TARGET", "2025-05-07T01:05:00Z", "2025-05-07T01:06:00Z"},
	{"event:strike", "country:PK", "LOCATION", "", "2025-05-07T01:05:00Z", "2025-05-07T01:06:00Z"},
	{"event:strike", "event:siege", "LINK", "ESCALATION_OF", "2025-05-07T01:05:00Z", "2025-05-07T01:06:00Z"},
	{"statement:call", "actor:united-states", "SPEAKER", "", "2025-05-08T00:00:00Z", "2025-05-09T00:00:00Z"},
	{"statement:call", "actor:india", "ADDRESSEE", "", "2025-05-08T00:00:00Z", "2025-05-09T00:00:00Z"},
	{"statement:call", "actor:pakistan", "ADDRESSEE", "", "2025-05-08T00:00:00Z", "2025-05-09T00:00:00Z"},
	{"statement:call", "event:strike", "ABOUT", "", "2025-05-08T00:00:00Z", "2025-05-09T00:00:00Z"},
	{"actor:india", "country:IN", "AFFILIATION", "", "", ""},
	{"actor:pakistan", "country:PK", "AFFILIATION", "", "", ""},
	{"actor:united-states", "country:US", "AFFILIATION", "", "", ""},
	{"actor:india", "actor:pakistan", "RELATIONSHIP", "OPPOSES", "2025-05-07T00:00:00Z", ""},
	{"actor:pakistan", "country:PK", "RELATIONSHIP", "BASED_IN", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"},
}

// wantNodes are the nodes of the whole small fixture: id, label, type,
// kind, start, end.
var wantNodes = [][6]string{
	{"event:siege", "Siege", "EVENT", "ATTACK", "2024-12-30T00:00:00Z", "2025-01-03T00:00:00Z"},
	{"event:talks", "Talks in Washington", "EVENT", "MEETING", "2025-05-01T00:00:00Z", "2025-06-11T00:00:00Z"},
	{"event:strike", "Strikes on Muridke", "EVENT", "STRIKE", "2025-05-07T01:05:00Z", "2025-05-07T01:06:00Z"},
	{"statement:call", "united-states: QUOTE", "STATEMENT", "QUOTE", "2025-05-08T00:00:00Z", "2025-05-09T00:00:00Z"},
	{"actor:india", "India", "ACTOR", "STATE", "", ""},
	{"actor:pakistan", "Pakistan", "ACTOR", "STATE", "", ""},
	{"actor:united-states", "United States", "ACTOR", "STATE", "", ""},
	{"country:IN", "India", "COUNTRY", "", "", ""},
	{"country:PK", "Pakistan", "COUNTRY", "", "", ""},
	{"country:US", "United States", "COUNTRY", "", "", ""},
}

func TestExportGEXF(t *testing.T) {
	dbPath := smallDB(t)
	type values struct {
		Values []struct {
			For   string `xml:"for,attr"`
			Value string `xml:"value,attr"`
		} `xml:"attvalues>attvalue"`
	}
	get := func(v values, name string) string {
		for _, a := range v.Values {
			if a.For == name {
				return a.Value
			}
		}
		return ""
	}
	var doc struct {
		XMLName xml.Name `xml:"http://gexf.net/1.3 gexf"`
		Version string   `xml:"version,attr"`
		Graph   struct {
			Mode       string `xml:"mode,attr"`
			TimeFormat string `xml:"timeformat,attr"`
			Attributes []struct {
				Class string `xml:"class,attr"`
				Attrs []struct {
					ID string `xml:"id,attr"`
				} `xml:"attribute"`
			} `xml:"attributes"`
			Nodes []struct {
				ID    string `xml:"id,attr"`
				Label string `xml:"label,attr"`
				Start string `xml:"start,attr"`
				End   string `xml:"end,attr"`
				values
			} `xml:"nodes>node"`
			Edges []struct {
				ID     string `xml:"id,attr"`
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
				Start  string `xml:"start,attr"`
				End    string `xml:"end,attr"`
				values
			} `xml:"edges>edge"`
		} `xml:"graph"`
	}
	res := mustRun(t, "export", "--db", dbPath, "--format", "gexf")
	if err := xml.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("unmarshal: %v\n%s", err, res.stdout)
	}
	if doc.Version != "1.3" || doc.Graph.Mode != "dynamic" || doc.Graph.TimeFormat != "dateTime" || len(doc.Graph.Attributes) != 2 {
		t.Errorf("gexf %s, graph mode %q timeformat %q, %d attribute classes", doc.Version, doc.Graph.Mode, doc.Graph.TimeFormat, len(doc.Graph.Attributes))
	}
	var nodes [][6]string
	for _, n := range doc.Graph.Nodes {
		nodes = append(nodes, [6]string{n.ID, n.Label, get(n.values, "type"), get(n.values, "kind"), n.Start, n.End})
	}
	if !reflect.DeepEqual(nodes, wantNodes) {
		t.Errorf("nodes:\n got %q\nwant %q", nodes, wantNodes)
	}
	var edges []graphEdge
	for i, e := range doc.Graph.Edges {
		if want := fmt.Sprintf("e%d", i+1); e.ID != want {
			t.Errorf("edge %d has id %q, want %q", i, e.ID, want)
		}
		edges = append(edges, graphEdge{e.Source, e.Target, get(e.values, "kind"), get(e.values, "role"), e.Start, e.End})
	}
	if !reflect.DeepEqual(edges, wantEdges) {
		t.Errorf("edges:\n got %q\nwant %q", edges, wantEdges)
	}
}

func TestExportGraphML(t *testing.T) {
	dbPath := smallDB(t)
	type data struct {
		Data []struct {
			Key   string `xml:"key,attr"`
			Value string `xml:",chardata"`
		} `xml:"data"`
	}
	get := func(d data, key string) string {
		for _, v := range d.Data {
			if v.Key == key {
				return v.Value
			}
		}
		return ""
	}
	var doc struct {
		XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
		Keys    []struct {
			ID   string `xml:"id,attr"`
			For  string `xml:"for,attr"`
			Name string `xml:"attr.name,attr"`
		} `xml:"key"`
		Graph struct {
			EdgeDefault string `xml:"edgedefault,attr"`
			Nodes       []struct {
				ID string `xml:"id,attr"`
				data
			} `xml:"node"`
			Edges []struct {
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
				data
			} `xml:"edge"`
		} `xml:"graph"`
	}
	decode := func(args ...string) {
		t.Helper()
		doc.Graph.Nodes, doc.Graph.Edges = nil, nil
		res := mustRun(t, append([]string{"export", "--db", dbPath, "--format", "graphml"}, args...)...)
		if err := xml.Unmarshal([]byte(res.stdout), &doc); err != nil {
			t.Fatalf("unmarshal: %v\n%s", err, res.stdout)
		}
	}
	decode()
	if doc.Graph.EdgeDefault != "directed" || len(doc.Keys) != 8 {
		t.Errorf("edgedefault %q, %d keys", doc.Graph.EdgeDefault, len(doc.Keys))
	}
	var nodes [][6]string
	for _, n := range doc.Graph.Nodes {
		nodes = append(nodes, [6]string{n.ID, get(n.data, "label"), get(n.data, "type"), get(n.data, "kind"), get(n.data, "start"), get(n.data, "end")})
	}
	if !reflect.DeepEqual(nodes, wantNodes) {
		t.Errorf("nodes:\n got %q\nwant %q", nodes, wantNodes)
	}
	var edges []graphEdge
	for _, e := range doc.Graph.Edges {
		edges = append(edges, graphEdge{e.Source, e.Target, get(e.data, "edgekind"), get(e.data, "role"), get(e.data, "start"), get(e.data, "end")})
	}
	if !reflect.DeepEqual(edges, wantEdges) {
		t.Errorf("edges:\n got %q\nwant %q", edges, wantEdges)
	}

	// Filtered to the United States: talks and the call; the call's ABOUT
	// edge to the strike, which is not exported, is left out.
	decode("--actors", "united-states")
	var ids []string
	for _, n := range doc.Graph.Nodes {
		ids = append(ids, n.ID)
	}
	if want := []string{"event:talks", "statement:call", "actor:india", "actor:pakistan", "actor:united-states",
		"country:IN", "country:PK", "country:US"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("filtered nodes %q, want %q", ids, want)
	}
	for _, e := range doc.Graph.Edges {
		if get(e.data, "edgekind") == "ABOUT" || e.Target == "event:strike" {
			t.Errorf("edge %s → %s to an event not exported", e.Source, e.Target)
		}
	}
	if len(doc.Graph.Edges) != 11 {
		t.Errorf("%d filtered edges, want 11", len(doc.Graph.Edges))
	}
}

func TestExportHelp(t *testing.T) {
	res := mustRun(t, "export", "--help")
	for _, want := range []string{"--format F", `default "fixture"`, "--actors KEYS", "--countries CODES", "--types TYPES",
		"--from DATE", "--to DATE", "--text WORDS", "--sources KEYS", "--tags TAGS", "--codes CODES", "--time-match MATCH",
		"leaves no partial output", "events without coordinates are left out"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("export --help does not mention %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "GEOTIMELINE_ACTORS") {
		t.Errorf("the filter flags have no environment variables:\n%s", res.stdout)
	}
}
