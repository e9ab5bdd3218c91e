package seed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// A spill keeps the records of a decode in temporary files, one per kind of
// record, between checking them all and writing them: a run must be refused
// whole when its last record is wrong, and a fixture of a million events does
// not fit in memory as records. Each file is a plain sequence of records in
// a compact binary form, read back in the order written; events are read
// twice (rows, then lists). IDs and Stamps, which a fixture cannot set, are
// not kept.
//
// The files are removed from their directory as soon as they are created,
// where the system allows (Unix does), so that nothing is left behind even
// by a process that is killed; otherwise remove deletes them.
type spill struct {
	files  [numKinds]*spillFile
	counts [numKinds]int
	// every, when set, is called after each record with the count so far.
	every func(n int) error
	total int
}

const (
	kindSources = iota
	kindCountries
	kindActors
	kindRelationships
	kindEvents
	kindStatements
	numKinds
)

type spillFile struct {
	f    *os.File
	name string // "" once removed
	w    *bufio.Writer
	e    enc
}

// newSpill creates a spill's files in dir ("" for the default temporary
// directory).
func newSpill(dir string) (*spill, error) {
	s := &spill{}
	for k := range s.files {
		f, err := os.CreateTemp(dir, "geotimeline-seed-*")
		if err != nil {
			s.remove()
			return nil, fmt.Errorf("spill: %w", err)
		}
		sf := &spillFile{f: f, name: f.Name(), w: bufio.NewWriterSize(f, 256<<10)}
		if os.Remove(sf.name) == nil {
			sf.name = ""
		}
		s.files[k] = sf
	}
	return s, nil
}

// finish flushes what is written, before the files are read.
func (s *spill) finish() error {
	for _, sf := range s.files {
		if err := sf.w.Flush(); err != nil {
			return fmt.Errorf("spill: %w", err)
		}
	}
	return nil
}

// remove closes and deletes the files.
func (s *spill) remove() error {
	var errs []error
	for _, sf := range s.files {
		if sf == nil {
			continue
		}
		errs = append(errs, sf.f.Close())
		if sf.name != "" {
			errs = append(errs, os.Remove(sf.name))
		}
	}
	return errors.Join(errs...)
}

// put writes one encoded record of kind k.
func (s *spill) put(k int, encode func(*enc)) error {
	w := s.files[k]
	w.e.b = w.e.b[:0]
	encode(&w.e)
	if _, err := w.w.Write(w.e.b); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.counts[k]++
	s.total++
	if s.every != nil {
		return s.every(s.total)
	}
	return nil
}

// The fixture.Sink methods.

func (s *spill) Source(r *db.Source) error {
	return s.put(kindSources, func(e *enc) { e.source(r) })
}
func (s *spill) Country(r *db.Country) error {
	return s.put(kindCountries, func(e *enc) { e.country(r) })
}
func (s *spill) Actor(r *db.Actor) error {
	return s.put(kindActors, func(e *enc) { e.actor(r) })
}
func (s *spill) Relationship(r *db.Relationship) error {
	return s.put(kindRelationships, func(e *enc) { e.relationship(r) })
}
func (s *spill) Event(r *db.Event) error {
	return s.put(kindEvents, func(e *enc) { e.event(r) })
}
func (s *spill) Statement(r *db.Statement) error {
	return s.put(kindStatements, func(e *enc) { e.statement(r) })
}

// each reads back the records of kind k in the order written, calling fn
// with a decoder positioned at each.
func (s *spill) each(k int, fn func(*dec) error) error {
	f := s.files[k].f
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	d := &dec{r: bufio.NewReaderSize(f, 256<<10)}
	for range s.counts[k] {
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

// enc appends records to b.
type enc struct{ b []byte }

func (e *enc) uint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }
func (e *enc) int(n int64)   { e.b = binary.AppendVarint(e.b, n) }

func (e *enc) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *enc) date(d db.Date) {
	e.point(d.Precision, d.At)
	if !d.IsZero() {
		e.point(d.ThroughPrecision, d.ThroughAt)
	}
}

// point is one written date: its precision ("" for none) and instant.
func (e *enc) point(p db.Precision, at time.Time) {
	e.str(string(p))
	if p != "" {
		e.int(at.Unix())
		e.uint(uint64(at.Nanosecond()))
	}
}

