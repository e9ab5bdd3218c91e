package postgres

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// The derived tables (the timeline index, the graph edges, the search
// documents) are rebuilt from the records a write changed, once per
// transaction before it commits, set-wise: one statement per derived table
// deletes the records' old rows, one more inserts their new rows sorted by
// primary key. The statements are db/sqlite's (timeline_index.go,
// graph_index.go, search_index.go) with the record ids as one array
// parameter ($1) where SQLite names a temporary table, so that both stores
// derive the same rows (TestParityWithSQLite compares them).

// Facets of the timeline index (migration 00001, 00009).
const (
	facetAll     = 0
	facetActor   = 1
	facetCountry = 2
	facetType    = 3
	facetSource  = 4
)

// Roles of an actor in a statement, in the role column of the actor facet;
// participant roles use their rank (1-5).
const (
	roleSpeaker   = 11
	roleDeliverer = 12
	roleAddressee = 13
)

// recordType is a type of record with derived rows.
type recordType int

const (
	derivedEvent recordType = iota
	derivedStatement
	derivedActor
	derivedRelationship
	// An event or a statement whose timeline rows alone change, as in the
	// SQLite store: one of its actors moved to another country.
	derivedEventTimeline
	derivedStatementTimeline
)

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

func lit(n int) string { return strconv.Itoa(n) }

// node writes the graph index's node (or owner) number of a row id column:
// its type code in the bits from 48 up (migration 00002).
func node(code int, col string) string {
	return "(" + lit(code) + "::bigint << 48) | " + col
}

const (
	codeActor         = 1
	codeCountry       = 2
	codeEvent         = 3
	codeStatement     = 4
	ownerRelationship = 5
)

const ids = `ANY ($1::bigint[])`

