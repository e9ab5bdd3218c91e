package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// The bulk path: a write into a database that holds no records of its own
// (only countries), or one none of whose keys is stored (allNew), inserts
// every record it is given, so the normal path's work per record — look
// the key up, compare content hashes, write one row per statement, mark
// the record for its derived rows — is mostly wasted. The bulk path instead
//   - numbers each kind's rows itself, in the order they come, from 1 or
//     from the table's largest id + 1: what SQLite gives an INTEGER PRIMARY
//     KEY without AUTOINCREMENT appended to the table, so the ids are those
//     the normal path would get;
//   - keeps every key's id in memory (a key given twice in a run is already
//     rejected by the fixture decoder, and the tables held none of them; a
//     batch that skipped the decoder and repeats a key fails on the key's
//     UNIQUE index, where the normal path would have updated the first),
//     looking up only the keys of stored records the run refers to;
//   - writes rows with multi-row INSERTs, a few hundred rows a statement;
//   - drops the non-unique secondary indexes of the record tables and
//     creates them again, with the text they had, before it commits: sorting
//     once is cheaper than keeping a B-tree in order row by row (NOTES.md),
//     unless the tables already hold more records than the run brings;
//   - builds the derived tables at the end, a range of the new ids a
//     statement, with the statements the normal path runs over a set of ids
//     (derived.go): the normal path too rebuilds only the records it wrote.
// Everything else — the feed's and the timeline spans' triggers, the
// pausing and rebuild of the kept counts, the change log, the trims, the
// run record — is the normal path's, in the same order, so the database it
// leaves holds the same rows. bulk_internal_test.go compares the two.

// bulkMaxRows bounds the rows of one multi-row INSERT: with the widest
// table (events, 24 columns) that is 12 000 variables, within SQLite's
// 32 766, and few enough that an unfinished statement's arguments stay
// small.
const bulkMaxRows = 500

// rowBuffer collects the rows of one table until a statement's worth is
// there. parent, when set, is the table whose rows those rows refer to
// (by foreign key): it is written first.
type rowBuffer struct {
	table  string
	cols   []string
	parent *rowBuffer
	args   []any
	rows   int
	full   string // the INSERT for bulkMaxRows rows
}

func newRowBuffer(table string, cols []string, parent *rowBuffer) *rowBuffer {
	b := &rowBuffer{table: table, cols: cols, parent: parent}
	b.full = b.insertSQL(bulkMaxRows)
	return b
}

func (b *rowBuffer) insertSQL(rows int) string {
	row := "(" + strings.Repeat("?, ", len(b.cols)-1) + "?)"
	var q strings.Builder
	q.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return q.String()
}

// bulkLoad is the state of a bulk write.
type bulkLoad struct {
	ids  map[db.RefKind]map[string]int64
	last map[db.RefKind]int64 // the last row id given, per kind
	// base is the largest id stored before the write, per kind, and
	// stored says the database held records: keys not in ids are then
	// looked up.
	base   map[db.RefKind]int64
	stored bool
	// bufs are every table's buffers, parents before children.
	bufs                                                                            []*rowBuffer
	sources, actors, actorAliases, actorSources, relationships, relationshipSources *rowBuffer
	events, participants, codes, estimates, links, tags, eventSources               *rowBuffer
	statements, coSpeakers, addressees, about, stances, statementSources            *rowBuffer
	// dropped are the CREATE INDEX statements of the indexes dropped for
	// the load, in schema order.
	dropped []string
}

// bulkTables are the tables whose secondary indexes the bulk path drops:
// the record tables and their lists. The derived tables keep theirs
// (timeline_index_item, graph_edges_owner): their rows come range by range
// of record ids, in the order of those indexes, so keeping them costs
// appends, while creating them again at 1M events sorted 8.8M entries.
var bulkTables = []string{
	"sources", "actors", "actor_aliases", "actor_sources", "relationships", "relationship_sources",
	"events", "event_participants", "event_codes", "event_estimates", "event_links", "event_tags", "event_sources",
	"statements", "statement_co_speakers", "statement_addressees", "statement_about", "statement_stances",
	"statement_sources",
}

