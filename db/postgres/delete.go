package postgres

import (
	stdcmp "cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/cascade"
)

// Deleting a record, by db/cascade's rules with this store's SQL for its
// primitives. What refers to a target is found by one query per kind of
// target; the records rewritten without the reference are read whole in
// the transaction, stripped, and written again by the loader's writer, so
// that their content hash, updatedAt, timeline rows, graph edges, text
// document and change-log rows follow as after any write. The target's own
// rows go last: foreign keys are enforced, so a reference left behind
// fails the delete instead of dangling. The changes feed's rows come from
// the records' triggers (migration 00008), as for any write.

// DefaultMaxCascade is Store.MaxCascade's default, the SQLite store's.
const DefaultMaxCascade = 50_000

// Delete deletes the actor, event, statement or source with this key (or a
// relationship by its key), in one transaction, and says what it did.
//
// Without cascade, a record that anything refers to is refused with a
// BAD_USER_INPUT error naming what refers to it. With cascade, each
// referring record is rewritten without the reference, or deleted when it
// cannot exist without the target, as db.Deletion describes.
//
// Errors: BAD_USER_INPUT for a kind that cannot be deleted (countries are
// built in); NOT_FOUND when no record has the key; BAD_USER_INPUT as above.
// On any error nothing is written.
func (s *Store) Delete(ctx context.Context, kind db.RefKind, key string, cascade bool) (db.Deletion, error) {
	if kind == db.RefCountry {
		return db.Deletion{}, db.Errorf(db.CodeInvalid, "countries are built in and cannot be deleted")
	}
	if _, ok := deletables[kind]; !ok {
		return db.Deletion{}, db.Errorf(db.CodeInvalid, "cannot delete a record of kind %q", kind)
	}
	return s.deleteOne(ctx, cascade, func(d *deleter) (record, error) { return d.byKey(kind, key) })
}

// DeleteRelationship deletes the relationship with this row id, which may
// have no key. Nothing refers to a relationship, so cascade changes
// nothing; it is there for symmetry with Delete.
//
// Errors: NOT_FOUND when no relationship has the id.
func (s *Store) DeleteRelationship(ctx context.Context, id int64, cascade bool) (db.Deletion, error) {
	return s.deleteOne(ctx, cascade, func(d *deleter) (record, error) { return d.relationshipByID(id) })
}

// deleteOne runs one delete in one write transaction (run again whole on
// a serialization failure): find names the target.
func (s *Store) deleteOne(ctx context.Context, withCascade bool, find func(*deleter) (record, error)) (db.Deletion, error) {
	var res db.Deletion
	err := s.inWriteTx(ctx, func(tx pgx.Tx, now int64) error {
		w := &writer{ctx: ctx, tx: tx, now: now, ids: map[db.RefKind]map[string]int64{},
			retention: s.opts.changeRetention()}
		// The store's read helpers read inside the transaction: what the
		// cascade rewrote so far is what they see.
		d := &deleter{s: s, w: w, ctx: context.WithValue(ctx, readTxKey{}, tx)}
		t, err := find(d)
		if err != nil {
			return err
		}
		del, err := cascade.Delete(d, t, withCascade, s.maxCascade())
		if err != nil {
			return err
		}
		if err := w.trimChanges(); err != nil {
			return err
		}
		if err := w.trimFeed(w.retention); err != nil {
			return err
		}
		res = del
		return nil
	})
	if err != nil {
		return db.Deletion{}, err
	}
	return res, nil
}

func (s *Store) maxCascade() int {
	if s.MaxCascade > 0 {
		return s.MaxCascade
	}
	return DefaultMaxCascade
}

// deletable describes where a kind of record lives: its table and what
// derived rows it has besides the rows of its lists, which go with it by
// ON DELETE CASCADE.
type deletable struct {
	table    string // the record table, with a key column
	node     int64  // node code in graph_edges, 0 when the record is not a node
	owner    int64  // owner code in graph_edges, 0 when it owns no edge
	doc      int    // kind in search_text, -1 when not indexed
	timeline int    // kind in timeline_index, -1 when not a timeline item
}

var deletables = map[db.RefKind]deletable{
	db.RefActor:        {"actors", codeActor, codeActor, docActor, -1},
	db.RefEvent:        {"events", codeEvent, codeEvent, docEvent, kindEvent},
	db.RefStatement:    {"statements", codeStatement, codeStatement, docStatement, kindStatement},
	db.RefSource:       {"sources", 0, 0, -1, -1},
	db.RefRelationship: {"relationships", 0, ownerRelationship, -1, -1},
}

// record and referrer are the cascade's.
type (
	record   = cascade.Record
	referrer = cascade.Referrer
)

// deleter carries one delete (cascade.Tx): the writer of its transaction,
// and the context under which the read helpers read in that transaction.
type deleter struct {
	s   *Store
	w   *writer
	ctx context.Context
}

