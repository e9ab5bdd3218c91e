package ucdp_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/importer/ucdp"
	"github.com/geotimeline/geotimeline/db/seed"
)

func sample(t *testing.T) string {
	return filepath.Join(importtest.DataDir(t), "ucdp", "ged-2023-sample.csv")
}

// Every row of the real sample is an event, and importing it again changes
// nothing: the 770 sources and 600 events are unchanged, and the 240
// actors, stored already, are referred to and not written again.
func TestSampleImportsWholeAndAgain(t *testing.T) {
	store := importtest.Open(t)
	conv, sum, err := importtest.Import(t, store, ucdp.Format{}, importtest.File(sample(t)))
	if err != nil {
		t.Fatal(err)
	}
	if conv.Rows != 600 {
		t.Errorf("rows read: %d, want 600", conv.Rows)
	}
	if want := (db.Summary{Inserted: 770 + 240 + 600}); sum != want {
		t.Errorf("first import: %v, want %v", sum, want)
	}
	_, sum, err = importtest.Import(t, store, ucdp.Format{}, importtest.File(sample(t)))
	if err != nil {
		t.Fatal(err)
	}
	if want := (db.Summary{Unchanged: 770 + 600}); sum != want {
		t.Errorf("second import: %v, want %v", sum, want)
	}
}

