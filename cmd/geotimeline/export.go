package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

const exportAbout = `Writes the whole database as one fixture to standard output, in a canonical
order: exporting, seeding the export into an empty database and exporting
again gives the same bytes. The built-in ISO 3166-1 countries are left out.

Refuses to run on a database file that does not exist rather than create an
empty one (a mistyped --db would otherwise export nothing, successfully).`

func (c *cli) export(ctx context.Context, args []string) error {
	cmd := c.newCommand("export", "export [flags]", exportAbout)
	var dbPath string
	cmd.dbFlag(&dbPath)
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("export takes no arguments, got %q", rest[0])
	}
	if _, err := os.Stat(dbPath); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("database %s does not exist", dbPath)
		}
		return err
	}
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	b, err := store.Export(ctx)
	if err != nil {
		return err
	}
	fixture.Sort(b)
	// Encode into memory first: a failure must not leave half a fixture
	// on standard output, where it may be redirected into a file.
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if _, err := c.stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write standard output: %w", err)
	}
	return nil
}
