package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// ApplyStreamRunKeys writes records in one transaction, as ApplyRun does,
// but takes them from feed one at a time instead of from a Batch held in
// memory: feed hands each record to the Feeder, which writes it at once.
// refs are the references the records do not satisfy themselves; each
// must name a stored record, and they are checked before feed is called.
// run, unless nil, is recorded in the same transaction.
//
// The transaction commits when feed returns nil and rolls back when it
// returns an error, which is returned. A transaction that PostgreSQL
// refuses for a concurrent writer's is run again from the start (see
// inWriteTx), feed included: feed must give the same records each time it
// is called (db/seed's replays its spill file).
//
// Memory stays bounded whatever the number of records: derived rows are
// rebuilt and list statements sent every few thousand records rather than
// once at the end, and the writer forgets the row ids it has cached when
// they grow many, looking them up again. What grows with the load is two
// bits per event row id (which events changed, so that their lists are
// rewritten).
//
// keys, every key of the records feed will give (or nil), is read before
// anything is written: when the database holds no records, or none of
// keys is stored, the write takes the bulk path (bulk.go).
func (s *Store) ApplyStreamRunKeys(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error) (db.Summary, error) {
	return s.bulkOrNormal(func(bulk bool) (db.Summary, error) {
		return s.applyStream(ctx, run, refs, keys, feed, nil, bulk)
	})
}

// bulkOrNormal runs write, letting it take the bulk path unless noBulk
// says otherwise, and runs it again on the normal path when the bulk path
// met a stored key (errBulkConflict): it rolled back whole.
func (s *Store) bulkOrNormal(write func(bulk bool) (db.Summary, error)) (db.Summary, error) {
	sum, err := write(!s.noBulk)
	if errors.Is(err, errBulkConflict) {
		s.lastBulk.Store(false)
		return write(false)
	}
	return sum, err
}

// errDryRun ends a dry run's transaction: it rolls back whatever the
// write did, as any error does, and is not an error to the caller.
var errDryRun = errors.New("dry run: rolled back")

// DryRunStream does what ApplyStreamRunKeys would, in a transaction that
// it then rolls back: nothing is written, and the summary is what the
// write would have changed. It also returns the first db.MaxDryRunRecords
// records the write would update, with their new content, for the caller
// to compare with what is stored. It locks the rows the write would, for
// its duration.
func (s *Store) DryRunStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, *db.Batch, error) {
	dry := &db.Updates{}
	sum, err := s.applyStream(ctx, nil, refs, nil, feed, dry, false)
	if err != nil {
		return db.Summary{}, nil, err
	}
	return sum, &dry.Batch, nil
}

// DryRun is DryRunStream for a batch held in memory.
func (s *Store) DryRun(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, *db.Batch, error) {
	return s.DryRunStream(ctx, refs, b.Feed)
}

// applyStream is ApplyStreamRunKeys; with dry set it rolls the write back
// at the end, having noted in dry the records it would have updated. bulk
// lets it take the bulk path.
func (s *Store) applyStream(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error,
	dry *db.Updates, bulk bool) (db.Summary, error) {
	var sum db.Summary
	err := s.inWriteTx(ctx, func(tx pgx.Tx, now int64) error {
		if dry != nil {
			*dry = db.Updates{} // what a refused attempt noted
		}
		w := &writer{ctx: ctx, tx: tx, now: now, ids: map[db.RefKind]map[string]int64{},
			retention: s.opts.changeRetention(), dry: dry}
		if err := w.checkRefs(refs); err != nil {
			return err
		}
		if dry == nil && bulk {
			if _, err := w.startBulk(keys, s.bulkRows()); err != nil {
				return err
			}
			s.lastBulk.Store(w.bulk != nil)
		}
		var err error
		sum, err = s.writeFeed(w, run, feed, nil)
		return err
	})
	if dry != nil && errors.Is(err, errDryRun) {
		return sum, nil
	}
	if err != nil {
		return db.Summary{}, err
	}
	return sum, nil
}

// writeFeed writes what feed gives through w, then what a write does at
// its end, and records run unless nil. batch, when the records are a
// batch's, is what the changes feed is ordered by (orderFeed) after a bulk
// write, as ApplyRun's normal path orders it.
func (s *Store) writeFeed(w *writer, run *db.Run, feed func(db.Feeder) error, batch *db.Batch) (db.Summary, error) {
	f := &feeder{w: w}
	if err := feed(f); err != nil {
		return db.Summary{}, err
	}
	if w.dry != nil {
		return w.sum, errDryRun
	}
	if _, err := f.order.Enter(db.FeedDone); err != nil {
		return db.Summary{}, err
	}
	if w.bulk != nil {
		if err := w.finishBulk(s.bulkRange()); err != nil {
			return db.Summary{}, err
		}
	}
	if err := w.flush(); err != nil {
		return db.Summary{}, err
	}
	if batch != nil && w.bulk != nil {
		if err := w.orderFeed(batch); err != nil {
			return db.Summary{}, err
		}
	}
	if err := w.trimChanges(); err != nil {
		return db.Summary{}, err
	}
	if err := w.trimFeed(w.retention); err != nil {
		return db.Summary{}, err
	}
	if run != nil {
		return w.sum, w.recordRun(run, w.sum, s.Now())
	}
	return w.sum, nil
}

