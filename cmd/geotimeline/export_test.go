package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportRoundTrip checks FIXTURES.md's promise: exporting, seeding the
// export into an empty database and exporting again gives the same bytes.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first.db")
	second := filepath.Join(dir, "second.db")

	mustRun(t, "seed", "--db", first, demoFile(t, dir))
	export1 := mustRun(t, "export", "--db", first)
	if export1.stderr != "" {
		t.Errorf("export wrote to stderr: %q", export1.stderr)
	}
	mustRun(t, "seed", "--db", second, writeFile(t, dir, "export.json", export1.stdout))
	export2 := mustRun(t, "export", "--db", second)
	if !bytes.Equal([]byte(export1.stdout), []byte(export2.stdout)) {
		t.Errorf("second export differs from the first:\nfirst:\n%.2000s\nsecond:\n%.2000s", export1.stdout, export2.stdout)
	}
	if !strings.HasPrefix(export1.stdout, "{\n  \"version\": 1,") {
		t.Errorf("export does not start like a fixture: %.100s", export1.stdout)
	}
}

// TestExportMissingDatabase checks that export does not create an empty
// database for a mistyped path.
func TestExportMissingDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "typo.db")
	res := runCLI(t, "", "export", "--db", dbPath)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	if want := "export: database " + dbPath + " does not exist\n"; res.stderr != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}
	if res.stdout != "" {
		t.Errorf("stdout = %q, want nothing", res.stdout)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("export created %s", dbPath)
	}
}
