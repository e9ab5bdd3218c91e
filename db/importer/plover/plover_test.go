package plover_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/importer/plover"
)

// goldStandard reads the PLOVER gold-standard records kept beside the
// repository (../shared/data from the module root).
func goldStandard(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(importtest.DataDir(t), "plover", "PLOVER_GSR_CAMEO.json"))
	if err != nil {
		t.Fatalf("the PLOVER gold standard: %v", err)
	}
	return data
}

// corrected is the gold standard with its one duplicate id, the second
// PLOVER-GSR01-COERCE-0004 (a blockade in the West Bank, between COERCE-0016
// and COERCE-0017), renamed COERCE-0019, as an analyst would fix the file
// after the import reported it.
func corrected(t *testing.T) []byte {
	data := goldStandard(t)
	dup := []byte(`"PLOVER-GSR01-COERCE-0004"`)
	i := bytes.LastIndex(data, dup)
	if i < 0 || bytes.Index(data, dup) == i {
		t.Fatal("the gold standard no longer holds COERCE-0004 twice")
	}
	return slices.Concat(data[:i], []byte(`"PLOVER-GSR01-COERCE-0019"`), data[i+len(dup):])
}

func source(name string, data []byte) importer.Source { return importtest.Bytes(name, data) }

func convert(t *testing.T, o importer.Options, srcs ...importer.Source) (*importer.Converted, error) {
	t.Helper()
	return importtest.Convert(t, plover.Format{}, o, srcs...)
}

// load converts srcs against store, as the command does, and loads them.
func load(t *testing.T, store importtest.Store, srcs ...importer.Source) db.Summary {
	t.Helper()
	return loadWith(t, store, importer.Options{}, srcs...)
}