var (
	timelineEventSQL = `INSERT INTO timeline_index (facet, value, at, precision, key, kind, item_id, role, span_end)
		SELECT ` + lit(facetAll) + `, 0, occurred_at, precision, key, ` + lit(kindEvent) + `, id, 0, span_end FROM events WHERE id = ` + ids + `
		UNION ALL SELECT ` + lit(facetType) + `, ` + sqlCase("type", db.EventTypes) + `, occurred_at, precision, key, ` + lit(kindEvent) + `, id, 0, span_end FROM events WHERE id = ` + ids + `
		UNION ALL SELECT ` + lit(facetCountry) + `, country_id, occurred_at, precision, key, ` + lit(kindEvent) + `, id, 0, span_end FROM events WHERE id = ` + ids + ` AND country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetActor) + `, p.actor_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, ` + sqlCase("p.role", db.ParticipantRoles) + `, e.span_end
			FROM events e JOIN event_participants p ON p.event_id = e.id WHERE e.id = ` + ids + `
		UNION ALL SELECT ` + lit(facetCountry) + `, a.country_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, 0, e.span_end
			FROM events e JOIN event_participants p ON p.event_id = e.id JOIN actors a ON a.id = p.actor_id
			WHERE e.id = ` + ids + ` AND a.country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetSource) + `, s.source_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, 0, e.span_end
			FROM events e JOIN event_sources s ON s.event_id = e.id WHERE e.id = ` + ids + `
		UNION ALL SELECT ` + lit(facetSource) + `, x.source_id, e.occurred_at, e.precision, e.key, ` + lit(kindEvent) + `, e.id, 0, e.span_end
			FROM events e JOIN event_estimates x ON x.event_id = e.id WHERE e.id = ` + ids + ` AND x.source_id IS NOT NULL
		ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT DO NOTHING`

	timelineStatementSQL = `INSERT INTO timeline_index (facet, value, at, precision, key, kind, item_id, role, span_end)
		SELECT ` + lit(facetAll) + `, 0, made_at, precision, key, ` + lit(kindStatement) + `, id, 0, span_end FROM statements WHERE id = ` + ids + `
		UNION ALL SELECT ` + lit(facetActor) + `, speaker_id, made_at, precision, key, ` + lit(kindStatement) + `, id, ` + lit(roleSpeaker) + `, span_end FROM statements WHERE id = ` + ids + `
		UNION ALL SELECT ` + lit(facetActor) + `, c.actor_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, ` + lit(roleSpeaker) + `, s.span_end
			FROM statements s JOIN statement_co_speakers c ON c.statement_id = s.id WHERE s.id = ` + ids + `
		UNION ALL SELECT ` + lit(facetActor) + `, delivered_by_id, made_at, precision, key, ` + lit(kindStatement) + `, id, ` + lit(roleDeliverer) + `, span_end FROM statements WHERE id = ` + ids + ` AND delivered_by_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetActor) + `, d.actor_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, ` + lit(roleAddressee) + `, s.span_end
			FROM statements s JOIN statement_addressees d ON d.statement_id = s.id WHERE s.id = ` + ids + `
		UNION ALL SELECT ` + lit(facetCountry) + `, a.country_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, 0, s.span_end
			FROM statements s JOIN actors a ON a.id = s.speaker_id WHERE s.id = ` + ids + ` AND a.country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetCountry) + `, a.country_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, 0, s.span_end
			FROM statements s JOIN statement_co_speakers c ON c.statement_id = s.id JOIN actors a ON a.id = c.actor_id
			WHERE s.id = ` + ids + ` AND a.country_id IS NOT NULL
		UNION ALL SELECT ` + lit(facetSource) + `, c.source_id, s.made_at, s.precision, s.key, ` + lit(kindStatement) + `, s.id, 0, s.span_end
			FROM statements s JOIN statement_sources c ON c.statement_id = s.id WHERE s.id = ` + ids + `
		ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT DO NOTHING`

	graphEventSQL = `INSERT INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		WITH e (f, k, t, o, r, s) AS (
			SELECT ` + node(codeActor, "p.actor_id") + `, 1, ` + node(codeEvent, "v.id") + `, ` + node(codeEvent, "v.id") + `, p.role, v.occurred_at
				FROM events v JOIN event_participants p ON p.event_id = v.id WHERE v.id = ` + ids + `
			UNION ALL SELECT ` + node(codeEvent, "v.id") + `, 7, ` + node(codeEvent, "l.target_id") + `, ` + node(codeEvent, "v.id") + `, l.kind, v.occurred_at
				FROM events v JOIN event_links l ON l.event_id = v.id WHERE v.id = ` + ids + `
			UNION ALL SELECT ` + node(codeEvent, "v.id") + `, 8, ` + node(codeCountry, "v.country_id") + `, ` + node(codeEvent, "v.id") + `, '', v.occurred_at
				FROM events v WHERE v.id = ` + ids + ` AND v.country_id IS NOT NULL
		)
		SELECT f, k, t, 1, o, r, s, s + 1 FROM e
		UNION ALL SELECT t, k, f, 0, o, r, s, s + 1 FROM e
		ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT DO NOTHING`

	graphStatementSQL = `INSERT INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		WITH e (f, k, t, o, r, s) AS (
			SELECT ` + node(codeActor, "m.speaker_id") + `, 2, ` + node(codeStatement, "m.id") + `, ` + node(codeStatement, "m.id") + `, '', m.made_at
				FROM statements m WHERE m.id = ` + ids + `
			UNION ALL SELECT ` + node(codeActor, "c.actor_id") + `, 2, ` + node(codeStatement, "m.id") + `, ` + node(codeStatement, "m.id") + `, '', m.made_at
				FROM statements m JOIN statement_co_speakers c ON c.statement_id = m.id WHERE m.id = ` + ids + `
			UNION ALL SELECT ` + node(codeActor, "m.delivered_by_id") + `, 3, ` + node(codeStatement, "m.id") + `, ` + node(codeStatement, "m.id") + `, '', m.made_at
				FROM statements m WHERE m.id = ` + ids + ` AND m.delivered_by_id IS NOT NULL
			UNION ALL SELECT ` + node(codeStatement, "m.id") + `, 4, ` + node(codeActor, "d.actor_id") + `, ` + node(codeStatement, "m.id") + `, '', m.made_at
				FROM statements m JOIN statement_addressees d ON d.statement_id = m.id WHERE m.id = ` + ids + `
			UNION ALL SELECT ` + node(codeStatement, "m.id") + `, 5, ` + node(codeEvent, "b.event_id") + `, ` + node(codeStatement, "m.id") + `, '', m.made_at
				FROM statements m JOIN statement_about b ON b.statement_id = m.id WHERE m.id = ` + ids + `
		)
		SELECT f, k, t, 1, o, r, s, s + 1 FROM e
		UNION ALL SELECT t, k, f, 0, o, r, s, s + 1 FROM e
		ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT DO NOTHING`

	graphActorSQL = `INSERT INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		SELECT ` + node(codeActor, "id") + `, 9, ` + node(codeCountry, "country_id") + `, 1, ` + node(codeActor, "id") + `, '', NULL::bigint, NULL::bigint
			FROM actors WHERE id = ` + ids + ` AND country_id IS NOT NULL
		UNION ALL SELECT ` + node(codeCountry, "country_id") + `, 9, ` + node(codeActor, "id") + `, 0, ` + node(codeActor, "id") + `, '', NULL, NULL
			FROM actors WHERE id = ` + ids + ` AND country_id IS NOT NULL
		ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT DO NOTHING`

	// A relationship is [from, end of the period written as to), as
	// db.Date.End computes it: ms_period_end (migration 00002).
	graphRelationshipSQL = `INSERT INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		WITH e (f, k, t, o, r, s, x) AS (
			SELECT ` + node(codeActor, "r.subject_id") + `, 6,
					CASE WHEN r.object_actor_id IS NOT NULL THEN ` + node(codeActor, "r.object_actor_id") + `
						ELSE ` + node(codeCountry, "r.object_country_id") + ` END,
					` + node(ownerRelationship, "r.id") + `, r.kind, r.from_at, ms_period_end(r.to_at, r.to_precision)
				FROM relationships r WHERE r.id = ` + ids + `
		)
		SELECT f, k, t, 1, o, r, s, x FROM e
		UNION ALL SELECT t, k, f, 0, o, r, s, x FROM e
		ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT DO NOTHING`

	// The search documents: the same texts as SQLite's search_text rows,
	// folded and weighed by search_document (migration 00003).
	textActorSQL = `INSERT INTO search_text (docid, document)
		SELECT a.id * 4, search_document(a.name || coalesce(chr(10) || (SELECT string_agg(alias, chr(10) ORDER BY position)
			FROM actor_aliases WHERE actor_id = a.id), ''), a.description)
		FROM actors a WHERE a.id = ` + ids + ` ORDER BY 1`
	textEventSQL = `INSERT INTO search_text (docid, document)
		SELECT e.id * 4 + 1, search_document(e.title, e.summary || coalesce(chr(10) || (SELECT string_agg(tag, chr(10) ORDER BY position)
			FROM event_tags WHERE event_id = e.id), ''))
		FROM events e WHERE e.id = ` + ids + ` ORDER BY 1`
	textStatementSQL = `INSERT INTO search_text (docid, document)
		SELECT s.id * 4 + 2, search_document(s.text, s.summary)
		FROM statements s WHERE s.id = ` + ids + ` ORDER BY 1`
)

