// Package gdelt reads GDELT 2.0 event exports (the 15-minute
// YYYYMMDDHHMMSS.export.CSV files, or the .zip GDELT serves them in): tab
// separated, no header, 61 columns in the order of the GDELT 2.0 event
// codebook, whose column names problems use.
//
// Each row is an event keyed gdelt-<GLOBALEVENTID>, on its SQLDATE (a day),
// typed through its CAMEO EventCode (codebook.TypeOfCAMEO). Its codes are
// the CAMEO EventCode with CAMEO's label, the PLOVER category the code
// converts to, and the QuadClass (scheme GDELT_QUADCLASS, 1 to 4). The
// EventBaseCode and EventRootCode are not kept: they are EventCode's
// prefixes, which the codes filter matches with "CAMEO:19*". Its intensity
// is the GoldsteinScale; its location the ActionGeo_ columns (none when
// ActionGeo_Type is 0), its country from the FIPS 10-4 ActionGeo_CountryCode
// (a FIPS code ISO 3166-1 has no country for, such as the oceans', leaves
// the country empty and keeps the place); its source the SOURCEURL.
//
// Actor1 is the INITIATOR, Actor2 the TARGET, each "as" its ActorName. An
// actor code that is a country alone ("AUS") is that country's state;
// every other code is one actor keyed cameo-<code>, shared with the other
// CAMEO-coded datasets (PLOVER), named and kinded by codebook.CAMEOActor.
// A row without actor codes is an event without participants.
package gdelt

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Columns are the 61 columns of a GDELT 2.0 event export, in order, as
// the GDELT 2.0 event codebook names them.
var Columns = []string{
	"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
	"Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
	"Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
	"Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
	"Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
	"IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
	"GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
	"Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
	"Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
	"Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
	"Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
	"ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
	"ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
	"DATEADDED", "SOURCEURL",
}

// QuadClass labels, from the GDELT 2.0 event codebook.
var quadClasses = [...]string{1: "Verbal cooperation", 2: "Material cooperation", 3: "Verbal conflict", 4: "Material conflict"}

// QuadClassScheme is the code scheme of an event's QuadClass.
const QuadClassScheme = "GDELT_QUADCLASS"

// Format is the "gdelt" format.
type Format struct{}

// Name is "gdelt".
func (Format) Name() string { return "gdelt" }

// col is the position of each column in Columns.
var col = func() map[string]int {
	out := make(map[string]int, len(Columns))
	for i, c := range Columns {
		out[c] = i
	}
	return out
}()

var (
	cID         = col["GLOBALEVENTID"]
	cDate       = col["SQLDATE"]
	cEventCode  = col["EventCode"]
	cGeoType    = col["ActionGeo_Type"]
	cGeoName    = col["ActionGeo_FullName"]
	cGeoCountry = col["ActionGeo_CountryCode"]
	cURL        = col["SOURCEURL"]
	cArticles   = col["NumArticles"]
	cSources    = col["NumSources"]
	cTone       = col["AvgTone"]
	cAdded      = col["DATEADDED"]
	sides       = [2]side{
		{"Actor1", db.RoleInitiator, col["Actor1Code"], col["Actor1Name"], col["Actor1CountryCode"]},
		{"Actor2", db.RoleTarget, col["Actor2Code"], col["Actor2Name"], col["Actor2CountryCode"]},
	}
)

// side is the columns of one of a row's two actors.
type side struct {
	prefix              string
	role                db.ParticipantRole
	code, name, country int
}

// Read reads one export file.
func (Format) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	r := reader{out: out, actors: map[string]actorKey{}, urls: map[string]string{}, codes: map[string]cameoCode{}}
	rows := 0
	err := importer.ReadRows(ctx, in, out, importer.TableOptions{Comma: '\t', Header: Columns}, func(t *importer.Table) error {
		r.t = t
		rows++
		return r.row()
	})
	if rows == 0 && err == nil && out.Problems() == 0 {
		out.Problem(0, "", "the file is empty: want GDELT 2.0 event rows")
	}
	return err
}

// reader reads the rows of one file. It keeps what consecutive rows
// repeat: GDELT codes several events from one article, and the same actor
// codes on every page.
type reader struct {
	t      *importer.Table
	out    *importer.Output
	actors map[string]actorKey // CAMEO actor code → its key in the run
	urls   map[string]string   // SOURCEURL → its source key, "" for none
	codes  map[string]cameoCode
	buf    []byte
}

