package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
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