// flushEvery is how many records' derived rows wait before a streamed
// write rebuilds them, and maxCachedIDs how many row ids its writer
// caches before it forgets them: together they bound a stream's memory.
const (
	flushEvery   = 2048
	maxCachedIDs = 100000
)

// flush sends the queued list statements, rebuilds the derived rows of
// the records marked changed, and logs them in the change log; it forgets
// them then, and the row ids it cached once they are many.
func (w *writer) flush() error {
	if err := w.sendQueued(); err != nil {
		return err
	}
	if err := w.flushDerived(); err != nil {
		return err
	}
	if err := w.logChanges(); err != nil {
		return err
	}
	// Every item of a moved actor stored before this write has been
	// marked and rebuilt; the write's own are marked as it writes them.
	w.dirty, w.movedActors = nil, nil
	n := 0
	for _, m := range w.ids {
		n += len(m)
	}
	if n > maxCachedIDs {
		w.ids = map[db.RefKind]map[string]int64{}
	}
	return nil
}

// flushIfFull flushes once flushEvery records are marked changed.
func (w *writer) flushIfFull() error {
	n := len(w.movedActors)
	for _, m := range w.dirty {
		n += len(m)
	}
	if n < flushEvery {
		return nil
	}
	return w.flush()
}

// feeder is PostgreSQL's db.Feeder: it writes each record as it is
// given, in the transaction of one streamed write, with the rules of
// ApplyRun.
type feeder struct {
	w     *writer
	order db.FeedOrder
	// events holds, by row id, the events whose row EventRow inserted or
	// changed: EventLists rewrites their lists and leaves the others.
	// inserted holds those it inserted, whose lists are empty.
	events, inserted db.IDSet
}

func (f *feeder) enter(p db.FeedPhase) error {
	advanced, err := f.order.Enter(p)
	if err != nil {
		return err
	}
	if advanced {
		// The records of the next kind refer to these: a bulk write
		// writes what it holds first.
		return f.w.copyAll()
	}
	return nil
}

// Country writes a country that a fixture adds or changes.
func (f *feeder) Country(c *db.Country) error {
	if err := f.enter(db.FeedCountries); err != nil {
		return err
	}
	return f.w.country(c)
}

// Source writes a source.
func (f *feeder) Source(src *db.Source) error {
	if err := f.enter(db.FeedSources); err != nil {
		return err
	}
	if f.w.bulk != nil {
		return f.w.bulkSource(src)
	}
	if err := f.w.source(src); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// Actor writes an actor with its aliases and sources.
func (f *feeder) Actor(a *db.Actor) error {
	if err := f.enter(db.FeedActors); err != nil {
		return err
	}
	if f.w.bulk != nil {
		return f.w.bulkActor(a)
	}
	if err := f.w.actor(a); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// Relationship writes a relationship with its sources.
func (f *feeder) Relationship(r *db.Relationship) error {
	if err := f.enter(db.FeedRelationships); err != nil {
		return err
	}
	if f.w.bulk != nil {
		return f.w.bulkRelationship(r)
	}
	if err := f.w.relationship(r); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// EventRow writes an event's own columns; EventLists writes its lists.
// Nothing is marked changed here, so nothing is flushed: an event's
// derived rows are built from its lists too, and are marked with them.
func (f *feeder) EventRow(e *db.Event) error {
	if err := f.enter(db.FeedEventRows); err != nil {
		return err
	}
	if f.w.bulk != nil {
		return f.w.bulkEventRow(e)
	}
	id, state, err := f.w.eventRow(e)
	if err != nil {
		return err
	}
	if state != unchanged {
		f.events.Add(id)
	}
	if state == inserted {
		f.inserted.Add(id)
	}
	return nil
}

// EventLists writes the participants, links, tags and sources of an event
// whose row EventRow wrote in this transaction, when that row changed.
func (f *feeder) EventLists(e *db.Event) error {
	if err := f.enter(db.FeedEventLists); err != nil {
		return err
	}
	if f.w.bulk != nil {
		return f.w.bulkEventLists(e)
	}
	id, err := f.w.mustID(db.RefEvent, e.Key)
	if err != nil {
		return err
	}
	if !f.events.Has(id) {
		return nil
	}
	if err := f.w.eventLists(e, id, f.inserted.Has(id)); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// Statement writes a statement with its lists.
func (f *feeder) Statement(st *db.Statement) error {
	if err := f.enter(db.FeedStatements); err != nil {
		return err
	}
	if f.w.bulk != nil {
		return f.w.bulkStatement(st)
	}
	if err := f.w.statement(st); err != nil {
		return err
	}
	return f.w.flushIfFull()
}