func loadWith(t *testing.T, store importtest.Store, o importer.Options, srcs ...importer.Source) db.Summary {
	t.Helper()
	_, sum, err := importtest.ImportWith(t, store, plover.Format{}, o, srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// eventJSON is the stored event as a fixture writes it.
func eventJSON(t *testing.T, store importtest.Store, key string) string {
	t.Helper()
	b, err := json.Marshal(importtest.EventJSON(t, store, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func actorsJSON(t *testing.T, store importtest.Store, keys ...string) []string {
	t.Helper()
	as, err := store.ActorsByKey(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		b, _ := json.Marshal(fixture.ActorOut(a))
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// The gold standard as published holds one id twice: the import reports it
// where both records are, and writes nothing.
func TestGoldStandardDuplicateID(t *testing.T) {
	_, err := convert(t, importer.Options{}, source("PLOVER_GSR_CAMEO.json", goldStandard(t)))
	want := []string{`PLOVER_GSR_CAMEO.json:4826: records[290].id: duplicate id: event plover-plover-gsr01-coerce-0004 is also at PLOVER_GSR_CAMEO.json:4597 (--rename-duplicates imports this one as plover-plover-gsr01-coerce-0004-2)`}
	if got := importtest.Problems(t, err); !slices.Equal(got, want) {
		t.Errorf("problems:\n%q\nwant\n%q", got, want)
	}
}

// With RenameDuplicates the gold standard imports as published: the second
// COERCE-0004 is keyed with -2, said in a note, and a second import finds
// the same keys and changes nothing.
func TestGoldStandardRenamed(t *testing.T) {
	ctx := context.Background()
	store := importtest.Open(t)
	o := importer.Options{RenameDuplicates: true}
	conv, err := convert(t, o, source("PLOVER_GSR_CAMEO.json", goldStandard(t)))
	if err != nil {
		t.Fatal(err)
	}
	wantNote := `PLOVER_GSR_CAMEO.json:4826: records[290].id: duplicate id: event plover-plover-gsr01-coerce-0004 is also at PLOVER_GSR_CAMEO.json:4597: imported as plover-plover-gsr01-coerce-0004-2`
	if len(conv.Notes) != 1 || conv.Notes[0].String() != wantNote {
		t.Errorf("notes %q, want %q", conv.Notes, wantNote)
	}
	conv.Close()
	for i, want := range []db.Summary{{Inserted: 620}, {Unchanged: 323}} {
		if got := loadWith(t, store, o, source("PLOVER_GSR_CAMEO.json", goldStandard(t))); got != want {
			t.Errorf("import %d: %v, want %v", i+1, got, want)
		}
	}
	evs, err := store.EventsByKey(ctx, []string{"plover-plover-gsr01-coerce-0004", "plover-plover-gsr01-coerce-0004-2"})
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v; want both", len(evs), err)
	}
	titles := []string{evs[0].Title, evs[1].Title}
	slices.Sort(titles)
	if titles[0] == titles[1] {
		t.Errorf("the two COERCE-0004 records have one title %q: they are different events", titles[0])
	}
}

// Every record of the gold standard (its duplicate id corrected) is an
// event; its actors, source and chosen events are stored as mapped, and
// importing it again changes nothing.
func TestGoldStandard(t *testing.T) {
	ctx := context.Background()
	store := importtest.Open(t)
	data := corrected(t)
	// 322 events, 297 actors (75 states, 222 CAMEO actors), 1 source.
	if got, want := load(t, store, source("gsr.json", data)), (db.Summary{Inserted: 620}); got != want {
		t.Errorf("first import: %v, want %v", got, want)
	}
	// Stored actors are referred to, not written again: the events and
	// the source are what the second run loads.
	if got, want := load(t, store, source("gsr.json", data)), (db.Summary{Unchanged: 323}); got != want {
		t.Errorf("second import: %v, want %v", got, want)
	}
	all, err := store.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Events) != 322 || len(all.Actors) != 297 || len(all.Sources) != 1 {
		t.Errorf("%d events, %d actors, %d sources; want 322, 297, 1", len(all.Events), len(all.Actors), len(all.Sources))
	}
	states, err := store.ActorsOfKind(ctx, db.ActorState)
	if err != nil || len(states) != 75 {
		t.Errorf("%d states, %v; want 75", len(states), err)
	}

	for key, want := range map[string]string{
		// Two coded governments ("SRC/TAR"), a context; the title in the
		// record's words.
		"plover-plover-gsr01-agree-0001": `{"key":"plover-plover-gsr01-agree-0001","type":"AGREEMENT","title":"Hungarian and Romanian agree","summary":"Senior Hungarian and Romanian officials agreed on Wednesday that their countries should cooperate to encourage Romanian refugees in Hungary to return home.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"AGREE"},{"scheme":"PLOVER_CONTEXT","code":"refugees"}],"participants":[{"actor":"cameo-hungov","role":"INITIATOR","as":"Hungarian"},{"actor":"cameo-rougov","role":"INITIATOR","as":"Romanian"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// IGO is CAMEO's; JAP, the records' Japan, is the state of JP.
		"plover-plover-gsr01-agree-0002": `{"key":"plover-plover-gsr01-agree-0002","type":"AGREEMENT","title":"Asia-Pacific Economic Cooperation agree Tokyo","summary":"The Asia-Pacific Economic Cooperation (APEC) forum has agreed to set up an energy research center in Tokyo to further develop its regional energy projections, officials said Thursday.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"AGREE"},{"scheme":"PLOVER_CONTEXT","code":"resource"}],"participants":[{"actor":"cameo-igo","role":"INITIATOR","as":"Asia-Pacific Economic Cooperation"},{"actor":"japan","role":"TARGET","as":"Tokyo"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// target "diplomatic", a string, names no actor; context "".
		"plover-plover-gsr01-agree-0007": `{"key":"plover-plover-gsr01-agree-0007","type":"AGREEMENT","title":"Turkish and Greek-Cypriot agree","summary":"The Turkish and Greek sides of the divided Mediterranean island of Cyprus have agreed to share information Friday on missing people from both communities, a UN official said on Monday.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"AGREE"}],"participants":[{"actor":"turkey","role":"INITIATOR","as":"Turkish"},{"actor":"greece","role":"INITIATOR","as":"Greek-Cypriot"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// eventLoc with a country code; a mode.
		"plover-plover-gsr01-consult-0007": `{"key":"plover-plover-gsr01-consult-0007","type":"MEETING","title":"U.S. ... negotiators and Russian negotiators consult (third-party)","summary":"U.S. and Russian negotiators return to Geneva this week for talk on limiting the number of European-based nuclear missiles, an issue likely to dominate East-West relations this year.","occurredAt":"2000-01-01","location":{"country":"CH","place":"Geneva"},"codes":[{"scheme":"PLOVER","code":"CONSULT"},{"scheme":"PLOVER_MODE","code":"third-party"},{"scheme":"PLOVER_CONTEXT","code":"military"}],"participants":[{"actor":"cameo-usagov","role":"INITIATOR","as":"U.S. ... negotiators"},{"actor":"cameo-rusgov","role":"INITIATOR","as":"Russian negotiators"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// An ethnic sector (CVLalb), the size as a tag, a place that is a
		// country's name.
		"plover-plover-gsr01-protest-0002": `{"key":"plover-plover-gsr01-protest-0002","type":"PROTEST","title":"Ethnic Albanians protest Serbia (demo-spon)","summary":"Up to 100 ethnic Albanians demonstrated on Tuesday in Serbia, where 24 people were killed in nationalist riots last March, Belgrade radio said.","occurredAt":"2000-01-01","location":{"country":"RS","place":"Serbia"},"codes":[{"scheme":"PLOVER","code":"PROTEST"},{"scheme":"PLOVER_MODE","code":"demo-spon"},{"scheme":"PLOVER_CONTEXT","code":"discrimination"}],"participants":[{"actor":"cameo-srbcvlalb","role":"INITIATOR","as":"ethnic Albanians"},{"actor":"serbia","role":"TARGET","as":"Serbia"}],"tags":["size:100"],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// dead and injured.
		"plover-plover-gsr01-assault-0011": `{"key":"plover-plover-gsr01-assault-0011","type":"ATTACK","title":"Samarra assault U.S. soldier (explosives)","summary":"A roadside bombing near the town of Samarra on Sunday killed one U.S. soldier and wounded two others, the military said.","occurredAt":"2000-01-01","location":{"place":"Samarra"},"fatalities":1,"injured":2,"codes":[{"scheme":"PLOVER","code":"ASSAULT"},{"scheme":"PLOVER_MODE","code":"explosives"},{"scheme":"PLOVER_CONTEXT","code":"military"}],"participants":[{"actor":"cameo-irquaf","role":"INITIATOR","as":"Samarra"},{"actor":"cameo-usamil","role":"TARGET","as":"U.S. soldier"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// No source actor: the title starts with the category.
		"plover-plover-gsr01-assault-0009": `{"key":"plover-plover-gsr01-assault-0009","type":"ATTACK","title":"Assault Iraqi civilians (suicide-attack)","summary":"At least three Iraqi civilians have been killed in a suicide car bombing in central Baghdad, Iraqi police said.","occurredAt":"2000-01-01","fatalities":3,"codes":[{"scheme":"PLOVER","code":"ASSAULT"},{"scheme":"PLOVER_MODE","code":"suicide-attack"},{"scheme":"PLOVER_CONTEXT","code":"terrorism"}],"participants":[{"actor":"cameo-irqcvl","role":"TARGET","as":"Iraqi civilians"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// ISM names no country (sector CRMMOS); JRN is CAMEO's MED.
		"plover-plover-gsr01-coerce-0015": `{"key":"plover-plover-gsr01-coerce-0015","type":"COERCION","title":"Muslim hackers coerce Danish Web sites (censor)","summary":"Muslim hackers angered by the publication of cartoons of the Prophet Mohammed have defaced nearly 3,000 Danish Web sites over the past month in the biggest politically motivated cyber attack long-time observers have ever seen.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"COERCE"},{"scheme":"PLOVER_MODE","code":"censor"},{"scheme":"PLOVER_CONTEXT","code":"cyber"}],"participants":[{"actor":"cameo-crmmos","role":"INITIATOR","as":"Muslim hackers"},{"actor":"cameo-dnkmed","role":"TARGET","as":"Danish Web sites"}],"tags":["size:3000"],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// The 2016 name FIGHT is an ATTACK.
		"plover-plover-gsr01-coerce-0002": `{"key":"plover-plover-gsr01-coerce-0002","type":"ATTACK","title":"Israeli army fight Palestinian refugees (deport)","summary":"The Israeli army forced out on Wednesday more than 1,000 Palestinian refugees from their homes in a West Bank refugee camp during a 48-hour search for militants, residents said.","occurredAt":"2000-01-01","location":{"place":"West Bank"},"codes":[{"scheme":"PLOVER","code":"FIGHT"},{"scheme":"PLOVER_MODE","code":"deport"},{"scheme":"PLOVER_CONTEXT","code":"refugee"}],"participants":[{"actor":"cameo-isrmil","role":"INITIATOR","as":"Israeli army"},{"actor":"cameo-pseref","role":"TARGET","as":"Palestinian refugees"}],"tags":["size:1000"],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// Two contexts, one code each.
		"plover-plover-gsr01-agree-0015": `{"key":"plover-plover-gsr01-agree-0015","type":"AGREEMENT","title":"United Nations agree refugees fleeing the civil war in Liberia","summary":"The United Nations will provide nearly 25,000 tons of emergency food aid to refugees fleeing the civil war in Liberia, the World Food Program (WFP) said on Monday.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"AGREE"},{"scheme":"PLOVER_CONTEXT","code":"economic"},{"scheme":"PLOVER_CONTEXT","code":"refugees"}],"participants":[{"actor":"cameo-igo","role":"INITIATOR","as":"United Nations"},{"actor":"cameo-lbrref","role":"TARGET","as":"refugees fleeing the civil war in Liberia"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// The renamed duplicate.
		"plover-plover-gsr01-coerce-0019": `{"key":"plover-plover-gsr01-coerce-0019","type":"COERCION","title":"Israel coerce West Bank (restrict)","summary":"Israel Friday reimposed blockades in the West Bank following the shooting deaths of two Israelis a day earlier, a military spokesman announced.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"COERCE"},{"scheme":"PLOVER_MODE","code":"restrict"},{"scheme":"PLOVER_CONTEXT","code":"terrorism"}],"participants":[{"actor":"israel","role":"INITIATOR","as":"Israel"},{"actor":"palestinian-territory","role":"TARGET","as":"West Bank"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
		// The CONSULT mode phone is a CALL.
		"plover-plover-gsr01-consult-0002": `{"key":"plover-plover-gsr01-consult-0002","type":"CALL","title":"U.S. Secretary of State Warren Christopher and Russian Foreign Minister Andrei Kozyrev consult (phone)","summary":"U.S. Secretary of State Warren Christopher telephoned Russian Foreign Minister Andrei Kozyrev on Tuesday to discuss efforts to forge a peace settlement in former Yugoslavia, Itar-Tass news agency said.","occurredAt":"2000-01-01","codes":[{"scheme":"PLOVER","code":"CONSULT"},{"scheme":"PLOVER_MODE","code":"phone"},{"scheme":"PLOVER_CONTEXT","code":"diplomatic"}],"participants":[{"actor":"cameo-usagov","role":"INITIATOR","as":"U.S. Secretary of State Warren Christopher"},{"actor":"cameo-rusgov","role":"INITIATOR","as":"Russian Foreign Minister Andrei Kozyrev"}],"sources":["plover-pub-oeda-team-from-cameo-1.1b3-manual"]}`,
	} {
		if got := eventJSON(t, store, key); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", key, got, want)
		}
	}

	got := actorsJSON(t, store, "cameo-hungov", "cameo-igo", "japan", "cameo-srbcvlalb", "cameo-crmmos", "cameo-dnkmed",
		"cameo-irquaf", "cameo-turrefkur", "cameo-img", "cameo-mnesoc", "cameo-civreb", "cote-d-ivoire", "italy", "cameo-vnmmil")
	want := []string{
		`{"key":"cameo-civreb","name":"Cote d'Ivoire rebels","kind":"ARMED_GROUP","country":"CI"}`,
		`{"key":"cameo-crmmos","name":"Criminals Muslim","kind":"OTHER"}`,
		`{"key":"cameo-dnkmed","name":"Denmark media","kind":"MEDIA","country":"DK"}`,
		`{"key":"cameo-hungov","name":"Hungary government","kind":"GOVERNMENT_BODY","country":"HU"}`,
		`{"key":"cameo-igo","name":"Inter-governmental organization","kind":"INTERNATIONAL_ORGANIZATION"}`,
		`{"key":"cameo-img","name":"International militarized group","kind":"ARMED_GROUP"}`,
		`{"key":"cameo-irquaf","name":"Iraq unaligned armed forces","kind":"ARMED_GROUP","country":"IQ"}`,
		`{"key":"cameo-mnesoc","name":"Montenegro (soc)","kind":"OTHER","country":"ME"}`,
		`{"key":"cameo-srbcvlalb","name":"Serbia civilians (alb)","kind":"OTHER","country":"RS"}`,
		`{"key":"cameo-turrefkur","name":"Turkey refugees (kur)","kind":"OTHER","country":"TR"}`,
		`{"key":"cameo-vnmmil","name":"Vietnam military","kind":"MILITARY","country":"VN"}`,
		`{"key":"cote-d-ivoire","name":"Cote d'Ivoire","kind":"STATE","country":"CI"}`,
		`{"key":"italy","name":"Italy","kind":"STATE","country":"IT"}`,
		`{"key":"japan","name":"Japan","kind":"STATE","country":"JP"}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("actors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// hostile is a PLOVER file with a problem or two in most records, each
// reported at its line and JSON path.
const hostile = `[
{"id": "DOC", "event": "DOCUMENT", "comment": "skipped, not an event"},
{"id": "A-1", "date": "2000-01-01", "event": "AGREE",
 "source": [{"actorText": "India", "code": "IND"}], "target": [{"actorText": "Pakistan", "code": "PAK"}]},
{"id": "A-2", "date": "2000-13-01", "event": "FOO",
 "source": [{"actorText": "Nobody", "code": "XYZ"}, {"actorText": "No code"}, 7, {"actorText": "Bad sector", "code": "IND", "sector": "GOVX"}]},
{"id": "A-3", "event": "PROTEST", "text": "Caf` + "\xe9" + ` protest", "dead": "many", "injured": -2,
 "eventLoc": {"name": "Somewhere", "country code": "QQ"}},
"not a record",
{"id": "A-1", "date": "2000", "event": "REJECT"},
{"date": "2000", "event": "REJECT", "mode": 3, "source": "", "target": {"code": "IND"}},
{"id": "A-4", "date": "2000-01-01/1999", "event": "threaten", "source": [{"actorText": "X", "code": "ISM"}]},
{"id": "", "date": "2000", "event": ""},
{"id": 17, "date": "2000", "event": 5},
{"id": "!!!", "date": "2000", "event": "AGREE"},
{"id": 17, "date": "2000", "event": "AGREE", "eventLoc": "Kabul", "dead": true}
]`

func TestProblems(t *testing.T) {
	_, err := convert(t, importer.Options{}, source("bad.json", []byte(hostile)))
	want := []string{
		`bad.json:5: records[2].event: unknown PLOVER category "FOO"`,
		`bad.json:5: records[2].date: not a date: "2000-13-01": month out of range`,
		`bad.json:6: records[2].source[0].code: unknown actor code "XYZ": neither an ISO 3166-1 alpha-3 code nor a CAMEO one`,
		`bad.json:6: records[2].source[1].code: required: the actor's ISO 3166-1 alpha-3 or CAMEO code`,
		`bad.json:6: records[2].source[2]: want an actor ({"actorText": …, "code": …, "sector": …}), got a number`,
		`bad.json:6: records[2].source[3].sector: "GOVX" is not a CAMEO sector (three-letter units: GOV, MIL, CVLalb, …)`,
		`bad.json:7: records[3].date: required: an event needs a date`,
		`bad.json:7: records[3].text: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "Caf\xe9 protest"`,
		`bad.json:7: records[3].dead: not a whole number ≥ 0: "many"`,
		`bad.json:7: records[3].injured: not a whole number ≥ 0: -2`,
		`bad.json:8: records[3].eventLoc.country code: unknown country "QQ": want an ISO 3166-1 code`,
		`bad.json:9: records[4]: want an object (a PLOVER record), got a string`,
		`bad.json:10: records[5].id: duplicate id: event plover-a-1 is also at bad.json:3 (--rename-duplicates imports this one as plover-a-1-2)`,
		`bad.json:11: records[6].id: required: the record's id, which its event's key is made of`,
		`bad.json:11: records[6].mode: want a string, got a number`,
		`bad.json:11: records[6].target: want a list of actors ({"actorText": …, "code": …, "sector": …}), got an object`,
		`bad.json:12: records[7].date: not a date: "2000-01-01/1999": the interval ends (1999) before it starts (2000-01-01)`,
		`bad.json:12: records[7].source[0].code: the code names no actor and the actor has no sector`,
		`bad.json:13: records[8].id: must not be empty: the record's id, which its event's key is made of`,
		`bad.json:13: records[8].event: must not be empty: the record's PLOVER category`,
		`bad.json:14: records[9].event: want a string, got a number`,
		`bad.json:15: records[10].id: "!!!" has no letter or digit to make a key of`,
		`bad.json:16: records[11].dead: want a whole number, got a boolean`,
		`bad.json:16: records[11].eventLoc: want an object {"name": …, "country code": …}, got a string`,
		`bad.json:16: records[11].id: duplicate id: event plover-17 is also at bad.json:14 (--rename-duplicates imports this one as plover-17-2)`,
	}
	importtest.WantProblems(t, err, want...)
}

// A file that is not a JSON array of records is reported as a whole, at the
// line where reading it stopped.
func TestFileProblems(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"empty", "", "f.json: the file is empty: want a JSON array of PLOVER records"},
		{"blank", "\n\n", "f.json: the file is empty: want a JSON array of PLOVER records"},
		{"object", "\n{\"id\": \"A\"}", "f.json:2: want a JSON array of PLOVER records, got an object"},
		{"syntax", "[\n{\"id\": \"A\",\n \"event\" \"AGREE\"}\n]", "f.json:3: not JSON: invalid character '\"' after object key"},
		{"cut short", "[\n{\"id\": \"A\", \"date\": \"2000\", \"event\": \"AGREE\"},\n", "f.json:3: the file ends inside the array of records: is it cut short?"},
		{"two arrays", "[]\n[]", "f.json:2: more after the array of records: a file holds one array"},
	} {
		_, err := convert(t, importer.Options{}, source("f.json", []byte(c.data)))
		if got := importtest.Problems(t, err); !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A byte order mark is passed over; the records' lines count from it.
func TestByteOrderMark(t *testing.T) {
	data := "\ufeff[\n{\"id\": \"A\", \"date\": \"2000\", \"event\": \"AGREE\"},\n{\"id\": \"A\", \"date\": \"2000\", \"event\": \"AGREE\"}\n]"
	_, err := convert(t, importer.Options{}, source("f.json", []byte(data)))
	want := []string{"f.json:3: records[1].id: duplicate id: event plover-a is also at f.json:2 (--rename-duplicates imports this one as plover-a-2)"}
	if got := importtest.Problems(t, err); !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// The records converted are the same bytes every time: importing a file
// again changes nothing.
func TestDeterministic(t *testing.T) {
	data := corrected(t)
	var first [][]byte
	for run := 0; run < 2; run++ {
		conv, err := convert(t, importer.Options{}, source("gsr.json", data))
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range conv.Fixtures {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if run == 0 {
				first = append(first, b)
			} else if !bytes.Equal(b, first[i]) {
				t.Errorf("%s differs between two conversions", f.Name)
			}
		}
		if conv.Rows != 323 {
			t.Errorf("%d rows read, want 323 (the documentation record too)", conv.Rows)
		}
	}
}

// A long file is read record by record, and the lines stay right far past
// the decoder's first buffer: a problem in the last of 20,000 records,
// three lines each, is at its line.
func TestLongFile(t *testing.T) {
	const n = 20000
	var b bytes.Buffer
	b.WriteString("[\n")
	for i := range n {
		date := "2000-01-01"
		if i == n-1 {
			date = "2000-02-30"
		}
		fmt.Fprintf(&b, "{\"id\": \"R-%d\",\n \"date\": \"%s\", \"event\": \"PROTEST\",\n \"source\": [{\"actorText\": \"Protesters\", \"code\": \"IND\", \"sector\": \"CVL\"}]}", i, date)
		if i < n-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := convert(t, importer.Options{}, source("long.json", b.Bytes()))
	want := []string{fmt.Sprintf(`long.json:%d: records[%d].date: not a date: "2000-02-30": day out of range`, 2+3*(n-1)+1, n-1)}
	if got := importtest.Problems(t, err); !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}