// The columns the two paths write, in the order their args functions
// (sourceArgs, …) give the values: one definition for both.
var (
	sourceCols       = []string{"key", "url", "title", "publisher", "author", "published_at", "published_precision", "content_hash", "created_at", "updated_at"}
	actorCols        = []string{"key", "name", "kind", "country_id", "description", "content_hash", "created_at", "updated_at"}
	relationshipCols = []string{"key", "identity", "kind", "subject_id", "object_actor_id", "object_country_id",
		"title", "from_at", "from_precision", "to_at", "to_precision", "content_hash", "created_at", "updated_at"}
	eventCols = []string{"key", "type", "title", "summary", "occurred_at", "precision", "occurred_interval",
		"ended_at", "ended_precision", "ended_interval", "span_end",
		"country_id", "place", "lat", "lon", "fatalities", "injured", "intensity", "fatalities_low", "fatalities_high",
		"content_hash", "created_at", "updated_at"}
	statementCols = []string{"key", "kind", "speaker_id", "delivered_by_id", "made_at", "precision", "made_interval",
		"span_end", "text", "summary", "content_hash", "created_at", "updated_at"}

	participantCols = []string{"event_id", "actor_id", "role", "position", "mention"}
	codeCols        = []string{"event_id", "position", "scheme", "code", "label"}
	estimateCols    = []string{"event_id", "position", "measure", "low", "best", "high", "source_id", "note"}
	linkCols        = []string{"event_id", "position", "kind", "target_id"}
)

// insertOne is the normal path's single-row INSERT of cols into table.
func insertOne(table string, cols []string) string {
	return `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
}

func withID(cols []string) []string { return append([]string{"id"}, cols...) }

func listCols(owner, column string) []string { return []string{owner, "position", column} }

// startBulk switches w to the bulk path when the database holds no records
// of its own, or when keys, given, lists every key of the run and none is
// stored (allNew): then every record of the run is an insert, as in an
// empty database, numbered on from the tables' largest ids.
func (w *writer) startBulk(keys db.KeyFeed) error {
	var stored int64
	if err := w.tx.QueryRowContext(w.ctx, `SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM actors)
		+ (SELECT count(*) FROM relationships) + (SELECT count(*) FROM events)
		+ (SELECT count(*) FROM statements)`).Scan(&stored); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	var run int64
	if stored > 0 {
		if keys == nil {
			return nil
		}
		n, ok, err := w.allNew(keys)
		if err != nil || !ok {
			return err
		}
		run = n
	}
	b := &bulkLoad{ids: map[db.RefKind]map[string]int64{}, last: map[db.RefKind]int64{}, base: map[db.RefKind]int64{}, stored: stored > 0}
	if b.stored {
		// INTEGER PRIMARY KEY without AUTOINCREMENT (the record tables,
		// migrations): SQLite gives an insert the largest id + 1.
		for kind, table := range bulkIDTables {
			var max int64
			if err := w.tx.QueryRowContext(w.ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&max); err != nil {
				return fmt.Errorf("bulk load: %w", err)
			}
			b.last[kind], b.base[kind] = max, max
		}
	}
	add := func(table string, cols []string, parent *rowBuffer) *rowBuffer {
		buf := newRowBuffer(table, cols, parent)
		b.bufs = append(b.bufs, buf)
		return buf
	}
	b.sources = add("sources", withID(sourceCols), nil)
	b.actors = add("actors", withID(actorCols), nil)
	b.actorAliases = add("actor_aliases", listCols("actor_id", "alias"), b.actors)
	b.actorSources = add("actor_sources", listCols("actor_id", "source_id"), b.actors)
	b.relationships = add("relationships", withID(relationshipCols), nil)
	b.relationshipSources = add("relationship_sources", listCols("relationship_id", "source_id"), b.relationships)
	b.events = add("events", withID(eventCols), nil)
	b.participants = add("event_participants", participantCols, b.events)
	b.codes = add("event_codes", codeCols, b.events)
	b.estimates = add("event_estimates", estimateCols, b.events)
	b.links = add("event_links", linkCols, b.events)
	b.tags = add("event_tags", listCols("event_id", "tag"), b.events)
	b.eventSources = add("event_sources", listCols("event_id", "source_id"), b.events)
	b.statements = add("statements", withID(statementCols), nil)
	b.coSpeakers = add("statement_co_speakers", listCols("statement_id", "actor_id"), b.statements)
	b.addressees = add("statement_addressees", listCols("statement_id", "actor_id"), b.statements)
	b.about = add("statement_about", listCols("statement_id", "event_id"), b.statements)
	b.stances = add("statement_stances", listCols("statement_id", "stance"), b.statements)
	b.statementSources = add("statement_sources", listCols("statement_id", "source_id"), b.statements)

	w.bulk = b
	if b.stored && run <= stored {
		// Creating an index again sorts every row of its table, the
		// stored ones too: worth it only when the run brings more rows
		// than there are (README, "Bulk loading").
		return nil
	}
	// A UNIQUE index stays: it is what refuses a duplicate, and the
	// error must come where the normal path's does.
	rows, err := w.tx.QueryContext(w.ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
		AND tbl_name IN (SELECT value FROM json_each(?)) ORDER BY rowid`, jsonList(bulkTables))
	if err != nil {
		return fmt.Errorf("bulk load: list indexes: %w", err)
	}
	var names []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return fmt.Errorf("bulk load: list indexes: %w", err)
		}
		names = append(names, name)
		b.dropped = append(b.dropped, create)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bulk load: list indexes: %w", err)
	}
	for _, name := range names {
		if _, err := w.tx.ExecContext(w.ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return fmt.Errorf("bulk load: drop index %s: %w", name, err)
		}
	}
	return nil
}

