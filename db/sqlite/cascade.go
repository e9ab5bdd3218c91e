package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/cascade"
)

// A cascade through a hub rewrites tens of thousands of events that each
// lose one reference. Reading each whole (fullEvent, five queries) and
// writing it again through the writer (about ten statements) cost 0.6 ms an
// event: 22 s for the hub of 35 254 events of a generated 100 000-event
// graph, far past the request timeout, with the write lock held throughout.
//
// rewriteEvents and rewriteStatements give the same rows set-wise. They read
// the referrers whole, cascadeBatch at a time; strip them in Go as rewrite
// does (cascade.StripEvent, cascade.StripStatement) and hash them as the writer does
// (eventHash, statementHash); update only the content hash and updatedAt of
// each row, because its other columns would be written again with the values
// they hold; and take the reference out of the one list that holds it with
// three statements over all of them at once. Their timeline rows, graph
// edges, text rows and change-log rows follow from the writer's flush, as
// after any write.

// cascadeBatch is how many referrers one read takes: under SQLite's limit on
// bound parameters, and large enough that the reads cost little per record.
const cascadeBatch = 500

// refList is a list table that refers to a target: its owner column and
// the column naming the target.
type refList struct {
	table, owner, column string
}

// eventRefLists and statementRefLists say, by the kind of the target,
// which list of an event or a statement holds the reference. The names are
// constants of this package, never input.
var (
	eventRefLists = map[db.RefKind]refList{
		db.RefActor:  {"event_participants", "event_id", "actor_id"},
		db.RefEvent:  {"event_links", "event_id", "target_id"},
		db.RefSource: {"event_sources", "event_id", "source_id"},
	}
	statementRefLists = map[db.RefKind]refList{
		db.RefActor:  {"statement_addressees", "statement_id", "actor_id"},
		db.RefEvent:  {"statement_about", "statement_id", "event_id"},
		db.RefSource: {"statement_sources", "statement_id", "source_id"},
	}
)

// rewriteEvents is rewrite for the events ids, all referring to t.
func (d *deleter) rewriteEvents(ids []int64, t record) error {
	if len(ids) == 0 {
		return nil
	}
	if err := d.startRewrite(); err != nil {
		return err
	}
	for chunk := range slices.Chunk(ids, cascadeBatch) {
		es, err := d.fullEvents(chunk)
		if err != nil {
			return err
		}
		hashes, err := d.storedHashes("events", chunk)
		if err != nil {
			return err
		}
		for _, e := range es {
			cascade.StripEvent(e, t)
			h, err := db.EventHash(e)
			if err != nil {
				return err
			}
			if err := d.rewritten("events", derivedEvent, e.ID, h, hashes[e.ID], t.Kind != db.RefActor); err != nil {
				return fmt.Errorf("rewrite event %q: %w", e.Key, err)
			}
		}
	}
	l, ok := eventRefLists[t.Kind]
	if !ok {
		return fmt.Errorf("rewrite events: no list of an event refers to a %s", t.Kind)
	}
	if err := d.dropListRefs(l, t.ID); err != nil {
		return err
	}
	if t.Kind == db.RefSource {
		// cascade.StripEvent keeps an estimate whose source goes, unattributed.
		if _, err := d.w.exec(`UPDATE event_estimates SET source_id = NULL
			WHERE source_id = ?1 AND event_id IN (SELECT id FROM temp.rewrite)`, t.ID); err != nil {
			return fmt.Errorf("rewrite events: estimates: %w", err)
		}
	}
	if t.Kind == db.RefActor {
		return d.dropParticipantRows(t.ID)
	}
	return nil
}

// dropParticipantRows brings the derived rows of the events in
// temp.rewrite, which have just lost actor as a participant, up to date
// without rebuilding them. Rebuilding is what the flush does for any write,
// and for a hub it was most of the cost: 4.5 s of deleting and inserting
// again 300 000 timeline rows and 600 000 graph rows to remove a tenth of
// them. Losing a participant only takes rows away, and only these, all
// found by their primary keys (migrations 00001 and 00002 define them;
// TestCascadeSetWiseIsExact checks that the result is the rebuild's):
//
//   - the timeline rows of the actor facet for the actor;
//   - the timeline row of the country facet for the actor's country, when
//     neither the event's own country nor another participant's gives it;
//   - the participation edges between the actor and the event, both rows.
//
// The text rows do not depend on participants. The change log gets the
// events as the flush would log them: by id, before any statement.
func (d *deleter) dropParticipantRows(actor int64) error {
	node := owner(codeActor, actor)
	for _, q := range []struct {
		what, query string
		args        []any
	}{
		{"timeline index", `DELETE FROM timeline_index WHERE facet = 1 AND value = ?1 AND kind = 0
			AND item_id IN (SELECT id FROM temp.rewrite)`, []any{actor}},
		// "+facet": found from the events through timeline_index_item, not by
		// scanning every item of the actor's country in the primary key.
		{"timeline index", `DELETE FROM timeline_index WHERE kind = 0 AND item_id IN (SELECT id FROM temp.rewrite)
			AND +facet = 2 AND value = (SELECT country_id FROM actors WHERE id = ?1)
			AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = timeline_index.item_id AND e.country_id = timeline_index.value)
			AND NOT EXISTS (SELECT 1 FROM event_participants p JOIN actors a ON a.id = p.actor_id
				WHERE p.event_id = timeline_index.item_id AND a.country_id = timeline_index.value)`, []any{actor}},
		{"graph index", `DELETE FROM graph_edges WHERE src = ?1 AND kind = 1 AND forward = 1
			AND dst IN (SELECT (3 << 48) | id FROM temp.rewrite) AND owner = dst`, []any{node}},
		{"graph index", `DELETE FROM graph_edges WHERE dst = ?1 AND kind = 1 AND forward = 0
			AND src IN (SELECT (3 << 48) | id FROM temp.rewrite) AND owner = src`, []any{node}},
		{"change log", `INSERT INTO changes (kind, item_id) SELECT 0, id FROM temp.rewrite ORDER BY id`, nil},
	} {
		if _, err := d.w.exec(q.query, q.args...); err != nil {
			return fmt.Errorf("rewrite events: %s: %w", q.what, err)
		}
	}
	return nil
}

