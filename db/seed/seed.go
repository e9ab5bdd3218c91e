// Package seed loads fixture files into the store. It is the one path every
// write takes — the seed command, the demo loaded by serve, and the API's
// mutations — so that the rules of FIXTURES.md are applied once, the same
// way, whoever writes.
//
// Files given as bytes (fixture.File.Data) are decoded into memory, as
// they already are there. Files given to open (fixture.File.Open) may be far
// larger than memory: they are read as a stream, their records checked one
// at a time and kept in temporary files until every file has been checked,
// then written in one transaction, so that memory does not grow with their
// size (see fixture.Stream and a store's ApplyStream for what does).
package seed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// Load decodes files and writes them in one transaction. On invalid input
// nothing is written and the error is a db.Problems holding every problem
// (up to fixture.MaxProblems, then a count): those of the files and, with
// them, every reference that neither the files nor the database satisfy.
//
// The Set holds the records decoded when every file came as Data; records
// of files read through Open are not kept, and its Batch is then empty.
func Load(ctx context.Context, store Writer, files []fixture.File) (*fixture.Set, db.Summary, error) {
	return (&Loader{}).Load(ctx, store, files)
}

// Check decodes files without writing and reports every problem as Load
// would. With a nil store, as for a database that does not exist yet, every
// reference the files do not satisfy is unknown.
func Check(ctx context.Context, store RefChecker, files []fixture.File) error {
	return (&Loader{}).Check(ctx, store, files)
}

// Loader loads fixtures as Load does, with options. The zero Loader is
// ready to use.
type Loader struct {
	// TempDir is where the records of files read through Open wait
	// between being checked and being written, in temporary files that
	// are unlinked as soon as they are created where the system allows
	// (so that even a killed process leaves nothing), and otherwise
	// removed by Close; the default temporary directory when "". It needs
	// room for about 60% of the files' size.
	TempDir string
	// Progress, when set, is called now and then, from the goroutine that
	// loads, with how far the load has come: often enough for a display
	// (every few hundred records), so it should be quick.
	Progress func(Progress)
	// Record, when set, is the run a write records (Store.ApplyStreamRun)
	// in the transaction that writes: the caller gives Command, Client and
	// StartedAt, the loader the files' names and SHA-256, the write the
	// rest. Files the caller sets are kept: an import records the dataset
	// files it read, not the fixtures it made of them. A run that writes
	// nothing because of a problem leaves no record.
	Record *db.Run
}

// Progress is how far a load has come.
type Progress struct {
	// Phase is what the load is doing: PhaseChecking while it reads and
	// checks the files, PhaseWriting while it writes records,
	// PhaseLinking while it writes the events' lists (participants,
	// links, tags, sources) and then the statements.
	Phase Phase
	// Done is how many records the phase has handled, and Total how many
	// it will (0 when checking: the files are being counted).
	Done, Total int
}

// Phase is a step of a load.
type Phase string

// The phases of a load, in order.
const (
	PhaseChecking Phase = "checking"
	PhaseWriting  Phase = "writing"
	PhaseLinking  Phase = "linking"
)

// progressEvery is how many records pass between two Progress calls.
const progressEvery = 500

func (l *Loader) progress(p Phase, done, total int) {
	if l.Progress != nil {
		l.Progress(Progress{Phase: p, Done: done, Total: total})
	}
}

// Load is the package's Load, with l's options.
func (l *Loader) Load(ctx context.Context, store Writer, files []fixture.File) (*fixture.Set, db.Summary, error) {
	d, err := l.Decode(ctx, files)
	if err != nil {
		return nil, db.Summary{}, err
	}
	defer d.Close()
	sum, err := d.Write(ctx, store)
	if err != nil {
		return nil, db.Summary{}, err
	}
	return d.Set(), sum, nil
}

// Check is the package's Check, with l's options. It keeps no records.
func (l *Loader) Check(ctx context.Context, store RefChecker, files []fixture.File) error {
	d, err := l.decode(ctx, files, false)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Check(ctx, store)
}

// Decoded is a run's files, read and checked, ready to be written.
type Decoded struct {
	l     *Loader
	set   *fixture.Set
	err   error  // the files' own problems, nil when there are none
	spill *spill // the records of a streamed run
}

