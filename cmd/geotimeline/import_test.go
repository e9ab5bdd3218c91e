package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// ploverFile writes the PLOVER gold standard, kept beside the repository
// (../shared/data from the module root; its absence fails the test), into
// dir with its one duplicate id renamed, so that every record loads.
func ploverFile(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	data := readShared(t, filepath.Join("plover", "PLOVER_GSR_CAMEO.json"))
	dup := []byte(`"PLOVER-GSR01-COERCE-0004"`)
	i := bytes.LastIndex(data, dup)
	data = slices.Concat(data[:i], []byte(`"PLOVER-GSR01-COERCE-0019"`), data[i+len(dup):])
	path := filepath.Join(dir, "gsr.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func sha(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func TestImportUsage(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "x.json", "[]")
	wantUsageError(t, runCLI(t, "", "import", file), "--format is required: one of ")
	wantUsageError(t, runCLI(t, "", "import", "--format", "foo", file), `unknown --format "foo": want one of `)
	wantUsageError(t, runCLI(t, "", "import", "--format", "plover"), `at least one FILE is required ("-" for standard input)`)
	wantUsageError(t, runCLI(t, "", "import", "--format", "plover", "-", "-"), `"-" (standard input) may be given only once`)
	if res := runCLI(t, "", "import", "--help"); !strings.Contains(res.stdout+res.stderr, "plover") {
		t.Errorf("--help does not list plover:\n%s%s", res.stdout, res.stderr)
	}
}

// The gold standard into a new database, then again; the run records name
// the dataset file with its SHA-256.
func TestImportPLOVER(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "new.db")
	file, data := ploverFile(t, dir)

	res := mustRun(t, "import", "--format", "plover", "--db", dbPath, file)
	if want := "import: loaded 1 file: 620 inserted, 0 updated, 0 unchanged\n"; res.stderr != want || res.stdout != "" {
		t.Errorf("first import: stdout %q, stderr %q; want stderr %q", res.stdout, res.stderr, want)
	}
	res = mustRun(t, "import", "--format", "plover", "--db", dbPath, file)
	if want := "import: loaded 1 file: 0 inserted, 0 updated, 323 unchanged\n"; res.stderr != want {
		t.Errorf("second import: stderr %q, want %q", res.stderr, want)
	}

	ctx := context.Background()
	store := openStore(t, dbPath)
	runs, _, err := store.Runs(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	for i, want := range []db.Summary{{Unchanged: 323}, {Inserted: 620}} {
		r := runs[i]
		if r.Command != "import" || !slices.Equal(r.Files, []db.RunFile{{Name: file, SHA256: sha(data)}}) || r.Summary != want {
			t.Errorf("run %d: %+v; want command import, file %s with its SHA-256, %v", r.ID, r, file, want)
		}
	}
}

// The gold standard as published: refused for its duplicate id, then in
// with --rename-duplicates, which says what it renamed.
func TestImportRenameDuplicates(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "new.db")
	data := readShared(t, filepath.Join("plover", "PLOVER_GSR_CAMEO.json"))
	file := filepath.Join(dir, "PLOVER_GSR_CAMEO.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", "import", "--format", "plover", "--db", dbPath, file)
	dup := file + ":4826: records[290].id: duplicate id: event plover-plover-gsr01-coerce-0004 is also at " + file + ":4597"
	if want := dup + " (--rename-duplicates imports this one as plover-plover-gsr01-coerce-0004-2)\nimport: 1 problem; nothing was written\n"; res.code != 1 || res.stderr != want {
		t.Errorf("without the flag: exit %d, stderr %q; want 1, %q", res.code, res.stderr, want)
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused import left %s behind: %v", dbPath, err)
	}
	res = mustRun(t, "import", "--format", "plover", "--rename-duplicates", "--db", dbPath, file)
	if want := dup + ": imported as plover-plover-gsr01-coerce-0004-2\nimport: loaded 1 file: 620 inserted, 0 updated, 0 unchanged\n"; res.stderr != want {
		t.Errorf("with the flag: stderr %q, want %q", res.stderr, want)
	}
}

// --dry-run reports what the import would do and writes nothing, not even
// a new database.
func TestImportDryRun(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "new.db")
	file, _ := ploverFile(t, dir)
	res := mustRun(t, "import", "--format", "plover", "--dry-run", "--db", dbPath, file)
	if want := "import: dry run of 1 file, nothing written: 620 inserted, 0 updated, 0 unchanged\n"; res.stdout != want {
		t.Errorf("dry run: stdout %q, want %q", res.stdout, want)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("the dry run created %s", dbPath)
	}
	mustRun(t, "import", "--format", "plover", "--db", dbPath, file)
	res = mustRun(t, "import", "--format", "plover", "--dry-run", "--db", dbPath, file)
	if want := "import: dry run of 1 file, nothing written: 0 inserted, 0 updated, 323 unchanged\n"; res.stdout != want {
		t.Errorf("dry run after the import: stdout %q, want %q", res.stdout, want)
	}
}

