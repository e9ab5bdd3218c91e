package icews_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/icews"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/seed"
)

// realFile is the 2,359 real rows of ../shared/data beside the repository
// (SOURCES.md).
func realFile(tb testing.TB) string {
	return filepath.Join(importtest.DataDir(tb), "icews", "events.20180601.tab")
}

func convert(t *testing.T, name string, data []byte) (*importer.Converted, error) {
	t.Helper()
	return importtest.Convert(t, icews.Format{}, importer.Options{}, importtest.Bytes(name, data))
}

func load(t *testing.T, store importtest.Store, data []byte) db.Summary {
	t.Helper()
	conv, err := convert(t, "events.tab", data)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	return importtest.Load(t, store, conv)
}

func TestRealFile(t *testing.T) {
	data, err := os.ReadFile(realFile(t))
	if err != nil {
		t.Fatal(err)
	}
	store := importtest.Open(t)
	first := load(t, store, data)

	// Every row is an event.
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if id, _, _ := strings.Cut(sc.Text(), "\t"); id != "Event ID" {
			keys = append(keys, "icews-"+id)
		}
	}
	if es, err := store.EventsByKey(context.Background(), keys); err != nil || len(es) != 2359 || len(keys) != 2359 {
		t.Errorf("%d of %d events stored, want 2,359: %v", len(es), len(keys), err)
	}

	e := importtest.Event(t, store, "icews-32889836")
	lat, lon := 21.0245, 105.841
	one := 1.0
	want := &db.Event{ID: e.ID, Key: "icews-32889836", Type: db.EventMeeting, Stamps: e.Stamps,
		Title:      "Foreign Affairs (Bangladesh) → High Ranking Military Personnel (Vietnam): Consult in Hanoi",
		Summary:    "Sentence 2 of ICEWS story 47400351 (Vietnam News Agency Bulletin).",
		OccurredAt: db.Date{At: e.OccurredAt.At, Precision: db.PrecisionDay},
		Location:   db.Location{Country: "VN", Place: "Hanoi, Thanh Pho Ha Noi", Lat: &lat, Lon: &lon},
		Codes:      []db.EventCode{{Scheme: "CAMEO", Code: "040", Label: "Consult"}, {Scheme: "PLOVER", Code: "CONSULT"}},
		Intensity:  &one,
		Participants: []db.Participant{
			{Actor: "icews-foreign-affairs-bangladesh", Role: db.RoleInitiator, As: "Foreign Affairs (Bangladesh)"},
			{Actor: "icews-high-ranking-military-personnel-vietnam", Role: db.RoleTarget, As: "High Ranking Military Personnel (Vietnam)"}},
		Sources: []string{"icews-story-47400351"}}
	if e.OccurredAt.String() != "2018-06-01" {
		t.Errorf("date %s", e.OccurredAt)
	}
	if got, exp := show(e), show(want); got != exp {
		t.Errorf("icews-32889836:\n got %s\nwant %s", got, exp)
	}
	if got, exp := importtest.Actors(t, store, "icews-foreign-affairs-bangladesh")[0], (db.Actor{Key: "icews-foreign-affairs-bangladesh", Name: "Foreign Affairs (Bangladesh)",
		Kind: db.ActorGovernmentBody, Country: "BD", Description: "ICEWS sectors: Executive, Foreign Ministry, Government"}); show(got) != show(exp) {
		t.Errorf("actor:\n got %s\nwant %s", show(got), show(exp))
	}
	if a := importtest.Actors(t, store, "icews-high-ranking-military-personnel-vietnam")[0]; a.Kind != db.ActorMilitary || a.Country != "VN" {
		t.Errorf("military personnel: %+v", a)
	}
	srcs, err := store.SourcesByKey(context.Background(), []string{"icews-story-47400351"})
	if err != nil || len(srcs) != 1 || srcs[0].Publisher != "Vietnam News Agency Bulletin" || srcs[0].Title != "ICEWS story 47400351" {
		t.Errorf("story source: %+v, %v", srcs, err)
	}

	// A person, and a country without sectors: the shared state.
	e = importtest.Event(t, store, "icews-32891068")
	if e.Type != db.EventRequest || e.Title != "Donald Trump → China: Demand diplomatic cooperation (such as policy support) in Beijing" {
		t.Errorf("32891068: %s %q", e.Type, e.Title)
	}
	if !slices.Equal(e.Participants, []db.Participant{{Actor: "icews-donald-trump", Role: db.RoleInitiator, As: "Donald Trump"}, {Actor: "china", Role: db.RoleTarget, As: "China"}}) {
		t.Errorf("32891068: participants %+v", e.Participants)
	}
	if a := importtest.Actors(t, store, "icews-donald-trump")[0]; a.Kind != db.ActorPerson || a.Country != "US" || a.Name != "Donald Trump" {
		t.Errorf("Donald Trump: %+v", a)
	}
	if a := importtest.Actors(t, store, "china")[0]; a.Kind != db.ActorState || a.Country != "CN" {
		t.Errorf("china: %+v", a)
	}
	// "Government (China)" is China's state too; no city: the province.
	e = importtest.Event(t, store, "icews-32891069")
	if !slices.Equal(e.Participants, []db.Participant{{Actor: "china", Role: db.RoleInitiator, As: "Government (China)"}, {Actor: "united-states", Role: db.RoleTarget, As: "United States"}}) {
		t.Errorf("32891069: participants %+v", e.Participants)
	}
	if e.Location.Place != "Paracel Islands" || e.Location.Country != "CN" || e.Title != "Government (China) → United States: Criticize or denounce" {
		t.Errorf("32891069: %q %+v", e.Title, e.Location)
	}
	// Sectors decide: an armed force, an armed group without a country.
	if a := importtest.Actors(t, store, "icews-israeli-defense-forces")[0]; a.Kind != db.ActorMilitary || a.Country != "IL" {
		t.Errorf("IDF: %+v", a)
	}
	if a := importtest.Actors(t, store, "icews-criminal-al-qaeda")[0]; a.Kind != db.ActorArmedGroup || a.Country != "" {
		t.Errorf("Criminal (Al Qaeda): %+v", a)
	}
	if a := importtest.Actors(t, store, "icews-protester-palestinian-territory-occupied")[0]; a.Country != "PS" || a.Kind != db.ActorOther {
		t.Errorf("protester: %+v", a)
	}

	// The same file again changes nothing.
	if sum := load(t, store, data); sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != first.Inserted {
		t.Errorf("second load: %s, first %s", sum, first)
	}
}

