// Package icews reads ICEWS coded event data (the Dataverse's yearly
// events.YYYY.*.tab files): tab separated, with a header, NA for a
// missing value.
//
// Each row is an event keyed icews-<Event ID>, on its Event Date (a day),
// typed through its CAMEO Code (codebook.TypeOfCAMEO); its codes are the
// CAMEO code with CAMEO's label and the PLOVER category it converts to,
// its intensity the Intensity. Its source is its story, one record per
// Story ID (icews-story-<id>, the Publisher its publisher); the sentence
// is named in the summary. Its location is City, District and Province
// as the place, Country by name, Latitude and Longitude.
//
// Source Name is the INITIATOR and Target Name the TARGET, each "as" its
// name. A name that is a country (Source Name == Source Country, or a
// country name without sectors) or "Government (X)" is the shared state
// of X. Every other name is one actor keyed icews-<name>: a sector agent
// ("Police (India)") or a named organisation takes the kind of its sectors
// (codebook.ICEWSSectorKind, OTHER without one); a named actor that
// codebook.ICEWSOrganizationName does not read as an organisation's or a
// place's is a PERSON, whatever its sectors (ICEWS gives its people those
// of their office).
package icews

import (
	"context"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Columns are the columns of an ICEWS events file, all required.
var Columns = []string{"Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
	"CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number",
	"Publisher", "City", "District", "Province", "Country", "Latitude", "Longitude"}

// Format is the "icews" format.
type Format struct{}

// Name is "icews".
func (Format) Name() string { return "icews" }

// Read reads one events file.
func (Format) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	r := reader{out: out, actors: map[actorID]string{}, stories: map[string]bool{}}
	return importer.ReadRows(ctx, in, out, importer.TableOptions{Comma: '\t', Required: Columns, Missing: []string{"NA"}}, func(t *importer.Table) error {
		r.t = t
		return r.row()
	})
}

type reader struct {
	t       *importer.Table
	out     *importer.Output
	actors  map[actorID]string // the key of each actor met
	stories map[string]bool    // the story sources written
}

// actorID is what an actor is read from.
type actorID struct{ name, sectors, country string }

func (r *reader) row() error {
	t := r.t
	id := t.Get("Event ID")
	if id == "" {
		t.Problem("Event ID", "missing: every event needs its id")
		return nil
	}
	e := db.Event{Key: importer.Key("icews", id)}
	ok := true
	// A day as every fixture's day is (db.ParseDate: years 0001 to 9999).
	date := t.Get("Event Date")
	day, err := db.ParseDate(date)
	switch {
	case date == "":
		t.Problem("Event Date", "missing: every event needs its date (YYYY-MM-DD)")
		ok = false
	case err != nil || day.Precision != db.PrecisionDay || len(date) != len(time.DateOnly):
		t.Problem("Event Date", "not a date YYYY-MM-DD: %q", date)
		ok = false
	}
	e.OccurredAt = day

	code := t.Get("CAMEO Code")
	typ, plover, known := codebook.TypeOfCAMEO(code)
	switch {
	case code == "":
		t.Problem("CAMEO Code", "missing: the CAMEO event code gives the event's type")
		ok = false
	case !known:
		t.Problem("CAMEO Code", "unknown CAMEO event code %q", code)
		ok = false
	}
	e.Type = typ
	text := t.Get("Event Text")
	label := codebook.CAMEOLabel(code)
	if label == "" {
		label = text
	}
	e.Codes = append(e.Codes, db.EventCode{Scheme: "CAMEO", Code: code, Label: label})
	if plover.Event != "" {
		e.Codes = append(e.Codes, db.EventCode{Scheme: "PLOVER", Code: plover.Event})
	}
	e.Intensity = t.Float("Intensity", -10, 10)

	var place []string
	for _, c := range []string{"City", "District", "Province"} {
		if v := t.Get(c); v != "" {
			place = append(place, v)
		}
	}
	e.Location.Place = strings.Join(place, ", ")
	e.Location.Country, ok = r.country("Country", ok)
	e.Location.Lat, e.Location.Lon = t.Point("Latitude", "Longitude")

	story, sentence := t.Get("Story ID"), t.Get("Sentence Number")
	if story != "" {
		key := importer.Key("icews-story", story)
		if !r.stories[key] {
			r.stories[key] = true
			r.out.Source(&db.Source{Key: key, Title: "ICEWS story " + story, Publisher: t.Get("Publisher")})
		}
		e.Sources = []string{key}
	}

	var names [2]string
	for i, side := range [2]struct {
		prefix string
		role   db.ParticipantRole
	}{{"Source", db.RoleInitiator}, {"Target", db.RoleTarget}} {
		var p db.Participant
		var err error
		p, ok, err = r.actor(side.prefix, ok)
		if err != nil {
			return err
		}
		if p.Actor == "" {
			continue
		}
		p.Role = side.role
		e.Participants = importer.AddParticipant(e.Participants, p)
		names[i] = p.As
	}
	e.Title = title(names[0], names[1], text, label, t.Get("City"))
	e.Summary = summary(story, sentence, t.Get("Publisher"))
	if ok {
		r.out.Event(t.Line(), "Event ID", &e)
	}
	return nil
}