// byKey finds the record of this kind with this key, NOT_FOUND when none,
// and locks its row until the delete commits. The lock conflicts with the
// one a foreign key check takes on the row referred to, so a write that
// would make the record a new referrer waits for the delete (then finds
// the record gone) rather than adding a referrer the cascade has not
// seen: under a stream of such writes a delete that ran first and found
// out at its end would be run again and again and never win.
func (d *deleter) byKey(kind db.RefKind, key string) (record, error) {
	var id int64
	err := d.w.tx.QueryRow(d.ctx, `SELECT id FROM `+deletables[kind].table+` WHERE key = $1 FOR UPDATE`, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return record{}, db.Errorf(db.CodeNotFound, "no %s %q", kind, key)
	}
	if err != nil {
		return record{}, fmt.Errorf("look up %s %q: %w", kind, key, err)
	}
	return record{Kind: kind, ID: id, Key: key, Name: key}, nil
}

// relationshipByID finds a relationship by row id, NOT_FOUND when none.
func (d *deleter) relationshipByID(id int64) (record, error) {
	rels, err := d.relationships(`r.id = $1`, false, id)
	if err != nil {
		return record{}, err
	}
	if len(rels) == 0 {
		return record{}, db.Errorf(db.CodeNotFound, "no relationship %d", id)
	}
	return rels[0].Record, nil
}

// Referrers lists what refers to t (cascade.Tx), by kind (actors, events,
// statements, relationships), then key. Statements and relationships are
// referred to by nothing.
func (d *deleter) Referrers(t record) ([]referrer, error) {
	switch t.Kind {
	case db.RefActor:
		return d.actorReferrers(t.ID)
	case db.RefEvent:
		return d.eventReferrers(t.ID)
	case db.RefSource:
		return d.sourceReferrers(t.ID)
	}
	return nil, nil
}

// actorReferrers: events it takes part in; statements it speaks
// (dependent), delivers, co-speaks or is addressed by; relationships it is
// the subject or object of (dependent).
func (d *deleter) actorReferrers(id int64) ([]referrer, error) {
	return d.collect(
		func() ([]referrer, error) {
			return d.keyed(db.RefEvent, `SELECT e.id, e.key, false FROM events e
				WHERE e.id IN (SELECT event_id FROM event_participants WHERE actor_id = $1) ORDER BY e.key FOR UPDATE OF e`, id)
		},
		func() ([]referrer, error) {
			return d.keyed(db.RefStatement, `SELECT s.id, s.key, s.speaker_id = $1 FROM statements s
				WHERE s.id IN (SELECT id FROM statements WHERE speaker_id = $1
					UNION SELECT id FROM statements WHERE delivered_by_id = $1
					UNION SELECT statement_id FROM statement_addressees WHERE actor_id = $1
					UNION SELECT statement_id FROM statement_co_speakers WHERE actor_id = $1)
				ORDER BY s.key FOR UPDATE OF s`, id)
		},
		func() ([]referrer, error) {
			return d.relationships(`r.id IN (SELECT id FROM relationships WHERE subject_id = $1
				UNION SELECT id FROM relationships WHERE object_actor_id = $1)`, true, id)
		},
	)
}

// eventReferrers: other events that link to it; statements about it.
func (d *deleter) eventReferrers(id int64) ([]referrer, error) {
	return d.collect(
		func() ([]referrer, error) {
			return d.keyed(db.RefEvent, `SELECT e.id, e.key, false FROM events e
				WHERE e.id IN (SELECT event_id FROM event_links WHERE target_id = $1) AND e.id <> $1 ORDER BY e.key FOR UPDATE OF e`, id)
		},
		func() ([]referrer, error) {
			return d.keyed(db.RefStatement, `SELECT s.id, s.key, false FROM statements s
				WHERE s.id IN (SELECT statement_id FROM statement_about WHERE event_id = $1) ORDER BY s.key FOR UPDATE OF s`, id)
		},
	)
}

// sourceReferrers: every record that lists it among its sources or cites
// it for an estimate.
func (d *deleter) sourceReferrers(id int64) ([]referrer, error) {
	return d.collect(
		func() ([]referrer, error) {
			return d.keyed(db.RefActor, `SELECT a.id, a.key, false FROM actors a
				WHERE a.id IN (SELECT actor_id FROM actor_sources WHERE source_id = $1) ORDER BY a.key FOR UPDATE OF a`, id)
		},
		func() ([]referrer, error) {
			return d.keyed(db.RefEvent, `SELECT e.id, e.key, false FROM events e
				WHERE e.id IN (SELECT event_id FROM event_sources WHERE source_id = $1
					UNION SELECT event_id FROM event_estimates WHERE source_id = $1) ORDER BY e.key FOR UPDATE OF e`, id)
		},
		func() ([]referrer, error) {
			return d.keyed(db.RefStatement, `SELECT s.id, s.key, false FROM statements s
				WHERE s.id IN (SELECT statement_id FROM statement_sources WHERE source_id = $1) ORDER BY s.key FOR UPDATE OF s`, id)
		},
		func() ([]referrer, error) {
			return d.relationships(`r.id IN (SELECT relationship_id FROM relationship_sources WHERE source_id = $1)`, false, id)
		},
	)
}