// show writes a record for comparison, pointers followed.
func show(v any) string {
	switch x := v.(type) {
	case *db.Event:
		var b strings.Builder
		b.WriteString(x.Key + "|" + string(x.Type) + "|" + x.Title + "|" + x.Summary + "|" + x.OccurredAt.String() + "|" + x.Location.Country + "|" + x.Location.Place)
		if x.Location.Lat != nil {
			b.WriteString("|" + ftoa(*x.Location.Lat) + "," + ftoa(*x.Location.Lon))
		}
		if x.Intensity != nil {
			b.WriteString("|i=" + ftoa(*x.Intensity))
		}
		for _, c := range x.Codes {
			b.WriteString("|" + c.Scheme + ":" + c.Code + ":" + c.Label)
		}
		for _, p := range x.Participants {
			b.WriteString("|" + p.Actor + "/" + string(p.Role) + "/" + p.As)
		}
		b.WriteString("|" + strings.Join(x.Sources, ","))
		return b.String()
	case db.Actor:
		return x.Key + "|" + x.Name + "|" + string(x.Kind) + "|" + x.Country + "|" + x.Description
	}
	return ""
}

func ftoa(f float64) string {
	return strings.TrimRight(strings.TrimRight(strings.TrimSpace(fmtFloat(f)), "0"), ".")
}

const header = "Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\tCAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\tSentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude\n"

// row is a valid row with the given columns changed.
func row(set map[string]string) string {
	base := map[string]string{"Event ID": "1", "Event Date": "2018-06-01", "Source Name": "India", "Source Sectors": "NA",
		"Source Country": "India", "Event Text": "Make statement", "CAMEO Code": "010", "Intensity": "0", "Target Name": "NA",
		"Target Sectors": "NA", "Target Country": "NA", "Story ID": "9", "Sentence Number": "1", "Publisher": "NA",
		"City": "NA", "District": "NA", "Province": "NA", "Country": "India", "Latitude": "NA", "Longitude": "NA"}
	var f []string
	for _, c := range icews.Columns {
		v := base[c]
		if s, ok := set[c]; ok {
			v = s
		}
		f = append(f, v)
	}
	return strings.Join(f, "\t") + "\n"
}

