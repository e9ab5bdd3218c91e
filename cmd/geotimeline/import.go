package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/acled"
	"github.com/geotimeline/geotimeline/db/importer/gdelt"
	"github.com/geotimeline/geotimeline/db/importer/icews"
	"github.com/geotimeline/geotimeline/db/importer/plover"
	"github.com/geotimeline/geotimeline/db/importer/ucdp"
	"github.com/geotimeline/geotimeline/db/seed"
)

const importAbout = `Loads the files of an event dataset into the database, creating it if
needed: GDELT 2.0 event exports (gdelt), ICEWS or POLECAT-style TSV (icews),
UCDP GED CSV (ucdp), ACLED CSV (acled) or PLOVER JSON records (plover).
"-" reads standard input; a .gz file, or a .zip holding several files, is
read as it is. All files are one transaction, as with seed: either every
row of every file is stored, or nothing is.

Each row becomes an event keyed by the dataset's id (gdelt-<GLOBALEVENTID>,
icews-<Event ID>, ucdp-<id>, acled-<event_id_cnty>, plover-<id>), so that
importing a file again changes nothing. Its type comes from the dataset's
codes through the tables in db/codebook, and the codes are kept. Actors are
one per dataset actor; a country's state is the one the database has for
that country, or one shared by every dataset. Actors the database holds
already are referred to, never rewritten. --actors maps dataset actors onto
keys of your own (a CSV file: dataset,actor,key).

On invalid input every problem is printed to standard error, one a line as
FILE:LINE: COLUMN: what, and nothing is written. The summary goes to
standard error; on a terminal progress is shown there. --dry-run prints
what the import would insert, update and leave unchanged, writing nothing.`

// importFormats are the datasets import reads, by --format name.
var importFormats = map[string]importer.Format{
	"acled":  acled.Format{},
	"gdelt":  gdelt.Format{},
	"icews":  icews.Format{},
	"plover": plover.Format{},
	"ucdp":   ucdp.Format{},
}

func formatNames() []string {
	names := make([]string, 0, len(importFormats))
	for n := range importFormats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (c *cli) importCmd(ctx context.Context, args []string) error {
	cmd := c.newCommand("import", "import --format F [flags] FILE...", importAbout)
	var (
		dbPath, format, actors string
		writeWait              time.Duration
		dryRun, rename         bool
	)
	cmd.plainFlag(&format, "format", "F", "", "the dataset: "+strings.Join(formatNames(), ", ")+" (required)")
	cmd.plainFlag(&actors, "actors", "FILE", "", "a CSV file (dataset,actor,key) mapping dataset actors onto actor keys")
	cmd.plainBoolFlag(&rename, "rename-duplicates", "import a row whose id the run has met before under the id with -2 (-3, …) added, and say so, instead of refusing the run")
	cmd.loadFlags(&dbPath, &dryRun, &writeWait)
	names, err := cmd.parse(args)
	if err != nil {
		return err
	}
	f, ok := importFormats[format]
	switch {
	case format == "":
		return usagef("--format is required: one of %s", strings.Join(formatNames(), ", "))
	case !ok:
		return usagef("unknown --format %q: want one of %s", format, strings.Join(formatNames(), ", "))
	case len(names) == 0:
		return usagef("at least one FILE is required (\"-\" for standard input)")
	}
	if err := cmd.positive(nil, map[string]time.Duration{"write-wait": writeWait}); err != nil {
		return err
	}
	sources, err := c.importSources(names)
	if err != nil {
		return err
	}

	// The database is read before the import writes: which actors and
	// states it has decides which records the run makes.
	opts := importer.Options{RenameDuplicates: rename}
	closeLookup := func() {}
	if exists, _ := backend.Exists(dbPath); exists {
		store, err := backend.Open(ctx, dbPath, backend.Options{WriteWait: writeWait, Writer: "geotimeline import"})
		if err != nil {
			return err
		}
		opts.Store = store
		closed := false
		closeLookup = func() {
			if !closed {
				closed = true
				store.Close()
			}
		}
		defer closeLookup()
	}
	if actors != "" {
		m, err := readActorMap(ctx, actors, opts.Store)
		if err != nil {
			return c.reportProblems("import", err)
		}
		opts.Actors = m
	}
	progress := newProgress(c.stderr, "import")
	defer progress.clear()
	opts.Progress = func(rows int) { progress.update(seed.Progress{Phase: "converting", Done: rows}) }
	conv, err := importer.Convert(ctx, f, sources, opts)
	if err != nil {
		progress.clear()
		return c.reportProblems("import", err)
	}
	defer conv.Close()
	progress.clear()
	// At most fixture.MaxProblems lines, as for problems, then a count.
	for i, n := range conv.Notes {
		if i == fixture.MaxProblems {
			fmt.Fprintf(c.stderr, "and %d more renamed\n", len(conv.Notes)-i)
			break
		}
		fmt.Fprintln(c.stderr, n.String())
	}
	// The load opens the database again, to write.
	closeLookup()
	return c.load(ctx, loadRun{command: "import", files: conv.Fixtures, inputs: len(names), recorded: conv.Inputs,
		dbPath: dbPath, dryRun: dryRun, writeWait: writeWait, progress: progress})
}

func readActorMap(ctx context.Context, name string, store importer.Store) (*importer.ActorMap, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return importer.ReadActorMap(ctx, name, f, formatNames(), store)
}

// importSources checks that every named file can be read; "-" is standard
// input, which may appear once.
func (c *cli) importSources(names []string) ([]importer.Source, error) {
	var out []importer.Source
	stdin := false
	for _, name := range names {
		if name == "-" {
			if stdin {
				return nil, usagef(`"-" (standard input) may be given only once`)
			}
			stdin = true
			in := c.stdin
			out = append(out, importer.Source{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(in), nil }})
			continue
		}
		if err := checkReadable(name); err != nil {
			return nil, err
		}
		out = append(out, importer.Source{Name: name, Open: openFile(name)})
	}
	return out, nil
}
