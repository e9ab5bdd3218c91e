package main

import (
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/export"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/loader"
	"github.com/geotimeline/geotimeline/graph/server"
)

// The SQLite store is every consumer's store: checked here, where the
// binary wires them, since db/sqlite may not import its consumers.
var (
	_ loader.BatchReader = (*sqlite.Store)(nil)
	_ live.ChangeLog     = (*sqlite.Store)(nil)
	_ graph.Store        = (*sqlite.Store)(nil)
	_ server.Store       = (*sqlite.Store)(nil)
	_ seed.Writer        = (*sqlite.Store)(nil)
	_ seed.DryRunner     = (*sqlite.Store)(nil)
	_ export.Reader      = (*sqlite.Store)(nil)
	_ importer.Store     = (*sqlite.Store)(nil)
	_ importtest.Store   = (*sqlite.Store)(nil)
)

// backend.Store, what every backend implements, is each consumer's store
// too: a second backend that satisfies it needs no change above it.
var (
	_ loader.BatchReader = backend.Store(nil)
	_ live.ChangeLog     = backend.Store(nil)
	_ graph.Store        = backend.Store(nil)
	_ server.Store       = backend.Store(nil)
	_ seed.Writer        = backend.Store(nil)
	_ seed.DryRunner     = backend.Store(nil)
	_ export.Reader      = backend.Store(nil)
	_ importer.Store     = backend.Store(nil)
	_ importtest.Store   = backend.Store(nil)
)

// TestPostgreSQLUnreachable checks that every command given the URL of a
// PostgreSQL server that does not answer (nothing listens on port 1) fails
// with exit 1, naming the URL without its password.
func TestPostgreSQLUnreachable(t *testing.T) {
	dir := t.TempDir()
	url := "postgres://analyst:s3cret@127.0.0.1:1/gt"
	want := "open postgres://analyst:xxxxx@127.0.0.1:1/gt: "
	for _, args := range [][]string{
		{"seed", "--db", url, demoFile(t, dir)},
		{"seed", "--dry-run", "--db", url, demoFile(t, dir)},
		{"export", "--db", url},
		{"export", "--db", url, "--format", "csv"},
		{"serve", "--db", url, "--addr", "127.0.0.1:0"},
	} {
		res := runCLI(t, "", args...)
		if res.code != 1 || !strings.Contains(res.stderr, want) || strings.Contains(res.stderr, "s3cret") {
			t.Errorf("geotimeline %s: exit %d, stderr %q; want exit 1 and %q", strings.Join(args, " "), res.code, res.stderr, want)
		}
	}
}
