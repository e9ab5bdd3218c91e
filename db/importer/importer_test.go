package importer_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/seed"
)

// testFormat is a dataset of the tests' own: tab-separated, a header with
// id, date, actor, country and note. An actor with a country is that
// country's state; one without is a person.
type testFormat struct{}

func (testFormat) Name() string { return "test" }

func (testFormat) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	return importer.ReadRows(ctx, in, out, importer.TableOptions{Comma: '\t', Required: []string{"id", "date"}, Missing: []string{"NA"}}, func(t *importer.Table) error {
		e := &db.Event{Key: importer.Key("test", t.Get("id")), Type: db.EventOther, Title: t.Get("note")}
		if e.Title == "" {
			e.Title = "event " + t.Get("id")
		}
		d, err := db.ParseDate(t.Get("date"))
		if err != nil {
			t.Problem("date", "%v", err)
		}
		e.OccurredAt = d
		if name := t.Get("actor"); name != "" {
			ref := importer.ActorRef{ID: name, Actor: db.Actor{Key: importer.Key("test", name), Name: name, Kind: db.ActorPerson}}
			if c := t.Get("country"); c != "" {
				ref.Actor = db.Actor{Kind: db.ActorState, Country: c}
			}
			key, err := out.Actor(ref)
			if err != nil {
				return err
			}
			e.Participants = importer.AddParticipant(e.Participants, db.Participant{Actor: key, Role: db.RoleInitiator, As: name})
		}
		out.Event(t.Line(), "id", e)
		return nil
	})
}

const header = "id\tdate\tactor\tcountry\tnote\n"

func src(name string, data []byte) importer.Source { return importtest.Bytes(name, data) }

func convert(t *testing.T, o importer.Options, srcs ...importer.Source) (*importer.Converted, error) {
	t.Helper()
	return importtest.Convert(t, testFormat{}, o, srcs...)
}

func seedFixture(t *testing.T, store importtest.Store, data string) {
	t.Helper()
	if _, _, err := seed.Load(context.Background(), store, []fixture.File{{Name: "seed.json", Data: []byte(data)}}); err != nil {
		t.Fatal(err)
	}
}

