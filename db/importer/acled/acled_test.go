package acled_test

import (
	"slices"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer/acled"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/seed"
)

// The rows of testdata/acled-sample.csv are made up on ACLED's real header
// (testdata/README.md): ACLED forbids redistributing its data.
const sample = "testdata/acled-sample.csv"

// Every row is an event, and importing the file again changes nothing: the
// 11 sources and 8 events are unchanged, the 18 actors, stored already, are
// referred to and not written again.
func TestSampleImportsWholeAndAgain(t *testing.T) {
	store := importtest.Open(t)
	conv, sum, err := importtest.Import(t, store, acled.Format{}, importtest.File(sample))
	if err != nil {
		t.Fatal(err)
	}
	if conv.Rows != 8 {
		t.Errorf("rows read: %d, want 8", conv.Rows)
	}
	if want := (db.Summary{Inserted: 11 + 18 + 8}); sum != want {
		t.Errorf("first import: %v, want %v", sum, want)
	}
	_, sum, err = importtest.Import(t, store, acled.Format{}, importtest.File(sample))
	if err != nil {
		t.Fatal(err)
	}
	if want := (db.Summary{Unchanged: 11 + 8}); sum != want {
		t.Errorf("second import: %v, want %v", sum, want)
	}
}

func TestSampleRows(t *testing.T) {
	store := importtest.Open(t)
	if _, _, err := importtest.Import(t, store, acled.Format{}, importtest.File(sample)); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		// A battle: neither side is said to have started it. Two
		// publishers, two sources.
		"acled-ind1001": `{"key": "acled-ind1001", "type": "ATTACK",
		  "title": "Armed clash: Military Forces of India (2014-) and Unidentified Armed Group (India) in Kupwara",
		  "summary": "On 31 January 2023, soldiers and militants exchanged fire near Kupwara. Two militants were killed.",
		  "occurredAt": "2023-01-31",
		  "location": {"country": "IN", "place": "Kupwara, Jammu and Kashmir", "lat": 34.5262, "lon": 74.2546},
		  "fatalities": 2,
		  "codes": [{"scheme": "ACLED", "code": "Battles"}, {"scheme": "ACLED", "code": "Battles: Armed clash"},
		    {"scheme": "ACLED_DISORDER", "code": "Political violence"}],
		  "estimates": [{"measure": "FATALITIES", "best": 2, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-military-forces-of-india-2014", "role": "PARTICIPANT", "as": "Military Forces of India (2014-)"},
		    {"actor": "acled-actor-unidentified-armed-group-india", "role": "PARTICIPANT", "as": "Unidentified Armed Group (India)"}],
		  "sources": ["acled-src-greater-kashmir", "acled-src-kashmir-observer", "acled"]}`,
		// "3 February 2023" with time_precision 2: the seven days around
		// it. The associated actors take actor1's role; geo_precision 2 is
		// said in the summary; the tags are kept.
		"acled-ind1002": `{"key": "acled-ind1002", "type": "PROTEST",
		  "title": "Peaceful protest: Protesters (India) in Mumbai",
		  "summary": "Around the week of 3 February 2023, students and workers marched in Mumbai against fee increases. (Location: near the named place, or in the part of a region it stands for; ACLED geo_precision 2.)",
		  "occurredAt": "2023-01-31/2023-02-06",
		  "location": {"country": "IN", "place": "Mumbai, Mumbai City, Maharashtra", "lat": 18.975, "lon": 72.8258},
		  "fatalities": 0,
		  "codes": [{"scheme": "ACLED", "code": "Protests"}, {"scheme": "ACLED", "code": "Protests: Peaceful protest"},
		    {"scheme": "ACLED_DISORDER", "code": "Demonstrations"}],
		  "estimates": [{"measure": "FATALITIES", "best": 0, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-protesters-india", "role": "INITIATOR", "as": "Protesters (India)"},
		    {"actor": "acled-actor-students-india", "role": "INITIATOR", "as": "Students (India)"},
		    {"actor": "acled-actor-labour-group-india", "role": "INITIATOR", "as": "Labour Group (India)"}],
		  "tags": ["crowd size=around 200"],
		  "sources": ["acled-src-times-of-india", "acled"]}`,
		// time_precision 3: the month. Civilians targeted are victims;
		// civilian_targeting is a tag.
		"acled-ukr2001": `{"key": "acled-ukr2001", "type": "STRIKE",
		  "title": "Air/drone strike: Military Forces of Russia (2000-) and Civilians (Ukraine) in Kyiv - Shevchenkivskyi",
		  "summary": "In October 2022, a drone struck a residential building in Kyiv. Three civilians were killed.",
		  "occurredAt": "2022-10",
		  "location": {"country": "UA", "place": "Kyiv - Shevchenkivskyi, Kyiv, Kyiv City", "lat": 50.45, "lon": 30.5233},
		  "fatalities": 3,
		  "codes": [{"scheme": "ACLED", "code": "Explosions/Remote violence"}, {"scheme": "ACLED", "code": "Explosions/Remote violence: Air/drone strike"},
		    {"scheme": "ACLED_DISORDER", "code": "Political violence"}],
		  "estimates": [{"measure": "FATALITIES", "best": 3, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-military-forces-of-russia-2000", "role": "INITIATOR", "as": "Military Forces of Russia (2000-)"},
		    {"actor": "acled-actor-civilians-ukraine", "role": "VICTIM", "as": "Civilians (Ukraine)"}],
		  "tags": ["Civilian targeting"],
		  "sources": ["acled-src-reuters", "acled-src-ukrainska-pravda", "acled"]}`,
		// Inter given as labels, as newer exports do. Arrests are
		// coercion.
		"acled-pak3001": `{"key": "acled-pak3001", "type": "COERCION",
		  "title": "Arrests: Police Forces of Pakistan (2018-) and Protesters (Pakistan) in Islamabad",
		  "summary": "On 9 May 2023, police arrested PTI supporters in Islamabad.",
		  "occurredAt": "2023-05-09",
		  "location": {"country": "PK", "place": "Islamabad, Islamabad Capital Territory", "lat": 33.7035, "lon": 73.0594},
		  "fatalities": 0,
		  "codes": [{"scheme": "ACLED", "code": "Strategic developments"}, {"scheme": "ACLED", "code": "Strategic developments: Arrests"},
		    {"scheme": "ACLED_DISORDER", "code": "Strategic developments"}],
		  "estimates": [{"measure": "FATALITIES", "best": 0, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-police-forces-of-pakistan-2018", "role": "INITIATOR", "as": "Police Forces of Pakistan (2018-)"},
		    {"actor": "acled-actor-protesters-pakistan", "role": "TARGET", "as": "Protesters (Pakistan)"},
		    {"actor": "acled-actor-pti:-pakistan-tehreek-i-insaf", "role": "TARGET", "as": "PTI: Pakistan Tehreek-i-Insaf"}],
		  "sources": ["acled-src-dawn", "acled"]}`,
		// Governments are the shared states of their countries.
		"acled-ind1003": `{"key": "acled-ind1003", "type": "AGREEMENT",
		  "title": "Agreement: Government of India (2014-) and Government of Pakistan (2018-) in New Delhi",
		  "summary": "On 10 February 2023, India and Pakistan agreed to renew a prisoner exchange arrangement.",
		  "occurredAt": "2023-02-10",
		  "location": {"country": "IN", "place": "New Delhi, Delhi", "lat": 28.6139, "lon": 77.209},
		  "fatalities": 0,
		  "codes": [{"scheme": "ACLED", "code": "Strategic developments"}, {"scheme": "ACLED", "code": "Strategic developments: Agreement"},
		    {"scheme": "ACLED_DISORDER", "code": "Strategic developments"}],
		  "estimates": [{"measure": "FATALITIES", "best": 0, "source": "acled"}],
		  "participants": [{"actor": "india", "role": "PARTICIPANT", "as": "Government of India (2014-)"},
		    {"actor": "pakistan", "role": "PARTICIPANT", "as": "Government of Pakistan (2018-)"}],
		  "sources": ["acled-src-the-hindu", "acled"]}`,
		// Kosovo has no ISO numeric code (iso 0): the name says.
		"acled-xkx1": `{"key": "acled-xkx1", "type": "PROTEST",
		  "title": "Violent demonstration: Rioters (Kosovo) in Zvecan",
		  "summary": "On 29 May 2023, rioters threw stones at the municipal building in Zvecan.",
		  "occurredAt": "2023-05-29",
		  "location": {"country": "XK", "place": "Zvecan, Mitrovice", "lat": 42.9075, "lon": 20.8403},
		  "fatalities": 0,
		  "codes": [{"scheme": "ACLED", "code": "Riots"}, {"scheme": "ACLED", "code": "Riots: Violent demonstration"},
		    {"scheme": "ACLED_DISORDER", "code": "Demonstrations"}],
		  "estimates": [{"measure": "FATALITIES", "best": 0, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-rioters-kosovo", "role": "INITIATOR", "as": "Rioters (Kosovo)"}],
		  "sources": ["acled-src-koha-ditore", "acled"]}`,
		// Violence against civilians: the associated civilians are
		// victims too.
		"acled-syr1": `{"key": "acled-syr1", "type": "ATTACK",
		  "title": "Attack: Unidentified Armed Group (Syria) and Civilians (Syria) in Dar'a",
		  "summary": "On 14 March 2023, gunmen shot dead a farmer in Dar'a. (Location: somewhere in a larger region, which the named place stands for; ACLED geo_precision 3.)",
		  "occurredAt": "2023-03-14",
		  "location": {"country": "SY", "place": "Dar'a", "lat": 32.6189, "lon": 36.1021},
		  "fatalities": 1,
		  "codes": [{"scheme": "ACLED", "code": "Violence against civilians"}, {"scheme": "ACLED", "code": "Violence against civilians: Attack"},
		    {"scheme": "ACLED_DISORDER", "code": "Political violence"}],
		  "estimates": [{"measure": "FATALITIES", "best": 1, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-unidentified-armed-group-syria", "role": "INITIATOR", "as": "Unidentified Armed Group (Syria)"},
		    {"actor": "acled-actor-civilians-syria", "role": "VICTIM", "as": "Civilians (Syria)"},
		    {"actor": "acled-actor-farmers-syria", "role": "VICTIM", "as": "Farmers (Syria)"}],
		  "tags": ["Civilian targeting"],
		  "sources": ["acled-src-sohr", "acled"]}`,
		// "Republic of Congo" is CG (names.tsv), as iso 178 says; the
		// protesters are the victims of the force, the police its
		// initiator.
		"acled-cog1": `{"key": "acled-cog1", "type": "PROTEST",
		  "title": "Excessive force against protesters: Protesters (Republic of Congo) and Police Forces of Republic of Congo (1997-) in Brazzaville",
		  "summary": "On 4 April 2023, police fired on protesters in Brazzaville, killing one.",
		  "occurredAt": "2023-04-04",
		  "location": {"country": "CG", "place": "Brazzaville", "lat": -4.2634, "lon": 15.2429},
		  "fatalities": 1,
		  "codes": [{"scheme": "ACLED", "code": "Protests"}, {"scheme": "ACLED", "code": "Protests: Excessive force against protesters"},
		    {"scheme": "ACLED_DISORDER", "code": "Political violence; Demonstrations"}],
		  "estimates": [{"measure": "FATALITIES", "best": 1, "source": "acled"}],
		  "participants": [{"actor": "acled-actor-protesters-republic-of-congo", "role": "VICTIM", "as": "Protesters (Republic of Congo)"},
		    {"actor": "acled-actor-police-forces-of-republic-of-congo-1997", "role": "INITIATOR", "as": "Police Forces of Republic of Congo (1997-)"}],
		  "sources": ["acled-src-radio-france-internationale", "acled"]}`,
	} {
		importtest.EqualJSON(t, key, importtest.EventJSON(t, store, key), want)
	}

	keys := []string{"india", "acled-actor-military-forces-of-india-2014", "acled-actor-police-forces-of-republic-of-congo-1997",
		"acled-actor-unidentified-armed-group-india", "acled-actor-civilians-ukraine", "acled-actor-pti:-pakistan-tehreek-i-insaf"}
	var actors []any
	for _, a := range importtest.Actors(t, store, keys...) {
		actors = append(actors, fixture.ActorOut(&a))
	}
	importtest.EqualJSON(t, "actors", actors, `[
	  {"key": "india", "name": "India", "kind": "STATE", "country": "IN"},
	  {"key": "acled-actor-military-forces-of-india-2014", "name": "Military Forces of India (2014-)", "kind": "MILITARY", "country": "IN"},
	  {"key": "acled-actor-police-forces-of-republic-of-congo-1997", "name": "Police Forces of Republic of Congo (1997-)", "kind": "GOVERNMENT_BODY", "country": "CG"},
	  {"key": "acled-actor-unidentified-armed-group-india", "name": "Unidentified Armed Group (India)", "kind": "ARMED_GROUP", "country": "IN"},
	  {"key": "acled-actor-civilians-ukraine", "name": "Civilians (Ukraine)", "kind": "OTHER", "country": "UA"},
	  {"key": "acled-actor-pti:-pakistan-tehreek-i-insaf", "name": "PTI: Pakistan Tehreek-i-Insaf", "kind": "OTHER"}]`)

	var sources []any
	for _, s := range importtest.Sources(t, store, "acled-src-greater-kashmir", "acled") {
		sources = append(sources, fixture.SourceOut(&s))
	}
	importtest.EqualJSON(t, "sources", sources, `[
	  {"key": "acled-src-greater-kashmir", "publisher": "Greater Kashmir"},
	  {"key": "acled", "title": "Armed Conflict Location & Event Data (ACLED)", "publisher": "ACLED", "url": "https://acleddata.com/"}]`)
}

