// Package ucdp reads the UCDP Georeferenced Event Dataset (GED): the CSV
// release files, one row per event of organised violence that killed at
// least one person. README.md beside this file maps each column.
package ucdp

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Format is the "ucdp" import format.
type Format struct{}

// Name is the format's --format value and the prefix of its event keys.
func (Format) Name() string { return "ucdp" }

// required are the columns read; GED has had them since version 5.0 (2016).
var required = []string{"id", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id", "dyad_name",
	"side_a_new_id", "side_a", "side_b_new_id", "side_b", "source_article", "where_prec", "where_coordinates",
	"where_description", "adm_1", "adm_2", "latitude", "longitude", "country", "event_clarity", "date_prec",
	"date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low"}

// GED is the source record of the dataset itself, which the fatality
// estimates cite. The file does not say which release it is from, so the
// record names none.
var GED = db.Source{Key: "ucdp-ged", Title: "UCDP Georeferenced Event Dataset (GED)",
	Publisher: "Uppsala Conflict Data Program", URL: "https://ucdp.uu.se/downloads/"}

// Read reads one GED CSV file.
func (Format) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	return importer.ReadRows(ctx, in, out, importer.TableOptions{Comma: ',', Required: required}, func(t *importer.Table) error {
		readRow(t, out)
		return nil
	})
}

func readRow(t *importer.Table, out *importer.Output) {
	id := t.Get("id")
	if id == "" {
		t.Problem("id", "missing: every GED event has an id")
		return
	}
	n := t.Int("id", 0, math.MaxInt32)
	if n == nil {
		return
	}
	// The number, not the text: "300380.0", as some exports write it, is
	// the event 300380.
	e := &db.Event{Key: importer.Key("ucdp", strconv.Itoa(*n))}
	defer out.Event(t.Line(), "id", e)

	violence, ok := codebook.UCDPViolenceType(t.Get("type_of_violence"))
	if !ok {
		t.Problem("type_of_violence", "unknown type %q: want 1 (state-based conflict), 2 (non-state conflict) or 3 (one-sided violence)", t.Get("type_of_violence"))
	}
	e.Type = violence.Type
	e.OccurredAt = dates(t)

	country, ok := iso3166.FromName(t.Get("country"))
	if !ok {
		t.Problem("country", "unknown country %q (no ISO 3166-1 country goes by this name)", t.Get("country"))
	}
	lat, lon := t.Point("latitude", "longitude")
	e.Location = db.Location{Country: country, Place: place(t), Lat: lat, Lon: lon}

	low, best, high := t.Int("low", 0, math.MaxInt32), t.Int("best", 0, math.MaxInt32), t.Int("high", 0, math.MaxInt32)
	if t.Get("best") == "" {
		t.Problem("best", "missing: GED gives every event a best estimate of its deaths")
	}
	if best != nil {
		e.Fatalities = best
		e.Estimates = []db.Estimate{estimate(low, best, high)}
	}

	a, actorsA := side(t, out, "a", country)
	b, actorsB := side(t, out, "b", country)
	for _, x := range actorsA {
		e.Participants = importer.AddParticipant(e.Participants, db.Participant{Actor: x.key, Role: violence.RoleA, As: x.as})
	}
	for _, x := range actorsB {
		e.Participants = importer.AddParticipant(e.Participants, db.Participant{Actor: x.key, Role: violence.RoleB, As: x.as})
	}

	e.Codes = importer.Codes(
		db.EventCode{Scheme: "UCDP", Code: violence.Code, Label: violence.Label},
		db.EventCode{Scheme: "UCDP_CONFLICT", Code: t.Get("conflict_new_id"), Label: t.Get("conflict_name")},
		db.EventCode{Scheme: "UCDP_DYAD", Code: t.Get("dyad_new_id"), Label: t.Get("dyad_name")},
	)
	e.Title = title(t, a, b, best)
	e.Summary = summary(t, violence, a, b)

	for _, s := range articles(t) {
		out.Source(&s)
		e.Sources = importer.AddKey(e.Sources, s.Key)
	}
	out.Source(&GED)
	e.Sources = importer.AddKey(e.Sources, GED.Key)
}