// collect concatenates the results of several queries.
func (d *deleter) collect(queries ...func() ([]referrer, error)) ([]referrer, error) {
	var out []referrer
	for _, q := range queries {
		refs, err := q()
		if err != nil {
			return nil, err
		}
		out = append(out, refs...)
	}
	return out, nil
}

// keyed reads referrers of one kind as rows of (id, key, dependent), and
// its query locks them until the delete commits (FOR UPDATE): a referrer
// is then read whole and written again as the delete saw it, so that a
// concurrent write of it waits rather than being overwritten by the
// rewrite, and a concurrent delete of it is either waited for (the
// referrer is then skipped, gone) or waits (and finds what the rewrite
// left), never resurrected by the rewrite.
func (d *deleter) keyed(kind db.RefKind, query string, args ...any) ([]referrer, error) {
	rows, err := d.w.tx.Query(d.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find %ss: %w", kind, err)
	}
	defer rows.Close()
	var out []referrer
	for rows.Next() {
		r := referrer{Record: record{Kind: kind}}
		if err := rows.Scan(&r.ID, &r.Key, &r.Dependent); err != nil {
			return nil, fmt.Errorf("find %ss: %w", kind, err)
		}
		r.Name = r.Key
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find %ss: %w", kind, err)
	}
	return out, nil
}

