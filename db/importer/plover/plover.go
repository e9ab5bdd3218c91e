// Package plover reads PLOVER event records (github.com/openeventdata/PLOVER):
// a JSON array of coded events, as the PLOVER gold-standard records are
// written. README.md beside this file maps each field.
package plover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// The schemes of the codes an event keeps: PLOVER's category (as written,
// 2016 names included), mode and context (one code per context listed).
const (
	SchemeEvent   = "PLOVER"
	SchemeMode    = "PLOVER_MODE"
	SchemeContext = "PLOVER_CONTEXT"
)

// Format is the PLOVER format, "plover".
type Format struct{}

// Name is the format's --format value and key prefix.
func (Format) Name() string { return "plover" }

// Read reads a JSON array of PLOVER records one record at a time, so that a
// file of any length is read in bounded memory.
func (Format) Read(ctx context.Context, in *importer.Input, out *importer.Output) error {
	ln := newLines(in.R)
	dec := json.NewDecoder(ln)
	tok, err := dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		out.Problem(0, "", "the file is empty: want a JSON array of PLOVER records")
		return nil
	case err != nil:
		return syntax(out, ln, dec, err)
	case tok != json.Delim('['):
		out.Problem(ln.at(dec.InputOffset()), "", "want a JSON array of PLOVER records, got %s", describe(tok))
		return nil
	}
	r := reader{out: out}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(out, ln, dec, err)
		}
		if !out.Row() {
			return ctx.Err()
		}
		start := dec.InputOffset() - int64(len(raw))
		r.record(i, ln.at(start), raw)
		if r.err != nil {
			return r.err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntax(out, ln, dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		out.Problem(ln.at(dec.InputOffset()), "", "more after the array of records: a file holds one array")
	}
	return nil
}

// syntax reports malformed JSON at its line; the rest of the file cannot be
// read. Other errors (a read that failed) stop the run.
func syntax(out *importer.Output, ln *lines, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		out.Problem(ln.at(se.Offset-1), "", "not JSON: %v", se)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		out.Problem(ln.at(ln.read), "", "the file ends inside the array of records: is it cut short?")
	default:
		return err
	}
	return nil
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return string(t)
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// reader turns records into events.
type reader struct {
	out *importer.Output
	err error // what stops the run: a failed look-up in the store
}

// field is one field of the record being read, with its place.
type field struct {
	path string // "records[3].event"
	line int
	val  json.RawMessage
	off  int // of the value in the record's bytes
}

// rec is the record being read: its fields by name, its path and line.
type rec struct {
	r      *reader
	path   string
	line   int
	raw    json.RawMessage
	fields map[string]field
}

func (r *reader) record(i, line int, raw json.RawMessage) {
	c := &rec{r: r, path: fmt.Sprintf("records[%d]", i), line: line, raw: raw, fields: map[string]field{}}
	ms, err := members(raw)
	if err != nil {
		r.out.Problem(line, c.path, "want an object (a PLOVER record), got %s", kindOf(raw))
		return
	}
	for _, m := range ms {
		c.fields[m.key] = field{path: c.path + "." + m.key, line: c.lineAt(m.off), val: m.val, off: m.off}
	}
	var event string
	if f, ok := c.fields["event"]; ok {
		json.Unmarshal(f.val, &event) // quietly: event reports what is wrong with it
	}
	if strings.EqualFold(strings.TrimSpace(event), "DOCUMENT") {
		return // the file's documentation, not an event
	}
	c.event()
}

// lineAt is the line of an offset in the record's bytes.
func (c *rec) lineAt(off int) int {
	return c.line + strings.Count(string(c.raw[:off]), "\n")
}

func (c *rec) problem(f field, format string, args ...any) {
	c.r.out.Problem(f.line, f.path, format, args...)
}

// str reads a string field, trimmed; "" with false when absent or null,
// reported when of another type or not UTF-8.
func (c *rec) str(name string) (string, bool) {
	f, ok := c.fields[name]
	if !ok {
		return "", false
	}
	return c.text(f)
}

func (c *rec) text(f field) (string, bool) {
	if string(f.val) == "null" {
		return "", false
	}
	if kindOf(f.val) != "a string" {
		c.problem(f, "want a string, got %s", kindOf(f.val))
		return "", false
	}
	if !utf8.Valid(f.val) {
		// encoding/json would quietly put U+FFFD for each bad byte.
		c.r.out.Text(f.line, f.path, string(f.val[1:len(f.val)-1]))
		return "", false
	}
	var s string
	if err := json.Unmarshal(f.val, &s); err != nil {
		c.problem(f, "%v", err)
		return "", false
	}
	return clean(s), true
}

// clean trims a text and folds its runs of spaces ("NATO  peacekeeping
// troops").
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// required reads a field that must be a non-empty string (or, if number,
// a number), reporting it otherwise; "" when reported.
func (c *rec) required(name, what string, number bool) string {
	f, ok := c.fields[name]
	if !ok || string(f.val) == "null" {
		c.r.out.Problem(c.line, c.path+"."+name, "required: %s", what)
		return ""
	}
	if number && kindOf(f.val) == "a number" {
		return string(f.val) // some PLOVER files number their records
	}
	s, ok := c.text(f)
	if ok && s == "" {
		c.problem(f, "must not be empty: %s", what)
	}
	return s
}

