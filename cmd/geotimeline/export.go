package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/export"
	"github.com/geotimeline/geotimeline/db/fixture"
)

const exportAbout = `Writes the database to standard output in one of these formats (--format):

  fixture     the default: the whole database as one fixture, in a
              canonical order: exporting, seeding the export into an empty
              database and exporting again gives the same bytes. The
              built-in ISO 3166-1 countries are left out. It takes no
              filter flags: a fixture is the whole database.
  csv         one row per event, with a header (columns: see the README)
  timelinejs  TimelineJS 3 JSON: events and statements, dates to their
              precision
  geojson     a FeatureCollection of the events that have coordinates, as
              Points [lon, lat]; events without coordinates are left out
  gexf        the graph for Gephi (GEXF 1.3, dynamic, dateTime)
  graphml     the graph as GraphML, with start/end attributes

The filter flags select what csv, timelinejs, geojson, gexf and graphml
export, as the API's timeline filter does; lists are comma-separated. Items
come in timeline order, oldest first (--order desc: newest first; the graph
formats keep one order). Every format is written to a temporary file first
and copied to standard output only when complete, so a failure half-way
leaves no partial output (and memory stays flat however big the export).

Refuses to run on a database file that does not exist rather than create an
empty one (a mistyped --db would otherwise export nothing, successfully).`

func (c *cli) export(ctx context.Context, args []string) error {
	cmd := c.newCommand("export", "export [--format F] [filter flags] [flags]", exportAbout)
	var dbPath, format string
	cmd.dbFlag(&dbPath)
	cmd.plainFlag(&format, "format", "F", "fixture", "fixture, csv, timelinejs, geojson, gexf or graphml")
	filter := map[string]*string{}
	usages := map[string][2]string{
		"actors":     {"KEYS", "items with any of these actors (participant, speaker, deliverer, addressee)"},
		"countries":  {"CODES", "items located in or by actors affiliated to any of these countries (alpha-2 or alpha-3)"},
		"types":      {"TYPES", "events of any of these types (ATTACK, MEETING, …); statements are kept"},
		"from":       {"DATE", "items from this date on (a date or instant, as in fixtures)"},
		"to":         {"DATE", "items before this date"},
		"text":       {"WORDS", "items holding every word of the text"},
		"sources":    {"KEYS", "items citing any of these sources"},
		"tags":       {"TAGS", "events with any of these tags"},
		"codes":      {"CODES", `events with a code matching any of these ("CAMEO:19*", "PLOVER:ASSAULT")`},
		"time-match": {"MATCH", "how --from/--to apply to an item's span: START (the default), OVERLAPS or WITHIN"},
		"order":      {"ORDER", "asc (oldest first, the default) or desc: the order of the items of csv, timelinejs and geojson"},
	}
	for _, name := range export.FilterParams {
		v := new(string)
		filter[name] = v
		cmd.plainFlag(v, name, usages[name][0], "", usages[name][1])
	}
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("export takes no arguments, got %q", rest[0])
	}
	get := func(name string) string { return *filter[name] }
	var streamed export.Format
	if !strings.EqualFold(format, "fixture") {
		if streamed, err = export.ParseFormat(format); err != nil {
			return usagef("--format %q: want fixture, csv, timelinejs, geojson, gexf or graphml", format)
		}
	} else if !export.IsZero(get) {
		return usagef("the fixture format is the whole database and takes no filter flags; use another --format to export a filtered view")
	}
	f, err := export.ParseFilter(get)
	if err != nil {
		return usagef("%v", err)
	}
	order, err := export.ParseOrder(get)
	if err != nil {
		return usagef("%v", err)
	}
	if exists, err := backend.Exists(dbPath); err != nil {
		return err
	} else if !exists {
		return fmt.Errorf("database %s does not exist", dbPath)
	}
	store, err := backend.Open(ctx, dbPath, backend.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	if streamed != "" {
		return c.exportStreamed(ctx, store, streamed, f, order)
	}
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

// exportStreamed writes a streamed format into a temporary file and copies
// it to standard output once complete: a read failing half-way must not
// leave a truncated CSV that looks whole, and a file, unlike a buffer,
// keeps memory flat for an export of millions of events.
func (c *cli) exportStreamed(ctx context.Context, store export.Reader, format export.Format, f db.TimelineFilter, order db.SortOrder) error {
	tmp, err := os.CreateTemp("", "geotimeline-export-*")
	if err != nil {
		return fmt.Errorf("temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := export.Write(ctx, store, format, f, order, tmp); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("temporary file: %w", err)
	}
	if _, err := io.Copy(c.stdout, tmp); err != nil {
		return fmt.Errorf("write standard output: %w", err)
	}
	return nil
}
