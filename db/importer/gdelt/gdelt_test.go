package gdelt_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/gdelt"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/seed"
)

// realFile is the 1,000 real rows of ../shared/data beside the repository
// (SOURCES.md).
func realFile(tb testing.TB) string {
	return filepath.Join(importtest.DataDir(tb), "gdelt", "20191024143000.export.CSV")
}

func convert(t *testing.T, name string, data []byte) (*importer.Converted, error) {
	t.Helper()
	return importtest.Convert(t, gdelt.Format{}, importer.Options{}, importtest.Bytes(name, data))
}

// load converts data and loads it into a new database, which it returns.
func load(t *testing.T, data []byte) (importtest.Store, db.Summary) {
	t.Helper()
	conv, err := convert(t, "export.CSV", data)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	store := importtest.Open(t)
	return store, importtest.Load(t, store, conv)
}

func TestRealFile(t *testing.T) {
	data, err := os.ReadFile(realFile(t))
	if err != nil {
		t.Fatal(err)
	}
	store, first := load(t, data)
	ctx := context.Background()
	// Every row is an event.
	var keys []string
	for line := range strings.Lines(string(data)) {
		id, _, _ := strings.Cut(line, "\t")
		keys = append(keys, "gdelt-"+id)
	}
	if es, err := store.EventsByKey(ctx, keys); err != nil || len(es) != 1000 || len(keys) != 1000 {
		t.Errorf("%d of %d events stored, want 1,000: %v", len(es), len(keys), err)
	}

	// The first row: no Actor1, Actor2 AUS "VICTORIA" (the state of
	// Australia), CAMEO 139, at Vancouver.
	e := importtest.Event(t, store, "gdelt-881990832")
	if e.Type != db.EventThreat || e.OccurredAt.String() != "2018-10-24" {
		t.Errorf("type %s, date %s", e.Type, e.OccurredAt)
	}
	if want := "Victoria: Give ultimatum in Vancouver"; e.Title != want {
		t.Errorf("title %q, want %q", e.Title, want)
	}
	codes := map[string]string{}
	for _, c := range e.Codes {
		codes[c.Scheme] = c.Code
	}
	if codes["CAMEO"] != "139" || codes["PLOVER"] != "THREATEN" || codes[gdelt.QuadClassScheme] != "3" {
		t.Errorf("codes %+v", e.Codes)
	}
	if e.Intensity == nil || *e.Intensity != -7 {
		t.Errorf("intensity %v", e.Intensity)
	}
	l := e.Location
	if l.Country != "CA" || l.Place != "Vancouver, British Columbia, Canada" || l.Lat == nil || *l.Lat != 49.25 || *l.Lon != -123.133 {
		t.Errorf("location %+v", l)
	}
	if len(e.Participants) != 1 || e.Participants[0] != (db.Participant{Actor: "australia", Role: db.RoleTarget, As: "VICTORIA"}) {
		t.Errorf("participants %+v", e.Participants)
	}
	if len(e.Sources) != 1 || !strings.HasPrefix(e.Sources[0], "url-") {
		t.Errorf("sources %v", e.Sources)
	}
	if a := importtest.Actors(t, store, "australia")[0]; a.Kind != db.ActorState || a.Country != "AU" {
		t.Errorf("australia: %+v", a)
	}

	// IGOEUREEC "THE EU": the European Union, an international
	// organisation; CAMEO 040 has no PLOVER category of its own.
	e = importtest.Event(t, store, "gdelt-881990833")
	if e.Type != db.EventMeeting || len(e.Participants) != 1 || e.Participants[0].Actor != "cameo-igoeureec" || e.Participants[0].Role != db.RoleTarget {
		t.Errorf("881990833: %s %+v", e.Type, e.Participants)
	}
	if e.Title != "European Union: Consult in Minsk" || e.Location.Country != "BY" {
		t.Errorf("881990833: title %q, location %+v", e.Title, e.Location)
	}
	if a := importtest.Actors(t, store, "cameo-igoeureec")[0]; a.Kind != db.ActorInternationalOrganization || a.Name != "European Union" {
		t.Errorf("cameo-igoeureec: %+v", a)
	}

	// COP "POLICE" → GBR "MANCHESTER", no ActionGeo (type 0).
	e = importtest.Event(t, store, "gdelt-881990883")
	if !e.Location.IsZero() {
		t.Errorf("881990883: location %+v, want none (ActionGeo_Type 0)", e.Location)
	}
	want := []db.Participant{{Actor: "cameo-cop", Role: db.RoleInitiator, As: "POLICE"}, {Actor: "united-kingdom", Role: db.RoleTarget, As: "MANCHESTER"}}
	if !slices.Equal(e.Participants, want) {
		t.Errorf("881990883: participants %+v, want %+v", e.Participants, want)
	}
	if e.Title != "Police → Manchester: De-escalate military engagement" || e.Type != db.EventRetreat {
		t.Errorf("881990883: title %q", e.Title)
	}
	if a := importtest.Actors(t, store, "cameo-cop")[0]; a.Kind != db.ActorGovernmentBody || a.Name != "Police" {
		t.Errorf("cameo-cop: %+v", a)
	}
	if a := importtest.Actors(t, store, "cameo-gbrgov")[0]; a.Kind != db.ActorGovernmentBody || a.Country != "GB" || a.Name != "United Kingdom government" {
		t.Errorf("cameo-gbrgov: %+v", a)
	}

	// Loading the same file again changes nothing.
	conv, err := convert(t, "again.CSV", data)
	if err != nil {
		t.Fatal(err)
	}
	sum := importtest.Load(t, store, conv)
	if sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != first.Inserted {
		t.Errorf("second load: %s; first %s", sum, first)
	}
}