// Chosen rows of the sample, read back from the database whole.
func TestSampleRows(t *testing.T) {
	store := importtest.Open(t)
	if _, _, err := importtest.Import(t, store, ucdp.Format{}, importtest.File(sample(t))); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		// State-based, an exact day, two articles in GED's structured form.
		"ucdp-300380": `{"key": "ucdp-300380", "type": "ATTACK",
		  "title": "Government of Syria - Syrian insurgents: 2 killed in Rami village",
		  "summary": "Syria: Government (state-based conflict). Deaths: side A Government of Syria 0, side B Syrian insurgents 2, civilians 0, unknown 0. Where: in the al-Rami village (exact location). When: exact date. Reported by: SOHR; VDC.",
		  "occurredAt": "2013-01-03",
		  "location": {"country": "SY", "place": "Rami village, Ariha district, Idlib governorate", "lat": 35.763369, "lon": 36.558974},
		  "fatalities": 2,
		  "codes": [{"scheme": "UCDP", "code": "1", "label": "State-based conflict"},
		    {"scheme": "UCDP_CONFLICT", "code": "299", "label": "Syria: Government"},
		    {"scheme": "UCDP_DYAD", "code": "11973", "label": "Government of Syria - Syrian insurgents"}],
		  "estimates": [{"measure": "FATALITIES", "low": 2, "best": 2, "high": 2, "source": "ucdp-ged"}],
		  "participants": [{"actor": "syrian-arab-republic", "role": "PARTICIPANT", "as": "Government of Syria"},
		    {"actor": "ucdp-actor-4456", "role": "PARTICIPANT", "as": "Syrian insurgents"}],
		  "sources": ["ucdp-src-support-kurds-in-syria-2013-01-03-thursday-3-january-2013",
		    "ucdp-src-vdc-2013-01-03-abdul-satar-mustafa-hankosh", "ucdp-ged"]}`,
		// One-sided violence by a state abroad, dated to a whole month
		// (date_prec 4, 2009-02-01 to 2009-02-28): the civilians of the
		// country are the victims.
		"ucdp-39968": `{"key": "ucdp-39968", "type": "ATTACK",
		  "title": "Government of Rwanda - Civilians: 9 killed in Mashango village",
		  "summary": "Government of Rwanda - Civilians (one-sided violence). Deaths: side A Government of Rwanda 0, side B Civilians 0, civilians 9, unknown 0. Where: Mashango locality, Masisi district (exact location). When: within a span of 8 to 30 days, or only the month known. Reported by: Operation Umoja Wetu\nCivilians killed by Congolese and/or Rwandan army coalition forces[490], late January–February 2009.",
		  "occurredAt": "2009-02",
		  "location": {"country": "CD", "place": "Mashango village, Masisi territory, Nord Kivu province", "lat": -1.25427, "lon": 28.97987},
		  "fatalities": 9,
		  "codes": [{"scheme": "UCDP", "code": "3", "label": "One-sided violence"},
		    {"scheme": "UCDP_CONFLICT", "code": "472", "label": "Government of Rwanda - Civilians"},
		    {"scheme": "UCDP_DYAD", "code": "939", "label": "Government of Rwanda - Civilians"}],
		  "estimates": [{"measure": "FATALITIES", "low": 9, "best": 9, "high": 9, "source": "ucdp-ged"}],
		  "participants": [{"actor": "rwanda", "role": "INITIATOR", "as": "Government of Rwanda"},
		    {"actor": "ucdp-civilians-cd", "role": "VICTIM", "as": "Civilians"}],
		  "sources": ["ucdp-src-hrw-2009-12-13-you-will-be-punished-attacks-on-civilians-in-eastern-congo", "ucdp-ged"]}`,
		// Two days apart: an interval. GED's low (3) is above its best
		// (2): the low is left out, and the note says so.
		"ucdp-236880": `{"key": "ucdp-236880", "type": "ATTACK",
		  "title": "Government of Afghanistan - Taleban: 2 killed in Hilmand province",
		  "summary": "Afghanistan: Government (state-based conflict). Deaths: side A Government of Afghanistan 0, side B Taleban 2, civilians 0, unknown 0. Where: Nangarhar, Logar, Ghazni, Zabul, Kandahar, Uruzgan, Herat, Farah, Faryab, Kunduz and Helmand provinces (somewhere in the first-order administrative division). When: within a span of 2 to 6 days. Clarity: lower: the sources give an aggregate, not a single clearly described event. Reported by: Ministry of Defence.",
		  "occurredAt": "2016-12-29/2016-12-30",
		  "location": {"country": "AF", "place": "Hilmand province", "lat": 31, "lon": 64},
		  "fatalities": 2,
		  "codes": [{"scheme": "UCDP", "code": "1", "label": "State-based conflict"},
		    {"scheme": "UCDP_CONFLICT", "code": "333", "label": "Afghanistan: Government"},
		    {"scheme": "UCDP_DYAD", "code": "735", "label": "Government of Afghanistan - Taleban"}],
		  "estimates": [{"measure": "FATALITIES", "best": 2, "high": 3, "source": "ucdp-ged", "note": "GED's low 3 is above best 2: left out"}],
		  "participants": [{"actor": "afghanistan", "role": "PARTICIPANT", "as": "Government of Afghanistan"},
		    {"actor": "ucdp-actor-303", "role": "PARTICIPANT", "as": "Taleban"}],
		  "sources": ["ucdp-src-pajhwok-news-2016-12-30-scores-of-insurgents-killed-wounded-in-operations:-mod", "ucdp-ged"]}`,
		// An old row (number_of_sources -1): its source_article is free
		// text, one source. A week's span (date_prec 3).
		"ucdp-21300": `{"key": "ucdp-21300", "type": "ATTACK",
		  "title": "Government of Angola - UNITA: 14 killed in Lunda Sul province",
		  "summary": "Angola: Government (state-based conflict). Deaths: side A Government of Angola 0, side B UNITA 14, civilians 0, unknown 0. Where: Lunda Sul province (somewhere in the first-order administrative division). When: within a week. Clarity: lower: the sources give an aggregate, not a single clearly described event. Reported by: army statement.",
		  "occurredAt": "1989-05-10/1989-05-16",
		  "location": {"country": "AO", "place": "Lunda Sul province", "lat": -9.65, "lon": 20.4},
		  "fatalities": 14,
		  "codes": [{"scheme": "UCDP", "code": "1", "label": "State-based conflict"},
		    {"scheme": "UCDP_CONFLICT", "code": "327", "label": "Angola: Government"},
		    {"scheme": "UCDP_DYAD", "code": "714", "label": "Government of Angola - UNITA"}],
		  "estimates": [{"measure": "FATALITIES", "low": 14, "best": 14, "high": 14, "source": "ucdp-ged"}],
		  "participants": [{"actor": "angola", "role": "PARTICIPANT", "as": "Government of Angola"},
		    {"actor": "ucdp-actor-567", "role": "PARTICIPANT", "as": "UNITA"}],
		  "sources": ["ucdp-src-reuters-1989-05-17-angolan-unita-rebels-blow-up-power-lines-during-peace-summit", "ucdp-ged"]}`,
	} {
		importtest.EqualJSON(t, key, importtest.EventJSON(t, store, key), want)
	}

	// 2019-01-01 to 2019-12-22 (date_prec 5) stays days: it is not the
	// whole year.
	if got := importtest.Event(t, store, "ucdp-332817").OccurredAt.String(); got != "2019-01-01/2019-12-22" {
		t.Errorf("ucdp-332817 occurredAt %s, want 2019-01-01/2019-12-22", got)
	}
	// Interval precision is that of its ends: DAY for 1989-05-10/16.
	if got := importtest.Event(t, store, "ucdp-21300").OccurredAt.SpanPrecision(); got != db.PrecisionDay {
		t.Errorf("ucdp-21300 precision %s, want DAY", got)
	}

	actors := importtest.Actors(t, store, "syrian-arab-republic", "ucdp-actor-4456", "ucdp-civilians-cd", "rwanda")
	importtest.EqualJSON(t, "actors", []any{fixture.ActorOut(&actors[0]), fixture.ActorOut(&actors[1]),
		fixture.ActorOut(&actors[2]), fixture.ActorOut(&actors[3])}, `[
	  {"key": "syrian-arab-republic", "name": "Syrian Arab Republic", "kind": "STATE", "country": "SY"},
	  {"key": "ucdp-actor-4456", "name": "Syrian insurgents", "kind": "ARMED_GROUP"},
	  {"key": "ucdp-civilians-cd", "name": "Civilians (DR Congo)", "kind": "OTHER", "country": "CD"},
	  {"key": "rwanda", "name": "Rwanda", "kind": "STATE", "country": "RW"}]`)

	sources := importtest.Sources(t, store, "ucdp-src-vdc-2013-01-03-abdul-satar-mustafa-hankosh",
		"ucdp-src-reuters-1989-05-17-angolan-unita-rebels-blow-up-power-lines-during-peace-summit", "ucdp-ged")
	importtest.EqualJSON(t, "sources", []any{fixture.SourceOut(&sources[0]), fixture.SourceOut(&sources[1]), fixture.SourceOut(&sources[2])}, `[
	  {"key": "ucdp-src-vdc-2013-01-03-abdul-satar-mustafa-hankosh", "title": "Abdul Satar Mustafa Hankosh", "publisher": "VDC", "publishedAt": "2013-01-03"},
	  {"key": "ucdp-src-reuters-1989-05-17-angolan-unita-rebels-blow-up-power-lines-during-peace-summit",
	   "title": "Reuters 1989-05-17 \"ANGOLAN UNITA REBELS BLOW UP POWER LINES DURING PEACE SUMMIT"},
	  {"key": "ucdp-ged", "title": "UCDP Georeferenced Event Dataset (GED)", "publisher": "Uppsala Conflict Data Program", "url": "https://ucdp.uu.se/downloads/"}]`)
}

