package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// UCDP's real sample and ACLED's made-up rows into one database: the two
// datasets share the states (India, Pakistan), and each file imported
// again changes nothing.
func TestImportUCDPAndACLED(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "conflict.db")
	ged := sharedData(t, filepath.Join("ucdp", "ged-2023-sample.csv"))
	acledFile := filepath.Join("..", "..", "db", "importer", "acled", "testdata", "acled-sample.csv")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--format", "ucdp", "--db", dbPath, ged},
			"import: loaded 1 file: 1610 inserted, 0 updated, 0 unchanged\n"},
		// India's and Pakistan's states exist: 16 of ACLED's 18 actors
		// are new, with its 11 sources and 8 events.
		{[]string{"import", "--format", "acled", "--db", dbPath, acledFile},
			"import: loaded 1 file: 35 inserted, 0 updated, 0 unchanged\n"},
		{[]string{"import", "--format", "ucdp", "--db", dbPath, ged},
			"import: loaded 1 file: 0 inserted, 0 updated, 1370 unchanged\n"},
	} {
		if res := mustRun(t, tt.args...); res.stderr != tt.want {
			t.Errorf("%v: stderr %q, want %q", tt.args, res.stderr, tt.want)
		}
	}
	// A dry run reports on standard output.
	res := mustRun(t, "import", "--format", "acled", "--dry-run", "--db", dbPath, acledFile)
	if want := "import: dry run of 1 file, nothing written: 0 inserted, 0 updated, 19 unchanged\n"; res.stdout != want {
		t.Errorf("dry run: stdout %q, want %q", res.stdout, want)
	}
}

// Standard input, gzipped, reads as the file does; a bad file writes
// nothing and says why, line by line.
func TestImportUCDPStdinAndProblems(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "ucdp.db")
	data := readShared(t, filepath.Join("ucdp", "ged-2023-sample.csv"))
	res := runCLI(t, string(gzipped(data)), "import", "--format", "ucdp", "--db", dbPath, "-")
	if want := "import: loaded 1 file: 1610 inserted, 0 updated, 0 unchanged\n"; res.code != 0 || res.stderr != want {
		t.Errorf("exit %d, stderr %q; want 0, %q", res.code, res.stderr, want)
	}

	bad := bytes.Replace(data, []byte("\n300380,"), []byte("\n21300,"), 1)
	res = runCLI(t, string(bad), "import", "--format", "ucdp", "--db", dbPath, "-")
	want := "-:3: id: duplicate id: event ucdp-21300 is also at -:2 (--rename-duplicates imports this one as ucdp-21300-2)\nimport: 1 problem; nothing was written\n"
	if res.code == 0 || res.stderr != want {
		t.Errorf("duplicate id: exit %d, stderr %q; want non-zero, %q", res.code, res.stderr, want)
	}
}
