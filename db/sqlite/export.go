package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// Export reads every record with all its lists, from one snapshot. Records
// come by key (countries by code); the canonical order of the export format
// is fixture.Sort's, which callers apply. Only countries a fixture added or
// overrode are included; the ISO list is built in.
func (s *Store) Export(ctx context.Context) (*db.Batch, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	b := &db.Batch{}
	if err := s.exportInto(ctx, tx, b); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return b, nil
}

func (s *Store) exportInto(ctx context.Context, tx *sql.Tx, b *db.Batch) error {
	countries, err := s.countries(ctx, tx, `c.from_fixture = 1 ORDER BY c.code`)
	if err != nil {
		return err
	}
	for _, c := range countries {
		c.ID = 0
		b.Countries = append(b.Countries, *c)
	}

	sources, err := s.sources(ctx, tx, `1 = 1 ORDER BY s.key`)
	if err != nil {
		return err
	}
	for _, src := range sources {
		b.Sources = append(b.Sources, *src)
	}

	actors, err := s.actors(ctx, tx, `1 = 1 ORDER BY a.key`)
	if err != nil {
		return err
	}
	actorSources, err := sourceKeys(ctx, tx, "actor_sources", "actor_id")
	if err != nil {
		return err
	}
	for _, a := range actors {
		a.Sources = actorSources[a.ID]
		b.Actors = append(b.Actors, *a)
	}

	rels, err := s.relationships(ctx, tx, `1 = 1 ORDER BY r.key IS NULL, r.key, r.identity`)
	if err != nil {
		return err
	}
	relSources, err := sourceKeys(ctx, tx, "relationship_sources", "relationship_id")
	if err != nil {
		return err
	}
	for _, r := range rels {
		r.Sources = relSources[r.ID]
		b.Relationships = append(b.Relationships, *r)
	}

	events, err := s.events(ctx, tx, `1 = 1 ORDER BY e.key`)
	if err != nil {
		return err
	}
	participants, err := allParticipants(ctx, tx)
	if err != nil {
		return err
	}
	links, err := s.links(ctx, tx, `SELECT l.event_id, l.kind, t.key FROM event_links l JOIN events t ON t.id = l.target_id
		ORDER BY l.event_id, l.position`, nil)
	if err != nil {
		return err
	}
	eventSources, err := sourceKeys(ctx, tx, "event_sources", "event_id")
	if err != nil {
		return err
	}
	for _, e := range events {
		e.Participants, e.Links, e.Sources = participants[e.ID], links[e.ID], eventSources[e.ID]
		b.Events = append(b.Events, *e)
	}

	statements, err := s.statements(ctx, tx, `1 = 1 ORDER BY s.key`)
	if err != nil {
		return err
	}
	addressees, err := keyLists(ctx, tx, `SELECT d.statement_id, a.key FROM statement_addressees d
		JOIN actors a ON a.id = d.actor_id ORDER BY d.statement_id, d.position`, nil)
	if err != nil {
		return err
	}
	about, err := keyLists(ctx, tx, `SELECT x.statement_id, e.key FROM statement_about x
		JOIN events e ON e.id = x.event_id ORDER BY x.statement_id, x.position`, nil)
	if err != nil {
		return err
	}
	statementSources, err := sourceKeys(ctx, tx, "statement_sources", "statement_id")
	if err != nil {
		return err
	}
	for _, st := range statements {
		st.Addressees, st.About, st.Sources = addressees[st.ID], about[st.ID], statementSources[st.ID]
		b.Statements = append(b.Statements, *st)
	}
	return nil
}

// sourceKeys reads a whole source table as owner id → source keys in order.
// The table and column names are constants of this package.
func sourceKeys(ctx context.Context, q queryer, table, owner string) (map[int64][]string, error) {
	return keyLists(ctx, q, `SELECT x.`+owner+`, s.key FROM `+table+` x JOIN sources s ON s.id = x.source_id
		ORDER BY x.`+owner+`, x.position`, nil)
}

func allParticipants(ctx context.Context, q queryer) (map[int64][]db.Participant, error) {
	return participants(ctx, q, `SELECT p.event_id, a.key, p.role, p.mention FROM event_participants p
		JOIN actors a ON a.id = p.actor_id ORDER BY p.event_id, p.position`, nil)
}