// row builds an export row from the first real-like template with the
// given columns changed.
func row(set map[string]string) string {
	f := make([]string, len(gdelt.Columns))
	base := map[string]string{"GLOBALEVENTID": "1", "SQLDATE": "20191024", "EventCode": "042", "QuadClass": "1",
		"GoldsteinScale": "1.9", "Actor1Code": "USAGOV", "Actor1Name": "UNITED STATES", "Actor1CountryCode": "USA",
		"Actor2Code": "FRA", "Actor2Name": "FRANCE", "Actor2CountryCode": "FRA", "ActionGeo_Type": "1",
		"ActionGeo_FullName": "France", "ActionGeo_CountryCode": "FR", "ActionGeo_Lat": "46", "ActionGeo_Long": "2",
		"SOURCEURL": "https://example.com/a", "NumArticles": "2", "NumSources": "1", "AvgTone": "-1.25", "DATEADDED": "20191024143000"}
	for i, c := range gdelt.Columns {
		f[i] = base[c]
		if v, ok := set[c]; ok {
			f[i] = v
		}
	}
	return strings.Join(f, "\t") + "\n"
}

func TestRow(t *testing.T) {
	store, _ := load(t, []byte(row(nil)+row(map[string]string{"GLOBALEVENTID": "2", "Actor1Code": "", "Actor2Code": "", "ActionGeo_Type": "0"})))
	e := importtest.Event(t, store, "gdelt-1")
	if e.Type != db.EventMeeting || e.Title != "United States → France: Make a visit" {
		t.Errorf("type %s, title %q", e.Type, e.Title)
	}
	if e.Summary != "Coded by GDELT from 2 articles in 1 source; average tone -1.2; added 2019-10-24 14:30 UTC." {
		t.Errorf("summary %q", e.Summary)
	}
	want := []db.Participant{{Actor: "cameo-usagov", Role: db.RoleInitiator, As: "UNITED STATES"}, {Actor: "france", Role: db.RoleTarget, As: "FRANCE"}}
	if !slices.Equal(e.Participants, want) {
		t.Errorf("participants %+v", e.Participants)
	}
	wantCodes := []db.EventCode{{Scheme: "CAMEO", Code: "042", Label: "Make a visit"}, {Scheme: "PLOVER", Code: "CONSULT"},
		{Scheme: gdelt.QuadClassScheme, Code: "1", Label: "Verbal cooperation"}}
	if !slices.Equal(e.Codes, wantCodes) {
		t.Errorf("codes %+v, want %+v", e.Codes, wantCodes)
	}
	e = importtest.Event(t, store, "gdelt-2")
	if len(e.Participants) != 0 || !e.Location.IsZero() || e.Title != "Make a visit" {
		t.Errorf("an event without actors or place: %+v", e)
	}
	// A root code that PLOVER dropped: a type, no PLOVER code.
	store, _ = load(t, []byte(row(map[string]string{"EventCode": "010"})))
	e = importtest.Event(t, store, "gdelt-1")
	if e.Type != db.EventStatementOfPolicy || len(e.Codes) != 2 || e.Codes[0].Label != "Make statement, not specified below" && e.Codes[0].Label == "" {
		t.Errorf("010: %s %+v", e.Type, e.Codes)
	}
}

