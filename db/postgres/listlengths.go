package postgres

import (
	"context"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// ListLengths measures the longest list of each kind the store holds, as
// the SQLite store does: each figure one grouped scan of a table or of the
// index on its owner column, which the planner chooses without hints.
func (s *Store) ListLengths(ctx context.Context) (db.ListLengths, error) {
	var l db.ListLengths
	longest := func(from, owner string) string {
		return `(SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM ` + from + ` GROUP BY ` + owner + `) g)`
	}
	err := s.reader(ctx).QueryRow(ctx, `SELECT `+
		longest("event_participants", "event_id")+`, `+
		longest("event_links", "event_id")+`, `+
		longest("event_links", "target_id")+`, `+
		longest("statement_about", "event_id")+`, `+
		longest("event_sources", "event_id")+`, `+
		longest("event_estimates", "event_id")+`, `+
		longest("statement_addressees", "statement_id")+`, `+
		longest("statement_co_speakers", "statement_id")+`, `+
		longest("statement_about", "statement_id")+`, `+
		longest("statement_sources", "statement_id")+`, `+
		longest("actor_sources", "actor_id")+`, `+
		longest(`(SELECT subject_id AS actor FROM relationships
			UNION ALL SELECT object_actor_id FROM relationships WHERE object_actor_id IS NOT NULL) r`, "actor")+`, `+
		longest("relationship_sources", "relationship_id")).Scan(
		&l.Participants, &l.Links, &l.LinkedFrom, &l.EventStatements, &l.EventSources, &l.Estimates,
		&l.Addressees, &l.CoSpeakers, &l.About, &l.StatementSources, &l.ActorSources, &l.ActorRelationships, &l.RelationshipSources)
	if err != nil {
		return db.ListLengths{}, fmt.Errorf("list lengths: %w", err)
	}
	return l, nil
}
