// Package export writes a filtered view of the timeline in the formats that
// other tools read: CSV for a spreadsheet, TimelineJS 3 JSON, GeoJSON for a
// map, GEXF and GraphML for Gephi. The CLI (export --format) and the server
// (GET /export/{format}) share it, so that a download holds exactly what
// the command would write. It reads through the store's batch reads, page
// by page; all SQL stays in the store packages.
package export

import (
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// FilterParams are the names of the filter's parameters, the CLI's flags
// (--actors) and the HTTP endpoint's query parameters (?actors=) alike,
// with the order of the items (ParseOrder). Lists are comma-separated.
var FilterParams = []string{"actors", "countries", "types", "from", "to", "text", "sources", "tags", "codes", "time-match", "order"}

// ParseFilter reads the filter from its parameters' values as get returns
// them ("" for an absent one). Mistakes are BAD_USER_INPUT errors named by
// parameter; keys that name nothing (an unknown actor) are left for the
// store, which refuses them with the nearest keys when the export runs.
func ParseFilter(get func(name string) string) (db.TimelineFilter, error) {
	var f db.TimelineFilter
	f.Actors = list(get("actors"))
	if err := db.CheckKeys("actors", f.Actors); err != nil {
		return f, err
	}
	for _, c := range list(get("countries")) {
		if a2, ok := iso3166.Normalize(c); ok {
			f.Countries = append(f.Countries, a2)
			continue
		}
		if !isAlpha2(c) {
			return f, db.Errorf(db.CodeInvalid, "countries: %q is not an ISO 3166-1 alpha-2 or alpha-3 country code%s",
				c, suggest.Hint(iso3166.Suggest(c)))
		}
		// A well-formed code ISO lacks is kept: a fixture may have added it.
		f.Countries = append(f.Countries, c)
	}
	if err := db.CheckList("countries", "codes", len(f.Countries)); err != nil {
		return f, err
	}
	for _, t := range list(get("types")) {
		et := db.EventType(strings.ToUpper(t))
		if !et.Valid() {
			return f, db.Errorf(db.CodeInvalid, "types: %q is not an event type%s", t, suggest.Hint(suggest.Nearest(t, enumCandidates(db.EventTypes))))
		}
		f.EventTypes = append(f.EventTypes, et)
	}
	if err := db.CheckList("types", "values", len(f.EventTypes)); err != nil {
		return f, err
	}
	for _, name := range []string{"from", "to"} {
		v := get(name)
		if v == "" {
			continue
		}
		d, err := db.ParseDate(v)
		if err != nil {
			return f, db.Errorf(db.CodeInvalid, "%s: %v", name, err)
		}
		at := d.At
		if name == "from" {
			f.From = &at
		} else {
			f.To = &at
		}
	}
	f.Text = get("text")
	if err := db.CheckBytes("text", f.Text, db.MaxTextBytes); err != nil {
		return f, err
	}
	f.Sources = list(get("sources"))
	if err := db.CheckKeys("sources", f.Sources); err != nil {
		return f, err
	}
	f.Tags = list(get("tags"))
	if err := db.CheckKeys("tags", f.Tags); err != nil {
		return f, err
	}
	codes, err := db.CheckCodes("codes", list(get("codes")))
	if err != nil {
		return f, err
	}
	f.Codes = codes
	if m := get("time-match"); m != "" {
		tm := db.TimeMatch(strings.ToUpper(m))
		if !slices.Contains([]db.TimeMatch{db.MatchStart, db.MatchOverlaps, db.MatchWithin}, tm) {
			return f, db.Errorf(db.CodeInvalid, "time-match: %q is not one of START, OVERLAPS, WITHIN", m)
		}
		f.TimeMatch = tm
	}
	return f, nil
}

// ParseOrder reads the order parameter: asc (oldest first, the default) or
// desc, as the timeline's SortOrder, in either case. The graph formats hold
// their items in one order whatever it says.
func ParseOrder(get func(name string) string) (db.SortOrder, error) {
	switch o := get("order"); strings.ToUpper(o) {
	case "", string(db.Ascending):
		return db.Ascending, nil
	case string(db.Descending):
		return db.Descending, nil
	default:
		return "", db.Errorf(db.CodeInvalid, "order: %q is not asc or desc", o)
	}
}

// IsZero reports whether no parameter of the filter was given.
func IsZero(get func(name string) string) bool {
	for _, p := range FilterParams {
		if get(p) != "" {
			return false
		}
	}
	return true
}

// list splits a comma-separated value, dropping blanks around entries.
func list(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func enumCandidates[T ~string](xs []T) []suggest.Candidate {
	out := make([]suggest.Candidate, len(xs))
	for i, x := range xs {
		out[i] = suggest.Candidate{Value: string(x), Texts: []string{string(x)}}
	}
	return out
}
