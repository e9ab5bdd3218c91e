package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
)

// result is what one in-process run of the program gave.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program in-process with stdin as standard input.
// wantUsageError checks a refused command line: exit 2, wantErr in the
// message on stderr, nothing on stdout.
func wantUsageError(t *testing.T, res result, wantErr string) {
	t.Helper()
	if res.code != 2 {
		t.Errorf("exit %d, want 2\nstderr: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, wantErr) {
		t.Errorf("stderr does not contain %q:\n%s", wantErr, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout = %q, want nothing", res.stdout)
	}
}

func runCLI(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// mustRun runs the program and fails the test unless it exits 0.
func mustRun(tb testing.TB, args ...string) result {
	tb.Helper()
	res := runCLI(tb, "", args...)
	if res.code != 0 {
		tb.Fatalf("geotimeline %s: exit %d\nstderr: %s", strings.Join(args, " "), res.code, res.stderr)
	}
	return res
}

// writeFile writes data to name in dir and returns its path.
func writeFile(tb testing.TB, dir, name, data string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// demoFile writes the demo fixture into dir.
func demoFile(tb testing.TB, dir string) string {
	return writeFile(tb, dir, "demo.json", string(demo.JSON))
}

// flagsAndEnv are every flag and environment variable of the program.
var flagsAndEnv = map[string][]string{
	"serve":  {"--db", "GEOTIMELINE_DB", "--addr", "GEOTIMELINE_ADDR", "--no-demo", "GEOTIMELINE_NO_DEMO", "--log-level", "GEOTIMELINE_LOG_LEVEL", "--log-format", "GEOTIMELINE_LOG_FORMAT"},
	"seed":   {"--db", "GEOTIMELINE_DB"},
	"export": {"--db", "GEOTIMELINE_DB"},
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		res := runCLI(t, "", args...)
		if res.code != 0 || res.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, res.code, res.stderr)
		}
		for _, cmd := range []string{"serve", "seed", "export"} {
			for _, want := range flagsAndEnv[cmd] {
				if !strings.Contains(res.stdout, strings.TrimPrefix(want, "-")) {
					t.Errorf("%v: help does not mention %s:\n%s", args, want, res.stdout)
				}
			}
		}
	}
	for cmd, wants := range flagsAndEnv {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			res := runCLI(t, "", args...)
			if res.code != 0 || res.stderr != "" {
				t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, res.code, res.stderr)
			}
			for _, want := range wants {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("%v: help does not mention %s:\n%s", args, want, res.stdout)
				}
			}
		}
	}
	if res := runCLI(t, "", "serve", "--help"); !strings.Contains(res.stdout, `default "127.0.0.1:8080"`) ||
		!strings.Contains(res.stdout, `default "geotimeline.db"`) || !strings.Contains(res.stdout, `default "info"`) ||
		!strings.Contains(res.stdout, `default "text"`) {
		t.Errorf("serve --help does not show the defaults:\n%s", res.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"NoCommand", nil, nil, "Usage: geotimeline <command>"},
		{"UnknownCommand", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"UnknownFlag", nil, []string{"seed", "--colour", "x.json"}, "flag provided but not defined: -colour"},
		{"SeedNoFiles", nil, []string{"seed", "--db", filepath.Join(dir, "x.db")}, "at least one FILE is required"},
		{"SeedStdinTwice", nil, []string{"seed", "--db", filepath.Join(dir, "x.db"), "-", "-"}, `"-" (standard input) may be given only once`},
		{"ExportArgument", nil, []string{"export", "extra"}, `export takes no arguments, got "extra"`},
		{"BadLogLevel", nil, []string{"serve", "--log-level", "loud"}, `--log-level "loud": want debug, info, warn or error`},
		{"BadLogLevelEnv", map[string]string{"GEOTIMELINE_LOG_LEVEL": "loud"}, []string{"serve"}, `GEOTIMELINE_LOG_LEVEL "loud"`},
		{"BadLogFormat", nil, []string{"serve", "--log-format", "xml"}, `--log-format "xml": want text or json`},
		{"BadBoolEnv", map[string]string{"GEOTIMELINE_NO_DEMO": "maybe"}, []string{"serve"}, `GEOTIMELINE_NO_DEMO="maybe": want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			res := runCLI(t, "", tt.args...)
			wantUsageError(t, res, tt.wantErr)
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("usage errors created files: %v", entries)
	}
}

// TestFlagBeatsEnv checks the precedence flag > environment > default,
// and that flags may follow the files.
func TestFlagBeatsEnv(t *testing.T) {
	dir := t.TempDir()
	envDB := filepath.Join(dir, "env.db")
	flagDB := filepath.Join(dir, "flag.db")
	t.Setenv("GEOTIMELINE_DB", envDB)
	file := demoFile(t, dir)

	mustRun(t, "seed", file)
	if _, err := os.Stat(envDB); err != nil {
		t.Fatalf("GEOTIMELINE_DB was not honoured: %v", err)
	}
	mustRun(t, "seed", file, "--db", flagDB)
	if _, err := os.Stat(flagDB); err != nil {
		t.Fatalf("--db did not win over GEOTIMELINE_DB: %v", err)
	}
	if a, b := mustRun(t, "export").stdout, mustRun(t, "export", "--db", flagDB).stdout; a != b {
		t.Error("the two databases differ")
	}
}
