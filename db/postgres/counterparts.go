package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Counterparts returns, for each of the actors, the other actors that took
// part in events with it: most shared events first, ties by key, at most
// limit per actor. With from or to, only events whose instant is in
// [from, to) count. One statement serves any number of actors, as in
// SQLite (db/sqlite dashboard.go), whose SQL this is.
func (s *Store) Counterparts(ctx context.Context, actorIDs []int64, from, to *time.Time, limit int) (map[int64][]db.Counterpart, error) {
	if limit < 0 || limit > 100 {
		return nil, db.Errorf(db.CodeInvalid, "first must be between 0 and 100, not %d", limit)
	}
	out := map[int64][]db.Counterpart{}
	if len(actorIDs) == 0 || limit == 0 {
		return out, nil
	}
	var args sqlArgs
	where := []string{"me.actor_id = ANY (" + args.add(actorIDs) + "::bigint[])"}
	if from != nil {
		where = append(where, `e.occurred_at >= `+args.add(from.UnixMilli()))
	}
	if to != nil {
		where = append(where, `e.occurred_at < `+args.add(to.UnixMilli()))
	}
	rows, err := s.reader(ctx).Query(ctx, `SELECT me_id, key, shared, last FROM (
		SELECT me.actor_id AS me_id, a.key AS key, count(*) AS shared, max(e.occurred_at) AS last,
			row_number() OVER (PARTITION BY me.actor_id ORDER BY count(*) DESC, a.key) AS n
		FROM event_participants me
		JOIN event_participants other ON other.event_id = me.event_id AND other.actor_id <> me.actor_id
		JOIN events e ON e.id = me.event_id
		JOIN actors a ON a.id = other.actor_id
		WHERE `+strings.Join(where, " AND ")+`
		GROUP BY me.actor_id, other.actor_id, a.key) AS c
		WHERE n <= `+args.add(limit)+` ORDER BY me_id, n`, args...)
	if err != nil {
		return nil, fmt.Errorf("counterparts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, last, shared int64
		var c db.Counterpart
		if err := rows.Scan(&id, &c.Actor, &shared, &last); err != nil {
			return nil, fmt.Errorf("counterparts: %w", err)
		}
		c.SharedEvents = int(shared)
		c.LastInteraction = time.UnixMilli(last).UTC()
		out[id] = append(out[id], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counterparts: %w", err)
	}
	return out, nil
}