func TestRow(t *testing.T) {
	store := importtest.Open(t)
	load(t, store, []byte(header+row(nil)+row(map[string]string{"Event ID": "2", "Source Name": "NA", "Source Country": "NA", "Story ID": "NA"})))
	e := importtest.Event(t, store, "icews-1")
	if e.Title != "India: Make statement" || e.Type != db.EventStatementOfPolicy || e.Location.Country != "IN" || e.Location.Lat != nil ||
		len(e.Participants) != 1 || e.Participants[0].Actor != "india" || e.Summary != "Sentence 1 of ICEWS story 9." {
		t.Errorf("icews-1: %+v", e)
	}
	e = importtest.Event(t, store, "icews-2")
	if e.Title != "Make statement" || len(e.Participants) != 0 || len(e.Sources) != 0 || e.Summary != "" {
		t.Errorf("icews-2: %+v", e)
	}
}

func TestProblems(t *testing.T) {
	data := header +
		row(map[string]string{"Event Date": "2018-06-31"}) +
		row(map[string]string{"Event ID": "2", "CAMEO Code": "999"}) +
		row(map[string]string{"Event ID": "3", "Source Country": "Atlantis"}) +
		row(map[string]string{"Event ID": "4", "Country": "Narnia"}) +
		"5\t2018-06-01\n" +
		row(map[string]string{"Event ID": "6", "Intensity": "11"}) +
		row(map[string]string{"Event ID": "6"}) +
		row(map[string]string{"Event ID": "7", "Latitude": "12"}) +
		row(map[string]string{"Event ID": "8", "Source Name": "Ren\xe9 L\xe9vesque"}) +
		row(map[string]string{"Event ID": "NA"}) +
		row(map[string]string{"Event ID": "12", "Event Date": "0000-01-01"}) +
		row(map[string]string{"Event ID": "13", "Event Date": "2018-06"})
	_, err := convert(t, "bad.tab", []byte(data))
	var ps db.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	got := err.Error()
	for _, want := range []string{
		`bad.tab:2: Event Date: not a date YYYY-MM-DD: "2018-06-31"`,
		`bad.tab:3: CAMEO Code: unknown CAMEO event code "999"`,
		`bad.tab:4: Source Country: unknown country "Atlantis"`,
		`bad.tab:5: Country: unknown country "Narnia"`,
		`bad.tab:6: 2 fields, want 20`,
		`bad.tab:7: Intensity: 11 is out of range [-10, 10]`,
		`bad.tab:8: Event ID: duplicate id: event icews-6 is also at bad.tab:7 (--rename-duplicates imports this one as icews-6-2)`,
		`bad.tab:9: Longitude: missing, though Latitude is given`,
		`bad.tab:10: Source Name: not valid UTF-8`,
		`bad.tab:11: Event ID: missing`,
		`bad.tab:12: Event Date: not a date YYYY-MM-DD: "0000-01-01"`,
		`bad.tab:13: Event Date: not a date YYYY-MM-DD: "2018-06"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}

	for name, data := range map[string]string{"empty.tab": "", "gdelt.tab": "1\t20191024\t201910\n"} {
		_, err := convert(t, name, []byte(data))
		if !errors.As(err, &ps) || !strings.Contains(err.Error(), name+":") {
			t.Errorf("%s: err = %v, want a problem", name, err)
		}
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// FuzzRow puts any text in the columns the format reads most: it reports
// problems, or converts to fixtures that load; it never panics.
func FuzzRow(f *testing.F) {
	f.Add("Police (India)", "Government,Police", "India", "2018-06-01", "040", "Hanoi", "21")
	f.Add("Government (Atlantis)", "", "NA", "0001-01-01", "0874", "", "x")
	f.Add("Ren\xe9", "Military,", "Narnia", "2018-02-30", "01", "NA", "")
	f.Fuzz(func(t *testing.T, name, sectors, country, date, code, city, lat string) {
		data := header + row(map[string]string{"Source Name": name, "Source Sectors": sectors, "Source Country": country,
			"Target Name": city, "Event Date": date, "CAMEO Code": code, "City": city, "Latitude": lat, "Longitude": lat,
			"Story ID": name, "Publisher": sectors})
		conv, err := convert(t, "f.tab", []byte(data))
		var ps db.Problems
		if err != nil && !errors.As(err, &ps) {
			t.Fatalf("not problems: %v", err)
		}
		if conv != nil {
			if err := seed.Check(context.Background(), nil, conv.Fixtures); err != nil {
				t.Fatalf("the converted row does not load: %v", err)
			}
		}
	})
}