// dates reads date_start and date_end, between which the event happened:
// a day when they are one, else the interval from one to the other,
// written as whole months or years when it spans exactly those (GED's
// date_prec 4 and 5 events often do), so that the precision says it.
func dates(t *importer.Table) db.Date {
	start, okStart := day(t, "date_start")
	end, okEnd := day(t, "date_end")
	if !okStart || !okEnd {
		return db.Date{}
	}
	if end.Before(start) {
		t.Problem("date_end", "%s is before date_start %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
		return db.Date{}
	}
	after := end.AddDate(0, 0, 1)
	layout := time.DateOnly
	switch {
	case start.YearDay() == 1 && after.YearDay() == 1:
		layout = "2006"
	case start.Day() == 1 && after.Day() == 1:
		layout = "2006-01"
	}
	from, through := start.Format(layout), end.Format(layout)
	s := from
	if through != from {
		s += "/" + through
	}
	d, err := db.ParseSpan(s)
	if err != nil {
		// Cannot happen: both ends are dates, in order.
		t.Problem("date_end", "%v", err)
	}
	return d
}

// day reads a GED date: "2013-01-03", or as the downloads from UCDP's
// site write it, "2013-01-03 00:00:00.000".
func day(t *importer.Table, column string) (time.Time, bool) {
	s := t.Get(column)
	if s == "" {
		t.Problem(column, "missing")
		return time.Time{}, false
	}
	d, rest, _ := strings.Cut(s, " ")
	if rest != "" && strings.Trim(rest, "0:.") != "" {
		d = s // a time of day other than midnight: not a GED date
	}
	v, err := db.ParseDate(d)
	if err != nil || v.Precision != db.PrecisionDay {
		t.Problem(column, "not a date: %q (want YYYY-MM-DD)", s)
		return time.Time{}, false
	}
	return v.At, true
}

// place names where the event happened, from the place GED's coordinates
// stand for to the province: "Rami village, Ariha district, Idlib
// governorate".
func place(t *importer.Table) string {
	var parts []string
	for _, c := range []string{"where_coordinates", "adm_2", "adm_1"} {
		if v := t.Get(c); v != "" && !contains(parts, v) {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// estimate is GED's fatality claim. Some GED rows have a low above the best
// or a high below it (release 23.1 has several): the figure out of order
// is left out, and the note says so, rather than the row refused or the
// figures reordered.
func estimate(low, best, high *int) db.Estimate {
	e := db.Estimate{Measure: db.MeasureFatalities, Low: low, Best: best, High: high, Source: GED.Key}
	var notes []string
	if low != nil && *low > *best {
		notes = append(notes, fmt.Sprintf("low %d is above best %d", *low, *best))
		e.Low = nil
	}
	if high != nil && *high < *best {
		notes = append(notes, fmt.Sprintf("high %d is below best %d", *high, *best))
		e.High = nil
	}
	if len(notes) > 0 {
		e.Note = "GED's " + strings.Join(notes, " and its ") + ": left out"
	}
	return e
}

// actor is a participant's actor, and the words of the side that name it.
type actor struct{ key, as string }

// side reads side_a or side_b: its name, and the actors it stands for. A
// government ("Government of Syria") is the state of its country, shared
// with every dataset, and a side of several ("Government of Australia,
// Government of United Kingdom", in interstate wars) is each of their
// states; UCDP's civilians, the victims of one-sided violence, are one
// actor per country; any other side is an armed group, keyed by its UCDP
// actor id.
func side(t *importer.Table, out *importer.Output, which, country string) (string, []actor) {
	col := "side_" + which
	name := t.Get(col)
	if name == "" {
		t.Problem(col, "missing")
		return "", nil
	}
	var refs []importer.ActorRef
	switch {
	case strings.HasPrefix(name, "Government of "):
		for i, part := range strings.Split(name, ", Government of ") {
			if i > 0 {
				part = "Government of " + part
			}
			c, ok := iso3166.FromName(strings.TrimPrefix(part, "Government of "))
			if !ok {
				t.Problem(col, "unknown country in %q (no ISO 3166-1 country goes by this name)", part)
				continue
			}
			refs = append(refs, importer.ActorRef{ID: part, Actor: db.Actor{Kind: db.ActorState, Country: c}})
		}
	case name == "Civilians" && t.Get("type_of_violence") == "3":
		if country == "" {
			return name, nil // the unknown country is reported already
		}
		in := t.Get("country")
		if i := strings.Index(in, " ("); i > 0 {
			in = in[:i] // "DR Congo (Zaire)": the former name is not needed here
		}
		refs = append(refs, importer.ActorRef{ID: name, Actor: db.Actor{Key: importer.Key("ucdp-civilians", country),
			Name: "Civilians (" + in + ")", Kind: db.ActorOther, Country: country}})
	default:
		id := t.Get(col + "_new_id")
		if id == "" {
			id = name
		} else if _, err := strconv.Atoi(id); err != nil {
			t.Problem(col+"_new_id", "not a whole number: %q", id)
			return name, nil
		}
		refs = append(refs, importer.ActorRef{ID: name, Actor: db.Actor{Key: importer.Key("ucdp-actor", id), Name: name, Kind: db.ActorArmedGroup}})
	}
	var actors []actor
	for _, ref := range refs {
		key, err := out.Actor(ref)
		if err != nil {
			t.Problem(col, "%v", err)
			continue
		}
		actors = append(actors, actor{key, ref.ID})
	}
	return name, actors
}

// title reads like "Government of Syria - Syrian insurgents: 2 killed in
// Rami village", from GED's own dyad name.
func title(t *importer.Table, a, b string, best *int) string {
	s := t.Get("dyad_name")
	if s == "" {
		s = a + " - " + b
	}
	if best != nil {
		s += fmt.Sprintf(": %d killed", *best)
	}
	if where := t.Get("where_coordinates"); where != "" {
		s += " in " + where
	}
	return s
}

// summary keeps what the record has no field for: the conflict, the deaths
// by side, GED's own words for the place, how precise the place and date
// are, who reported the event.
func summary(t *importer.Table, v codebook.UCDPViolence, a, b string) string {
	var s []string
	if c := t.Get("conflict_name"); c != "" {
		s = append(s, fmt.Sprintf("%s (%s).", c, strings.ToLower(v.Label)))
	}
	var deaths []string
	for _, d := range []struct{ col, who string }{{"deaths_a", "side A " + a}, {"deaths_b", "side B " + b}, {"deaths_civilians", "civilians"}, {"deaths_unknown", "unknown"}} {
		if n := t.Int(d.col, 0, math.MaxInt32); n != nil {
			deaths = append(deaths, fmt.Sprintf("%s %d", d.who, *n))
		}
	}
	if len(deaths) > 0 {
		s = append(s, "Deaths: "+strings.Join(deaths, ", ")+".")
	}
	where := t.Get("where_description")
	if m := meaning(t, "where_prec"); m != "" {
		where = strings.TrimSpace(where + " (" + m + ")")
	}
	if where != "" {
		s = append(s, "Where: "+where+".")
	}
	if m := meaning(t, "date_prec"); m != "" {
		s = append(s, "When: "+m+".")
	}
	if t.Get("event_clarity") == "2" {
		s = append(s, "Clarity: "+meaning(t, "event_clarity")+".")
	}
	if o := t.Get("source_original"); o != "" {
		s = append(s, "Reported by: "+o+".")
	}
	return strings.Join(s, " ")
}

// meaning is what a precision column's code says, "" when empty; another
// code is a problem.
func meaning(t *importer.Table, column string) string {
	code := t.Get(column)
	if code == "" {
		return ""
	}
	m, ok := codebook.UCDPMeaning(column, code)
	if !ok {
		t.Problem(column, "unknown code %q", code)
	}
	return m
}

// article is one of source_article's articles, `"OFFICE,DATE,HEADLINE"`,
// as GED has written them since its 2017 releases.
var article = regexp.MustCompile(`(?s)^(.*?),\s*(\d{4}-\d{2}-\d{2}),(.*)$`)

// articles reads source_article: `"Office,2013-01-03,Headline";"…"`, one
// source per article (publisher, date, headline); a text in another form,
// as the older rows (number_of_sources -1) have, is one source titled with
// the whole text.
func articles(t *importer.Table) []db.Source {
	s := t.Get("source_article")
	if s == "" {
		return nil
	}
	var out []db.Source
	if len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
		for item := range strings.SplitSeq(s[1:len(s)-1], `";"`) {
			m := article.FindStringSubmatch(item)
			if m == nil {
				out = nil
				break
			}
			office, date, headline := strings.TrimSpace(m[1]), m[2], strings.TrimSpace(m[3])
			d, err := db.ParseDate(date)
			if err != nil {
				t.Problem("source_article", "article %q: %v", item, err)
			}
			out = append(out, db.Source{Key: importer.Key("ucdp-src", office, date, headline), Title: headline,
				Publisher: office, PublishedAt: d})
		}
		if out != nil {
			return out
		}
	}
	return []db.Source{{Key: importer.Key("ucdp-src", s), Title: s}}
}
