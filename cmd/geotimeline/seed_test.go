package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/synth"
)

// demoRecords is how many records the demo fixture holds.
func demoRecords(tb testing.TB) int {
	tb.Helper()
	set, err := fixture.Decode([]fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		tb.Fatal(err)
	}
	return set.Batch.Len()
}

func TestSeed(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "test.db")
	file := demoFile(t, dir)
	n := demoRecords(t)

	res := mustRun(t, "seed", "--db", dbPath, file)
	if res.stdout != "" {
		t.Errorf("stdout = %q, want nothing", res.stdout)
	}
	if got, want := res.stderr, fmt.Sprintf("seed: loaded 1 file: %d inserted, 0 updated, 0 unchanged\n", n); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}

	// Loading is an upsert by key: the same file again changes nothing.
	res = mustRun(t, "seed", "--db", dbPath, file)
	if got, want := res.stderr, fmt.Sprintf("seed: loaded 1 file: 0 inserted, 0 updated, %d unchanged\n", n); got != want {
		t.Errorf("second seed: stderr = %q, want %q", got, want)
	}

	// Both runs are recorded, newest first, with the file as given, its
	// SHA-256 and the system user.
	store, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	runs, _, err := store.Runs(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(demo.JSON)
	me, _ := user.Current()
	if len(runs) != 2 {
		t.Fatalf("runs = %+v, want 2", runs)
	}
	for i, unchanged := range []int{n, 0} {
		r := runs[i]
		if r.Command != "seed" || r.Client != me.Username || len(r.Files) != 1 || r.Files[0].Name != file ||
			r.Files[0].SHA256 != hex.EncodeToString(sum[:]) || r.Unchanged != unchanged || r.Inserted != n-unchanged {
			t.Errorf("run %d = %+v, want a seed by %s of %s with %d unchanged", i, r, me.Username, file, unchanged)
		}
	}
}

func TestSeedStdin(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "test.db")
	res := runCLI(t, string(demo.JSON), "seed", "--db", dbPath, "-")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if want := fmt.Sprintf("seed: loaded 1 file: %d inserted, 0 updated, 0 unchanged\n", demoRecords(t)); res.stderr != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}

	// A problem in standard input is reported under the name "-".
	res = runCLI(t, `{"version": 2}`, "seed", "--db", dbPath, "-")
	if res.code != 1 || !strings.HasPrefix(res.stderr, "-: version: ") {
		t.Errorf("exit %d, stderr %q; want 1 and a problem in \"-\"", res.code, res.stderr)
	}
}

// TestSeedProblems checks that every problem of every file is reported, one
// a line, and that nothing is written.
func TestSeedProblems(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "test.db")
	mustRun(t, "seed", "--db", dbPath, demoFile(t, dir))
	before := mustRun(t, "export", "--db", dbPath).stdout

	a := writeFile(t, dir, "a.json", `{"version": 1, "actors": [{"key": "x", "name": "X", "kind": "KING"}]}`)
	b := writeFile(t, dir, "b.json", `{"version": 1, "events": [{"key": "e", "type": "CALL", "occurredAt": "2025-05"}]}`)
	res := runCLI(t, "", "seed", "--db", dbPath, a, b)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	want := a + `: actors[0].kind: invalid value "KING": want one of PERSON, STATE, GOVERNMENT_BODY, MILITARY, ARMED_GROUP, POLITICAL_PARTY, INTERNATIONAL_ORGANIZATION, NGO, MEDIA, OTHER
` + b + `: events[0].title: required
seed: 2 problems; nothing was written
`
	if res.stderr != want {
		t.Errorf("stderr =\n%s\nwant\n%s", res.stderr, want)
	}
	if after := mustRun(t, "export", "--db", dbPath).stdout; after != before {
		t.Error("the database changed")
	}
}

