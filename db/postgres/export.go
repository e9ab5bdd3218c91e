package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

type readTxKey struct{}

// Export reads every record with all its lists, from one snapshot (a
// REPEATABLE READ, read-only transaction: every statement sees the
// database as of the first). Records come by key (countries by code); the
// canonical order of the export format is fixture.Sort's, which callers
// apply. Only countries a fixture added or overrode are included; the ISO
// list is built in.
func (s *Store) Export(ctx context.Context) (*db.Batch, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a read-only transaction has nothing to keep
	b := &db.Batch{}
	if err := s.exportInto(context.WithValue(ctx, readTxKey{}, tx), b); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return b, nil
}

func (s *Store) exportInto(ctx context.Context, b *db.Batch) error {
	countries, err := s.countries(ctx, `c.from_fixture ORDER BY c.code`)
	if err != nil {
		return err
	}
	for _, c := range countries {
		c.ID = 0
		b.Countries = append(b.Countries, *c)
	}

	sources, err := s.sources(ctx, `SELECT `+sourceColumns+` ORDER BY s.key`)
	if err != nil {
		return err
	}
	for _, src := range sources {
		b.Sources = append(b.Sources, *src)
	}

	actors, err := s.actors(ctx, `true ORDER BY a.key`)
	if err != nil {
		return err
	}
	actorSources, err := s.sourceKeys(ctx, db.OwnerActor, idsOf(actors, func(a *db.Actor) int64 { return a.ID }))
	if err != nil {
		return err
	}
	for _, a := range actors {
		a.Sources = actorSources[a.ID]
		b.Actors = append(b.Actors, *a)
	}

	rels, err := s.relationships(ctx, `true ORDER BY r.key IS NULL, r.key, r.identity`)
	if err != nil {
		return err
	}
	relSources, err := s.sourceKeys(ctx, db.OwnerRelationship, idsOf(rels, func(r *db.Relationship) int64 { return r.ID }))
	if err != nil {
		return err
	}
	for _, r := range rels {
		r.Sources = relSources[r.ID]
		b.Relationships = append(b.Relationships, *r)
	}

	events, err := s.events(ctx, `true ORDER BY e.key`)
	if err != nil {
		return err
	}
	if err := s.eventLists(ctx, events); err != nil {
		return err
	}
	for _, e := range events {
		b.Events = append(b.Events, *e)
	}

	statements, err := s.statements(ctx, `true ORDER BY s.key`)
	if err != nil {
		return err
	}
	if err := s.statementLists(ctx, statements); err != nil {
		return err
	}
	for _, st := range statements {
		b.Statements = append(b.Statements, *st)
	}
	return nil
}

// FullEvents returns the events with these ids, whole: with their
// participants, links and sources, as a fixture holds them, by id. Every
// id must name an event: under a snapshot (Snapshot) the ids of a
// timeline page do.
func (s *Store) FullEvents(ctx context.Context, ids []int64) ([]*db.Event, error) {
	es, err := s.EventsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(es) != len(ids) {
		return nil, fmt.Errorf("read events: %d of %d found", len(es), len(ids))
	}
	return es, s.eventLists(ctx, es)
}

// FullStatements is FullEvents for statements, with their addressees,
// events spoken of and sources.
func (s *Store) FullStatements(ctx context.Context, ids []int64) ([]*db.Statement, error) {
	ss, err := s.StatementsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(ss) != len(ids) {
		return nil, fmt.Errorf("read statements: %d of %d found", len(ss), len(ids))
	}
	return ss, s.statementLists(ctx, ss)
}

// eventLists fills in the lists of events that a fixture holds and the
// event row does not: participants, links and sources.
func (s *Store) eventLists(ctx context.Context, events []*db.Event) error {
	ids := idsOf(events, func(e *db.Event) int64 { return e.ID })
	participants, err := s.Participants(ctx, ids)
	if err != nil {
		return err
	}
	links, err := s.Links(ctx, ids)
	if err != nil {
		return err
	}
	sources, err := s.sourceKeys(ctx, db.OwnerEvent, ids)
	if err != nil {
		return err
	}
	for _, e := range events {
		e.Participants, e.Links, e.Sources = participants[e.ID], links[e.ID], sources[e.ID]
	}
	return nil
}

// statementLists is eventLists for statements: addressees, the events
// spoken of, and sources.
func (s *Store) statementLists(ctx context.Context, statements []*db.Statement) error {
	ids := idsOf(statements, func(st *db.Statement) int64 { return st.ID })
	addressees, err := s.Addressees(ctx, ids)
	if err != nil {
		return err
	}
	about, err := s.About(ctx, ids)
	if err != nil {
		return err
	}
	sources, err := s.sourceKeys(ctx, db.OwnerStatement, ids)
	if err != nil {
		return err
	}
	for _, st := range statements {
		st.Addressees, st.About, st.Sources = addressees[st.ID], about[st.ID], sources[st.ID]
	}
	return nil
}

// sourceKeys reads the source lists of many records of one type as owner
// id → source keys in order.
func (s *Store) sourceKeys(ctx context.Context, owner db.SourceOwner, ownerIDs []int64) (map[int64][]string, error) {
	t, ok := ownerTables[owner]
	if !ok {
		return nil, fmt.Errorf("sources of %q: unknown owner", owner)
	}
	return s.keyLists(ctx, `SELECT x.`+t[1]+`, s.key FROM `+t[0]+` x JOIN sources s ON s.id = x.source_id
		WHERE x.`+t[1]+` = ANY ($1) ORDER BY x.`+t[1]+`, x.position`, ownerIDs)
}

func idsOf[T any](records []*T, id func(*T) int64) []int64 {
	out := make([]int64, len(records))
	for i, r := range records {
		out[i] = id(r)
	}
	return out
}