// bulkIDTables are the record tables by kind of key.
var bulkIDTables = map[db.RefKind]string{
	db.RefSource: "sources", db.RefActor: "actors", db.RefRelationship: "relationships",
	db.RefEvent: "events", db.RefStatement: "statements",
}

var bulkKeyExists = map[db.RefKind]string{
	db.RefSource:       `SELECT EXISTS (SELECT 1 FROM sources WHERE key IN (SELECT value FROM json_each(?)))`,
	db.RefActor:        `SELECT EXISTS (SELECT 1 FROM actors WHERE key IN (SELECT value FROM json_each(?)))`,
	db.RefRelationship: `SELECT EXISTS (SELECT 1 FROM relationships WHERE identity IN (SELECT value FROM json_each(?)))`,
	db.RefEvent:        `SELECT EXISTS (SELECT 1 FROM events WHERE key IN (SELECT value FROM json_each(?)))`,
	db.RefStatement:    `SELECT EXISTS (SELECT 1 FROM statements WHERE key IN (SELECT value FROM json_each(?)))`,
}

// bulkKeyBatch is how many keys one lookup of allNew names.
const bulkKeyBatch = 500

var errStoredKey = errors.New("a key of the run is stored")

// allNew reports whether no key keys lists is stored, looking them up a
// few hundred a statement, and how many keys it listed.
func (w *writer) allNew(keys db.KeyFeed) (int64, bool, error) {
	pending := map[db.RefKind][]string{}
	var n int64
	check := func(kind db.RefKind) error {
		ks := pending[kind]
		if len(ks) == 0 {
			return nil
		}
		q, ok := bulkKeyExists[kind]
		if !ok {
			return fmt.Errorf("bulk load: no key of kind %s", kind)
		}
		var found bool
		if err := w.queryRow(q, jsonList(ks)).Scan(&found); err != nil {
			return fmt.Errorf("bulk load: look up keys: %w", err)
		}
		pending[kind] = ks[:0]
		if found {
			return errStoredKey
		}
		return nil
	}
	err := keys(func(kind db.RefKind, key string) error {
		n++
		pending[kind] = append(pending[kind], key)
		if len(pending[kind]) < bulkKeyBatch {
			return nil
		}
		return check(kind)
	})
	for kind := range pending {
		if err == nil {
			err = check(kind)
		}
	}
	if errors.Is(err, errStoredKey) {
		return 0, false, nil
	}
	return n, err == nil, err
}

func jsonList(xs []string) string {
	// Strings always marshal.
	data, _ := json.Marshal(xs)
	return string(data)
}

// newID gives the next row id of kind to key.
func (b *bulkLoad) newID(kind db.RefKind, key string) int64 {
	b.last[kind]++
	id := b.last[kind]
	if key != "" {
		m := b.ids[kind]
		if m == nil {
			m = map[string]int64{}
			b.ids[kind] = m
		}
		// The key may share its bytes with a whole decoded record.
		m[strings.Clone(key)] = id
	}
	return id
}

// add buffers one row of buf, writing a statement's worth once there.
func (w *writer) addRow(buf *rowBuffer, args ...any) error {
	buf.args = append(buf.args, args...)
	buf.rows++
	if buf.rows < bulkMaxRows {
		return nil
	}
	return w.flushRows(buf)
}

// flushRows writes buf's rows, its parent's first.
func (w *writer) flushRows(buf *rowBuffer) error {
	if buf.rows == 0 {
		return nil
	}
	if buf.parent != nil {
		if err := w.flushRows(buf.parent); err != nil {
			return err
		}
	}
	var err error
	if buf.rows == bulkMaxRows {
		_, err = w.exec(buf.full, buf.args...)
	} else {
		// A partial statement's size varies: not worth keeping prepared.
		_, err = w.tx.ExecContext(w.ctx, buf.insertSQL(buf.rows), buf.args...)
	}
	if err != nil {
		return fmt.Errorf("bulk insert into %s: %w", buf.table, err)
	}
	clear(buf.args)
	buf.args, buf.rows = buf.args[:0], 0
	return nil
}