// TestSeedAtomic checks that one seed run is one transaction: a reference
// only the store can find missing, in the last record of the second file,
// undoes the valid first file.
func TestSeedAtomic(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "test.db")
	mustRun(t, "seed", "--db", dbPath, demoFile(t, dir))
	before := mustRun(t, "export", "--db", dbPath).stdout

	a := writeFile(t, dir, "a.json", `{"version": 1, "actors": [{"key": "new-actor", "name": "New", "kind": "PERSON"}]}`)
	b := writeFile(t, dir, "b.json", `{"version": 1, "events": [
		{"key": "new-event", "type": "CALL", "title": "A call", "occurredAt": "2025-05-09"},
		{"key": "bad-event", "type": "CALL", "title": "Another call", "occurredAt": "2025-05-10",
		 "participants": [{"actor": "new-actor", "role": "INITIATOR"}, {"actor": "marco-rubio", "role": "PARTICIPANT"}, {"actor": "nobody", "role": "TARGET"}]}
	]}`)
	res := runCLI(t, "", "seed", "--db", dbPath, a, b)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	want := b + `: events[1].participants[2].actor: unknown actor "nobody"
seed: 1 problem; nothing was written
`
	if res.stderr != want {
		t.Errorf("stderr =\n%s\nwant\n%s", res.stderr, want)
	}
	if after := mustRun(t, "export", "--db", dbPath).stdout; after != before {
		t.Error("the database changed")
	}
}

// TestSeedNewDatabase checks that a failed seed into a database that did not
// exist leaves no file behind.
func TestSeedNewDatabase(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "new.db")

	bad := writeFile(t, dir, "bad.json", `{"version": 1, "events": [{"key": "e", "type": "CALL", "title": "t",
		"occurredAt": "2025", "participants": [{"actor": "nobody", "role": "TARGET"}]}]}`)
	if res := runCLI(t, "", "seed", "--db", dbPath, bad); res.code != 1 {
		t.Errorf("exit %d, want 1: %s", res.code, res.stderr)
	}
	missing := filepath.Join(dir, "missing.json")
	res := runCLI(t, "", "seed", "--db", dbPath, demoFile(t, dir), missing)
	if res.code != 1 {
		t.Errorf("missing file: exit %d, want 1", res.code)
	}
	if want := "seed: open " + missing + ": no such file or directory\n"; res.stderr != want {
		t.Errorf("missing file: stderr = %q, want %q", res.stderr, want)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "new.db") {
			t.Errorf("failed seeds left %s behind", e.Name())
		}
	}
}

// synthFile writes a synthetic fixture of n events.
func synthFile(tb testing.TB, dir string, n int) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: n, Seed: 5}); err != nil {
		tb.Fatal(err)
	}
	return writeFile(tb, dir, fmt.Sprintf("synth-%d.json", n), buf.String())
}

