// Package importer turns the files of event datasets (GDELT, ICEWS, UCDP
// GED, ACLED, PLOVER) into fixture records, so that `geotimeline import`
// loads them through db/seed exactly as `seed` loads fixtures: the same
// checks, the one transaction, the dry run and the run record.
//
// A Format reads one dataset's rows and hands each as records to an
// Output, which keeps what a run shares across rows and files (each actor
// and source once, the states that stand for countries, the keys seen, the
// problems) and writes the records to temporary fixture files. The formats
// live in the packages below this one, one each; the code tables they map
// through are data, in db/codebook and db/iso3166.
package importer

import (
	"context"
	"fmt"
	"os"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// Format reads the files of one dataset.
type Format interface {
	// Name is the format's --format value and the prefix of its keys:
	// "gdelt".
	Name() string
	// Read reads one file to its end, giving out each row's records and
	// each problem found. The error is for what stops the reading (a
	// file that cannot be read, a cancelled context), not for bad rows.
	Read(ctx context.Context, in *Input, out *Output) error
}

// Store is what an import reads of the database it imports into, before
// it writes: which actors exist already, so that they are referred to and
// never rewritten (an analyst's edits to them survive a re-import), and
// the states, so that a dataset's country actor is the state the database
// already has for that country. Every backend's store implements it.
type Store interface {
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	ActorsOfKind(ctx context.Context, kind db.ActorKind) ([]*db.Actor, error)
}

// Options are an import's settings. The zero Options import into a new
// database.
type Options struct {
	// Store is the database imported into, nil for one that does not
	// exist yet.
	Store Store
	// Actors maps dataset actors onto keys (--actors), nil for none.
	Actors *ActorMap
	// TempDir is where the fixture files are written, the default
	// temporary directory when "".
	TempDir string
	// Progress, when set, is called every few hundred rows with the
	// number of rows read so far.
	Progress func(rows int)
	// RenameDuplicates (--rename-duplicates) imports a row whose id the
	// run has met before under the id with "-2" (then "-3", …) added,
	// and reports it as a note, instead of refusing the run: a published
	// dataset may give two different events one id (the PLOVER gold
	// standard does), and its users want both in.
	RenameDuplicates bool
}

// Converted is a run's files turned into fixtures, ready for a
// seed.Loader. Close removes the fixtures.
type Converted struct {
	// Fixtures are the records of every input, as fixture files of
	// the run (sources, actors, events, in that order).
	Fixtures []fixture.File
	// Inputs are the dataset files read, with their SHA-256, for the
	// run record.
	Inputs []db.RunFile
	// Rows is the number of dataset rows read.
	Rows int
	// Notes are what the run did that the user should know of but that
	// is no problem: the duplicate ids it renamed.
	Notes db.Problems
	dir   string
}

// Close removes the fixture files.
func (c *Converted) Close() error {
	if c == nil || c.dir == "" {
		return nil
	}
	return os.RemoveAll(c.dir)
}

// Convert reads every input with f and writes their records as fixtures.
// Problems with the inputs (bad rows, duplicate ids, unknown codes) are
// returned together as db.Problems, with nothing converted; any other error
// stops the run.
func Convert(ctx context.Context, f Format, inputs []Source, o Options) (*Converted, error) {
	out, err := newOutput(ctx, f.Name(), o)
	if err != nil {
		return nil, err
	}
	conv := &Converted{dir: out.dir}
	fail := func(err error) (*Converted, error) {
		out.abort()
		conv.Close()
		return nil, err
	}
	for _, src := range inputs {
		err := src.each(func(in *Input) error {
			out.file = in.Name
			return f.Read(ctx, in, out)
		})
		if err != nil {
			return fail(err)
		}
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		conv.Inputs = append(conv.Inputs, db.RunFile{Name: src.Name, SHA256: src.sum})
	}
	if err := out.problems.Err(); err != nil {
		return fail(fixture.Truncate(out.problems, out.more))
	}
	files, err := out.finish()
	if err != nil {
		return fail(err)
	}
	conv.Fixtures, conv.Rows, conv.Notes = files, out.rows, out.notes
	return conv, nil
}

// where formats a position in a dataset file: "ged.csv:12: date_start",
// "events.json:3", "gdelt.csv".
func where(file string, line int, column string) string {
	switch {
	case line <= 0 && column == "":
		return file
	case line <= 0:
		return file + ": " + column
	case column == "":
		return fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Sprintf("%s:%d: %s", file, line, column)
}
