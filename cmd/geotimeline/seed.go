package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

const seedAbout = `Loads fixture files (see FIXTURES.md) into the database, creating it if
needed. "-" reads a fixture from standard input. All files are one
transaction: either every record of every file is stored, or nothing is.

References may point into another file of the same run or at records
already stored. On invalid input every problem is printed to standard error,
one a line as FILE: PATH: what, and nothing is written.

The summary ("seed: loaded 2 files: 45 inserted, 0 updated, 0 unchanged")
goes to standard error, so that standard output stays empty.`

func (c *cli) seed(ctx context.Context, args []string) error {
	cmd := c.newCommand("seed", "seed [flags] FILE...", seedAbout)
	var dbPath string
	cmd.dbFlag(&dbPath)
	names, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("at least one FILE is required (\"-\" for standard input)")
	}

	files, err := c.readFixtures(names)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(dbPath)
	created := errors.Is(statErr, os.ErrNotExist)
	if created {
		// Check before creating the database, so that a fixture with
		// mistakes does not leave an empty database file behind.
		if err := seed.Check(ctx, nil, files); err != nil {
			return c.reportProblems(err)
		}
	}
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	_, sum, err := seed.Load(ctx, store, files)
	closeErr := store.Close()
	if err != nil {
		if created {
			// Nothing was written, so leave no empty database behind
			// either: the next seed should start from the same state.
			removeDatabase(dbPath)
		}
		return c.reportProblems(err)
	}
	if closeErr != nil {
		return fmt.Errorf("close %s: %w", dbPath, closeErr)
	}
	fmt.Fprintf(c.stderr, "seed: loaded %s: %s\n", plural(len(files), "file"), sum)
	return nil
}

// readFixtures reads every named file before anything is decoded or
// written; "-" is standard input and may appear once.
func (c *cli) readFixtures(names []string) ([]fixture.File, error) {
	files := make([]fixture.File, 0, len(names))
	stdin := false
	for _, name := range names {
		if name == "-" {
			if stdin {
				return nil, usagef(`"-" (standard input) may be given only once`)
			}
			stdin = true
			data, err := io.ReadAll(c.stdin)
			if err != nil {
				return nil, fmt.Errorf("read standard input: %w", err)
			}
			files = append(files, fixture.File{Name: name, Data: data})
			continue
		}
		// os errors already name the file ("open x.json: no such file or
		// directory").
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files = append(files, fixture.File{Name: name, Data: data})
	}
	return files, nil
}

// reportProblems prints a db.Problems one problem a line, followed by a
// count, and returns errShown; any other error is returned as it is.
func (c *cli) reportProblems(err error) error {
	var ps db.Problems
	if !errors.As(err, &ps) {
		return err
	}
	for _, p := range ps {
		fmt.Fprintln(c.stderr, p.String())
	}
	fmt.Fprintf(c.stderr, "seed: %s; nothing was written\n", plural(len(ps), "problem"))
	return errShown
}

// removeDatabase deletes a database file this run created, with the WAL
// files SQLite keeps next to it.
func removeDatabase(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