// load converts srcs against store, as the command does, and loads them.
func load(t *testing.T, store importtest.Store, o importer.Options, srcs ...importer.Source) db.Summary {
	t.Helper()
	_, sum, err := importtest.ImportWith(t, store, testFormat{}, o, srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// records reads the fixtures of a conversion back as JSON lists by name.
func records(t *testing.T, conv *importer.Converted) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, f := range conv.Fixtures {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		err = json.NewDecoder(rc).Decode(&doc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for name, raw := range doc {
			if name == "version" {
				continue
			}
			var list []map[string]any
			if err := json.Unmarshal(raw, &list); err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], list...)
		}
	}
	return out
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func gz(t *testing.T, data string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(data))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(t *testing.T, files ...string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		f, err := w.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A .gz file reads as the file it holds, whatever its name; the run records
// the SHA-256 of the bytes named, not of what they decompress to.
func TestGzip(t *testing.T) {
	raw := gz(t, header+"1\t2025-04-22\tModi\t\tA meeting\n2\t2025-05\tNA\tNA\tNA\n")
	conv, err := convert(t, importer.Options{}, src("events.tsv.gz", raw), src("renamed.tsv", raw[:len(raw):len(raw)]))
	if err == nil {
		t.Fatal("the same rows twice converted")
	}
	importtest.WantProblems(t, err,
		"renamed.tsv:2: id: duplicate id: event test-1 is also at events.tsv.gz:2 (--rename-duplicates imports this one as test-1-2)",
		"renamed.tsv:3: id: duplicate id: event test-2 is also at events.tsv.gz:3 (--rename-duplicates imports this one as test-2-2)")

	conv, err = convert(t, importer.Options{}, src("events.tsv.gz", raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := []db.RunFile{{Name: "events.tsv.gz", SHA256: sum(raw)}}; !slices.Equal(conv.Inputs, want) {
		t.Errorf("inputs %v, want %v", conv.Inputs, want)
	}
	if conv.Rows != 2 {
		t.Errorf("%d rows, want 2", conv.Rows)
	}
	recs := records(t, conv)
	if got := len(recs["events"]); got != 2 {
		t.Errorf("%d events, want 2", got)
	}
	if got := recs["events"][1]["title"]; got != "event 2" {
		t.Errorf("NA read as a value: title %v", got)
	}
	if got, want := recs["actors"], []map[string]any{{"key": "test-modi", "name": "Modi", "kind": "PERSON"}}; len(got) != 1 || got[0]["key"] != want[0]["key"] || got[0]["kind"] != "PERSON" {
		t.Errorf("actors %v, want %v", got, want)
	}
}

// A .zip's files are read in turn, each named inside the archive; the
// run's ids are one set across them.
func TestZip(t *testing.T) {
	raw := zipOf(t, "one.tsv", header+"1\t2025\t\t\t\n2\t2025\t\t\t\n", "dir/two.tsv", header+"3\t2025\t\t\t\n1\t2026\t\t\t\n",
		"__MACOSX/._one.tsv", "junk", ".hidden", "junk")
	_, err := convert(t, importer.Options{}, src("events.zip", raw))
	importtest.WantProblems(t, err, "events.zip:dir/two.tsv:3: id: duplicate id: event test-1 is also at events.zip:one.tsv:2 (--rename-duplicates imports this one as test-1-2)")

	raw = zipOf(t, "one.tsv", header+"1\t2025\t\t\t\n", "two.tsv", header+"2\t2025\t\t\t\n")
	conv, err := convert(t, importer.Options{}, src("events.zip", raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(records(t, conv)["events"]); got != 2 || conv.Rows != 2 {
		t.Errorf("%d events of %d rows, want 2 of 2", got, conv.Rows)
	}
	if want := []db.RunFile{{Name: "events.zip", SHA256: sum(raw)}}; !slices.Equal(conv.Inputs, want) {
		t.Errorf("inputs %v, want %v", conv.Inputs, want)
	}
	_, err = convert(t, importer.Options{}, src("empty.zip", zipOf(t)))
	if err == nil || err.Error() != "empty.zip: the archive holds no file" {
		t.Errorf("an empty archive: %v", err)
	}
}

// Standard input is opened once and read as a file named "-".
func TestStdin(t *testing.T) {
	data := header + "1\t2025\t\t\t\n"
	opened := 0
	stdin := importer.Source{Name: "-", Open: func() (io.ReadCloser, error) {
		opened++
		return io.NopCloser(strings.NewReader(data)), nil
	}}
	conv, err := convert(t, importer.Options{}, stdin)
	if err != nil {
		t.Fatal(err)
	}
	if opened != 1 {
		t.Errorf("standard input opened %d times", opened)
	}
	if want := []db.RunFile{{Name: "-", SHA256: sum([]byte(data))}}; !slices.Equal(conv.Inputs, want) {
		t.Errorf("inputs %v, want %v", conv.Inputs, want)
	}
	// A gzip stream piped in is read as such.
	raw := gz(t, data)
	stdin.Open = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	conv, err = convert(t, importer.Options{}, stdin)
	if err != nil || len(records(t, conv)["events"]) != 1 || conv.Inputs[0].SHA256 != sum(raw) {
		t.Errorf("gzip on standard input: %v", err)
	}
}

// Hostile files: every problem is reported with its file, line and column,
// and nothing is converted.
func TestProblems(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"empty", "", []string{"x.tsv: the file is empty: want a header row"}},
		{"header", "id\tnote\n1\tx\n", []string{"x.tsv:1: the header lacks the column date: is this a test file?"}},
		{"headers", "name\tnote\n", []string{"x.tsv:1: the header lacks the columns id, date: is this a test file?"}},
		{"short rows", header + "1\t2025\t\t\t\n2\t2025\n3\t2025\t\t\t\t\textra\n\n4\t2025\t\t\t\n",
			[]string{"x.tsv:3: 2 fields, want 5 (one per column of the header)", "x.tsv:4: 7 fields, want 5 (one per column of the header)"}},
		{"Latin-1", header + "1\t2025\tJos\xe9\t\tCaf\xe9\n",
			[]string{`x.tsv:2: note: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "Caf\xe9"`,
				`x.tsv:2: actor: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "Jos\xe9"`}},
		{"bad date", header + "1\t2025-13-01\t\t\t\n2\t22/04/2025\t\t\t\n",
			[]string{`x.tsv:2: date: not a date: "2025-13-01": month out of range`,
				`x.tsv:3: date: not a date: "22/04/2025" (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)`}},
		{"duplicate", header + "1\t2025\t\t\t\n1\t2026\t\t\t\n", []string{"x.tsv:3: id: duplicate id: event test-1 is also at x.tsv:2 (--rename-duplicates imports this one as test-1-2)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			conv, err := convert(t, importer.Options{TempDir: dir}, src("x.tsv", []byte(c.data)))
			if conv != nil {
				t.Fatal("converted")
			}
			importtest.WantProblems(t, err, c.want...)
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("a failed run left %d files behind", len(left))
			}
		})
	}
}

// Close removes the fixtures a run wrote.
func TestClose(t *testing.T) {
	dir := t.TempDir()
	conv, err := importer.Convert(context.Background(), testFormat{}, []importer.Source{src("x.tsv", []byte(header+"1\t2025\t\t\t\n"))}, importer.Options{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("%d entries in the temporary directory, want 1", len(left))
	}
	if err := conv.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Close left %d entries", len(left))
	}
}

func TestKeys(t *testing.T) {
	for in, want := range map[string]string{"IN": "india", "US": "united-states", "IR": "iran", "GB": "united-kingdom",
		"KR": "republic-of-korea", "CI": "cote-d-ivoire", "PS": "palestinian-territory", "XX": "state-xx"} {
		if got := importer.StateKey(in); got != want {
			t.Errorf("StateKey(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"Côte d'Ivoire": "cote-d-ivoire", "  São Tomé & Príncipe ": "sao-tome-principe",
		"PLOVER-GSR01-AGREE-0001": "plover-gsr01-agree-0001", "a.b_c:d": "a.b_c:d", "..:x": "x", "": "", "!!": ""} {
		if got := importer.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	if got := importer.Key("gdelt", "1234567"); got != "gdelt-1234567" {
		t.Errorf("Key = %q", got)
	}
	if got := importer.Key("acled", "", "IND123"); got != "acled-ind123" {
		t.Errorf("Key skipping an empty part = %q", got)
	}
	long := importer.Key("icews", strings.Repeat("word ", 40))
	other := importer.Key("icews", strings.Repeat("word ", 41))
	if len(long) != db.MaxKeyLength || !db.ValidKey(long) || long == other || len(other) > db.MaxKeyLength {
		t.Errorf("long keys %q (%d), %q", long, len(long), other)
	}
	if !strings.HasPrefix(long, "icews-word-word-") {
		t.Errorf("a long key keeps its start: %q", long)
	}
}

func TestURLSource(t *testing.T) {
	s, ok := importer.URLSource("https://www.reuters.com/world/india-1")
	h := sha256.Sum256([]byte("https://www.reuters.com/world/india-1"))
	want := db.Source{Key: "url-" + hex.EncodeToString(h[:8]), URL: "https://www.reuters.com/world/india-1", Publisher: "reuters.com"}
	if !ok || s != want {
		t.Errorf("URLSource = %+v, %v; want %+v", s, ok, want)
	}
	if s2, _ := importer.URLSource("http://example.org/a"); s2.Key == s.Key || s2.Publisher != "example.org" {
		t.Errorf("another URL: %+v", s2)
	}
	for _, bad := range []string{"", "reuters.com/x", "ftp://example.org/x", "https://", "https://example.org/a b", "OEDA team from CAMEO 1.1b3 manual"} {
		if _, ok := importer.URLSource(bad); ok {
			t.Errorf("URLSource(%q) accepted", bad)
		}
	}
}

func TestAddHelpers(t *testing.T) {
	ps := importer.AddParticipant(nil, db.Participant{Actor: "india", Role: db.RoleInitiator, As: "India"})
	ps = importer.AddParticipant(ps, db.Participant{Actor: "india", Role: db.RoleTarget})
	ps = importer.AddParticipant(ps, db.Participant{Actor: "pakistan", Role: db.RoleTarget})
	if want := []db.Participant{{Actor: "india", Role: db.RoleInitiator, As: "India"}, {Actor: "pakistan", Role: db.RoleTarget}}; !slices.Equal(ps, want) {
		t.Errorf("participants %v, want %v", ps, want)
	}
	if got := importer.AddKey(importer.AddKey(importer.AddKey(nil, "a"), ""), "a"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("AddKey: %v", got)
	}
	cs := importer.Codes(db.EventCode{Scheme: "CAMEO", Code: "190"}, db.EventCode{Scheme: "CAMEO", Code: ""},
		db.EventCode{Scheme: "PLOVER", Code: "190"}, db.EventCode{Scheme: "CAMEO", Code: "190", Label: "again"})
	if want := []db.EventCode{{Scheme: "CAMEO", Code: "190"}, {Scheme: "PLOVER", Code: "190"}}; !slices.Equal(cs, want) {
		t.Errorf("Codes: %v, want %v", cs, want)
	}
}

func readMap(t *testing.T, data string, store importer.Store) (*importer.ActorMap, error) {
	t.Helper()
	return importer.ReadActorMap(context.Background(), "actors.csv", strings.NewReader(data), []string{"gdelt", "test"}, store)
}

func TestActorMap(t *testing.T) {
	m, err := readMap(t, "dataset,actor,key\ntest,Modi,narendra-modi\n*,IND,bharat\ngdelt,IND,india-gdelt\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dataset, id, want string }{
		{"test", "Modi", "narendra-modi"}, {"test", "IND", "bharat"}, {"gdelt", "IND", "india-gdelt"}, {"gdelt", "Modi", ""}, {"test", "modi", ""},
	} {
		if got, ok := m.Lookup(c.dataset, c.id); got != c.want || ok != (c.want != "") {
			t.Errorf("Lookup(%s, %s) = %q, %v; want %q", c.dataset, c.id, got, ok, c.want)
		}
	}
	var none *importer.ActorMap
	if _, ok := none.Lookup("test", "Modi"); ok {
		t.Error("a nil map maps")
	}

	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"header", "dataset,name,key\ntest,Modi,x\n", []string{`actors.csv:1: the header must be dataset,actor,key, got "dataset,name,key"`}},
		{"lines", "dataset,actor,key\nacled,Modi,x\ntest,Modi\ntest,,x\ntest,Shah,Not A Key\ntest,Modi,y\ntest,Modi,z\n", []string{
			`actors.csv:2: dataset: unknown dataset "acled": want one of gdelt, test or *`,
			`actors.csv:3: want 3 fields (dataset,actor,key), got 2`,
			`actors.csv:4: actor: must not be empty`,
			`actors.csv:5: key: "Not A Key" is not a key (1 to 128 of a-z 0-9 - _ . :, starting with a letter or digit)`,
			`actors.csv:7: actor: test "Modi" is mapped twice (first on line 6)`,
		}},
		{"quotes", "dataset,actor,key\ntest,\"Modi,x\n", []string{`actors.csv:2: extraneous or missing " in quoted-field`}},
	} {
		_, err := readMap(t, c.data, nil)
		if got := importtest.Problems(t, err); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}

	// Against a database, a key it lacks is reported at its first line.
	store := importtest.Open(t)
	seedFixture(t, store, `{"version": 1, "actors": [{"key": "narendra-modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN"}]}`)
	_, err = readMap(t, "dataset,actor,key\ntest,Modi,narendra-modi\ntest,Shah,amit-shah\ngdelt,Shah,amit-shah\ntest,Doval,ajit-doval\n", store)
	importtest.WantProblems(t, err,
		`actors.csv:3: key: unknown actor "amit-shah": the database has no actor with this key`,
		`actors.csv:5: key: unknown actor "ajit-doval": the database has no actor with this key`)
}

// A mapped actor is the key it maps to: no record is made for it.
func TestActorMapInConvert(t *testing.T) {
	store := importtest.Open(t)
	seedFixture(t, store, `{"version": 1, "actors": [{"key": "narendra-modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN"},
	  {"key": "bharat-sarkar", "name": "Government of India", "kind": "GOVERNMENT_BODY", "country": "IN"}]}`)
	m, err := readMap(t, "dataset,actor,key\ntest,Modi,narendra-modi\n*,India,bharat-sarkar\n", store)
	if err != nil {
		t.Fatal(err)
	}
	data := header + "1\t2025\tModi\t\t\n2\t2025\tIndia\tIN\t\n3\t2025\tShah\t\t\n"
	conv, err := convert(t, importer.Options{Store: store, Actors: m}, src("x.tsv", []byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	recs := records(t, conv)
	if got := recs["actors"]; len(got) != 1 || got[0]["key"] != "test-shah" {
		t.Errorf("actors written %v, want test-shah alone", got)
	}
	var who []any
	for _, e := range recs["events"] {
		who = append(who, e["participants"].([]any)[0].(map[string]any)["actor"])
	}
	if want := []any{"narendra-modi", "bharat-sarkar", "test-shah"}; !slices.Equal(who, want) {
		t.Errorf("participants %v, want %v", who, want)
	}
}

// Actors the database holds are referred to and never rewritten: an
// analyst's description survives an import, and no actor is updated.
func TestStoredActorsKept(t *testing.T) {
	ctx := context.Background()
	store := importtest.Open(t)
	seedFixture(t, store, `{"version": 1, "actors": [{"key": "india", "name": "Republic of India", "kind": "STATE", "country": "IN",
	  "description": "kept by an analyst"}, {"key": "test-modi", "name": "Narendra Modi", "kind": "PERSON", "aliases": ["NaMo"]}]}`)
	data := header + "1\t2025-04-22\tIndia\tIN\t\n2\t2025\tModi\t\t\n"
	if got, want := load(t, store, importer.Options{}, src("x.tsv", []byte(data))), (db.Summary{Inserted: 2}); got != want {
		t.Errorf("import: %v, want %v (the events alone)", got, want)
	}
	as, err := store.ActorsByKey(ctx, []string{"india", "test-modi"})
	if err != nil || len(as) != 2 {
		t.Fatalf("actors %v, %v", as, err)
	}
	for _, a := range as {
		if a.Key == "india" && (a.Description != "kept by an analyst" || a.Name != "Republic of India") ||
			a.Key == "test-modi" && (a.Name != "Narendra Modi" || !slices.Equal(a.Aliases, []string{"NaMo"})) {
			t.Errorf("actor %s rewritten: %+v", a.Key, a)
		}
	}
	es, err := store.EventsByKey(ctx, []string{"test-1"})
	if err != nil || len(es) != 1 {
		t.Fatal(es, err)
	}
	full, err := store.FullEvents(ctx, []int64{es[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if want := []db.Participant{{Actor: "india", Role: db.RoleInitiator, As: "India"}}; !slices.Equal(full[0].Participants, want) {
		t.Errorf("participants %v, want %v", full[0].Participants, want)
	}
	// Again: nothing changes.
	if got, want := load(t, store, importer.Options{}, src("x.tsv", []byte(data))), (db.Summary{Unchanged: 2}); got != want {
		t.Errorf("import again: %v, want %v", got, want)
	}
}

// A stored state of another key is the country's state for every dataset:
// "bharat", country IN, is India's; with none stored, the run makes
// StateKey's.
func TestStoredStateOfAnotherKey(t *testing.T) {
	store := importtest.Open(t)
	seedFixture(t, store, `{"version": 1, "actors": [{"key": "bharat", "name": "Bharat", "kind": "STATE", "country": "IN"}]}`)
	data := header + "1\t2025\tIndia\tIN\t\n2\t2025\tIndien\tIND\t\n3\t2025\tNepal\tNP\t\n"
	conv, err := convert(t, importer.Options{Store: store}, src("x.tsv", []byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	recs := records(t, conv)
	if got := recs["actors"]; len(got) != 1 || got[0]["key"] != "nepal" || got[0]["name"] != "Nepal" || got[0]["country"] != "NP" {
		t.Errorf("actors written %v, want the state nepal alone", got)
	}
	var who []any
	for _, e := range recs["events"] {
		who = append(who, e["participants"].([]any)[0].(map[string]any)["actor"])
	}
	if want := []any{"bharat", "bharat", "nepal"}; !slices.Equal(who, want) {
		t.Errorf("participants %v, want %v", who, want)
	}
	if got, want := load(t, store, importer.Options{}, src("x.tsv", []byte(data))), (db.Summary{Inserted: 4}); got != want {
		t.Errorf("load: %v, want %v", got, want)
	}
}

// Progress is told every 500 rows; a cancelled run stops there, with the
// context's error and nothing left behind.
func TestProgressAndCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range 1200 {
		fmt.Fprintf(&b, "%d\t2025\t\t\t\n", i)
	}
	data := []byte(b.String())

	var seen []int
	conv, err := convert(t, importer.Options{Progress: func(n int) { seen = append(seen, n) }}, src("x.tsv", data))
	if err != nil {
		t.Fatal(err)
	}
	if conv.Rows != 1200 || !slices.Equal(seen, []int{500, 1000}) {
		t.Errorf("rows %d, progress %v; want 1200, [500 1000]", conv.Rows, seen)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err = importer.Convert(ctx, testFormat{}, []importer.Source{src("x.tsv", data)}, importer.Options{TempDir: dir})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a cancelled run left %d files", len(left))
	}
}

// csvFormat reads CSV rows id,date,lat,lon,dead through the Table's
// number readers, as UCDP's and ACLED's importers do.
type csvFormat struct{}

func (csvFormat) Name() string { return "csvtest" }

func (csvFormat) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	t := importer.NewTable(in, out, importer.TableOptions{Comma: ',', Required: []string{"id", "date"}})
	for t.Next() {
		out.Row()
		e := &db.Event{Key: importer.Key("csv", t.Get("id")), Type: db.EventOther, Title: "event " + t.Get("id")}
		e.OccurredAt, _ = db.ParseDate(t.Get("date"))
		e.Location.Lat, e.Location.Lon = t.Point("lat", "lon")
		e.Fatalities = t.Int("dead", 0, 1_000_000)
		out.Event(t.Line(), "id", e)
	}
	return t.Err()
}

func TestCSVTable(t *testing.T) {
	data := "\ufeffid,date,lat,lon,dead\n" +
		`1,2025,34.01,75.32,26.0` + "\n" +
		`"2, quoted",2025,,,` + "\n" +
		`"3",2025,"multi` + "\n" + `line",75,x` + "\n" +
		`4,2025,91,181,-1` + "\n" +
		`5,2025,10,,2.5` + "\n" +
		`6,2025,10,20,3 "bare"` + "\n"
	_, err := importer.Convert(context.Background(), csvFormat{}, []importer.Source{src("x.csv", []byte(data))}, importer.Options{})
	importtest.WantProblems(t, err,
		`x.csv:4: lat: not a number: "multi\nline"`,
		`x.csv:4: dead: not a whole number: "x"`,
		`x.csv:6: lat: 91 is out of range [-90, 90]`,
		`x.csv:6: lon: 181 is out of range [-180, 180]`,
		`x.csv:6: dead: -1 is out of range [0, 1000000]`,
		`x.csv:7: lon: missing, though lat is given`,
		`x.csv:7: dead: not a whole number: "2.5"`,
		`x.csv:8: bare " in non-quoted-field`)

	conv, err := importer.Convert(context.Background(), csvFormat{}, []importer.Source{src("x.csv", []byte("\ufeffid,date,lat,lon,dead\n"+
		`1,2025,34.01,75.32,26.0`+"\n"+`"2, quoted",2025,,,`+"\n"))}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conv.Close()
	evs := records(t, conv)["events"]
	if len(evs) != 2 || evs[0]["fatalities"] != float64(26) || evs[0]["location"].(map[string]any)["lat"] != 34.01 || evs[1]["key"] != "csv-2-quoted" {
		t.Errorf("events %v", evs)
	}
}

// A bad coordinate is reported once, as bad, not again as missing.
func TestPointReportedOnce(t *testing.T) {
	data := "id,date,lat,lon,dead\n1,2025,\xe9,75,\n2,2025,north,75,\n"
	_, err := importer.Convert(context.Background(), csvFormat{}, []importer.Source{src("x.csv", []byte(data))}, importer.Options{})
	importtest.WantProblems(t, err,
		`x.csv:2: lat: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "\xe9"`,
		`x.csv:3: lat: not a number: "north"`)
}

func TestStateNames(t *testing.T) {
	for code, want := range map[string][2]string{
		"IN": {"india", "India"}, "US": {"united-states", "United States"}, "IR": {"iran", "Iran"},
		"TW": {"taiwan", "Taiwan"}, "KR": {"republic-of-korea", "Republic of Korea"}, "MD": {"moldova", "Moldova"},
	} {
		if k, n := importer.StateKey(code), importer.StateName(code); k != want[0] || n != want[1] {
			t.Errorf("%s: key %q name %q, want %q %q", code, k, n, want[0], want[1])
		}
	}
	// No two countries share a state key.
	seen := map[string]string{}
	for _, c := range iso3166.All() {
		k := importer.StateKey(c.Code)
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s share the state key %q", other, c.Code, k)
		}
		seen[k] = c.Code
	}
}
