// Command fixturecsv converts geotimeline fixtures (FIXTURES.md) into CSV
// files for PostgreSQL's COPY, one file per table of ../schema.sql, for the
// side-by-side benchmark (../run.sh). It is not part of geotimeline.
//
//	go run ./graph/bench/sidebyside/fixturecsv -out DIR FIXTURE...
//
// The fixtures are read and checked by db/fixture, in bounded memory, so
// that PostgreSQL gets exactly the records geotimeline seeds. Row ids are
// given in document order, as geotimeline's seed gives them; a reference to
// a record defined later in the files is written once all are read.
// Countries are the built-in ISO 3166-1 list with the fixtures' additions.
// Sources and the real-data additions (codes, estimates, intensity, …) are
// not converted: the benchmark's queries do not read them.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// tables are the CSV files written, in the order ../schema.sql loads them.
var tables = []string{"country", "actor", "relationship", "event", "participant", "event_link", "statement", "statement_addressee", "statement_about"}

type converter struct {
	w         map[string]*csv.Writer
	countries map[string]db.Country
	ids       map[db.RefKind]map[string]int64
	pending   []pendingRow // rows waiting for a forward reference
	nextRel   int64
}

// pendingRow is a row whose references are resolved after the last record.
type pendingRow struct {
	table string
	cols  []any // string, or ref for a key to resolve
}

type ref struct {
	kind db.RefKind
	key  string
}

func main() {
	out := flag.String("out", ".", "directory for the CSV files")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: fixturecsv -out DIR FIXTURE...")
		os.Exit(2)
	}
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "fixturecsv:", err)
		os.Exit(1)
	}
}

func run(dir string, paths []string) error {
	c := &converter{w: map[string]*csv.Writer{}, countries: map[string]db.Country{},
		ids: map[db.RefKind]map[string]int64{db.RefActor: {}, db.RefEvent: {}, db.RefStatement: {}}}
	var files []*os.File
	for _, t := range tables {
		f, err := os.Create(filepath.Join(dir, t+".csv"))
		if err != nil {
			return err
		}
		files = append(files, f)
		c.w[t] = csv.NewWriter(f)
	}
	for _, co := range iso3166.All() {
		c.countries[co.Code] = co
	}
	var fx []fixture.File
	for _, p := range paths {
		p := p
		fx = append(fx, fixture.File{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	if _, _, err := fixture.Stream(fx, c); err != nil {
		return err
	}
	for _, p := range c.pending {
		if err := c.row(p.table, p.cols...); err != nil {
			return err
		}
	}
	codes := make([]string, 0, len(c.countries))
	for code := range c.countries {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for i, code := range codes {
		co := c.countries[code]
		num, _ := iso3166.Numeric(code)
		if err := c.row("country", co.Code, i+1, co.Alpha3, num, co.Name, co.Region); err != nil {
			return err
		}
	}
	for i, t := range tables {
		c.w[t].Flush()
		if err := c.w[t].Error(); err != nil {
			return err
		}
		if err := files[i].Close(); err != nil {
			return err
		}
	}
	return nil
}

// row writes one row, or keeps it for the end when a reference is not yet
// known. Columns are strings (empty for NULL), ints, refs or nil.
func (c *converter) row(table string, cols ...any) error {
	rec := make([]string, len(cols))
	for i, v := range cols {
		switch v := v.(type) {
		case nil:
		case string:
			rec[i] = v
		case int:
			rec[i] = strconv.Itoa(v)
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case ref:
			if v.key == "" {
				continue
			}
			id, ok := c.ids[v.kind][v.key]
			if !ok {
				c.pending = append(c.pending, pendingRow{table, cols})
				return nil
			}
			rec[i] = strconv.FormatInt(id, 10)
		default:
			panic(fmt.Sprintf("fixturecsv: column of type %T", v))
		}
	}
	return c.w[table].Write(rec)
}

func (c *converter) define(kind db.RefKind, key string) int64 {
	m := c.ids[kind]
	id, ok := m[key]
	if !ok {
		id = int64(len(m) + 1)
		m[key] = id
	}
	return id
}

func stamp(d db.Date) (at, precision string) {
	if d.IsZero() {
		return "", ""
	}
	return d.At.UTC().Format(time.RFC3339Nano), string(d.Precision)
}

func optInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func optFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// array is a PostgreSQL array literal of strings.
func array(xs []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(x))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func (c *converter) Source(*db.Source) error { return nil }

func (c *converter) Country(r *db.Country) error {
	co := c.countries[r.Code]
	co.Code = r.Code
	if r.Alpha3 != "" {
		co.Alpha3 = r.Alpha3
	}
	if r.Name != "" {
		co.Name = r.Name
	}
	if r.Region != "" {
		co.Region = r.Region
	}
	c.countries[r.Code] = co
	return nil
}

func (c *converter) Actor(r *db.Actor) error {
	id := c.define(db.RefActor, r.Key)
	return c.row("actor", id, r.Key, r.Name, string(r.Kind), r.Country, array(r.Aliases), r.Description)
}

func (c *converter) Relationship(r *db.Relationship) error {
	c.nextRel++
	from, fromP := stamp(r.From)
	to, toP := stamp(r.To)
	var obj any
	if r.Object.Actor != "" {
		obj = ref{db.RefActor, r.Object.Actor}
	}
	return c.row("relationship", c.nextRel, r.Key, string(r.Kind), ref{db.RefActor, r.Subject}, obj,
		r.Object.Country, r.Title, from, fromP, to, toP)
}

func (c *converter) Event(r *db.Event) error {
	id := c.define(db.RefEvent, r.Key)
	at, p := stamp(r.OccurredAt)
	end, endP := stamp(r.EndedAt)
	l := r.Location
	if err := c.row("event", id, r.Key, string(r.Type), r.Title, r.Summary, at, p, end, endP,
		l.Country, l.Place, optFloat(l.Lat), optFloat(l.Lon), optInt(r.Fatalities), optInt(r.Injured), array(r.Tags)); err != nil {
		return err
	}
	for i, pt := range r.Participants {
		if err := c.row("participant", id, i+1, ref{db.RefActor, pt.Actor}, string(pt.Role)); err != nil {
			return err
		}
	}
	for i, lk := range r.Links {
		if err := c.row("event_link", id, i+1, string(lk.Kind), ref{db.RefEvent, lk.Event}); err != nil {
			return err
		}
	}
	return nil
}

func (c *converter) Statement(r *db.Statement) error {
	id := c.define(db.RefStatement, r.Key)
	at, p := stamp(r.MadeAt)
	stances := make([]string, len(r.Stances))
	for i, s := range r.Stances {
		stances[i] = string(s)
	}
	if err := c.row("statement", id, r.Key, string(r.Kind), ref{db.RefActor, r.Speaker},
		ref{db.RefActor, r.DeliveredBy}, at, p, r.Text, r.Summary, array(stances)); err != nil {
		return err
	}
	for i, a := range r.Addressees {
		if err := c.row("statement_addressee", id, i+1, ref{db.RefActor, a}); err != nil {
			return err
		}
	}
	for i, e := range r.About {
		if err := c.row("statement_about", id, i+1, ref{db.RefEvent, e}); err != nil {
			return err
		}
	}
	return nil
}