// cameoCode is what an EventCode gives an event.
type cameoCode struct {
	typ           db.EventType
	plover, label string
	known         bool
}

// cameo looks an event code up in the code tables, once per code.
func (r *reader) cameo(code string) cameoCode {
	if c, ok := r.codes[code]; ok {
		return c
	}
	typ, plover, known := codebook.TypeOfCAMEO(code)
	c := cameoCode{typ: typ, plover: plover.Event, label: cameoLabel(code), known: known}
	if len(r.codes) < 1<<12 {
		r.codes[code] = c
	}
	return c
}

// sourceKey is the key of the source of a SOURCEURL, written the first
// time; "" for what is not a URL.
func (r *reader) sourceKey(u string) string {
	if key, ok := r.urls[u]; ok {
		return key
	}
	if len(r.urls) >= 1<<14 {
		clear(r.urls) // a bound for a file of millions of rows
	}
	key := ""
	if s, ok := importer.URLSource(u); ok {
		r.out.Source(&s)
		key = s.Key
	}
	r.urls[u] = key
	return key
}

func (r *reader) row() error {
	t := r.t
	id := t.At(cID)
	if !digits(id) {
		if id == "" {
			t.Problem("GLOBALEVENTID", "missing: every event needs its id")
		} else {
			t.Problem("GLOBALEVENTID", "not an event id (a whole number): %q", id)
		}
		return nil
	}
	e := db.Event{Key: "gdelt-" + id}
	ok := true
	day, err := parseDay(t.At(cDate))
	if err != nil {
		t.Problem("SQLDATE", "%v", err)
		ok = false
	}
	e.OccurredAt = day

	code := t.At(cEventCode)
	c := r.cameo(code)
	switch {
	case code == "":
		t.Problem("EventCode", "missing: the CAMEO event code gives the event's type")
		ok = false
	case !c.known:
		t.Problem("EventCode", "unknown CAMEO event code %q", code)
		ok = false
	}
	e.Type = c.typ
	label := c.label
	codes := make([]db.EventCode, 0, 3)
	codes = append(codes, db.EventCode{Scheme: "CAMEO", Code: code, Label: label})
	if c.plover != "" {
		codes = append(codes, db.EventCode{Scheme: "PLOVER", Code: c.plover})
	}
	if q := t.Int("QuadClass", 1, 4); q != nil {
		codes = append(codes, db.EventCode{Scheme: QuadClassScheme, Code: quadCodes[*q], Label: quadClasses[*q]})
	}
	e.Codes = codes
	e.Intensity = t.Float("GoldsteinScale", -10, 10)

	if g := t.At(cGeoType); g != "" && g != "0" {
		e.Location.Place = t.At(cGeoName)
		if fips := t.At(cGeoCountry); fips != "" {
			e.Location.Country, _ = iso3166.FromFIPS(fips)
		}
		e.Location.Lat, e.Location.Lon = t.Point("ActionGeo_Lat", "ActionGeo_Long")
	}

	if key := r.sourceKey(t.At(cURL)); key != "" {
		e.Sources = []string{key}
	}

	var names [2]string
	for i, sd := range sides {
		p, name, err := r.actor(sd)
		if err != nil {
			return err
		}
		if p.Actor == "" {
			continue
		}
		e.Participants = importer.AddParticipant(e.Participants, p)
		names[i] = name
	}
	e.Title = title(names[0], names[1], label, placeName(e.Location.Place))
	e.Summary = r.summary()
	if ok {
		r.out.Event(t.Line(), "GLOBALEVENTID", &e)
	}
	return nil
}

var quadCodes = [...]string{1: "1", 2: "2", 3: "3", 4: "4"}

// actor reads the actor of one side of the row: its participant (no actor
// for a row without the actor's code) and the name the title calls it by.
func (r *reader) actor(sd side) (db.Participant, string, error) {
	t := r.t
	code := t.At(sd.code)
	if code == "" {
		return db.Participant{}, "", nil
	}
	text := t.At(sd.name)
	ak, seen := r.actors[code]
	if !seen {
		info, known := codebook.CAMEOActor(code)
		ak.group = known && info.Group != ""
		ref := importer.ActorRef{ID: code}
		if known && info.Kind == db.ActorState {
			ref.Actor = db.Actor{Kind: db.ActorState, Country: info.Country}
		} else {
			a := db.Actor{Key: importer.Key("cameo", code), Name: codebook.CAMEOActorName(code, text), Kind: db.ActorOther,
				Description: "CAMEO actor code " + code}
			if known {
				a.Kind, a.Country = info.Kind, info.Country
			}
			if cc := t.At(sd.country); a.Country == "" && iso3166.IsAlpha3(cc) {
				// GDELT's own reading of the actor's country, an
				// alpha-3 code (or a CAMEO region, which has none).
				if c, ok := iso3166.Lookup(cc); ok {
					a.Country = c.Code
				}
			}
			ref.Actor = a
		}
		var err error
		if ak.key, err = r.out.Actor(ref); err != nil {
			return db.Participant{}, "", err
		}
		r.actors[code] = ak
	}
	shown := codebook.TitleCase(text)
	if ak.group || shown == "" {
		shown = codebook.CAMEOActorName(code, text)
	}
	return db.Participant{Actor: ak.key, Role: sd.role, As: text}, shown, nil
}