// derivation is how one derived table is rebuilt for one type of record.
type derivation struct{ remove, insert string }

// The timeline rows of events and of statements: part of a written
// record's derived rows, and all of those that an actor's move changes.
var (
	eventTimelineRows     = derivation{`DELETE FROM timeline_index WHERE kind = ` + lit(kindEvent) + ` AND item_id = ` + ids, timelineEventSQL}
	statementTimelineRows = derivation{`DELETE FROM timeline_index WHERE kind = ` + lit(kindStatement) + ` AND item_id = ` + ids, timelineStatementSQL}
)

var derivations = map[recordType][]derivation{
	derivedEvent: {
		eventTimelineRows,
		{`DELETE FROM graph_edges WHERE owner IN (SELECT ` + node(codeEvent, "id") + ` FROM unnest($1::bigint[]) AS u (id))`, graphEventSQL},
		{`DELETE FROM search_text WHERE docid IN (SELECT id * 4 + 1 FROM unnest($1::bigint[]) AS u (id))`, textEventSQL},
	},
	derivedStatement: {
		statementTimelineRows,
		{`DELETE FROM graph_edges WHERE owner IN (SELECT ` + node(codeStatement, "id") + ` FROM unnest($1::bigint[]) AS u (id))`, graphStatementSQL},
		{`DELETE FROM search_text WHERE docid IN (SELECT id * 4 + 2 FROM unnest($1::bigint[]) AS u (id))`, textStatementSQL},
	},
	derivedActor: {
		{`DELETE FROM graph_edges WHERE owner IN (SELECT ` + node(codeActor, "id") + ` FROM unnest($1::bigint[]) AS u (id))`, graphActorSQL},
		{`DELETE FROM search_text WHERE docid IN (SELECT id * 4 FROM unnest($1::bigint[]) AS u (id))`, textActorSQL},
	},
	derivedRelationship: {
		{`DELETE FROM graph_edges WHERE owner IN (SELECT ` + node(ownerRelationship, "id") + ` FROM unnest($1::bigint[]) AS u (id))`, graphRelationshipSQL},
	},
	derivedEventTimeline:     {eventTimelineRows},
	derivedStatementTimeline: {statementTimelineRows},
}