// Decode reads and checks files, and keeps their records, in memory or in
// temporary files, until Write; Close must be called after. Problems with
// the files are not an error here: Check and Write report them. The error
// is for what stops the reading (a file that cannot be opened, a full disk).
func (l *Loader) Decode(ctx context.Context, files []fixture.File) (*Decoded, error) {
	return l.decode(ctx, files, true)
}

func (l *Loader) decode(ctx context.Context, files []fixture.File, keep bool) (*Decoded, error) {
	if l.Record != nil && keep && l.Record.Files == nil {
		hashed, err := hashFiles(files)
		if err != nil {
			return nil, err
		}
		l.Record.Files = hashed
	}
	streamed := false
	for _, f := range files {
		streamed = streamed || f.Open != nil
	}
	d := &Decoded{l: l}
	checked := func(n int) error {
		if n%progressEvery == 0 {
			l.progress(PhaseChecking, n, 0)
			return ctx.Err()
		}
		return nil
	}
	if !streamed {
		set, err := fixture.Decode(files)
		if err != nil && !isProblems(err) {
			return nil, err
		}
		d.set, d.err = set, err
		return d, nil
	}
	var sink fixture.Sink = &counter{every: checked}
	if keep {
		s, err := newSpill(l.TempDir)
		if err != nil {
			return nil, err
		}
		s.every = checked
		d.spill, sink = s, s
	}
	refs, defined, err := fixture.Stream(files, sink)
	if err == nil || isProblems(err) {
		if s := d.spill; s != nil {
			if ferr := s.finish(); ferr != nil {
				err = ferr
			}
		}
	}
	if err != nil && !isProblems(err) {
		d.Close()
		return nil, err
	}
	d.set, d.err = &fixture.Set{Refs: refs, Defined: defined}, err
	return d, nil
}

// Set is what the files hold: their unresolved references, and their
// records when every file came as Data.
func (d *Decoded) Set() *fixture.Set { return d.set }

// Check reports every problem of the run as Write would, without writing:
// the files' own, then the references that neither the files nor store
// satisfy. With a nil store every reference outside the files is unknown.
func (d *Decoded) Check(ctx context.Context, store RefChecker) error {
	ps, more := fixture.Untruncate(problems(d.err))
	if store == nil {
		for _, r := range d.set.Refs {
			ps = append(ps, db.UnknownRef(r))
		}
	} else {
		missing, err := store.UnknownRefs(ctx, d.set.Refs, d.set.Defined)
		if err != nil {
			return err
		}
		ps = append(ps, missing...)
	}
	return fixture.Truncate(ps, more).Err()
}

// Write writes the run in one transaction, or nothing and every problem
// when there is any, as Load does.
func (d *Decoded) Write(ctx context.Context, store Writer) (db.Summary, error) {
	if d.err != nil {
		return db.Summary{}, d.Check(ctx, store)
	}
	var sum db.Summary
	var err error
	if d.spill == nil {
		sum, err = store.ApplyRun(ctx, d.l.Record, &d.set.Batch, d.set.Refs)
	} else {
		sum, err = store.ApplyStreamRunKeys(ctx, d.l.Record, d.set.Refs, d.keys(), d.feed(ctx))
	}
	if ps := problems(err); ps != nil {
		return db.Summary{}, d.writeProblems(ctx, store, ps)
	}
	return sum, err
}

// writeProblems is what a write (or dry run) that found problems reports.
// The write checks the references first and stops there; read again, they
// get suggestions from the files' own keys too, which the write's
// transaction does not hold. This reads each reference once more, on the
// error path only.
func (d *Decoded) writeProblems(ctx context.Context, store RefChecker, ps db.Problems) error {
	if len(d.set.Refs) > 0 {
		if again, err := store.UnknownRefs(ctx, d.set.Refs, d.set.Defined); err == nil && len(again) > 0 {
			ps = again
		}
	}
	return fixture.Truncate(ps, 0)
}