// After the demo, ACLED's "Government of India (2014-)" is the demo's
// india, and no other state is made for India.
func TestGovernmentIsTheStoredState(t *testing.T) {
	store := importtest.Open(t)
	if _, _, err := seed.Load(t.Context(), store, []fixture.File{{Name: "demo.json", Data: demo.JSON}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := importtest.Import(t, store, acled.Format{}, importtest.File(sample)); err != nil {
		t.Fatal(err)
	}
	e := importtest.Event(t, store, "acled-ind1003")
	want := []db.Participant{{Actor: "india", Role: db.RoleParticipant, As: "Government of India (2014-)"},
		{Actor: "pakistan", Role: db.RoleParticipant, As: "Government of Pakistan (2018-)"}}
	if !slices.Equal(e.Participants, want) {
		t.Errorf("participants %+v, want %+v", e.Participants, want)
	}
}

// rows writes an ACLED file: the sample's header and, for each change, its
// first row with the given columns changed (nil: a row cut short).
func rows(t *testing.T, changes ...map[string]string) []byte {
	t.Helper()
	return importtest.CSVRows(t, sample, []string{"IND9", "2023-01-01", "2023"}, changes...)
}

// Bad rows are every one reported, with line and column, and nothing is
// written.
func TestBadRows(t *testing.T) {
	file := rows(t,
		map[string]string{"event_id_cnty": "IND1"},
		nil,
		map[string]string{"event_id_cnty": "IND3", "event_date": "31/01/2023"},
		map[string]string{"event_id_cnty": "IND4", "time_precision": "4"},
		map[string]string{"event_id_cnty": "IND5", "event_type": "Battle"},
		map[string]string{"event_id_cnty": "IND6", "sub_event_type": "Air/drone strike"},
		map[string]string{"event_id_cnty": "ind1"},
		map[string]string{"event_id_cnty": "IND8", "notes": "Sold\xe9ts"},
		map[string]string{"event_id_cnty": "IND9", "iso": "586"},
		map[string]string{"event_id_cnty": "IND10", "inter2": "9", "fatalities": "-1"},
		map[string]string{"event_id_cnty": "IND11", "actor1": "Government of Atlantis (2020-)", "iso": "999", "country": "Atlantis"},
		map[string]string{"event_id_cnty": "", "actor1": ""},
	)
	store := importtest.Open(t)
	_, _, err := importtest.Import(t, store, acled.Format{}, importtest.Bytes("acled.csv", file))
	want := []string{
		`acled.csv:3: 3 fields, want 31 (one per column of the header)`,
		`acled.csv:4: event_date: not a date: "31/01/2023" (want 2023-01-31 or 31 January 2023)`,
		`acled.csv:5: time_precision: unknown precision "4": want 1 (day), 2 (week) or 3 (month)`,
		`acled.csv:6: event_type: unknown event type "Battle" (not in ACLED's codebook, db/codebook/acled-types.tsv)`,
		`acled.csv:7: sub_event_type: unknown sub-event type "Air/drone strike" of "Battles" (not in ACLED's codebook, db/codebook/acled-types.tsv)`,
		// Keys are lower-cased: IND1 and ind1 are one event.
		`acled.csv:8: event_id_cnty: duplicate id: event acled-ind1 is also at acled.csv:2 (--rename-duplicates imports this one as acled-ind1-2)`,
		`acled.csv:9: notes: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "Sold\xe9ts"`,
		`acled.csv:10: country: "India" is IN, but iso 586 is PK`,
		`acled.csv:11: fatalities: -1 is out of range [0, 2147483647]`,
		`acled.csv:11: inter2: unknown actor type "9": want 1 to 8 (ACLED's inter codes, db/codebook/acled-inter.tsv)`,
		`acled.csv:12: iso: unknown ISO 3166-1 numeric code "999"`,
		`acled.csv:12: actor1: unknown country in "Government of Atlantis (2020-)" (no ISO 3166-1 country goes by this name)`,
		`acled.csv:13: event_id_cnty: missing: every ACLED event has an id`,
	}
	importtest.WantProblems(t, err, want...)
	if es, err := store.EventsByKey(t.Context(), []string{"acled-ind1"}); err != nil || len(es) != 0 {
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
		{"ged.csv", "id,relid,year,country\n1,X,2020,Syria\n", []string{"ged.csv:1: the header lacks the columns " +
			"event_id_cnty, event_date, time_precision, event_type, sub_event_type, actor1, assoc_actor_1, inter1, " +
			"actor2, assoc_actor_2, inter2, iso, admin1, admin2, admin3, location, latitude, longitude, geo_precision, " +
			"source, notes, fatalities: is this a acled file?"}},
	} {
		_, _, err := importtest.Import(t, store, acled.Format{}, importtest.Bytes(tt.name, []byte(tt.data)))
		if got := importtest.Problems(t, err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: problems %q, want %q", tt.name, got, tt.want)
		}
	}
}

// How ACLED's names of state institutions and its generic actors become
// actors.
func TestActorKinds(t *testing.T) {
	file := rows(t,
		map[string]string{"event_id_cnty": "T1", "actor1": "Government of India (2014-) Ministry of Home Affairs",
			"actor2": "Military Forces of the United States (2021-) Air Force", "inter2": "8"},
		map[string]string{"event_id_cnty": "T2", "actor1": "Police Forces of India (2014-) Crime Investigation Department",
			"actor2": "Jamaat-ul-Ahrar", "inter2": "Rebel group", "assoc_actor_2": "Tribal Group (Nowhere)"},
		map[string]string{"event_id_cnty": "T3", "event_date": "1 February 2023", "time_precision": ""},
	)
	store := importtest.Open(t)
	if _, _, err := importtest.Import(t, store, acled.Format{}, importtest.Bytes("kinds.csv", file)); err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, a := range importtest.Actors(t, store, "acled-actor-government-of-india-2014-ministry-of-home-affairs",
		"acled-actor-military-forces-of-the-united-states-2021-air-force",
		"acled-actor-police-forces-of-india-2014-crime-investigation-department", "acled-actor-jamaat-ul-ahrar",
		"acled-actor-tribal-group-nowhere") {
		got = append(got, fixture.ActorOut(&a))
	}
	importtest.EqualJSON(t, "actors", got, `[
	  {"key": "acled-actor-government-of-india-2014-ministry-of-home-affairs", "name": "Government of India (2014-) Ministry of Home Affairs", "kind": "GOVERNMENT_BODY", "country": "IN"},
	  {"key": "acled-actor-military-forces-of-the-united-states-2021-air-force", "name": "Military Forces of the United States (2021-) Air Force", "kind": "MILITARY", "country": "US"},
	  {"key": "acled-actor-police-forces-of-india-2014-crime-investigation-department", "name": "Police Forces of India (2014-) Crime Investigation Department", "kind": "GOVERNMENT_BODY", "country": "IN"},
	  {"key": "acled-actor-jamaat-ul-ahrar", "name": "Jamaat-ul-Ahrar", "kind": "ARMED_GROUP"},
	  {"key": "acled-actor-tribal-group-nowhere", "name": "Tribal Group (Nowhere)", "kind": "ARMED_GROUP"}]`)
	if got := importtest.Event(t, store, "acled-t3").OccurredAt.String(); got != "2023-02-01" {
		t.Errorf("acled-t3: occurredAt %s, want 2023-02-01", got)
	}
}
