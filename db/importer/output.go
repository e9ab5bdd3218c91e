package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Output receives the records of a run's rows. Sources and actors may be
// given again with every row that names them: the first of each key is
// kept. Events must be new to the run: a second event with a key is a
// duplicate id, reported where both occur.
type Output struct {
	ctx     context.Context
	format  string
	o       Options
	dir     string
	file    string // the Input being read
	rows    int
	lists   [3]*list // sources, actors, events
	sources map[string]struct{}
	actors  map[string]struct{} // keys this run writes or refers to
	stored  map[string]bool     // actor keys looked up: whether stored
	states  map[string]string   // alpha-2 → the key of its state
	events  map[string]position // event key → where it was first
	// problems are the run's, up to fixture.MaxProblems; more counts
	// those past it.
	problems db.Problems
	more     int
	notes    db.Problems
}

// position is a line of an input, kept as a pair rather than written out
// for every event: only a duplicate needs it written.
type position struct {
	file string
	line int
}

// list is one fixture file of the run, written as records come.
type list struct {
	name string
	path string
	f    *os.File
	w    *fixture.Writer
}

func newOutput(ctx context.Context, format string, o Options) (*Output, error) {
	dir, err := os.MkdirTemp(o.TempDir, "geotimeline-import-*")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	out := &Output{ctx: ctx, format: format, o: o, dir: dir, sources: map[string]struct{}{},
		actors: map[string]struct{}{}, stored: map[string]bool{}, events: map[string]position{}}
	for i, name := range []string{"sources", "actors", "events"} {
		p := filepath.Join(dir, name+".json")
		f, err := os.Create(p)
		if err != nil {
			out.abort()
			return nil, fmt.Errorf("import: %w", err)
		}
		w := fixture.NewWriter(f)
		w.List(name)
		out.lists[i] = &list{name: name, path: p, f: f, w: w}
	}
	if err := out.loadStates(); err != nil {
		out.abort()
		return nil, err
	}
	return out, nil
}

// loadStates finds, for each country, the state the database has for it:
// the one whose key the run would give it, or else the first by key.
func (o *Output) loadStates() error {
	o.states = map[string]string{}
	if o.o.Store == nil {
		return nil
	}
	states, err := o.o.Store.ActorsOfKind(o.ctx, db.ActorState)
	if err != nil {
		return fmt.Errorf("import: read the stored states: %w", err)
	}
	for _, a := range states {
		if a.Country == "" {
			continue
		}
		if k, ok := o.states[a.Country]; !ok || (a.Key == StateKey(a.Country) && k != a.Key) {
			o.states[a.Country] = a.Key
		}
		o.stored[a.Key] = true
	}
	return nil
}

// abort closes and removes the run's files.
func (o *Output) abort() {
	for _, l := range o.lists {
		if l != nil {
			l.f.Close()
		}
	}
	os.RemoveAll(o.dir)
}