// flushBulk writes every buffered row.
func (w *writer) flushBulk() error {
	if w.bulk == nil {
		return nil
	}
	for _, buf := range w.bulk.bufs {
		if err := w.flushRows(buf); err != nil {
			return err
		}
	}
	return nil
}

// bulkDerivations are the derived rows' inserts of derivations over a
// range of row ids, ?1 to ?2; the deletes have nothing to delete, since
// the ids are new (above every stored one) and deleting a record deletes
// its derived rows.
var bulkDerivations = func() map[recordType][]string {
	out := map[recordType][]string{}
	for t, ds := range derivations {
		for _, d := range ds {
			out[t] = append(out[t], strings.ReplaceAll(d.insert, "IN "+pendingIDs, "BETWEEN ?1 AND ?2"))
		}
	}
	return out
}()

// defaultBulkRange is Store.bulkRange's default: how many records' derived rows one statement
// builds. One statement over all of them sorts everything at once: at 1M
// events, 8.8M timeline rows, and SQLite's sorters then took the process
// past 800 MB. Ranges of this size sort in about what a 100 000-event load
// needs, and each range's rows still reach the B-trees in order.
const defaultBulkRange = 100_000

// bulkTables' record tables, by type of record with derived rows.
var derivedTables = map[recordType]string{
	derivedActor: "actors", derivedRelationship: "relationships", derivedEvent: "events", derivedStatement: "statements",
}