func (e *enc) optInt(p *int) {
	if p == nil {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.int(int64(*p))
}

func (e *enc) optFloat(p *float64) {
	if p == nil {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(*p))
}

func (e *enc) source(r *db.Source) {
	e.str(r.Key)
	e.str(r.URL)
	e.str(r.Title)
	e.str(r.Publisher)
	e.str(r.Author)
	e.date(r.PublishedAt)
}

func (e *enc) country(r *db.Country) {
	e.str(r.Code)
	e.str(r.Alpha3)
	e.str(r.Name)
	e.str(r.Region)
}

func (e *enc) actor(r *db.Actor) {
	e.str(r.Key)
	e.str(r.Name)
	e.str(string(r.Kind))
	e.str(r.Country)
	e.strs(r.Aliases)
	e.str(r.Description)
	e.strs(r.Sources)
}

func (e *enc) relationship(r *db.Relationship) {
	e.str(r.Key)
	e.str(string(r.Kind))
	e.str(r.Subject)
	e.str(r.Object.Actor)
	e.str(r.Object.Country)
	e.str(r.Title)
	e.date(r.From)
	e.date(r.To)
	e.strs(r.Sources)
}

func (e *enc) event(r *db.Event) {
	e.str(r.Key)
	e.str(string(r.Type))
	e.str(r.Title)
	e.str(r.Summary)
	e.date(r.OccurredAt)
	e.date(r.EndedAt)
	e.str(r.Location.Country)
	e.str(r.Location.Place)
	e.optFloat(r.Location.Lat)
	e.optFloat(r.Location.Lon)
	e.optInt(r.Fatalities)
	e.optInt(r.Injured)
	e.uint(uint64(len(r.Codes)))
	for _, c := range r.Codes {
		e.str(c.Scheme)
		e.str(c.Code)
		e.str(c.Label)
	}
	e.optFloat(r.Intensity)
	e.uint(uint64(len(r.Estimates)))
	for _, est := range r.Estimates {
		e.str(string(est.Measure))
		e.optInt(est.Low)
		e.optInt(est.Best)
		e.optInt(est.High)
		e.str(est.Source)
		e.str(est.Note)
	}
	e.uint(uint64(len(r.Participants)))
	for _, p := range r.Participants {
		e.str(p.Actor)
		e.str(string(p.Role))
		e.str(p.As)
	}
	e.uint(uint64(len(r.Links)))
	for _, l := range r.Links {
		e.str(string(l.Kind))
		e.str(l.Event)
	}
	e.strs(r.Tags)
	e.strs(r.Sources)
}

func (e *enc) statement(r *db.Statement) {
	e.str(r.Key)
	e.str(string(r.Kind))
	e.str(r.Speaker)
	e.strs(r.CoSpeakers)
	e.str(r.DeliveredBy)
	e.strs(r.Addressees)
	e.date(r.MadeAt)
	e.str(r.Text)
	e.str(r.Summary)
	e.strs(r.About)
	e.uint(uint64(len(r.Stances)))
	for _, s := range r.Stances {
		e.str(string(s))
	}
	e.strs(r.Sources)
}

// dec reads records back; the first error sticks, and reads after it
// return zero values.
type dec struct {
	r   *bufio.Reader
	err error
	buf []byte
}

func (d *dec) fail(err error) {
	if d.err == nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		d.err = fmt.Errorf("spill: %w", err)
	}
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	n, err := binary.ReadUvarint(d.r)
	if err != nil {
		d.fail(err)
	}
	return n
}

func (d *dec) int() int64 {
	if d.err != nil {
		return 0
	}
	n, err := binary.ReadVarint(d.r)
	if err != nil {
		d.fail(err)
	}
	return n
}

func (d *dec) byte() byte {
	if d.err != nil {
		return 0
	}
	c, err := d.r.ReadByte()
	if err != nil {
		d.fail(err)
	}
	return c
}

// length reads a count, refusing one that cannot be right rather than
// allocating for it.
func (d *dec) length() int {
	n := d.uint()
	if n > math.MaxInt32 {
		d.fail(errors.New("corrupt record"))
		return 0
	}
	return int(n)
}

func (d *dec) str() string {
	n := d.length()
	if n == 0 || d.err != nil {
		return ""
	}
	if cap(d.buf) < n {
		d.buf = make([]byte, n)
	}
	b := d.buf[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.fail(err)
		return ""
	}
	return string(b)
}

// strs reads a list of strings; an empty list is nil, as the decoder gives.
func (d *dec) strs() []string {
	n := d.length()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, min(n, 1024))
	for range n {
		if d.err != nil {
			return nil
		}
		out = append(out, d.str())
	}
	return out
}

func (d *dec) date() db.Date {
	p, at := d.point()
	if p == "" {
		return db.Date{}
	}
	tp, tat := d.point()
	return db.Date{At: at, Precision: p, ThroughAt: tat, ThroughPrecision: tp}
}