// count reads dead or injured: a whole number ≥ 0, written as a string
// ("156") or a number.
func (c *rec) count(name string) *int {
	f, ok := c.fields[name]
	if !ok || string(f.val) == "null" {
		return nil
	}
	s, shown := string(f.val), string(f.val)
	if kindOf(f.val) == "a string" {
		if s, ok = c.text(f); !ok || s == "" {
			return nil
		}
		shown = strconv.Quote(s)
	} else if kindOf(f.val) != "a number" {
		c.problem(f, "want a whole number, got %s", kindOf(f.val))
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		c.problem(f, "not a whole number ≥ 0: %s", shown)
		return nil
	}
	return &n
}

func (c *rec) event() {
	out := c.r.out
	e := &db.Event{}
	id := c.required("id", "the record's id, which its event's key is made of", true)
	if id == "" {
		// Reported.
	} else if e.Key = importer.Key("plover", id); e.Key == "plover" {
		out.Problem(c.fields["id"].line, c.path+".id", "%q has no letter or digit to make a key of", id)
		e.Key = ""
	}

	mode, _ := c.str("mode")
	context, _ := c.str("context")
	category := strings.ToUpper(c.required("event", "the record's PLOVER category", false))
	if category == "" {
		// Reported.
	} else if t, ok := codebook.TypeOf(codebook.PLOVER{Event: category, Mode: mode}); ok {
		e.Type = t
	} else {
		c.problem(c.fields["event"], "unknown PLOVER category %q", category)
	}
	e.Codes = append(e.Codes, db.EventCode{Scheme: SchemeEvent, Code: category}, db.EventCode{Scheme: SchemeMode, Code: mode})
	for ctx := range strings.SplitSeq(context, ",") {
		e.Codes = append(e.Codes, db.EventCode{Scheme: SchemeContext, Code: strings.TrimSpace(ctx)})
	}
	e.Codes = importer.Codes(e.Codes...)

	e.OccurredAt = c.date()
	e.Summary, _ = c.str("text")
	e.Fatalities, e.Injured = c.count("dead"), c.count("injured")
	if size, _ := c.str("size"); size != "" {
		e.Tags = []string{"size:" + size}
	} else if f, ok := c.fields["size"]; ok && kindOf(f.val) == "a number" {
		e.Tags = []string{"size:" + string(f.val)}
	}
	e.Location = c.location()

	if pub, _ := c.str("publication"); pub != "" {
		s := &db.Source{Key: importer.Key("plover-pub", pub), Title: pub}
		out.Source(s)
		e.Sources = []string{s.Key}
	}

	var sources, targets []string
	e.Participants, sources = c.actors("source", db.RoleInitiator, e.Participants)
	e.Participants, targets = c.actors("target", db.RoleTarget, e.Participants)
	e.Title = title(sources, category, mode, targets)
	if e.Key != "" {
		f := c.fields["id"]
		out.Event(f.line, f.path, e)
	}
}

// date reads the record's date: every event needs one, and a PLOVER record
// has no other (its publication is a name, dateCoded when it was coded).
func (c *rec) date() db.Date {
	f, ok := c.fields["date"]
	s, _ := c.str("date")
	if s == "" {
		if !ok {
			f = field{path: c.path + ".date", line: c.line}
		}
		c.problem(f, "required: an event needs a date")
		return db.Date{}
	}
	d, err := db.ParseSpan(s)
	if err != nil {
		c.problem(f, "%v", err)
	}
	return d
}

// location reads eventLoc: {"name": "Geneva", "country code": "CH"}. Without a
// country code, a name that is a country's ("Serbia") gives the country.
func (c *rec) location() db.Location {
	f, ok := c.fields["eventLoc"]
	if !ok || string(f.val) == "null" {
		return db.Location{}
	}
	ms, err := members(f.val)
	if err != nil {
		c.problem(f, "want an object {\"name\": …, \"country code\": …}, got %s", kindOf(f.val))
		return db.Location{}
	}
	loc := &rec{r: c.r, path: f.path, line: f.line, raw: f.val, fields: map[string]field{}}
	for _, m := range ms {
		loc.fields[m.key] = field{path: f.path + "." + m.key, line: loc.lineAt(m.off), val: m.val}
	}
	var l db.Location
	l.Place, _ = loc.str("name")
	if code, _ := loc.str("country code"); code != "" {
		a2, ok := iso3166.Normalize(code)
		if !ok {
			loc.problem(loc.fields["country code"], "unknown country %q: want an ISO 3166-1 code", code)
		}
		l.Country = a2
	} else if a2, ok := iso3166.FromName(l.Place); ok {
		l.Country = a2
	}
	return l
}

// title is "<sources> <category> <targets>" in the records' own words:
// "Hungarian and Romanian agree", "Israeli army fight Palestinian refugees
// (deport)".
func title(sources []string, category, mode string, targets []string) string {
	words := []string{and(sources), strings.ToLower(category), and(targets)}
	if mode != "" {
		words = append(words, "("+mode+")")
	}
	t := strings.Join(strings.Fields(strings.Join(words, " ")), " ")
	if t == "" {
		return "PLOVER event"
	}
	r, n := utf8.DecodeRuneInString(t)
	return strings.ToUpper(string(r)) + t[n:]
}

// and joins names as English does: "A", "A and B", "A, B and C".
func and(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