// A hostile file: every problem at its line, nothing written, and no new
// database left behind.
func TestImportProblems(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "new.db")
	bad := writeFile(t, dir, "bad.json", "[\n"+
		`{"id": "X-1", "date": "2000-01-01", "event": "AGREE", "source": [{"actorText": "Nobody", "code": "XYZ"}]},`+"\n"+
		`{"id": "X-2", "date": "1 January 2000", "event": "FOO", "text": "Caf`+"\xe9"+`"},`+"\n"+
		`{"id": "X-1", "date": "2000", "event": "AGREE"}`+"\n]\n")
	res := runCLI(t, "", "import", "--format", "plover", "--db", dbPath, bad)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	want := bad + `:2: records[0].source[0].code: unknown actor code "XYZ": neither an ISO 3166-1 alpha-3 code nor a CAMEO one
` + bad + `:3: records[1].event: unknown PLOVER category "FOO"
` + bad + `:3: records[1].date: not a date: "1 January 2000" (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)
` + bad + `:3: records[1].text: not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): "Caf\xe9"
` + bad + `:4: records[2].id: duplicate id: event plover-x-1 is also at ` + bad + `:2 (--rename-duplicates imports this one as plover-x-1-2)
import: 5 problems; nothing was written
`
	if res.stderr != want {
		t.Errorf("stderr =\n%s\nwant\n%s", res.stderr, want)
	}
	empty := writeFile(t, dir, "empty.json", "")
	res = runCLI(t, "", "import", "--format", "plover", "--db", dbPath, empty)
	if want := empty + ": the file is empty: want a JSON array of PLOVER records\nimport: 1 problem; nothing was written\n"; res.code != 1 || res.stderr != want {
		t.Errorf("empty file: exit %d, stderr %q; want %q", res.code, res.stderr, want)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "new.db") {
			t.Errorf("failed imports left %s behind", e.Name())
		}
	}
}

// Into the demo's database: the records' countries are the demo's states,
// and --actors maps a PLOVER actor onto a key the demo has.
func TestImportActors(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "demo.db")
	mustRun(t, "seed", "--db", dbPath, demoFile(t, dir))
	file, _ := ploverFile(t, dir)
	actors := writeFile(t, dir, "actors.csv", "dataset,actor,key\nplover,USAGOV,us-department-of-state\n")
	// The states of the United States, India and Pakistan are the demo's
	// (the records name Nepal only by its government and opposition), and
	// USAGOV is mapped: 297 actors less 4, 322 events, 1 source.
	res := mustRun(t, "import", "--format", "plover", "--actors", actors, "--db", dbPath, file)
	if want := "import: loaded 1 file: 616 inserted, 0 updated, 0 unchanged\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
	ctx := context.Background()
	store := openStore(t, dbPath)
	want := []db.Participant{{Actor: "us-department-of-state", Role: db.RoleInitiator, As: "U.S. Secretary of State Warren Christopher"},
		{Actor: "cameo-rusgov", Role: db.RoleInitiator, As: "Russian Foreign Minister Andrei Kozyrev"}}
	if got := participants(t, store, "plover-plover-gsr01-consult-0002"); !slices.Equal(got, want) {
		t.Errorf("participants %v, want %v", got, want)
	}
	if got, _ := store.ActorsByKey(ctx, []string{"cameo-usagov", "united-states-of-america", "state-us"}); len(got) != 0 {
		t.Errorf("actors made beside the demo's: %v", got)
	}
	want = []db.Participant{{Actor: "united-states", Role: db.RoleInitiator, As: "United States"}, {Actor: "jordan", Role: db.RoleInitiator, As: "Jordan"}}
	if got := participants(t, store, "plover-plover-gsr01-agree-0003"); !slices.Equal(got, want) {
		t.Errorf("participants %v, want %v", got, want)
	}
	// A key neither the database nor the run has is refused before reading.
	unknown := writeFile(t, dir, "unknown.csv", "dataset,actor,key\nplover,USAGOV,nobody\n")
	res = runCLI(t, "", "import", "--format", "plover", "--actors", unknown, "--db", dbPath, file)
	if want := unknown + ":2: key: unknown actor \"nobody\": the database has no actor with this key\nimport: 1 problem; nothing was written\n"; res.code != 1 || res.stderr != want {
		t.Errorf("unknown key: exit %d, stderr %q; want %q", res.code, res.stderr, want)
	}
}

// Standard input and a .gz file read as the file itself does.
func TestImportStdinAndGzip(t *testing.T) {
	dir := t.TempDir()
	_, data := ploverFile(t, dir)
	res := runCLI(t, string(data), "import", "--format", "plover", "--db", filepath.Join(dir, "stdin.db"), "-")
	if want := "import: loaded 1 file: 620 inserted, 0 updated, 0 unchanged\n"; res.code != 0 || res.stderr != want {
		t.Errorf("stdin: exit %d, stderr %q; want %q", res.code, res.stderr, want)
	}
	zipped := gzipped(data)
	gz := writeFile(t, dir, "gsr.json.gz", string(zipped))
	res = runCLI(t, "", "import", "--format", "plover", "--db", filepath.Join(dir, "stdin.db"), gz)
	if want := "import: loaded 1 file: 0 inserted, 0 updated, 323 unchanged\n"; res.code != 0 || res.stderr != want {
		t.Errorf(".gz after stdin: exit %d, stderr %q; want %q", res.code, res.stderr, want)
	}
	// Both runs recorded with the bytes they read.
	ctx := context.Background()
	store := openStore(t, filepath.Join(dir, "stdin.db"))
	runs, _, err := store.Runs(ctx, 0, 10)
	if err != nil || len(runs) != 2 {
		t.Fatal(runs, err)
	}
	if got, want := runs[0].Files, []db.RunFile{{Name: gz, SHA256: sha(zipped)}}; !slices.Equal(got, want) {
		t.Errorf(".gz run files %v, want %v", got, want)
	}
	if got, want := runs[1].Files, []db.RunFile{{Name: "-", SHA256: sha(data)}}; !slices.Equal(got, want) {
		t.Errorf("stdin run files %v, want %v", got, want)
	}
}