func (d *dec) point() (db.Precision, time.Time) {
	p := db.Precision(d.str())
	if p == "" {
		return "", time.Time{}
	}
	sec := d.int()
	nsec := d.uint()
	return p, time.Unix(sec, int64(nsec)).UTC()
}

func (d *dec) optInt() *int {
	if d.byte() == 0 {
		return nil
	}
	v := int(d.int())
	return &v
}

func (d *dec) optFloat() *float64 {
	if d.byte() == 0 {
		return nil
	}
	var b [8]byte
	if _, err := io.ReadFull(d.r, b[:]); err != nil {
		d.fail(err)
		return nil
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	return &v
}

func (d *dec) source() (r db.Source, err error) {
	r.Key = d.str()
	r.URL = d.str()
	r.Title = d.str()
	r.Publisher = d.str()
	r.Author = d.str()
	r.PublishedAt = d.date()
	return r, d.err
}

func (d *dec) country() (r db.Country, err error) {
	r.Code = d.str()
	r.Alpha3 = d.str()
	r.Name = d.str()
	r.Region = d.str()
	return r, d.err
}

func (d *dec) actor() (r db.Actor, err error) {
	r.Key = d.str()
	r.Name = d.str()
	r.Kind = db.ActorKind(d.str())
	r.Country = d.str()
	r.Aliases = d.strs()
	r.Description = d.str()
	r.Sources = d.strs()
	return r, d.err
}

func (d *dec) relationship() (r db.Relationship, err error) {
	r.Key = d.str()
	r.Kind = db.RelationshipKind(d.str())
	r.Subject = d.str()
	r.Object.Actor = d.str()
	r.Object.Country = d.str()
	r.Title = d.str()
	r.From = d.date()
	r.To = d.date()
	r.Sources = d.strs()
	return r, d.err
}

func (d *dec) event() (r db.Event, err error) {
	r.Key = d.str()
	r.Type = db.EventType(d.str())
	r.Title = d.str()
	r.Summary = d.str()
	r.OccurredAt = d.date()
	r.EndedAt = d.date()
	r.Location.Country = d.str()
	r.Location.Place = d.str()
	r.Location.Lat = d.optFloat()
	r.Location.Lon = d.optFloat()
	r.Fatalities = d.optInt()
	r.Injured = d.optInt()
	if n := d.length(); n > 0 {
		r.Codes = make([]db.EventCode, 0, min(n, 1024))
		for range n {
			if d.err != nil {
				break
			}
			r.Codes = append(r.Codes, db.EventCode{Scheme: d.str(), Code: d.str(), Label: d.str()})
		}
	}
	r.Intensity = d.optFloat()
	if n := d.length(); n > 0 {
		r.Estimates = make([]db.Estimate, 0, min(n, 1024))
		for range n {
			if d.err != nil {
				break
			}
			r.Estimates = append(r.Estimates, db.Estimate{Measure: db.Measure(d.str()), Low: d.optInt(), Best: d.optInt(),
				High: d.optInt(), Source: d.str(), Note: d.str()})
		}
	}
	if n := d.length(); n > 0 {
		r.Participants = make([]db.Participant, 0, min(n, 1024))
		for range n {
			if d.err != nil {
				break
			}
			r.Participants = append(r.Participants, db.Participant{Actor: d.str(), Role: db.ParticipantRole(d.str()), As: d.str()})
		}
	}
	if n := d.length(); n > 0 {
		r.Links = make([]db.Link, 0, min(n, 1024))
		for range n {
			if d.err != nil {
				break
			}
			r.Links = append(r.Links, db.Link{Kind: db.LinkKind(d.str()), Event: d.str()})
		}
	}
	r.Tags = d.strs()
	r.Sources = d.strs()
	return r, d.err
}

func (d *dec) statement() (r db.Statement, err error) {
	r.Key = d.str()
	r.Kind = db.StatementKind(d.str())
	r.Speaker = d.str()
	r.CoSpeakers = d.strs()
	r.DeliveredBy = d.str()
	r.Addressees = d.strs()
	r.MadeAt = d.date()
	r.Text = d.str()
	r.Summary = d.str()
	r.About = d.strs()
	if n := d.length(); n > 0 {
		r.Stances = make([]db.Stance, 0, min(n, 1024))
		for range n {
			if d.err != nil {
				break
			}
			r.Stances = append(r.Stances, db.Stance(d.str()))
		}
	}
	r.Sources = d.strs()
	return r, d.err
}
