package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

func TestImportGDELT(t *testing.T) {
	file := sharedData(t, "gdelt/20191024143000.export.CSV")
	dbPath := filepath.Join(t.TempDir(), "g.db")
	res := mustRun(t, "import", "--format", "gdelt", "--db", dbPath, file)
	if !strings.HasPrefix(res.stderr, "import: loaded 1 file: ") || strings.Contains(res.stderr, " 0 inserted") {
		t.Errorf("stderr = %q", res.stderr)
	}

	// The same rows gzipped on standard input change nothing.
	res = runCLI(t, string(gzipped(readShared(t, "gdelt/20191024143000.export.CSV"))), "import", "--format", "gdelt", "--db", dbPath, "-")
	if res.code != 0 || !strings.Contains(res.stderr, " 0 inserted, 0 updated, ") {
		t.Errorf("again from stdin: exit %d, stderr %q", res.code, res.stderr)
	}

	// A bad row names its line and column, and nothing is written.
	bad := writeFile(t, t.TempDir(), "bad.CSV", "1\t2019\n")
	res = runCLI(t, "", "import", "--format", "gdelt", "--db", filepath.Join(t.TempDir(), "new.db"), bad)
	if res.code == 0 || !strings.Contains(res.stderr, "bad.CSV:1: 2 fields, want 61") {
		t.Errorf("bad row: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestImportICEWS(t *testing.T) {
	file := sharedData(t, "icews/events.20180601.tab")
	dbPath := filepath.Join(t.TempDir(), "i.db")
	res := mustRun(t, "import", "--format", "icews", "--db", dbPath, file)
	if !strings.HasPrefix(res.stderr, "import: loaded 1 file: ") || strings.Contains(res.stderr, " 0 inserted") {
		t.Errorf("stderr = %q", res.stderr)
	}
	res = mustRun(t, "import", "--format", "icews", "--db", dbPath, "--dry-run", file)
	if !strings.Contains(res.stdout, "nothing written: 0 inserted, 0 updated, ") {
		t.Errorf("dry run again: stdout %q, stderr %q", res.stdout, res.stderr)
	}

	// A GDELT file given as ICEWS: the header names the missing columns.
	res = runCLI(t, "", "import", "--format", "icews", "--db", filepath.Join(t.TempDir(), "new.db"), sharedData(t, "gdelt/20191024143000.export.CSV"))
	if res.code == 0 || !strings.Contains(res.stderr, "the header lacks the columns") {
		t.Errorf("GDELT as ICEWS: exit %d, stderr %q", res.code, res.stderr)
	}
}

// The demo, then GDELT and ICEWS into one database: a country is one
// state whichever dataset names it (the demo's india and united-states),
// and the demo's own record of it is left as it was.
func TestImportGDELTAndICEWSShareStates(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "all.db")
	mustRun(t, "seed", "--db", dbPath, demoFile(t, dir))
	mustRun(t, "import", "--format", "gdelt", "--db", dbPath, sharedData(t, "gdelt/20191024143000.export.CSV"))
	mustRun(t, "import", "--format", "icews", "--db", dbPath, sharedData(t, "icews/events.20180601.tab"))

	ctx := context.Background()
	store := openStore(t, dbPath)
	if got, want := participants(t, store, "icews-32891176"), []db.Participant{{Actor: "india", Role: db.RoleInitiator, As: "India"},
		{Actor: "pakistan", Role: db.RoleTarget, As: "Pakistan"}}; !slices.Equal(got, want) {
		t.Errorf("ICEWS India → Pakistan: %+v, want %+v", got, want)
	}
	// GDELT 881990883's target is GBR, "MANCHESTER".
	found := false
	for _, p := range participants(t, store, "gdelt-881990883") {
		found = found || p.Actor == "united-kingdom"
	}
	if !found {
		t.Errorf("gdelt-881990883: no united-kingdom")
	}
	states, err := store.ActorsOfKind(ctx, db.ActorState)
	if err != nil {
		t.Fatal(err)
	}
	perCountry := map[string][]string{}
	for _, a := range states {
		perCountry[a.Country] = append(perCountry[a.Country], a.Key)
	}
	for c, keys := range perCountry {
		if len(keys) != 1 {
			t.Errorf("country %s has %d states: %v", c, len(keys), keys)
		}
	}
	if as, _ := store.ActorsByKey(ctx, []string{"india"}); len(as) != 1 || !strings.HasPrefix(as[0].Description, "India. The article says") {
		t.Errorf("the demo's india was rewritten: %+v", as)
	}
}