// country reads a country column, a name: "" when missing, and a problem
// (ok false) when no country has the name.
func (r *reader) country(column string, ok bool) (string, bool) {
	name := r.t.Get(column)
	if name == "" {
		return "", ok
	}
	a2, found := iso3166.FromName(name)
	if !found {
		r.t.Problem(column, "unknown country %q: no ISO 3166-1 country has this name", name)
		return "", false
	}
	return a2, ok
}

// actor reads the actor of the columns that start with prefix ("Source"):
// its participant, none for a row without the name.
func (r *reader) actor(prefix string, ok bool) (db.Participant, bool, error) {
	t := r.t
	name := t.Get(prefix + " Name")
	country, ok := r.country(prefix+" Country", ok)
	if name == "" {
		return db.Participant{}, ok, nil
	}
	sectors := t.Get(prefix + " Sectors")
	id := actorID{name, sectors, country}
	key, seen := r.actors[id]
	if !seen {
		var err error
		key, err = r.out.Actor(importer.ActorRef{ID: name, Actor: actorOf(name, sectors, country, t.Get(prefix+" Country"))})
		if err != nil {
			return db.Participant{}, ok, err
		}
		r.actors[id] = key
	}
	return db.Participant{Actor: key, As: name}, ok, nil
}

// actorOf is the record of an ICEWS actor: the state of a country, or an
// actor of its own (see the package comment).
func actorOf(name, sectors, country, countryName string) db.Actor {
	if inner, found := strings.CutPrefix(name, "Government ("); found && strings.HasSuffix(inner, ")") {
		if a2, ok := iso3166.FromName(strings.TrimSuffix(inner, ")")); ok {
			return db.Actor{Kind: db.ActorState, Country: a2}
		}
	}
	if country != "" && name == countryName {
		return db.Actor{Kind: db.ActorState, Country: country}
	}
	if a2, ok := iso3166.FromName(name); ok && sectors == "" && (country == "" || country == a2) {
		return db.Actor{Kind: db.ActorState, Country: a2}
	}
	a := db.Actor{Key: importer.Key("icews", name), Name: name, Kind: db.ActorOther, Country: country}
	var list []string
	if sectors != "" {
		list = strings.Split(sectors, ",")
		a.Description = "ICEWS sectors: " + strings.Join(list, ", ")
	}
	agent := strings.HasSuffix(name, ")") && strings.Contains(name, " (")
	switch kind, ok := codebook.ICEWSSectorKind(list); {
	case !agent && !codebook.ICEWSOrganizationName(name):
		a.Kind = db.ActorPerson
	case ok:
		a.Kind = kind
	}
	return a
}

// title reads "Foreign Affairs (Bangladesh) → High Ranking Military
// Personnel (Vietnam): Consult in Hanoi".
func title(source, target, text, label, city string) string {
	what := text
	if what == "" {
		what = label
	}
	if what == "" {
		what = "Event"
	}
	var b strings.Builder
	switch {
	case source != "" && target != "" && source != target:
		b.WriteString(source + " → " + target + ": ")
	case source != "":
		b.WriteString(source + ": ")
	case target != "":
		b.WriteString(target + ": ")
	}
	b.WriteString(what)
	if city != "" && city != source && city != target {
		b.WriteString(" in " + city)
	}
	return b.String()
}

// summary names the sentence the event was coded from: "Sentence 2 of
// ICEWS story 47400351 (Vietnam News Agency Bulletin)."
func summary(story, sentence, publisher string) string {
	if story == "" {
		return ""
	}
	s := "ICEWS story " + story
	if sentence != "" {
		s = "Sentence " + sentence + " of " + s
	}
	if publisher != "" {
		s += " (" + publisher + ")"
	}
	return s + "."
}