// finish ends the fixture files and returns them.
func (o *Output) finish() ([]fixture.File, error) {
	var files []fixture.File
	for _, l := range o.lists {
		err := l.w.Close()
		if cerr := l.f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("import: write %s: %w", l.path, err)
		}
		p := l.path
		files = append(files, fixture.File{Name: o.format + " import (" + l.name + ")",
			Open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	return files, nil
}

// Problem reports a problem at a line (1 is the first; 0 for the file as
// a whole) and column of the file being read ("" for the row as a whole).
func (o *Output) Problem(line int, column, format string, args ...any) {
	if len(o.problems) >= fixture.MaxProblems {
		o.more++
		return
	}
	o.problems.Add(where(o.file, line, column), format, args...)
}

// Problems is how many problems the run has found so far.
func (o *Output) Problems() int { return len(o.problems) + o.more }

// Row counts a row read, for progress, and reports whether the run goes
// on: false once the context is done.
func (o *Output) Row() bool {
	o.rows++
	if o.rows%500 == 0 {
		if o.o.Progress != nil {
			o.o.Progress(o.rows)
		}
		return o.ctx.Err() == nil
	}
	return true
}

// Source adds a source the run's events cite, once per key.
func (o *Output) Source(s *db.Source) {
	if _, ok := o.sources[s.Key]; ok {
		return
	}
	o.sources[s.Key] = struct{}{}
	o.lists[0].w.Put(fixture.SourceOut(s))
}

// ActorRef is an actor as a dataset names it.
type ActorRef struct {
	// ID is what the dataset calls the actor, what --actors maps: a
	// CAMEO code ("INDGOV"), a name ("Narendra Modi").
	ID string
	// Actor is the record to create when the actor is neither mapped nor
	// stored. A STATE with a Country stands for that country: it is the
	// state the database has for the country, whatever its key, or else
	// one keyed StateKey(country), shared by every dataset.
	Actor db.Actor
}

// Actor returns the key an event refers to the actor by, and writes its
// record the first time the run meets an actor that is neither mapped by
// --actors nor stored.
func (o *Output) Actor(r ActorRef) (string, error) {
	if key, ok := o.o.Actors.Lookup(o.format, r.ID); ok {
		return key, nil
	}
	a := r.Actor
	if a.Kind == db.ActorState && a.Country != "" {
		// An alpha-3 code is India too: without this it would be a
		// second state, keyed state-ind.
		if a2, ok := iso3166.Normalize(a.Country); ok {
			a.Country = a2
		}
		if key, ok := o.states[a.Country]; ok {
			return key, nil
		}
		a = db.Actor{Key: StateKey(a.Country), Name: StateName(a.Country), Kind: db.ActorState, Country: a.Country}
		o.states[a.Country] = a.Key
	}
	if _, ok := o.actors[a.Key]; ok {
		return a.Key, nil
	}
	o.actors[a.Key] = struct{}{}
	stored, err := o.isStored(a.Key)
	if err != nil || stored {
		return a.Key, err
	}
	o.lists[1].w.Put(fixture.ActorOut(&a))
	return a.Key, nil
}

func (o *Output) isStored(key string) (bool, error) {
	if o.o.Store == nil {
		return false, nil
	}
	if s, ok := o.stored[key]; ok {
		return s, nil
	}
	found, err := o.o.Store.ActorsByKey(o.ctx, []string{key})
	if err != nil {
		return false, fmt.Errorf("import: look up actor %s: %w", key, err)
	}
	o.stored[key] = len(found) > 0
	return len(found) > 0, nil
}

// Event writes an event read at line. A key the run has met before is a
// duplicate id: the problem names both lines and the run writes nothing,
// or with RenameDuplicates the event is written under the first free key
// with "-2", "-3", … added and a note says so.
func (o *Output) Event(line int, column string, e *db.Event) {
	if first, dup := o.events[e.Key]; dup {
		renamed := o.freeKey(e.Key)
		if !o.o.RenameDuplicates {
			o.Problem(line, column, "duplicate id: event %s is also at %s (--rename-duplicates imports this one as %s)",
				e.Key, where(first.file, first.line, ""), renamed)
			return
		}
		o.notes.Add(where(o.file, line, column), "duplicate id: event %s is also at %s: imported as %s",
			e.Key, where(first.file, first.line, ""), renamed)
		e.Key = renamed
	}
	o.events[e.Key] = position{o.file, line}
	if o.Problems() > 0 {
		// Nothing will be written: spare the disk.
		return
	}
	o.lists[2].w.Put(fixture.EventOut(e))
}

// freeKey is key with the first of "-2", "-3", … that gives a key the run
// has not met.
func (o *Output) freeKey(key string) string {
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		k := key
		if len(k)+len(suffix) > db.MaxKeyLength {
			k = k[:db.MaxKeyLength-len(suffix)]
		}
		if _, taken := o.events[k+suffix]; !taken {
			return k + suffix
		}
	}
}

// Text checks that a field is UTF-8, as every dataset is meant to be, and
// reports it otherwise (a file saved as Latin-1 or Windows-1252); the
// field is then replaced by "".
func (o *Output) Text(line int, column, s string) string {
	if utf8.ValidString(s) {
		return s
	}
	o.Problem(line, column, "not valid UTF-8 (the file must be UTF-8; convert it first, e.g. with iconv -f latin1 -t utf-8): %q", s)
	return ""
}

// Codes returns cs without repeated (scheme, code) pairs, in their order.
func Codes(cs ...db.EventCode) []db.EventCode {
	out := cs[:0:0]
	for _, c := range cs {
		if c.Code == "" || slices.ContainsFunc(out, func(x db.EventCode) bool { return x.Scheme == c.Scheme && x.Code == c.Code }) {
			continue
		}
		out = append(out, c)
	}
	return out
}
