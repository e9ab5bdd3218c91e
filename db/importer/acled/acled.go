// Package acled reads ACLED's CSV exports (Armed Conflict Location & Event
// Data): one row per event of political violence, demonstration or
// strategic development. README.md beside this file maps each column.
package acled

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Format is the "acled" import format.
type Format struct{}

// Name is the format's --format value and the prefix of its event keys.
func (Format) Name() string { return "acled" }

// required are the columns read that every ACLED export since 2019 has;
// disorder_type, civilian_targeting and tags (2023) are read when there.
var required = []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
	"actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "iso", "country",
	"admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"}

// Dataset is the source record of ACLED itself, which the fatality
// estimates cite.
var Dataset = db.Source{Key: "acled", Title: "Armed Conflict Location & Event Data (ACLED)",
	Publisher: "ACLED", URL: "https://acleddata.com/"}

// Read reads one ACLED CSV file.
func (Format) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	return importer.ReadRows(ctx, in, out, importer.TableOptions{Comma: ',', Required: required}, func(t *importer.Table) error {
		readRow(t, out)
		return nil
	})
}

func readRow(t *importer.Table, out *importer.Output) {
	id := t.Get("event_id_cnty")
	if id == "" {
		t.Problem("event_id_cnty", "missing: every ACLED event has an id")
		return
	}
	e := &db.Event{Key: importer.Key("acled", id)}
	defer out.Event(t.Line(), "event_id_cnty", e)

	e.OccurredAt = date(t)
	kind, ok := eventType(t)
	e.Type = kind.Type
	if ok {
		e.Codes = []db.EventCode{{Scheme: "ACLED", Code: kind.EventType},
			{Scheme: "ACLED", Code: kind.EventType + ": " + kind.SubEventType}}
	}
	if d := t.Get("disorder_type"); d != "" {
		e.Codes = append(e.Codes, db.EventCode{Scheme: "ACLED_DISORDER", Code: d})
	}
	e.Codes = importer.Codes(e.Codes...)

	country := countryOf(t)
	lat, lon := t.Point("latitude", "longitude")
	e.Location = db.Location{Country: country, Place: place(t), Lat: lat, Lon: lon}

	if n := t.Int("fatalities", 0, math.MaxInt32); n != nil {
		e.Fatalities = n
		e.Estimates = []db.Estimate{{Measure: db.MeasureFatalities, Best: n, Source: Dataset.Key}}
	}

	actor1 := t.Get("actor1")
	if actor1 == "" {
		t.Problem("actor1", "missing: every ACLED event has a first actor")
	}
	for _, s := range []struct {
		actor, assoc, inter string
		role                db.ParticipantRole
	}{{"actor1", "assoc_actor_1", "inter1", kind.Role1}, {"actor2", "assoc_actor_2", "inter2", kind.Role2}} {
		e.Participants = sideOf(t, out, e.Participants, s.actor, s.assoc, s.inter, s.role, country)
	}

	e.Title = title(t, kind)
	e.Summary = summary(t)
	for _, tag := range list(t.Get("tags")) {
		e.Tags = importer.AddKey(e.Tags, tag)
	}
	e.Tags = importer.AddKey(e.Tags, t.Get("civilian_targeting"))

	for _, name := range list(t.Get("source")) {
		s := db.Source{Key: importer.Key("acled-src", name), Publisher: name}
		out.Source(&s)
		e.Sources = importer.AddKey(e.Sources, s.Key)
	}
	out.Source(&Dataset)
	e.Sources = importer.AddKey(e.Sources, Dataset.Key)
}