func TestProblems(t *testing.T) {
	data := row(map[string]string{"GLOBALEVENTID": "x1"}) +
		row(map[string]string{"GLOBALEVENTID": "2", "SQLDATE": "20191341"}) +
		row(map[string]string{"GLOBALEVENTID": "3", "EventCode": "999"}) +
		row(map[string]string{"GLOBALEVENTID": "4", "GoldsteinScale": "12"}) +
		"5\t20191024\n" +
		row(map[string]string{"GLOBALEVENTID": "6"}) +
		row(map[string]string{"GLOBALEVENTID": "6"}) +
		row(map[string]string{"GLOBALEVENTID": "7", "ActionGeo_Lat": ""}) +
		row(map[string]string{"GLOBALEVENTID": "8", "EventCode": ""}) +
		row(map[string]string{"GLOBALEVENTID": "9", "Actor1Name": "M\xdcNCHEN"}) +
		row(map[string]string{"GLOBALEVENTID": "10", "SQLDATE": "00001001"})
	_, err := convert(t, "bad.CSV", []byte(data))
	var ps db.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	got := err.Error()
	for _, want := range []string{
		`bad.CSV:10: Actor1Name: not valid UTF-8`,
		`bad.CSV:11: SQLDATE: no such day: "00001001"`,
		`bad.CSV:1: GLOBALEVENTID: not an event id (a whole number): "x1"`,
		`bad.CSV:2: SQLDATE: no such day: "20191341"`,
		`bad.CSV:3: EventCode: unknown CAMEO event code "999"`,
		`bad.CSV:4: GoldsteinScale: 12 is out of range [-10, 10]`,
		`bad.CSV:5: 2 fields, want 61`,
		`bad.CSV:7: GLOBALEVENTID: duplicate id: event gdelt-6 is also at bad.CSV:6 (--rename-duplicates imports this one as gdelt-6-2)`,
		`bad.CSV:8: ActionGeo_Lat: missing, though ActionGeo_Long is given`,
		`bad.CSV:9: EventCode: missing`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}

	// An empty file is not an export.
	_, err = convert(t, "empty.CSV", nil)
	if !errors.As(err, &ps) || !strings.Contains(err.Error(), "empty.CSV: the file is empty") {
		t.Errorf("empty file: err = %v", err)
	}
}

// FuzzRow puts any text in the columns the format reads most: it reports
// problems, or converts to fixtures that load; it never panics.
func FuzzRow(f *testing.F) {
	f.Add("USAGOV", "UNITED STATES", "042", "20191024", "46", "1", "FR")
	f.Add("catSEPalg", "", "0874", "2019022", "x", "4", "OS")
	f.Add("IGOEUREECMED", "THE EU\xff", "01", "20190229", "", "0", "")
	f.Fuzz(func(t *testing.T, code, name, event, date, lat, geo, fips string) {
		data := row(map[string]string{"Actor1Code": code, "Actor1Name": name, "Actor2Code": name, "EventCode": event, "SQLDATE": date,
			"ActionGeo_Lat": lat, "ActionGeo_Type": geo, "ActionGeo_CountryCode": fips, "SOURCEURL": name})
		conv, err := importer.Convert(context.Background(), gdelt.Format{}, []importer.Source{importtest.Bytes("f.CSV", []byte(data))}, importer.Options{TempDir: t.TempDir()})
		var ps db.Problems
		if err != nil && !errors.As(err, &ps) {
			t.Fatalf("not problems: %v", err)
		}
		if conv != nil {
			// What converts loads: the fixtures pass the loader's checks.
			if err := seed.Check(context.Background(), nil, conv.Fixtures); err != nil {
				t.Fatalf("the converted row does not load: %v", err)
			}
			conv.Close()
		}
	})
}
