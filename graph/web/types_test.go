package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tsc returns the command that runs TypeScript's compiler from the test-only
// tools graph/browsertest/tools/install.sh installs ($GEOTIMELINE_EXPORT_TOOLS,
// the node_modules directory it prints). Without them the test skips, or
// fails when GEOTIMELINE_BROWSER_TESTS=require, as .ci/run sets it.
func tsc(t *testing.T) func(ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	required := os.Getenv("GEOTIMELINE_BROWSER_TESTS") == "require"
	dir := os.Getenv("GEOTIMELINE_EXPORT_TOOLS")
	if dir == "" {
		msg := "GEOTIMELINE_EXPORT_TOOLS is not set: run graph/browsertest/tools/install.sh and set it to the directory it prints"
		if required {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bin := filepath.Join(dir, "typescript", "bin", "tsc")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("GEOTIMELINE_EXPORT_TOOLS=%s holds no TypeScript (run graph/browsertest/tools/install.sh): %v", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if required {
			t.Fatal("node is not on PATH")
		}
		t.Skip("node is not on PATH")
	}
	return func(ctx context.Context, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, node, append([]string{bin, "--pretty", "false"}, args...)...)
	}
}

// The dashboard's modules (// @ts-check, JSDoc types) type-check with
// TypeScript against tsconfig.json, the vendored libraries declared in
// types/globals.d.ts; and the check does fail on a type error: a copy of
// the modules with one more that passes a number to format.js's
// formatInstant, whose JSDoc says string, does not pass.
func TestDashboardTypes(t *testing.T) {
	run := tsc(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	out, err := run(ctx, "-p", "tsconfig.json").CombinedOutput()
	if err != nil {
		t.Fatalf("tsc -p graph/web/tsconfig.json: %v\n%s", err, out)
	}

	tmp := t.TempDir()
	copyFile(t, "tsconfig.json", filepath.Join(tmp, "tsconfig.json"))
	for _, pattern := range []string{"types/*.d.ts", "static/dashboard/*.js"} {
		names, err := filepath.Glob(pattern)
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: %v matches (%v)", pattern, len(names), err)
		}
		for _, name := range names {
			copyFile(t, name, filepath.Join(tmp, name))
		}
	}
	bad := "// @ts-check\nimport { formatInstant } from './format.js';\n\nformatInstant(Date.now(), 'DAY');\n"
	if err := os.WriteFile(filepath.Join(tmp, "static", "dashboard", "deliberate.js"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run(ctx, "-p", filepath.Join(tmp, "tsconfig.json")).CombinedOutput()
	if err == nil {
		t.Fatalf("tsc passed a module that gives formatInstant a number:\n%s", out)
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("tsc on the copy: %v\n%s", err, out)
	}
	// One error, that one: anything else would mean the copy is not what
	// the real check reads.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "deliberate.js(4,15): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'") {
		t.Fatalf("tsc on the copy with a deliberate error said:\n%s", out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