// rewriteStatements is rewrite for the statements ids, all referring to t.
func (d *deleter) rewriteStatements(ids []int64, t record) error {
	if len(ids) == 0 {
		return nil
	}
	if err := d.startRewrite(); err != nil {
		return err
	}
	for chunk := range slices.Chunk(ids, cascadeBatch) {
		ss, err := d.fullStatements(chunk)
		if err != nil {
			return err
		}
		hashes, err := d.storedHashes("statements", chunk)
		if err != nil {
			return err
		}
		for _, st := range ss {
			cascade.StripStatement(st, t)
			h, err := db.StatementHash(st)
			if err != nil {
				return err
			}
			if err := d.rewritten("statements", derivedStatement, st.ID, h, hashes[st.ID], true); err != nil {
				return fmt.Errorf("rewrite statement %q: %w", st.Key, err)
			}
		}
	}
	if t.Kind == db.RefActor {
		if _, err := d.w.exec(`UPDATE statements SET delivered_by_id = NULL
			WHERE delivered_by_id = ?1 AND id IN (SELECT id FROM temp.rewrite)`, t.ID); err != nil {
			return fmt.Errorf("rewrite statements: deliverer: %w", err)
		}
	}
	if t.Kind == db.RefActor {
		// An actor is named by two lists of a statement.
		if err := d.dropListRefs(refList{"statement_co_speakers", "statement_id", "actor_id"}, t.ID); err != nil {
			return err
		}
	}
	l, ok := statementRefLists[t.Kind]
	if !ok {
		return fmt.Errorf("rewrite statements: no list of a statement refers to a %s", t.Kind)
	}
	return d.dropListRefs(l, t.ID)
}