// keys lists the run's keys, for a write to tell whether its records are
// all new before it writes (db.KeyFeed): those the decoder kept to
// find duplicates, without reading the spill again, and the relationships'
// identities, which it did not keep (a relationship's key is optional),
// from the relationships' spill, the shortest.
func (d *Decoded) keys() db.KeyFeed {
	return func(add func(db.RefKind, string) error) error {
		for _, kind := range []db.RefKind{db.RefSource, db.RefActor, db.RefEvent, db.RefStatement} {
			for _, key := range d.set.Defined(kind) {
				if err := add(kind, key); err != nil {
					return err
				}
			}
		}
		return d.spill.each(kindRelationships, func(r *dec) error {
			v, err := r.relationship()
			if err != nil {
				return err
			}
			return add(db.RefRelationship, v.Identity())
		})
	}
}

// feed replays the spill into a transaction, kind by kind.
func (d *Decoded) feed(ctx context.Context) func(db.Feeder) error {
	s := d.spill
	c := s.counts
	return func(f db.Feeder) error {
		phase, done, total := PhaseWriting, 0, c[kindSources]+c[kindCountries]+c[kindActors]+c[kindRelationships]+c[kindEvents]
		step := func() error {
			done++
			if done%progressEvery == 0 || done == total {
				d.l.progress(phase, done, total)
				return ctx.Err()
			}
			return nil
		}
		d.l.progress(phase, 0, total)
		steps := []struct {
			kind int
			fn   func(*dec) error
		}{
			{kindCountries, func(r *dec) error { return write(r.country, f.Country) }},
			{kindSources, func(r *dec) error { return write(r.source, f.Source) }},
			{kindActors, func(r *dec) error { return write(r.actor, f.Actor) }},
			{kindRelationships, func(r *dec) error { return write(r.relationship, f.Relationship) }},
			{kindEvents, func(r *dec) error { return write(r.event, f.EventRow) }},
			{-1, nil},
			{kindEvents, func(r *dec) error { return write(r.event, f.EventLists) }},
			{kindStatements, func(r *dec) error { return write(r.statement, f.Statement) }},
		}
		for _, st := range steps {
			if st.kind < 0 {
				phase, done, total = PhaseLinking, 0, c[kindEvents]+c[kindStatements]
				d.l.progress(phase, 0, total)
				continue
			}
			err := s.each(st.kind, func(r *dec) error {
				if err := st.fn(r); err != nil {
					return err
				}
				return step()
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// write reads one record and writes it.
func write[T any](read func() (T, error), to func(*T) error) error {
	rec, err := read()
	if err != nil {
		return err
	}
	return to(&rec)
}

// Close removes what Decode kept in temporary files.
func (d *Decoded) Close() error {
	if d.spill == nil {
		return nil
	}
	err := d.spill.remove()
	d.spill = nil
	return err
}

// counter is a fixture.Sink that keeps nothing, for Check.
type counter struct {
	n     int
	every func(int) error
}

func (c *counter) count() error            { c.n++; return c.every(c.n) }
func (c *counter) Source(*db.Source) error { return c.count() }
func (c *counter) Country(*db.Country) error {
	return c.count()
}
func (c *counter) Actor(*db.Actor) error               { return c.count() }
func (c *counter) Relationship(*db.Relationship) error { return c.count() }
func (c *counter) Event(*db.Event) error               { return c.count() }
func (c *counter) Statement(*db.Statement) error       { return c.count() }

func isProblems(err error) bool {
	var ps db.Problems
	return errors.As(err, &ps)
}

// problems returns err's db.Problems, nil when it has none.
func problems(err error) db.Problems {
	var ps db.Problems
	if errors.As(err, &ps) {
		return ps
	}
	return nil
}

// hashFiles names each file with the SHA-256 of its bytes, read once
// before the load reads them: a run records which content it loaded.
func hashFiles(files []fixture.File) ([]db.RunFile, error) {
	out := make([]db.RunFile, len(files))
	for i, f := range files {
		h := sha256.New()
		if f.Open == nil {
			h.Write(f.Data)
		} else {
			r, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("hash %s: %w", f.Name, err)
			}
			_, err = io.Copy(h, r)
			r.Close()
			if err != nil {
				return nil, fmt.Errorf("hash %s: %w", f.Name, err)
			}
		}
		out[i] = db.RunFile{Name: f.Name, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	return out, nil
}