// list splits ACLED's lists ("Reuters; Al Jazeera").
func list(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// date reads event_date, "2023-01-31" or "31 January 2023" as exports
// differ, and widens it by time_precision: 2 (ACLED: the week is known,
// the date coded is within it) is the seven days around the date, 3 (the
// month is known) the month.
func date(t *importer.Table) db.Date {
	s := t.Get("event_date")
	if s == "" {
		t.Problem("event_date", "missing")
		return db.Date{}
	}
	var day time.Time
	var err error
	for _, layout := range []string{time.DateOnly, "2 January 2006"} {
		if day, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		t.Problem("event_date", "not a date: %q (want 2023-01-31 or 31 January 2023)", s)
		return db.Date{}
	}
	var text string
	switch p := t.Get("time_precision"); p {
	case "", "1":
		text = day.Format(time.DateOnly)
	case "2":
		text = day.AddDate(0, 0, -3).Format(time.DateOnly) + "/" + day.AddDate(0, 0, 3).Format(time.DateOnly)
	case "3":
		text = day.Format("2006-01")
	default:
		t.Problem("time_precision", "unknown precision %q: want 1 (day), 2 (week) or 3 (month)", p)
		return db.Date{}
	}
	d, err := db.ParseSpan(text)
	if err != nil {
		t.Problem("event_date", "%v", err) // years outside 0001–9999
	}
	return d
}

// eventType looks the event type and sub-event type up in ACLED's codebook;
// one it does not have is a problem, never an OTHER.
func eventType(t *importer.Table) (codebook.ACLEDType, bool) {
	et, sub := t.Get("event_type"), t.Get("sub_event_type")
	if k, ok := codebook.ACLED(et, sub); ok {
		return k, true
	}
	if _, ok := codebook.ACLEDEventType(et); !ok {
		t.Problem("event_type", "unknown event type %q (not in ACLED's codebook, db/codebook/acled-types.tsv)", et)
	} else {
		t.Problem("sub_event_type", "unknown sub-event type %q of %q (not in ACLED's codebook, db/codebook/acled-types.tsv)", sub, et)
	}
	return codebook.ACLEDType{}, false
}

// countryOf reads iso, ACLED's numeric ISO 3166 code, checked against the
// country's name when db/iso3166 knows the name; without a code (ACLED has
// none for Kosovo, iso 0) the name says.
func countryOf(t *importer.Table) string {
	iso, name := t.Get("iso"), t.Get("country")
	byCode, codeOK := iso3166.FromNumeric(iso)
	byName, nameOK := iso3166.FromName(name)
	switch {
	case codeOK && nameOK && byCode != byName:
		t.Problem("country", "%q is %s, but iso %s is %s", name, byName, iso, byCode)
		return ""
	case codeOK:
		return byCode
	case nameOK && (iso == "" || strings.Trim(iso, "0") == ""):
		return byName
	case iso != "":
		t.Problem("iso", "unknown ISO 3166-1 numeric code %q", iso)
	default:
		t.Problem("country", "unknown country %q and no iso code (no ISO 3166-1 country goes by this name)", name)
	}
	return ""
}

// place names where, from the location to the province: "Kupwara,
// Kupwara, Jammu and Kashmir" is written once each.
func place(t *importer.Table) string {
	var parts []string
	for _, c := range []string{"location", "admin3", "admin2", "admin1"} {
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

// stateActor is how ACLED names a state's institutions: "Government of
// India (2014-)", "Military Forces of India (2014-) Border Security Force",
// "Police Forces of Sudan (2019-2019)". The years are the government's,
// ACLED's way of telling one regime's forces from the next.
var stateActor = regexp.MustCompile(`^(Government|Military Forces|Police Forces) of (.+?) \(\d{4}-(\d{4})?\)(.*)$`)

// inParens is the country ACLED adds to generic actors: "Protesters
// (India)", "Unidentified Armed Group (Sudan)".
var inParens = regexp.MustCompile(`^.+ \(([^()]+)\)$`)

// sideOf adds an actor and its associated actors, with the role its side
// plays, to ps.
func sideOf(t *importer.Table, out *importer.Output, ps []db.Participant, actorCol, assocCol, interCol string, role db.ParticipantRole, country string) []db.Participant {
	name := t.Get(actorCol)
	if name == "" {
		return ps
	}
	inter, ok := codebook.ACLEDActorType(t.Get(interCol))
	if !ok {
		t.Problem(interCol, "unknown actor type %q: want 1 to 8 (ACLED's inter codes, db/codebook/acled-inter.tsv)", t.Get(interCol))
		return ps
	}
	if role == db.RoleTarget && inter.Code == "7" {
		role = db.RoleVictim // civilians are the victims of what targets them
	}
	for i, n := range append([]string{name}, list(t.Get(assocCol))...) {
		col := actorCol
		if i > 0 {
			col = assocCol
		}
		key, ok := actorOf(t, out, col, n, inter.Kind, country)
		if ok {
			ps = importer.AddParticipant(ps, db.Participant{Actor: key, Role: role, As: n})
		}
	}
	return ps
}

// actorOf makes the actor ACLED names: a government is the shared state
// of its country, its military and police forces are MILITARY and
// GOVERNMENT_BODY of that country, any other actor has the kind of its
// side's actor type. Keys are the names, ACLED having no actor ids.
func actorOf(t *importer.Table, out *importer.Output, col, name string, kind db.ActorKind, country string) (string, bool) {
	ref := importer.ActorRef{ID: name, Actor: db.Actor{Key: importer.Key("acled-actor", name), Name: name, Kind: kind}}
	if m := stateActor.FindStringSubmatch(name); m != nil {
		c, ok := countryNamed(t, m[2], country)
		switch {
		case m[1] == "Government" && strings.TrimSpace(m[4]) == "":
			if !ok {
				t.Problem(col, "unknown country in %q (no ISO 3166-1 country goes by this name)", name)
				return "", false
			}
			ref.Actor = db.Actor{Kind: db.ActorState, Country: c}
		case m[1] == "Military Forces":
			ref.Actor.Kind, ref.Actor.Country = db.ActorMilitary, c
		default:
			ref.Actor.Kind, ref.Actor.Country = db.ActorGovernmentBody, c
		}
	} else if m := inParens.FindStringSubmatch(name); m != nil {
		ref.Actor.Country, _ = countryNamed(t, m[1], "")
	}
	key, err := out.Actor(ref)
	if err != nil {
		t.Problem(col, "%v", err)
		return "", false
	}
	return key, true
}

// countryNamed is the country of a name in an actor's: the event's own
// when the name is the row's country, else what db/iso3166 makes of it.
func countryNamed(t *importer.Table, name, rowCountry string) (string, bool) {
	if rowCountry != "" && strings.EqualFold(name, t.Get("country")) {
		return rowCountry, true
	}
	c, ok := iso3166.FromName(strings.TrimPrefix(name, "the "))
	return c, ok
}

// title reads like "Armed clash: Military Forces of India (2014-) and
// Unidentified Armed Group (India) in Kupwara".
func title(t *importer.Table, k codebook.ACLEDType) string {
	s := k.SubEventType
	if s == "" {
		s = t.Get("sub_event_type")
	}
	var who []string
	for _, c := range []string{"actor1", "actor2"} {
		if a := t.Get(c); a != "" {
			who = append(who, a)
		}
	}
	if len(who) > 0 {
		s += ": " + strings.Join(who, " and ")
	}
	if l := t.Get("location"); l != "" {
		s += " in " + l
	}
	return s
}

// summary is ACLED's notes, and how precise the location is when it is
// not the place itself.
func summary(t *importer.Table) string {
	s := t.Get("notes")
	p := t.Get("geo_precision")
	if p == "" || p == "1" {
		return s
	}
	m, ok := codebook.ACLEDMeaning("geo_precision", p)
	if !ok {
		t.Problem("geo_precision", "unknown precision %q: want 1, 2 or 3", p)
		return s
	}
	return strings.TrimSpace(s + fmt.Sprintf(" (Location: %s; ACLED geo_precision %s.)", m, p))
}