// relationships reads the relationships matching where as referrers,
// keyed ones by key first, then keyless ones by label (compared by bytes,
// as SQLite's store does).
func (d *deleter) relationships(where string, dependent bool, args ...any) ([]referrer, error) {
	// Locked first, as keyed locks the other referrers.
	if _, err := d.w.tx.Exec(d.ctx, `SELECT r.id FROM relationships r WHERE `+where+` ORDER BY r.id FOR UPDATE`, args...); err != nil {
		return nil, fmt.Errorf("lock relationships: %w", err)
	}
	rels, err := d.s.relationships(d.ctx, where, args...)
	if err != nil {
		return nil, err
	}
	out := make([]referrer, len(rels))
	for i, r := range rels {
		out[i] = referrer{Record: record{Kind: db.RefRelationship, ID: r.ID, Key: r.Key, Name: r.Label()}, Dependent: dependent}
	}
	slices.SortFunc(out, func(a, b referrer) int {
		if (a.Key == "") != (b.Key == "") {
			if a.Key == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// Rewrite writes rs again without their references to t (cascade.Tx),
// record by record, each read whole inside the transaction: actors and
// relationships first, then events, then statements, those two by id, the
// order in which SQLite's set-wise rewrite updates them (and so the order
// of their changes in the feed).
func (d *deleter) Rewrite(rs []record, t record) error {
	var events, statements []record
	for _, r := range rs {
		switch r.Kind {
		case db.RefEvent:
			events = append(events, r)
		case db.RefStatement:
			statements = append(statements, r)
		default:
			if err := d.rewrite(r, t); err != nil {
				return rewriteErr(r, err)
			}
		}
	}
	byID := func(a, b record) int { return stdcmp.Compare(a.ID, b.ID) }
	slices.SortFunc(events, byID)
	slices.SortFunc(statements, byID)
	for _, r := range append(events, statements...) {
		if err := d.rewrite(r, t); err != nil {
			return rewriteErr(r, err)
		}
	}
	return d.w.sendQueued()
}

// rewriteErr is the error of rewriting referrer r. A rewrite refused for a
// reference it does not find (BAD_USER_INPUT) met a concurrent delete: r
// was read from rows whose foreign keys let it refer only to records that
// existed, but each read is its own statement (READ COMMITTED), so a record
// deleted and committed in between is read in r and then unknown. Run
// again, the delete reads r as that delete left it.
func rewriteErr(r record, err error) error {
	if db.ErrorCode(err) == db.CodeInvalid {
		return fmt.Errorf("rewrite %s %d: %w: %w", r.Kind, r.ID, errConcurrentWrite, err)
	}
	return err
}

func (d *deleter) rewrite(r, t record) error {
	ids := []int64{r.ID}
	switch r.Kind {
	case db.RefActor:
		as, err := d.s.actors(d.ctx, `a.id = $1`, r.ID)
		if err != nil || len(as) != 1 {
			return notRead(r, err)
		}
		a := as[0]
		srcs, err := d.s.sourceKeys(d.ctx, db.OwnerActor, ids)
		if err != nil {
			return err
		}
		a.Sources = cascade.StripSources(srcs[r.ID], t)
		return d.w.actor(a)
	case db.RefEvent:
		es, err := d.s.events(d.ctx, `e.id = $1`, r.ID)
		if err != nil || len(es) != 1 {
			return notRead(r, err)
		}
		e := es[0]
		ps, err := d.s.Participants(d.ctx, ids)
		if err != nil {
			return err
		}
		links, err := d.s.Links(d.ctx, ids)
		if err != nil {
			return err
		}
		srcs, err := d.s.sourceKeys(d.ctx, db.OwnerEvent, ids)
		if err != nil {
			return err
		}
		e.Participants, e.Links, e.Sources = ps[r.ID], links[r.ID], srcs[r.ID]
		cascade.StripEvent(e, t)
		id, state, err := d.w.eventRow(e)
		if err != nil || state == unchanged {
			return err
		}
		return d.w.eventLists(e, id, false)
	case db.RefStatement:
		ss, err := d.s.statements(d.ctx, `s.id = $1`, r.ID)
		if err != nil || len(ss) != 1 {
			return notRead(r, err)
		}
		st := ss[0]
		addressees, err := d.s.Addressees(d.ctx, ids)
		if err != nil {
			return err
		}
		about, err := d.s.About(d.ctx, ids)
		if err != nil {
			return err
		}
		srcs, err := d.s.sourceKeys(d.ctx, db.OwnerStatement, ids)
		if err != nil {
			return err
		}
		st.Addressees, st.About, st.Sources = addressees[r.ID], about[r.ID], srcs[r.ID]
		cascade.StripStatement(st, t)
		return d.w.statement(st)
	case db.RefRelationship:
		rels, err := d.s.relationships(d.ctx, `r.id = $1`, r.ID)
		if err != nil || len(rels) != 1 {
			return notRead(r, err)
		}
		rel := rels[0]
		srcs, err := d.s.sourceKeys(d.ctx, db.OwnerRelationship, ids)
		if err != nil {
			return err
		}
		rel.Sources = cascade.StripSources(srcs[r.ID], t)
		return d.w.relationship(rel)
	}
	return fmt.Errorf("rewrite %s %q: unknown kind", r.Kind, r.Name)
}

// notRead is the error of a referrer that could not be read back: one
// that a concurrent write deleted since the referrers were listed, which
// running the delete again no longer finds.
func notRead(r record, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("read %s %d: %w", r.Kind, r.ID, errConcurrentWrite)
}

// Drop deletes t's row (cascade.Tx), once the records rewritten before it
// have their derived rows (their edges to t among them) and change-log
// rows; then its list rows go with it (ON DELETE CASCADE), and its
// timeline rows, graph edges and text document.
func (d *deleter) Drop(t record) error {
	w := d.w
	if err := w.sendQueued(); err != nil {
		return err
	}
	if err := w.flushDerived(); err != nil {
		return err
	}
	if err := w.logChanges(); err != nil {
		return err
	}
	w.dirty, w.movedActors = nil, nil

	k := deletables[t.Kind]
	exec := func(what, query string, args ...any) error {
		if _, err := w.tx.Exec(d.ctx, query, args...); err != nil {
			return fmt.Errorf("delete %s %q: %s: %w", t.Kind, t.Name, what, err)
		}
		return nil
	}
	if k.timeline >= 0 {
		if err := exec("timeline index", `DELETE FROM timeline_index WHERE kind = $1 AND item_id = $2`, k.timeline, t.ID); err != nil {
			return err
		}
	}
	if k.node != 0 {
		// Every edge that reaches the node, both rows of each: those read
		// from it and their mirrors (same kind, ends swapped), found by
		// the primary key.
		n := k.node<<48 | t.ID
		if err := exec("graph index", `DELETE FROM graph_edges WHERE (src, kind, dst) IN
			(SELECT dst, kind, src FROM graph_edges WHERE src = $1)`, n); err != nil {
			return err
		}
		if err := exec("graph index", `DELETE FROM graph_edges WHERE src = $1`, n); err != nil {
			return err
		}
	}
	if k.owner != 0 {
		if err := exec("graph index", `DELETE FROM graph_edges WHERE owner = $1`, k.owner<<48|t.ID); err != nil {
			return err
		}
	}
	if k.doc >= 0 {
		if err := exec("search index", `DELETE FROM search_text WHERE docid = $1`, t.ID*4+int64(k.doc)); err != nil {
			return err
		}
	}
	if _, err := w.tx.Exec(d.ctx, `DELETE FROM `+k.table+` WHERE id = $1`, t.ID); err != nil {
		return fmt.Errorf("delete %s %q: %w", t.Kind, t.Name, err)
	}
	delete(w.ids[t.Kind], t.Key)
	return nil
}