// markChanged notes a record whose derived rows must be rebuilt before the
// transaction commits.
func (w *writer) markChanged(t recordType, id int64) {
	if w.dirty == nil {
		w.dirty = map[recordType]map[int64]bool{}
	}
	if w.dirty[t] == nil {
		w.dirty[t] = map[int64]bool{}
	}
	w.dirty[t][id] = true
}

// reindexMovedActors marks changed every event and statement whose
// country facet names an actor whose country this write changed.
func (w *writer) reindexMovedActors() error {
	if len(w.movedActors) == 0 {
		return nil
	}
	rows, err := w.tx.Query(w.ctx, `SELECT `+lit(kindEvent)+`, event_id FROM event_participants WHERE actor_id = `+ids+`
		UNION SELECT `+lit(kindStatement)+`, id FROM statements WHERE speaker_id = `+ids+`
		UNION SELECT `+lit(kindStatement)+`, statement_id FROM statement_co_speakers WHERE actor_id = `+ids, w.movedActors)
	if err != nil {
		return fmt.Errorf("items of moved actors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var id int64
		if err := rows.Scan(&kind, &id); err != nil {
			return fmt.Errorf("items of moved actors: %w", err)
		}
		// One rebuilt whole anyway needs no second timeline rebuild.
		full, timeline := derivedEvent, derivedEventTimeline
		if kind == kindStatement {
			full, timeline = derivedStatement, derivedStatementTimeline
		}
		if !w.dirty[full][id] {
			w.markChanged(timeline, id)
		}
	}
	return rows.Err()
}

// flushDerived rebuilds the derived rows of every record marked changed.
func (w *writer) flushDerived() error {
	if err := w.reindexMovedActors(); err != nil {
		return err
	}
	for _, t := range []recordType{derivedActor, derivedRelationship, derivedEvent, derivedStatement, derivedEventTimeline, derivedStatementTimeline} {
		if len(w.dirty[t]) == 0 {
			continue
		}
		ids := make([]int64, 0, len(w.dirty[t]))
		for id := range w.dirty[t] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, d := range derivations[t] {
			if _, err := w.tx.Exec(w.ctx, d.remove, ids); err != nil {
				return fmt.Errorf("derived rows: %w", err)
			}
			if _, err := w.tx.Exec(w.ctx, d.insert, ids); err != nil {
				return fmt.Errorf("derived rows: %w", err)
			}
		}
	}
	return nil
}
