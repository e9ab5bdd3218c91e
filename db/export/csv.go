package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVColumns are the columns of the CSV export, one row per event:
//
//	key             the event's key
//	occurred_at     its start, RFC 3339 in UTC
//	precision       how much of its date is known (YEAR … SECOND)
//	earliest        the start of its span, RFC 3339 (db.Event.When)
//	latest          the first instant after its span, RFC 3339
//	ended_at        its end as written, RFC 3339, or empty
//	type            the event type
//	codes           SCHEME:CODE;… ("CAMEO:190;PLOVER:ASSAULT")
//	title, summary  (free text: see text for the leading apostrophe)
//	country         alpha-2 of where it took place, or empty
//	place, lat, lon
//	fatalities      its own figure, or empty
//	fatalities_low  the range its figures and estimates span
//	fatalities_high (db.Event.FatalityRange)
//	intensity       Goldstein scale, or empty
//	actors          actor:ROLE;… ("india:INITIATOR;pakistan:TARGET")
//	tags            tag;tag
//	sources         source key;source key
var CSVColumns = []string{"key", "occurred_at", "precision", "earliest", "latest", "ended_at", "type", "codes",
	"title", "summary", "country", "place", "lat", "lon", "fatalities", "fatalities_low", "fatalities_high",
	"intensity", "actors", "tags", "sources"}

type csvWriter struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

func (c *csvWriter) begin() error { return c.w.Write(CSVColumns) }

func (c *csvWriter) item(it Item) error {
	e := it.Event
	if e == nil {
		return nil
	}
	span := e.When()
	ended := ""
	if !e.EndedAt.IsZero() {
		ended = rfc3339(e.EndedAt.At)
	}
	codes := make([]string, len(e.Codes))
	for i, code := range e.Codes {
		codes[i] = code.Scheme + ":" + code.Code
	}
	actors := make([]string, len(e.Participants))
	for i, p := range e.Participants {
		actors[i] = p.Actor + ":" + string(p.Role)
	}
	low, high := e.FatalityRange()
	row := []string{e.Key, rfc3339(e.OccurredAt.At), string(e.Precision()), rfc3339(span.Earliest), rfc3339(span.Latest),
		ended, string(e.Type), strings.Join(codes, ";"), text(e.Title), text(e.Summary), e.Location.Country, text(e.Location.Place),
		floatOr(e.Location.Lat), floatOr(e.Location.Lon), intOr(e.Fatalities), strconv.Itoa(low), strconv.Itoa(high),
		floatOr(e.Intensity), strings.Join(actors, ";"), text(strings.Join(e.Tags, ";")), strings.Join(e.Sources, ";")}
	if err := c.w.Write(row); err != nil {
		return fmt.Errorf("write csv row %s: %w", e.Key, err)
	}
	return nil
}

func (c *csvWriter) end() error {
	c.w.Flush()
	return c.w.Error()
}

// text guards a free-text cell against formula injection: a spreadsheet
// runs a cell that starts with = + - @ (or a tab or carriage return before
// one) as a formula, and imported titles and places are anyone's words.
// Such a cell gets a leading apostrophe, which spreadsheets show as text,
// as OWASP's CSV injection advice says. Numbers, keys and codes are left
// as they are: a negative intensity is data, and keys never start so.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func floatOr(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func intOr(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