// finishBulk writes what is buffered, builds the derived rows and the
// change log as flushDerived would have for every record, and creates the
// dropped indexes again.
func (w *writer) finishBulk() error {
	if err := w.flushBulk(); err != nil {
		return err
	}
	for _, t := range []recordType{derivedActor, derivedRelationship, derivedEvent, derivedStatement} {
		last := w.bulk.last[refKindOf[t]]
		base := w.bulk.base[refKindOf[t]]
		if last == base {
			continue
		}
		step := int64(w.bulkRange)
		for lo := base + 1; lo <= last; lo += step {
			hi := min(lo+step-1, last)
			for _, q := range bulkDerivations[t] {
				if _, err := w.exec(q, lo, hi); err != nil {
					return fmt.Errorf("derived rows: %w", err)
				}
			}
		}
		if kind, ok := loggedChanges[t]; ok {
			if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO changes (kind, item_id) SELECT ?, id FROM `+derivedTables[t]+` WHERE id > ? ORDER BY id`, kind, base); err != nil {
				return fmt.Errorf("change log: %w", err)
			}
		}
	}
	for _, create := range w.bulk.dropped {
		if _, err := w.tx.ExecContext(w.ctx, create); err != nil {
			return fmt.Errorf("bulk load: %s: %w", create, err)
		}
	}
	w.bulk.dropped = nil
	return nil
}

var refKindOf = map[recordType]db.RefKind{
	derivedActor: db.RefActor, derivedRelationship: db.RefRelationship, derivedEvent: db.RefEvent, derivedStatement: db.RefStatement,
}

func sourceArgs(src *db.Source, h []byte, now int64) []any {
	pubAt, pubPrec := dateArgs(src.PublishedAt)
	return []any{src.Key, src.URL, src.Title, src.Publisher, src.Author, pubAt, pubPrec, h, now, now}
}

func actorArgs(a *db.Actor, countryID sql.NullInt64, h []byte, now int64) []any {
	return []any{a.Key, a.Name, string(a.Kind), countryID, a.Description, h, now, now}
}

func eventArgs(e *db.Event, countryID sql.NullInt64, h []byte, now int64) []any {
	endAt, endPrec := dateArgs(e.EndedAt)
	fatLow, fatHigh := e.FatalityRange()
	return []any{e.Key, string(e.Type), e.Title, e.Summary, e.OccurredAt.Millis(), e.OccurredAt.SpanPrecision().Rank(), intervalArg(e.OccurredAt),
		endAt, endPrec, intervalArg(e.EndedAt), e.When().Latest.UnixMilli(),
		countryID, e.Location.Place, e.Location.Lat, e.Location.Lon, e.Fatalities, e.Injured, e.Intensity, fatLow, fatHigh,
		h, now, now}
}

func statementArgs(st *db.Statement, speaker int64, deliveredBy sql.NullInt64, h []byte, now int64) []any {
	return []any{st.Key, string(st.Kind), speaker, deliveredBy, st.MadeAt.Millis(), st.MadeAt.SpanPrecision().Rank(), intervalArg(st.MadeAt),
		st.When().Latest.UnixMilli(), st.Text, st.Summary, h, now, now}
}

func (w *writer) bulkSource(src *db.Source, h []byte) error {
	id := w.bulk.newID(db.RefSource, src.Key)
	w.sum.Inserted++
	return w.addRow(w.bulk.sources, append([]any{id}, sourceArgs(src, h, w.now)...)...)
}

func (w *writer) bulkActor(a *db.Actor, countryID sql.NullInt64, h []byte) error {
	id := w.bulk.newID(db.RefActor, a.Key)
	w.sum.Inserted++
	if err := w.addRow(w.bulk.actors, append([]any{id}, actorArgs(a, countryID, h, w.now)...)...); err != nil {
		return err
	}
	for i, alias := range a.Aliases {
		if err := w.addRow(w.bulk.actorAliases, id, i, alias); err != nil {
			return err
		}
	}
	return w.bulkSources(w.bulk.actorSources, id, a.Sources)
}

func (w *writer) bulkRelationship(r *db.Relationship, args []any) error {
	id := w.bulk.newID(db.RefRelationship, "")
	w.sum.Inserted++
	if err := w.addRow(w.bulk.relationships, append([]any{id}, args...)...); err != nil {
		return err
	}
	return w.bulkSources(w.bulk.relationshipSources, id, r.Sources)
}

func (w *writer) bulkEventRow(e *db.Event, args []any) (int64, error) {
	id := w.bulk.newID(db.RefEvent, e.Key)
	w.sum.Inserted++
	if err := w.addRow(w.bulk.events, append([]any{id}, args...)...); err != nil {
		return 0, err
	}
	return id, w.eventWritten()
}

func (w *writer) bulkEventLists(e *db.Event, id int64) error {
	b := w.bulk
	for i, p := range e.Participants {
		actor, err := w.mustID(db.RefActor, p.Actor)
		if err != nil {
			return err
		}
		if err := w.addRow(b.participants, id, actor, string(p.Role), i, p.As); err != nil {
			return err
		}
	}
	for i, c := range e.Codes {
		if err := w.addRow(b.codes, id, i, c.Scheme, c.Code, c.Label); err != nil {
			return err
		}
	}
	for i, est := range e.Estimates {
		src, err := w.optionalID(db.RefSource, est.Source)
		if err != nil {
			return err
		}
		if err := w.addRow(b.estimates, id, i, string(est.Measure), est.Low, est.Best, est.High, src, est.Note); err != nil {
			return err
		}
	}
	for i, l := range e.Links {
		target, err := w.mustID(db.RefEvent, l.Event)
		if err != nil {
			return err
		}
		if err := w.addRow(b.links, id, i, string(l.Kind), target); err != nil {
			return err
		}
	}
	for i, tag := range e.Tags {
		if err := w.addRow(b.tags, id, i, tag); err != nil {
			return err
		}
	}
	return w.bulkSources(b.eventSources, id, e.Sources)
}

func (w *writer) bulkStatement(st *db.Statement, args []any) error {
	b := w.bulk
	id := b.newID(db.RefStatement, st.Key)
	w.sum.Inserted++
	if err := w.addRow(b.statements, append([]any{id}, args...)...); err != nil {
		return err
	}
	for _, list := range []struct {
		buf  *rowBuffer
		kind db.RefKind
		keys []string
	}{{b.coSpeakers, db.RefActor, st.CoSpeakers}, {b.addressees, db.RefActor, st.Addressees}, {b.about, db.RefEvent, st.About}} {
		for i, k := range list.keys {
			ref, err := w.mustID(list.kind, k)
			if err != nil {
				return err
			}
			if err := w.addRow(list.buf, id, i, ref); err != nil {
				return err
			}
		}
	}
	for i, s := range st.Stances {
		if err := w.addRow(b.stances, id, i, string(s)); err != nil {
			return err
		}
	}
	return w.bulkSources(b.statementSources, id, st.Sources)
}

func (w *writer) bulkSources(buf *rowBuffer, id int64, keys []string) error {
	for i, k := range keys {
		src, err := w.mustID(db.RefSource, k)
		if err != nil {
			return err
		}
		if err := w.addRow(buf, id, i, src); err != nil {
			return err
		}
	}
	return nil
}
