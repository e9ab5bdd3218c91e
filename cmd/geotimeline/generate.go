package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/geotimeline/geotimeline/db/synth"
)

// maxGenerateEvents bounds --events: ten million events are a fixture of
// several gigabytes, more than seed is meant to load at once.
const maxGenerateEvents = 10_000_000

const generateAbout = `Writes a synthetic fixture (see FIXTURES.md) of N events to standard
output, or to FILE: about 200 countries, one actor per 50 events whose
activity follows a power law, 2 to 4 participants per event, a statement
for about 1 event in 5, relationships, event links and ten years of dates
from 2015 with bursts of activity. It refers only to itself and to the
built-in countries, so it seeds into an empty database:

    geotimeline generate --events 100000 --out big.json
    geotimeline seed --db big.db big.json

The same --events and --seed always give the same bytes. The fixture is
written as it is made, in constant memory; with --out it replaces FILE only
once it is complete.`

func (c *cli) generate(ctx context.Context, args []string) error {
	cmd := c.newCommand("generate", "generate --events N [flags]", generateAbout)
	var (
		events        int
		seedArg, path string
	)
	cmd.intFlag(&events, "events", "N", "GEOTIMELINE_EVENTS", 0,
		"number of events, 1 to 10000000 (required)")
	cmd.stringFlag(&seedArg, "seed", "S", "GEOTIMELINE_SEED", "1",
		"any whole number; each seed gives another graph, always the same for the seed")
	cmd.stringFlag(&path, "out", "FILE", "GEOTIMELINE_OUT", "",
		`file to write; "" or "-" for standard output`)
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("generate takes no arguments, got %q", rest[0])
	}
	given := false
	cmd.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "events" })
	if !given && c.getenv("GEOTIMELINE_EVENTS") == "" {
		return usagef("--events N is required")
	}
	if events < 1 || events > maxGenerateEvents {
		return usagef("%s %d: want a whole number from 1 to %d", cmd.source("events"), events, maxGenerateEvents)
	}
	seed, err := strconv.ParseInt(seedArg, 10, 64)
	if err != nil {
		return usagef("%s %q: want a whole number", cmd.source("seed"), seedArg)
	}
	o := synth.Options{Events: events, Seed: seed}

	if path == "" || path == "-" {
		if err := synth.Write(ctxWriter{ctx, c.stdout}, o); err != nil {
			return fmt.Errorf("write standard output: %w", err)
		}
		return nil
	}
	if err := writeAtomically(path, func(w io.Writer) error {
		return synth.Write(ctxWriter{ctx, w}, o)
	}); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "generate: wrote %d events (seed %d) to %s\n", events, seed, path)
	return nil
}

// writeAtomically writes path through a temporary file in the same
// directory, renamed over path once write has succeeded, so that a failed
// or interrupted run leaves no half-written fixture.
func writeAtomically(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file private; a fixture is meant to be shared.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// ctxWriter stops a long write once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (cw ctxWriter) Write(p []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		return 0, err
	}
	return cw.w.Write(p)
}
