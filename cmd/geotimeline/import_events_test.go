package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportGDELT(t *testing.T) {
	file := sharedData(t, "gdelt/20191024143000.export.CSV")
	dbPath := filepath.Join(t.TempDir(), "g.db")
	res := mustRun(t, "import", "--format", "gdelt", "--db", dbPath, file)
	if !strings.HasPrefix(res.stderr, "import: loaded 1 file: ") || strings.Contains(res.stderr, " 0 inserted") {
		t.Errorf("stderr = %q", res.stderr)
	}

	// The same rows gzipped on standard input change nothing.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	res = runCLI(t, gz.String(), "import", "--format", "gdelt", "--db", dbPath, "-")
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