// actorKey is what the run knows of a CAMEO actor code.
type actorKey struct {
	key   string
	group bool // the code names a known group, whose name titles show
}

// cameoLabel is CAMEO's description of an event code, or else of the
// code it extends.
func cameoLabel(code string) string {
	for n := len(code); n >= 2; n-- {
		if l := codebook.CAMEOLabel(code[:n]); l != "" {
			return l
		}
	}
	return ""
}

// title reads "Victoria: Threaten in Vancouver", "United Kingdom police →
// Manchester: Arrest, detain, or charge with legal action".
func title(a1, a2, label, place string) string {
	if label == "" {
		label = "Event"
	}
	var b strings.Builder
	b.Grow(len(a1) + len(a2) + len(label) + len(place) + 12)
	switch {
	case a1 != "" && a2 != "":
		b.WriteString(a1)
		b.WriteString(" → ")
		b.WriteString(a2)
	case a1 != "":
		b.WriteString(a1)
	case a2 != "":
		b.WriteString(a2)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(label)
	if place != "" && !strings.EqualFold(place, a1) && !strings.EqualFold(place, a2) {
		b.WriteString(" in ")
		b.WriteString(place)
	}
	return b.String()
}

// placeName is the first part of a GDELT place name: "Vancouver" for
// "Vancouver, British Columbia, Canada".
func placeName(full string) string {
	if i := strings.IndexByte(full, ','); i > 0 {
		return full[:i]
	}
	return full
}

// summary says where GDELT found the event: "Coded by GDELT from 2
// articles in 1 source; average tone -1.2; added 2019-10-24 14:30 UTC."
func (r *reader) summary() string {
	t := r.t
	b := append(r.buf[:0], "Coded by GDELT"...)
	if n := t.At(cArticles); n != "" {
		b = append(b, " from "...)
		b = append(b, n...)
		b = append(b, " article"...)
		b = append(b, plural(n)...)
		if s := t.At(cSources); s != "" {
			b = append(b, " in "...)
			b = append(b, s...)
			b = append(b, " source"...)
			b = append(b, plural(s)...)
		}
	}
	if tone := t.At(cTone); tone != "" {
		if f, err := strconv.ParseFloat(tone, 64); err == nil {
			b = append(b, "; average tone "...)
			b = strconv.AppendFloat(b, f, 'f', 1, 64)
		}
	}
	if a := t.At(cAdded); len(a) == 14 {
		b = append(b, "; added "...)
		b = append(b, a[:4]...)
		b = append(b, '-')
		b = append(b, a[4:6]...)
		b = append(b, '-')
		b = append(b, a[6:8]...)
		b = append(b, ' ')
		b = append(b, a[8:10]...)
		b = append(b, ':')
		b = append(b, a[10:12]...)
		b = append(b, " UTC"...)
	}
	b = append(b, '.')
	r.buf = b
	return string(b)
}

func plural(n string) string {
	if n == "1" {
		return ""
	}
	return "s"
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDay reads SQLDATE, YYYYMMDD, through db.ParseDate, so that a day
// is what every fixture's day is (years 0001 to 9999 included).
func parseDay(s string) (db.Date, error) {
	if s == "" {
		return db.Date{}, fmt.Errorf("missing: every event needs its date (YYYYMMDD)")
	}
	if len(s) != 8 || !digits(s) {
		return db.Date{}, fmt.Errorf("not a date YYYYMMDD: %q", s)
	}
	d, err := db.ParseDate(s[:4] + "-" + s[4:6] + "-" + s[6:])
	if err != nil {
		return db.Date{}, fmt.Errorf("no such day: %q", s)
	}
	return d, nil
}
