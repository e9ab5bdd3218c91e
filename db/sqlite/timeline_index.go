package sqlite

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// Facets of the timeline index (see migration 00001).
const (
	facetAll     = 0
	facetActor   = 1
	facetCountry = 2
	facetType    = 3
	facetSource  = 4 // migration 00009
)

// Item kinds in the timeline index; events sort before statements.
const (
	kindEvent     = 0
	kindStatement = 1
)

// Roles of an actor in a statement, in the role column of the actor facet.
// Participant roles use their rank (1-5), so the two never collide.
const (
	roleSpeaker   = 11
	roleDeliverer = 12
	roleAddressee = 13
)

func itemKindCode(k db.ItemKind) int {
	if k == db.ItemStatement {
		return kindStatement
	}
	return kindEvent
}

func itemKindOf(code int) db.ItemKind {
	if code == kindStatement {
		return db.ItemStatement
	}
	return db.ItemEvent
}

// roleRank is the participant role's position in db.ParticipantRoles, from 1.
func roleRank(r db.ParticipantRole) int {
	for i, q := range db.ParticipantRoles {
		if q == r {
			return i + 1
		}
	}
	return 0
}

// typeRank is the event type's position in db.EventTypes, from 1.
func typeRank(t db.EventType) int {
	for i, q := range db.EventTypes {
		if q == t {
			return i + 1
		}
	}
	return 0
}

// sqlCase builds "CASE col WHEN 'A' THEN 1 … END" from an enum list, so the
// ranks in SQL are the ranks in Go.
func sqlCase[T ~string](col string, values []T) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, v := range values {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", string(v), i+1)
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// lit writes one of the constants above into a statement as a literal. They
// are not bound as arguments: setWise allows no other argument than the
// record's id, and a literal facet or kind leaves each query what it was
// when the numbers were written out by hand.
func lit(n int) string { return strconv.Itoa(n) }

var (
	reindexEventSQL = `INSERT OR IGNORE INTO timeline_index (facet, value, at, precision, key, kind, item_id, role, span_end)
		SELECT ` + lit(facetAll) + `, 0, occurred_at, precision, key, ` + lit(kindEvent) + `, id, 0, span_end FROM events WHERE id = ?1
		UNION ALL SELECT ` + lit(facetType) + `, ` + sqlCase("type", db.EventTypes) + `, occurred_at, precision, key, ` + lit(kindEvent) + `, id, 0, span_end FROM events WHERE id = ?1
		UNION ALL SELECT ` + lit(facetCountry) + `, country_id, occurred_at, precision, key, ` + lit(kindEvent) + `, id, 0, span_end FROM events WHERE id = ?1 AND country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetActor) + `, p.actor_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, ` + sqlCase("p.role", db.ParticipantRoles) + `, e.span_end
			FROM events e JOIN event_participants p ON p.event_id = e.id WHERE e.id = ?1
		UNION ALL SELECT ` + lit(facetCountry) + `, a.country_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, 0, e.span_end
			FROM events e JOIN event_participants p ON p.event_id = e.id JOIN actors a ON a.id = p.actor_id
			WHERE e.id = ?1 AND a.country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetSource) + `, s.source_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, 0, e.span_end
			FROM events e JOIN event_sources s ON s.event_id = e.id WHERE e.id = ?1
		UNION ALL SELECT ` + lit(facetSource) + `, x.source_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, 0, e.span_end
			FROM events e JOIN event_estimates x ON x.event_id = e.id WHERE e.id = ?1 AND x.source_id IS NOT NULL`

	reindexStatementSQL = `INSERT OR IGNORE INTO timeline_index (facet, value, at, precision, key, kind, item_id, role, span_end)
		SELECT ` + lit(facetAll) + `, 0, made_at, precision, key, ` + lit(kindStatement) + `, id, 0, span_end FROM statements WHERE id = ?1
		UNION ALL SELECT ` + lit(facetActor) + `, speaker_id, made_at, precision, key, ` + lit(kindStatement) + `, id, ` + lit(roleSpeaker) + `, span_end FROM statements WHERE id = ?1
		UNION ALL SELECT ` + lit(facetActor) + `, c.actor_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, ` + lit(roleSpeaker) + `, s.span_end
			FROM statements s JOIN statement_co_speakers c ON c.statement_id = s.id WHERE s.id = ?1
		UNION ALL SELECT ` + lit(facetActor) + `, delivered_by_id, made_at, precision, key, ` + lit(kindStatement) + `, id, ` + lit(roleDeliverer) + `, span_end FROM statements WHERE id = ?1 AND delivered_by_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetActor) + `, d.actor_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, ` + lit(roleAddressee) + `, s.span_end
			FROM statements s JOIN statement_addressees d ON d.statement_id = s.id WHERE s.id = ?1
		UNION ALL SELECT ` + lit(facetCountry) + `, a.country_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, 0, s.span_end
			FROM statements s JOIN actors a ON a.id = s.speaker_id WHERE s.id = ?1 AND a.country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetCountry) + `, a.country_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, 0, s.span_end
			FROM statements s JOIN statement_co_speakers c ON c.statement_id = s.id JOIN actors a ON a.id = c.actor_id
			WHERE s.id = ?1 AND a.country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetSource) + `, c.source_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, 0, s.span_end
			FROM statements s JOIN statement_sources c ON c.statement_id = s.id WHERE s.id = ?1`
)

// reindex rewrites the timeline index rows of one item at once. The write
// path rebuilds them set-wise (flushDerived); this serves tests that check
// the index against a rebuild.
func (w *writer) reindex(kind int, id int64) error {
	if _, err := w.exec(`DELETE FROM timeline_index WHERE kind = ? AND item_id = ?`, kind, id); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	q := reindexEventSQL
	if kind == kindStatement {
		q = reindexStatementSQL
	}
	if _, err := w.exec(q, id); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// reindexMovedActors marks changed every item whose country facet depends
// on an actor whose country changed in this transaction.
func (w *writer) reindexMovedActors() error {
	for _, actor := range w.movedActors {
		items, err := w.itemsOfActor(actor)
		if err != nil {
			return err
		}
		for _, it := range items {
			// One rebuilt whole anyway needs no second timeline rebuild.
			full, timeline := derivedEvent, derivedEventTimeline
			if it.kind == kindStatement {
				full, timeline = derivedStatement, derivedStatementTimeline
			}
			if !w.dirty[full][it.id] {
				w.changed(timeline, it.id)
			}
		}
	}
	return nil
}

func (w *writer) itemsOfActor(actor int64) ([]itemRef, error) {
	rows, err := w.tx.QueryContext(w.ctx, `SELECT `+lit(kindEvent)+`, event_id FROM event_participants WHERE actor_id = ?1
		UNION SELECT `+lit(kindStatement)+`, id FROM statements WHERE speaker_id = ?1
		UNION SELECT `+lit(kindStatement)+`, statement_id FROM statement_co_speakers WHERE actor_id = ?1`, actor)
	if err != nil {
		return nil, fmt.Errorf("items of actor %d: %w", actor, err)
	}
	defer rows.Close()
	var out []itemRef
	for rows.Next() {
		var it itemRef
		if err := rows.Scan(&it.kind, &it.id); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