// TestSeedProgress checks the progress line shown on a terminal: it names
// the phase, counts records and their rate, and is gone before the summary.
func TestSeedProgress(t *testing.T) {
	defer func(old func(io.Writer) bool) { isTerminal = old }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	dir := t.TempDir()
	res := mustRun(t, "seed", "--db", filepath.Join(dir, "p.db"), synthFile(t, dir, 3000))
	for _, want := range []string{"\rseed: checking: ", "\rseed: writing ", "\rseed: linking ", "%: ", " records/s, ", "\x1b[K"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%q", want, res.stderr)
		}
	}
	summary := regexp.MustCompile(`\r\x1b\[Kseed: loaded 1 file: \d+ inserted, 0 updated, 0 unchanged\n$`)
	if !summary.MatchString(res.stderr) {
		t.Errorf("stderr does not end by clearing the line and printing the summary:\n%q", res.stderr[max(0, len(res.stderr)-200):])
	}

	// Not on a terminal: the summary alone, as TestSeed checks.
	isTerminal = func(io.Writer) bool { return false }
	res = mustRun(t, "seed", "--db", filepath.Join(dir, "p.db"), synthFile(t, dir, 10))
	if strings.Contains(res.stderr, "\r") {
		t.Errorf("progress shown off a terminal: %q", res.stderr)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 123456: "123,456", 1234567: "1,234,567", -1234: "-1,234", -123: "-123"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestSeedTooManyProblems checks that past fixture.MaxProblems the output
// counts the problems it does not print.
func TestSeedTooManyProblems(t *testing.T) {
	dir := t.TempDir()
	var actors []string
	for i := range fixture.MaxProblems + 200 {
		actors = append(actors, fmt.Sprintf(`{"key": "a%d", "name": "A", "kind": "KING"}`, i))
	}
	bad := writeFile(t, dir, "bad.json", `{"version": 1, "actors": [`+strings.Join(actors, ",\n")+`]}`)
	res := runCLI(t, "", "seed", "--db", filepath.Join(dir, "x.db"), bad)
	lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
	if res.code != 1 || len(lines) != fixture.MaxProblems+2 {
		t.Fatalf("exit %d, %d lines; want 1 and %d", res.code, len(lines), fixture.MaxProblems+2)
	}
	if got, want := lines[len(lines)-2:], []string{"and 200 more problems", "seed: 1200 problems; nothing was written"}; !reflect.DeepEqual(got, want) {
		t.Errorf("last lines %q, want %q", got, want)
	}
}

// TestExportRoundTripLarge is TestExportRoundTrip on a synthetic fixture,
// large enough that its derived rows are rebuilt in several chunks.
func TestExportRoundTripLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 2 x 3000 events; skipped with -short")
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.db"), filepath.Join(dir, "second.db")
	mustRun(t, "seed", "--db", first, synthFile(t, dir, 3000))
	export1 := mustRun(t, "export", "--db", first).stdout
	res := runCLI(t, export1, "seed", "--db", second, "-")
	if res.code != 0 {
		t.Fatalf("seed of the export from standard input: %s", res.stderr)
	}
	if export2 := mustRun(t, "export", "--db", second).stdout; export1 != export2 {
		t.Errorf("second export differs from the first (%d and %d bytes)", len(export1), len(export2))
	}
}

// seed --dry-run prints what a load would change, field by field for what
// it would update, and writes nothing, not even a missing database file.
func TestSeedDryRun(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "test.db")
	first := writeFile(t, dir, "a.json", `{"version": 1, "actors": [{"key": "india", "name": "India", "kind": "STATE"},
	  {"key": "nepal", "name": "Nepal", "kind": "STATE"}]}`)
	second := writeFile(t, dir, "b.json", `{"version": 1, "actors": [{"key": "india", "name": "Republic of India", "kind": "STATE", "country": "IN"},
	  {"key": "nepal", "name": "Nepal", "kind": "STATE"}, {"key": "bhutan", "name": "Bhutan", "kind": "STATE"}]}`)

	res := mustRun(t, "seed", "--dry-run", "--db", dbPath, first)
	if want := "seed: dry run of 1 file, nothing written: 2 inserted, 0 updated, 0 unchanged\n"; res.stdout != want || res.stderr != "" {
		t.Errorf("dry run on no database: stdout %q, stderr %q; want %q", res.stdout, res.stderr, want)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("the dry run created %s", dbPath)
	}
	mustRun(t, "seed", "--db", dbPath, first)
	res = mustRun(t, "seed", "--dry-run", "--db", dbPath, second)
	want := "seed: dry run of 1 file, nothing written: 1 inserted, 1 updated, 1 unchanged\n  actors india: country, name\n"
	if res.stdout != want {
		t.Errorf("dry run: stdout %q, want %q", res.stdout, want)
	}
	// Nothing changed: the same dry run says the same.
	if again := mustRun(t, "seed", "--dry-run", "--db", dbPath, second); again.stdout != want {
		t.Errorf("second dry run: stdout %q, want %q", again.stdout, want)
	}
	// Problems are reported as seed reports them, exit 1.
	bad := writeFile(t, dir, "c.json", `{"version": 1, "actors": [{"key": "x", "name": "X", "kind": "STATE", "country": "UK"}]}`)
	res = runCLI(t, "", "seed", "--dry-run", "--db", dbPath, bad)
	if res.code != 1 || !strings.Contains(res.stderr, `unknown country "UK": did you mean "GB"?`) {
		t.Errorf("dry run with a problem: exit %d, stderr %q", res.code, res.stderr)
	}
}