// startRewrite empties the temporary table of the records a set-wise
// rewrite changes, creating it on first use (temporary tables belong to the
// connection, and the writer has one).
func (d *deleter) startRewrite() error {
	if _, err := d.w.tx.ExecContext(d.w.ctx, `CREATE TEMP TABLE IF NOT EXISTS rewrite (id INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("rewrite: %w", err)
	}
	if _, err := d.w.exec(`DELETE FROM temp.rewrite`); err != nil {
		return fmt.Errorf("rewrite: %w", err)
	}
	return nil
}

// rewritten records that row id of table now has content hash h: as the
// writer does, a record whose content is the same as stored (old) is left
// alone, updatedAt and lists included; any other gets the new hash and
// updatedAt, joins temp.rewrite for the list statements and, with mark, is
// marked for the flush of its derived rows.
func (d *deleter) rewritten(table string, t recordType, id int64, h, old []byte, mark bool) error {
	if string(h) == string(old) {
		d.w.sum.Unchanged++
		return nil
	}
	if _, err := d.w.exec(`UPDATE `+table+` SET content_hash = ?, updated_at = ? WHERE id = ?`, h, d.w.now, id); err != nil {
		return err
	}
	if _, err := d.w.exec(`INSERT INTO temp.rewrite (id) VALUES (?)`, id); err != nil {
		return err
	}
	if mark {
		d.w.changed(t, id)
	}
	d.w.sum.Updated++
	return nil
}

// dropListRefs deletes from list l the rows of the records in temp.rewrite
// that name target, and numbers what is left of each list from 0 again, as
// writing the stripped list does. Positions are part of the primary key of
// most lists, so the new ones are first written negative (-1 - position:
// no stored row has one) and then turned round, lest a row take the
// position of one not yet moved.
func (d *deleter) dropListRefs(l refList, target int64) error {
	pending := `(SELECT id FROM temp.rewrite)`
	if _, err := d.w.exec(`DELETE FROM `+l.table+` WHERE `+l.column+` = ? AND `+l.owner+` IN `+pending, target); err != nil {
		return fmt.Errorf("rewrite %s: %w", l.table, err)
	}
	for _, q := range []string{
		`UPDATE ` + l.table + ` SET position = -1 - n.position
			FROM (SELECT rowid AS rid, row_number() OVER (PARTITION BY ` + l.owner + ` ORDER BY position) - 1 AS position
				FROM ` + l.table + ` WHERE ` + l.owner + ` IN ` + pending + `) AS n
			WHERE ` + l.table + `.rowid = n.rid AND ` + l.table + `.position <> n.position`,
		`UPDATE ` + l.table + ` SET position = -1 - position WHERE ` + l.owner + ` IN ` + pending + ` AND position < 0`,
	} {
		if _, err := d.w.exec(q); err != nil {
			return fmt.Errorf("rewrite %s: %w", l.table, err)
		}
	}
	return nil
}

// storedHashes is the content hash of each row ids of table.
func (d *deleter) storedHashes(table string, ids []int64) (map[int64][]byte, error) {
	in, args := inClause("id", ids)
	rows, err := d.query(`SELECT id, content_hash FROM `+table+` WHERE `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s hashes: %w", table, err)
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(ids))
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("read %s hashes: %w", table, err)
		}
		out[id] = h
	}
	return out, rows.Err()
}

// fullEvents is fullEvent for many events, with one query per list.
func (d *deleter) fullEvents(ids []int64) ([]*db.Event, error) {
	return d.s.fullEvents(d.w.ctx, d.w.tx, ids)
}

// fullStatements is fullStatement for many statements.
func (d *deleter) fullStatements(ids []int64) ([]*db.Statement, error) {
	return d.s.fullStatements(d.w.ctx, d.w.tx, ids)
}

// FullEvents returns the events with these ids, whole: with their
// participants, links and sources, as a fixture holds them, in no set
// order. Every id must name an event: under a snapshot (Snapshot) the ids
// of a timeline page do.
func (s *Store) FullEvents(ctx context.Context, ids []int64) ([]*db.Event, error) {
	return s.fullEvents(ctx, s.read, ids)
}

// FullStatements is FullEvents for statements, with their addressees,
// events spoken of and sources.
func (s *Store) FullStatements(ctx context.Context, ids []int64) ([]*db.Statement, error) {
	return s.fullStatements(ctx, s.read, ids)
}

// fullEvents reads whole events through q, with one query per list.
func (s *Store) fullEvents(ctx context.Context, q queryer, ids []int64) ([]*db.Event, error) {
	in, args := inClause("e.id", ids)
	es, err := s.events(ctx, q, in, args...)
	if err != nil {
		return nil, err
	}
	if len(es) != len(ids) {
		return nil, fmt.Errorf("read events: %d of %d found", len(es), len(ids))
	}
	in, args = inClause("x.event_id", ids)
	ps, err := participants(ctx, q, `SELECT x.event_id, a.key, x.role, x.mention FROM event_participants x
		JOIN actors a ON a.id = x.actor_id WHERE `+in+` ORDER BY x.event_id, x.position`, args)
	if err != nil {
		return nil, err
	}
	links, err := s.links(ctx, q, `SELECT x.event_id, x.kind, t.key FROM event_links x
		JOIN events t ON t.id = x.target_id WHERE `+in+` ORDER BY x.event_id, x.position`, args)
	if err != nil {
		return nil, err
	}
	sources, err := keyLists(ctx, q, `SELECT x.event_id, s.key FROM event_sources x
		JOIN sources s ON s.id = x.source_id WHERE `+in+` ORDER BY x.event_id, x.position`, args)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		e.Participants, e.Links, e.Sources = ps[e.ID], links[e.ID], sources[e.ID]
	}
	return es, nil
}

// fullStatements reads whole statements through q.
func (s *Store) fullStatements(ctx context.Context, q queryer, ids []int64) ([]*db.Statement, error) {
	in, args := inClause("s.id", ids)
	ss, err := s.statements(ctx, q, in, args...)
	if err != nil {
		return nil, err
	}
	if len(ss) != len(ids) {
		return nil, fmt.Errorf("read statements: %d of %d found", len(ss), len(ids))
	}
	in, args = inClause("x.statement_id", ids)
	addressees, err := keyLists(ctx, q, `SELECT x.statement_id, a.key FROM statement_addressees x
		JOIN actors a ON a.id = x.actor_id WHERE `+in+` ORDER BY x.statement_id, x.position`, args)
	if err != nil {
		return nil, err
	}
	about, err := keyLists(ctx, q, `SELECT x.statement_id, e.key FROM statement_about x
		JOIN events e ON e.id = x.event_id WHERE `+in+` ORDER BY x.statement_id, x.position`, args)
	if err != nil {
		return nil, err
	}
	sources, err := keyLists(ctx, q, `SELECT x.statement_id, s.key FROM statement_sources x
		JOIN sources s ON s.id = x.source_id WHERE `+in+` ORDER BY x.statement_id, x.position`, args)
	if err != nil {
		return nil, err
	}
	for _, st := range ss {
		st.Addressees, st.About, st.Sources = addressees[st.ID], about[st.ID], sources[st.ID]
	}
	return ss, nil
}
