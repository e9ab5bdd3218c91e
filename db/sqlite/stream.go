package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// ApplyStream writes records in one transaction, as Apply does, but takes
// them from feed one at a time instead of from a Batch held in memory:
// feed hands each record to the Feeder, which writes it at once. refs are
// the references the records do not satisfy themselves; each must name a
// stored record, and they are checked before feed is called.
//
// The transaction commits when feed returns nil and rolls back, leaving the
// database as it was, when it returns an error, which ApplyStream returns.
// Unknown references are returned all together as db.Problems (code
// BAD_USER_INPUT).
//
// Memory stays bounded whatever the number of records: derived rows are
// rebuilt every few thousand records rather than once at the end, and the
// writer caches the row ids of a bounded number of keys, looking up the
// others. What grows with the load is one bit per event row id (which events
// changed, so that their lists are rewritten) and the ids of the actors
// whose country changed.
func (s *Store) ApplyStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, error) {
	return s.ApplyStreamRun(ctx, nil, refs, feed)
}

// ApplyStreamRun is ApplyStream that also records run (unless nil) in the
// same transaction, with what the write changed and when it ended:
// recorded exactly when the write commits. run's ID, FinishedAt and
// Summary are filled in.
func (s *Store) ApplyStreamRun(ctx context.Context, run *db.Run, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, error) {
	return s.applyStream(ctx, run, refs, nil, feed, nil)
}

// ApplyStreamRunKeys is ApplyStreamRun given also keys, every key of the
// records feed will give: when none of them is stored, the write takes the
// bulk path (bulk.go) into a database that holds records too. keys is read
// before anything is written; it must list every record feed gives.
func (s *Store) ApplyStreamRunKeys(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error) (db.Summary, error) {
	return s.applyStream(ctx, run, refs, keys, feed, nil)
}

// applyStream is ApplyStreamRunKeys; with dry set it rolls the write back at
// the end, having noted in dry the records it would have updated.
func (s *Store) applyStream(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error, dry *db.Updates) (db.Summary, error) {
	var sum db.Summary
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		w := s.newWriter(ctx, tx, s.Now().UTC().UnixMilli())
		w.dry = dry
		defer w.close()
		if err := w.startFeed(); err != nil {
			return err
		}
		if err := w.checkRefs(refs); err != nil {
			return err
		}
		if dry == nil && !s.noBulk {
			if err := w.startBulk(keys); err != nil {
				return err
			}
			s.lastBulk.Store(w.bulk != nil)
		}
		f := &feeder{w: w}
		if err := feed(f); err != nil {
			return err
		}
		if dry != nil {
			// What is left rebuilds derived rows, which a rollback
			// undoes and the summary does not depend on.
			sum = w.sum
			return errDryRun
		}
		if _, err := f.order.Enter(db.FeedDone); err != nil {
			return err
		}
		if w.bulk != nil {
			if err := w.finishBulk(); err != nil {
				return err
			}
		}
		// Items of actors whose country changed carry that country in
		// their timeline rows: mark them, an actor at a time, flushing as
		// the marks pile up.
		moved := w.movedActors
		for _, a := range moved {
			w.movedActors = []int64{a}
			if err := w.reindexMovedActors(); err != nil {
				return err
			}
			if err := w.flushIfFull(); err != nil {
				return err
			}
		}
		w.movedActors = nil
		if err := w.flushDerived(); err != nil {
			return err
		}
		if err := w.resumeEventCounts(); err != nil {
			return err
		}
		if err := w.trimChanges(); err != nil {
			return err
		}
		if err := w.trimFeed(s.opts.changeRetention()); err != nil {
			return err
		}
		sum = w.sum
		if run != nil {
			return w.recordRun(run, sum, s.Now())
		}
		return nil
	})
	if dry != nil && errors.Is(err, errDryRun) {
		return sum, nil
	}
	if err != nil {
		return db.Summary{}, err
	}
	return sum, nil
}

// feeder is SQLite's db.Feeder: it writes each record as it is given, in
// the transaction of one ApplyStream, with the rules of Apply.
type feeder struct {
	w     *writer
	order db.FeedOrder
	// events holds, by row id, the events whose row EventRow inserted or
	// changed: EventLists rewrites their lists and leaves the others.
	// inserted holds those it inserted, whose lists are empty.
	events, inserted db.IDSet
}

// enter moves the feeder to phase p, refusing to go back.
func (f *feeder) enter(p db.FeedPhase) error {
	advanced, err := f.order.Enter(p)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if advanced {
		// The records of the next kind refer to these: a bulk write
		// writes what it holds back first.
		return f.w.flushBulk()
	}
	return nil
}

// Country writes a country that a fixture adds or changes.
func (f *feeder) Country(c *db.Country) error {
	if err := f.enter(db.FeedCountries); err != nil {
		return err
	}
	if err := f.w.country(c); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// Source writes a source.
func (f *feeder) Source(s *db.Source) error {
	if err := f.enter(db.FeedSources); err != nil {
		return err
	}
	if err := f.w.source(s); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// Actor writes an actor with its aliases and sources.
func (f *feeder) Actor(a *db.Actor) error {
	if err := f.enter(db.FeedActors); err != nil {
		return err
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
	if err := f.w.relationship(r); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// EventRow writes an event's own columns; EventLists writes its lists.
func (f *feeder) EventRow(e *db.Event) error {
	if err := f.enter(db.FeedEventRows); err != nil {
		return err
	}
	id, changed, inserted, err := f.w.upsertEventRow(e)
	if err != nil {
		return err
	}
	if changed {
		f.events.Add(id)
	}
	if inserted {
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
	id, err := f.w.mustID(db.RefEvent, e.Key)
	if err != nil {
		return err
	}
	if !f.events.Has(id) {
		return nil
	}
	if err := f.w.writeEventLists(e, id, f.inserted.Has(id)); err != nil {
		return err
	}
	return f.w.flushIfFull()
}

// Statement writes a statement with its lists.
func (f *feeder) Statement(s *db.Statement) error {
	if err := f.enter(db.FeedStatements); err != nil {
		return err
	}
	if err := f.w.statement(s); err != nil {
		return err
	}
	return f.w.flushIfFull()
}