// A government is the state the database has for its country: after the
// demo, UCDP's "Government of India" is the demo's india.
func TestGovernmentIsTheStoredState(t *testing.T) {
	store := importtest.Open(t)
	if _, _, err := seed.Load(t.Context(), store, []fixture.File{{Name: "demo.json", Data: demo.JSON}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := importtest.Import(t, store, ucdp.Format{}, importtest.File(sample(t))); err != nil {
		t.Fatal(err)
	}
	// 90953: Government of India - Kashmir insurgents.
	e := importtest.Event(t, store, "ucdp-90953")
	want := []db.Participant{{Actor: "india", Role: db.RoleParticipant, As: "Government of India"}}
	if len(e.Participants) == 0 || e.Participants[0] != want[0] {
		t.Errorf("participants %+v, want %+v first", e.Participants, want)
	}
}

// rows writes a GED file: the sample's header and, for each change, its
// first row with the given columns changed ("" a row of its own, cut short).
func rows(t *testing.T, changes ...map[string]string) []byte {
	t.Helper()
	return importtest.CSVRows(t, sample(t), []string{"2", "x"}, changes...)
}

// Bad rows are every one reported, with line and column, and nothing is
// written.
func TestBadRows(t *testing.T) {
	file := rows(t,
		map[string]string{"id": "1"},
		nil,
		map[string]string{"id": "3", "date_start": "2013-02-30"},
		map[string]string{"id": "4", "date_start": "2013-01-05", "date_end": "2013-01-03"},
		map[string]string{"id": "5", "type_of_violence": "4"},
		map[string]string{"id": "6", "country": "Atlantis"},
		map[string]string{"id": "1"},
		map[string]string{"id": "8", "where_description": "in the village of Kh\xe9rbet"},
		map[string]string{"id": "9", "best": "many", "side_a": "Government of Atlantis"},
		map[string]string{"id": "10", "date_end": "03/01/2013", "latitude": ""},
		map[string]string{"id": "12", "date_prec": "9"},
		map[string]string{"id": ""},
	)
	store := importtest.Open(t)
	_, _, err := importtest.Import(t, store, ucdp.Format{}, importtest.Bytes("ged.csv", file))
	want := []string{
		`ged.csv:3: 2 fields, want 49 (one per column of the header)`,
		`ged.csv:4: date_start: not a date: "2013-02-30" (want YYYY-MM-DD)`,
		`ged.csv:5: date_end: 2013-01-03 is before date_start 2013-01-05`,
		`ged.csv:6: type_of_violence: unknown type "4": want 1 (state-based conflict), 2 (non-state conflict) or 3 (one-sided violence)`,
		`ged.csv:7: country: unknown country "Atlantis" (no ISO 3166-1 country goes by this name)`,
		`ged.csv:8: id: duplicate id: event ucdp-1 is also at ged.csv:2 (--rename-duplicates imports this one as ucdp-1-2)`,
		`ged.csv:9: where_description: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "in the village of Kh\xe9rbet"`,
		`ged.csv:10: best: not a whole number: "many"`,
		`ged.csv:10: side_a: unknown country in "Government of Atlantis" (no ISO 3166-1 country goes by this name)`,
		`ged.csv:11: date_end: not a date: "03/01/2013" (want YYYY-MM-DD)`,
		`ged.csv:11: latitude: missing, though longitude is given`,
		`ged.csv:12: date_prec: unknown code "9"`,
		`ged.csv:13: id: missing: every GED event has an id`,
	}
	importtest.WantProblems(t, err, want...)
	if es, err := store.EventsByKey(t.Context(), []string{"ucdp-1"}); err != nil || len(es) != 0 {
		t.Errorf("events written: %v, %v; want none", es, err)
	}
}

func TestEmptyAndForeignFiles(t *testing.T) {
	store := importtest.Open(t)
	for _, tt := range []struct {
		name, data string
		want       []string
	}{
		{"empty.csv", "", []string{"empty.csv: the file is empty: want a header row"}},
		{"acled.csv", "event_id_cnty,event_date,country\nIND1,2023-01-31,India\n", []string{
			"acled.csv:1: the header lacks the columns " + strings.Join(slices.DeleteFunc(slices.Clone(requiredColumns),
				func(c string) bool { return c == "country" }), ", ") + ": is this a ucdp file?"}},
	} {
		_, _, err := importtest.Import(t, store, ucdp.Format{}, importtest.Bytes(tt.name, []byte(tt.data)))
		if got := importtest.Problems(t, err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: problems %q, want %q", tt.name, got, tt.want)
		}
	}
}

var requiredColumns = []string{"id", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id", "dyad_name",
	"side_a_new_id", "side_a", "side_b_new_id", "side_b", "source_article", "where_prec", "where_coordinates",
	"where_description", "adm_1", "adm_2", "latitude", "longitude", "country", "event_clarity", "date_prec",
	"date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low"}

// Dates as UCDP's downloads write them read too; a span of exactly a year
// is that year; --actors maps a side by its name.
func TestDatesAndMappedActors(t *testing.T) {
	file := rows(t,
		map[string]string{"id": "1", "date_start": "2013-01-03 00:00:00.000", "date_end": "2013-01-05 00:00:00.000"},
		map[string]string{"id": "2", "date_start": "2019-01-01", "date_end": "2019-12-31", "date_prec": "5"},
		map[string]string{"id": "3", "date_start": "2019-03-01", "date_end": "2019-04-30", "date_prec": "5"},
	)
	store := importtest.Open(t)
	if _, _, err := seed.Load(t.Context(), store, []fixture.File{{Name: "a.json",
		Data: []byte(`{"version": 1, "actors": [{"key": "fsa", "name": "Free Syrian Army", "kind": "ARMED_GROUP"}]}`)}}); err != nil {
		t.Fatal(err)
	}
	m, err := importer.ReadActorMap(t.Context(), "actors.csv", strings.NewReader("dataset,actor,key\nucdp,Syrian insurgents,fsa\n"),
		[]string{"ucdp"}, store)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := importtest.ImportWith(t, store, ucdp.Format{}, importer.Options{Actors: m}, importtest.Bytes("ged.csv", file)); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"ucdp-1": "2013-01-03/2013-01-05", "ucdp-2": "2019", "ucdp-3": "2019-03/2019-04"} {
		e := importtest.Event(t, store, key)
		if got := e.OccurredAt.String(); got != want {
			t.Errorf("%s: occurredAt %s, want %s", key, got, want)
		}
		if got := e.Participants[1]; got != (db.Participant{Actor: "fsa", Role: db.RoleParticipant, As: "Syrian insurgents"}) {
			t.Errorf("%s: side B %+v, want the mapped fsa", key, got)
		}
	}
}

// A side of several governments, as UCDP writes the coalitions of
// interstate wars, is each of their states.
func TestSideOfSeveralGovernments(t *testing.T) {
	file := rows(t, map[string]string{"id": "1", "side_a": "Government of Iraq", "side_a_new_id": "116",
		"side_b": "Government of Australia, Government of United Kingdom, Government of United States of America", "side_b_new_id": "1234"})
	store := importtest.Open(t)
	if _, _, err := importtest.Import(t, store, ucdp.Format{}, importtest.Bytes("ged.csv", file)); err != nil {
		t.Fatal(err)
	}
	want := []db.Participant{
		{Actor: "iraq", Role: db.RoleParticipant, As: "Government of Iraq"},
		{Actor: "australia", Role: db.RoleParticipant, As: "Government of Australia"},
		{Actor: "united-kingdom", Role: db.RoleParticipant, As: "Government of United Kingdom"},
		{Actor: "united-states", Role: db.RoleParticipant, As: "Government of United States of America"},
	}
	if got := importtest.Event(t, store, "ucdp-1").Participants; !slices.Equal(got, want) {
		t.Errorf("participants:\n%+v\nwant\n%+v", got, want)
	}
}
