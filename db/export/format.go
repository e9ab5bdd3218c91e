package export

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// Format is an export format, named as API.md names it.
type Format string

// The streamed formats. The fixture format is the store's own (db/fixture)
// and not written here.
const (
	CSV        Format = "csv"
	TimelineJS Format = "timelinejs"
	GeoJSON    Format = "geojson"
	GEXF       Format = "gexf"
	GraphML    Format = "graphml"
)

// Formats are the formats Write writes.
var Formats = []Format{CSV, TimelineJS, GeoJSON, GEXF, GraphML}

// ParseFormat reads a format name; an unknown one is BAD_USER_INPUT.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(s))
	if !slices.Contains(Formats, f) {
		names := make([]string, len(Formats))
		for i, f := range Formats {
			names[i] = string(f)
		}
		if f == "fixture" {
			// The CLI writes it from the store itself; it is the whole
			// database, built in memory, and takes no filter.
			return "", db.Errorf(db.CodeInvalid, "the fixture format is the whole database and is not streamed: use geotimeline export --format fixture")
		}
		return "", db.Errorf(db.CodeInvalid, "unknown export format %q: want %s", s, strings.Join(names, ", "))
	}
	return f, nil
}

// ContentType is the media type of the format, for HTTP.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case TimelineJS:
		return "application/json"
	case GeoJSON:
		return "application/geo+json"
	case GEXF:
		return "application/gexf+xml"
	case GraphML:
		return "application/graphml+xml"
	}
	return "application/octet-stream"
}

// FileName is the name a download of the format is saved as.
func (f Format) FileName() string {
	ext := map[Format]string{CSV: "csv", TimelineJS: "json", GeoJSON: "geojson", GEXF: "gexf", GraphML: "graphml"}[f]
	return "geotimeline-" + string(f) + "." + ext
}

// writer is one format's writer: begin, each item in timeline order, end.
type writer interface {
	begin() error
	item(Item) error
	end() error
}

// Write writes the items matching f in format to w, as it reads them: a
// failure half-way (a read error, a cancelled context, a closed
// connection) returns an error after part of the output was written.
//
// CSV and GeoJSON hold events only; TimelineJS holds events and statements;
// GEXF and GraphML hold both with the actors and countries they touch.
func Write(ctx context.Context, store Reader, format Format, f db.TimelineFilter, order db.SortOrder, w io.Writer) error {
	var wr writer
	switch format {
	case CSV:
		f.Include = []db.ItemKind{db.ItemEvent}
		wr = newCSV(w)
	case GeoJSON:
		f.Include = []db.ItemKind{db.ItemEvent}
		wr = newGeoJSON(w)
	case TimelineJS:
		wr = newTimelineJS(w)
	case GEXF, GraphML:
		return writeGraph(ctx, store, format, f, w)
	default:
		return fmt.Errorf("export: unknown format %q", format)
	}
	// The filter is checked before anything is written, so that a
	// mistake (an unknown actor) is an error with no output at all.
	if _, err := store.MatchTimeline(ctx, f, nil); err != nil {
		return err
	}
	if err := wr.begin(); err != nil {
		return err
	}
	if err := Walk(ctx, store, f, order, wr.item); err != nil {
		return err
	}
	return wr.end()
}
