package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"

	"github.com/geotimeline/geotimeline/db"
)

// jsonArray streams {"...": ..., "<list>": [item, item, …]} one item at a
// time, so that the whole document is never held in memory.
type jsonArray struct {
	w     *bufio.Writer
	n     int
	head  string // everything up to and including the list's "["
	write func(Item) (any, bool)
}

func (j *jsonArray) begin() error {
	_, err := j.w.WriteString(j.head)
	return err
}

func (j *jsonArray) item(it Item) error {
	v, ok := j.write(it)
	if !ok {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	if j.n > 0 {
		j.w.WriteString(",")
	}
	j.w.WriteString("\n")
	j.n++
	_, err = j.w.Write(b)
	return err
}

func (j *jsonArray) end() error {
	j.w.WriteString("\n]}\n")
	return j.w.Flush()
}

// GeoJSON: a FeatureCollection of one Point [lon, lat] per event that has
// coordinates; events without are left out (a map has nowhere to put them).

type geoFeature struct {
	Type       string        `json:"type"`
	Geometry   geoPoint      `json:"geometry"`
	Properties geoProperties `json:"properties"`
}

type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type geoProperties struct {
	Key        string   `json:"key"`
	Title      string   `json:"title"`
	Type       string   `json:"type"`
	OccurredAt string   `json:"occurredAt"`
	Precision  string   `json:"precision"`
	Country    string   `json:"country,omitempty"`
	Place      string   `json:"place,omitempty"`
	Fatalities *int     `json:"fatalities,omitempty"`
	Codes      []string `json:"codes"`
	Actors     []string `json:"actors"`
}

func newGeoJSON(w io.Writer) *jsonArray {
	return &jsonArray{w: bufio.NewWriter(w), head: `{"type":"FeatureCollection","features":[`, write: func(it Item) (any, bool) {
		e := it.Event
		if e == nil || e.Location.Lat == nil || e.Location.Lon == nil {
			return nil, false
		}
		codes := make([]string, len(e.Codes))
		for i, c := range e.Codes {
			codes[i] = c.Scheme + ":" + c.Code
		}
		actors := make([]string, len(e.Participants))
		for i, p := range e.Participants {
			actors[i] = p.Actor + ":" + string(p.Role)
		}
		return geoFeature{Type: "Feature",
			Geometry: geoPoint{Type: "Point", Coordinates: [2]float64{*e.Location.Lon, *e.Location.Lat}},
			Properties: geoProperties{Key: e.Key, Title: e.Title, Type: string(e.Type), OccurredAt: rfc3339(e.OccurredAt.At),
				Precision: string(e.Precision()), Country: e.Location.Country, Place: e.Location.Place,
				Fatalities: e.Fatalities, Codes: codes, Actors: actors}}, true
	}}
}

// TimelineJS 3 (https://timeline.knightlab.com/docs/json-format.html): one
// slide per event and per statement. Dates go to their precision: a YEAR
// event gives only its year, a MONTH one year and month, and so on. An
// event's end_date is its endedAt, or the end of its occurredAt when that
// is an interval; a statement's, the end of an interval madeAt. Events are
// grouped by type, statements by "STATEMENT". TimelineJS renders headline
// and text as HTML: they are escaped, so that a title with markup in it
// shows as written and cannot script the page that embeds the timeline.
// unique_id is the graph formats' node id (event:KEY, statement:KEY):
// events and statements have keys of their own, the title slide takes the
// id "geotimeline", and TimelineJS renames a slide whose id is taken, so
// that a bare key could link to another slide than the one meant.

type tlDate struct {
	// Pointers: a field below the date's precision is absent, and a
	// MINUTE date at midnight still has hour 0.
	Year   int  `json:"year"`
	Month  *int `json:"month,omitempty"`
	Day    *int `json:"day,omitempty"`
	Hour   *int `json:"hour,omitempty"`
	Minute *int `json:"minute,omitempty"`
	Second *int `json:"second,omitempty"`
	// The store keeps milliseconds; TimelineJS places a slide by them.
	Millisecond *int `json:"millisecond,omitempty"`
	// Display is the date as the store writes it, so that a partial
	// date is not shown as a full one.
	Display string `json:"display_date"`
}

type tlText struct {
	Headline string `json:"headline"`
	Text     string `json:"text,omitempty"`
}

type tlEvent struct {
	StartDate tlDate  `json:"start_date"`
	EndDate   *tlDate `json:"end_date,omitempty"`
	Text      tlText  `json:"text"`
	UniqueID  string  `json:"unique_id"`
	Group     string  `json:"group"`
}

func newTimelineJS(w io.Writer) *jsonArray {
	return &jsonArray{w: bufio.NewWriter(w), head: `{"title":{"text":{"headline":"geotimeline"}},"events":[`, write: func(it Item) (any, bool) {
		if e := it.Event; e != nil {
			ev := tlEvent{StartDate: tlDateOf(e.OccurredAt.Start()), Text: tlText{Headline: html.EscapeString(e.Title), Text: html.EscapeString(e.Summary)},
				UniqueID: nodeID(NodeEvent, e.Key), Group: string(e.Type)}
			switch {
			case !e.EndedAt.IsZero():
				d := tlDateOf(e.EndedAt.Through())
				ev.EndDate = &d
			case e.OccurredAt.IsInterval():
				d := tlDateOf(e.OccurredAt.Through())
				ev.EndDate = &d
			}
			return ev, true
		}
		s := it.Statement
		ev := tlEvent{StartDate: tlDateOf(s.MadeAt.Start()), UniqueID: nodeID(NodeStatement, s.Key), Group: "STATEMENT",
			Text: tlText{Headline: html.EscapeString(s.Speaker + ": " + string(s.Kind)), Text: html.EscapeString(s.Text)}}
		if s.MadeAt.IsInterval() {
			d := tlDateOf(s.MadeAt.Through())
			ev.EndDate = &d
		}
		return ev, true
	}}
}

// tlDateOf is a plain date's fields down to its precision.
func tlDateOf(d db.Date) tlDate {
	t := d.At.UTC()
	out := tlDate{Year: t.Year(), Display: d.String()}
	rank := d.Precision.Rank()
	if rank >= db.PrecisionMonth.Rank() {
		out.Month = ptr(int(t.Month()))
	}
	if rank >= db.PrecisionDay.Rank() {
		out.Day = ptr(t.Day())
	}
	if rank >= db.PrecisionMinute.Rank() {
		out.Hour, out.Minute = ptr(t.Hour()), ptr(t.Minute())
	}
	if rank >= db.PrecisionSecond.Rank() {
		out.Second = ptr(t.Second())
		if ms := t.Nanosecond() / 1e6; ms != 0 {
			out.Millisecond = ptr(ms)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
