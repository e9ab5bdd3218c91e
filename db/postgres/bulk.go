package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/geotimeline/geotimeline/db"
)

// The bulk path: a write into a database that holds no records of its own
// (only countries), or one none of whose keys is stored (allNew), inserts
// every record it is given, so the normal path's work per record — one
// upsert statement and its round trip, a list statement per list, a mark
// for its derived rows — is mostly wasted. The bulk path instead, in the
// write's one transaction,
//   - collects each table's rows in memory and writes them with COPY
//     (pgx's CopyFrom, the binary protocol), a few thousand rows a
//     statement, each kind's records before the lists that name them, and
//     every record of a kind before the next kind (the feed's phases);
//   - numbers a table's rows, when it writes them, from the table's
//     identity, one round trip for the lot (nextval over generate_series,
//     ascending): what the normal path draws for the same records in the
//     same order, one upsert at a time, so the ids are those the normal
//     path would give, and the identities end where its would;
//   - keeps every key's id in memory, looking up only the keys of stored
//     records the run refers to (none in an empty database);
//   - builds the derived rows at the end, with the normal path's
//     statements (derived.go) over a range of the new ids a statement,
//     without their deletes: the ids are new, so nothing derived is there;
//   - logs the new events and statements in the change log as logChanges
//     does, and, for a batch, puts the changes feed in the batch's order
//     as orderFeed does.
// Everything else is the tables' own and runs as it does for the normal
// path: COPY fires the row triggers (the changes feed, the kept counts'
// notes, timeline_spans) and checks the foreign keys and the UNIQUE
// indexes. Unlike SQLite's bulk path it drops no index: DROP INDEX locks
// the table against every reader of every process for the rest of the
// transaction.
//
// Concurrency: the decision is taken in the write's transaction (READ
// COMMITTED), and a writer elsewhere may store one of the run's keys after
// it. COPY then meets that key on its UNIQUE index, waiting for the other
// transaction as an upsert would, and fails with a unique violation (or a
// deadlock, which inWriteTx runs again) once it commits. The whole
// transaction rolls back, so nothing is half-written, and the write runs
// again on the normal path (errBulkConflict), which updates what the other
// writer stored. A run that repeats a key without the fixture decoder
// (which refuses that) meets the same violation and takes the same way.
// bulk_internal_test.go compares the two paths table by table.

// defaultBulkRows is Store.bulkRowsSize's default: how many rows of a
// table COPY writes at once. Each COPY costs a round trip or two (the
// ids, the COPY), and memory grows with it.
const defaultBulkRows = 5000

// defaultBulkRange is Store.bulkRange's default: how many records' derived
// rows one statement builds, which bounds the statement's id array and its
// sort (about 9 timeline rows an event). The sort still spills past the
// default work_mem (10 000 events: a 7.5 MB external merge, a sixth of the
// statement's time; inserting into the index's two B-trees is the rest).
const defaultBulkRange = 20000

// copyTable collects the rows of one table until a COPY's worth is there.
type copyTable struct {
	name string
	cols []string
	// kind is set on a record table: its rows' first column is the
	// record's provisional id (newID), replaced with its id when written.
	kind db.RefKind
	// parent is set on a list table whose rows' first column is the
	// provisional id of its owner, a record of parent written in the same
	// call (an actor's aliases): written first, then translated.
	parent *copyTable
	rows   [][]any
}

// bulkLoad is the state of a bulk write.
type bulkLoad struct {
	// stored says the database held records: a key not in ids is then
	// looked up as on the normal path.
	stored bool
	// rows is how many rows of a table wait for their COPY.
	rows int
	// ids maps each key the run gave to its provisional id, 1 for a
	// kind's first record; written[kind][p-1] is the row id of
	// provisional id p, once its row is written.
	ids     map[db.RefKind]map[string]int64
	written map[db.RefKind][]int64
	given   map[db.RefKind]int64 // the provisional ids given, per kind
	tables  map[db.RefKind]*copyTable
	// all are every table, record tables before their lists.
	all                                                                             []*copyTable
	sources, actors, actorAliases, actorSources, relationships, relationshipSources *copyTable
	events, participants, codes, estimates, links, tags, eventSources               *copyTable
	statements, coSpeakers, addressees, about, stances, statementSources            *copyTable
}

// errBulkConflict is a bulk write refused by a UNIQUE index: a key of the
// run stored after the write chose the bulk path, or a key the run gives
// twice. The write is run again on the normal path.
var errBulkConflict = errors.New("bulk load: a key of the run is stored")

func withID(cols []string) []string { return append([]string{"id"}, cols...) }

func listCols(owner, column string) []string { return []string{owner, "position", column} }

// bulkRecordTables are the record tables by kind of key, with what a key
// of the kind is in the table.
var bulkRecordTables = []struct {
	kind         db.RefKind
	table, keyed string
}{
	{db.RefSource, "sources", "key"}, {db.RefActor, "actors", "key"}, {db.RefRelationship, "relationships", "identity"},
	{db.RefEvent, "events", "key"}, {db.RefStatement, "statements", "key"},
}

// startBulk switches w to the bulk path when the database holds no records
// of its own, or when keys, given, lists every key of the run and none is
// stored (allNew), and reports whether it did. refs must have been checked.
func (w *writer) startBulk(keys db.KeyFeed, rows int) (bool, error) {
	var stored bool
	if err := w.tx.QueryRow(w.ctx, `SELECT EXISTS (SELECT 1 FROM sources) OR EXISTS (SELECT 1 FROM actors)
		OR EXISTS (SELECT 1 FROM relationships) OR EXISTS (SELECT 1 FROM events)
		OR EXISTS (SELECT 1 FROM statements)`).Scan(&stored); err != nil {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	if stored {
		if keys == nil {
			return false, nil
		}
		if ok, err := w.allNew(keys); err != nil || !ok {
			return false, err
		}
	}
	b := &bulkLoad{stored: stored, rows: rows, ids: map[db.RefKind]map[string]int64{}, written: map[db.RefKind][]int64{},
		given: map[db.RefKind]int64{}, tables: map[db.RefKind]*copyTable{}}
	add := func(name string, cols []string, kind db.RefKind, parent *copyTable) *copyTable {
		t := &copyTable{name: name, cols: cols, kind: kind, parent: parent}
		b.all = append(b.all, t)
		if kind != "" {
			b.tables[kind] = t
		}
		return t
	}
	b.sources = add("sources", withID(sourceCols), db.RefSource, nil)
	b.actors = add("actors", withID(actorCols), db.RefActor, nil)
	b.actorAliases = add("actor_aliases", listCols("actor_id", "alias"), "", b.actors)
	b.actorSources = add("actor_sources", listCols("actor_id", "source_id"), "", b.actors)
	b.relationships = add("relationships", withID(relationshipCols), db.RefRelationship, nil)
	b.relationshipSources = add("relationship_sources", listCols("relationship_id", "source_id"), "", b.relationships)
	b.events = add("events", withID(eventCols), db.RefEvent, nil)
	// An event's lists come after every event row (db.FeedEventLists),
	// so they name written events: no parent to translate.
	b.participants = add("event_participants", []string{"event_id", "actor_id", "role", "position", "mention"}, "", nil)
	b.codes = add("event_codes", []string{"event_id", "position", "scheme", "code", "label"}, "", nil)
	b.estimates = add("event_estimates", []string{"event_id", "position", "measure", "low", "best", "high", "source_id", "note"}, "", nil)
	b.links = add("event_links", []string{"event_id", "position", "kind", "target_id"}, "", nil)
	b.tags = add("event_tags", listCols("event_id", "tag"), "", nil)
	b.eventSources = add("event_sources", listCols("event_id", "source_id"), "", nil)
	b.statements = add("statements", withID(statementCols), db.RefStatement, nil)
	b.coSpeakers = add("statement_co_speakers", listCols("statement_id", "actor_id"), "", b.statements)
	b.addressees = add("statement_addressees", listCols("statement_id", "actor_id"), "", b.statements)
	b.about = add("statement_about", listCols("statement_id", "event_id"), "", b.statements)
	b.stances = add("statement_stances", listCols("statement_id", "stance"), "", b.statements)
	b.statementSources = add("statement_sources", listCols("statement_id", "source_id"), "", b.statements)
	// The kept counts' trigger notes each event as COPY writes it, one
	// INSERT a row; paused, it leaves them to finishBulk, which notes them
	// all in one statement (migration 00006).
	if _, err := w.tx.Exec(w.ctx, `SELECT set_config('geotimeline.counts_paused', 'on', true)`); err != nil {
		return false, fmt.Errorf("bulk load: pause counts: %w", err)
	}
	w.bulk = b
	return true, nil
}

// bulkKeyBatch is how many keys one lookup of allNew names.
const bulkKeyBatch = 5000

var errStoredKey = errors.New("a key of the run is stored")

// allNew reports whether no key keys lists is stored, looking them up a
// few thousand a statement.
func (w *writer) allNew(keys db.KeyFeed) (bool, error) {
	lookups := map[db.RefKind]string{}
	for _, t := range bulkRecordTables {
		lookups[t.kind] = `SELECT EXISTS (SELECT 1 FROM ` + t.table + ` WHERE ` + t.keyed + ` = ANY ($1::text[]))`
	}
	pending := map[db.RefKind][]string{}
	check := func(kind db.RefKind) error {
		ks := pending[kind]
		if len(ks) == 0 {
			return nil
		}
		q, ok := lookups[kind]
		if !ok {
			return fmt.Errorf("bulk load: no key of kind %s", kind)
		}
		var found bool
		if err := w.tx.QueryRow(w.ctx, q, ks).Scan(&found); err != nil {
			return fmt.Errorf("bulk load: look up keys: %w", err)
		}
		pending[kind] = ks[:0]
		if found {
			return errStoredKey
		}
		return nil
	}
	err := keys(func(kind db.RefKind, key string) error {
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
		return false, nil
	}
	return err == nil, err
}

// newID gives the next provisional id of kind to key ("" for none).
func (b *bulkLoad) newID(kind db.RefKind, key string) int64 {
	b.given[kind]++
	p := b.given[kind]
	if key != "" {
		m := b.ids[kind]
		if m == nil {
			m = map[string]int64{}
			b.ids[kind] = m
		}
		// The key may share its bytes with a whole decoded record.
		m[strings.Clone(key)] = p
	}
	return p
}

// id is the row id of a key the run gave, writing its table's rows when
// it is not written yet, and whether the run gave it.
func (w *writer) bulkID(kind db.RefKind, key string) (int64, bool, error) {
	p, ok := w.bulk.ids[kind][key]
	if !ok {
		return 0, false, nil
	}
	if int(p) > len(w.bulk.written[kind]) {
		if err := w.copyRows(w.bulk.tables[kind]); err != nil {
			return 0, true, err
		}
	}
	return w.bulk.written[kind][p-1], true, nil
}

// addRow buffers one row of t, writing them once a COPY's worth is there.
func (w *writer) addRow(t *copyTable, row ...any) error {
	t.rows = append(t.rows, row)
	if len(t.rows) < w.bulk.rows {
		return nil
	}
	return w.copyRows(t)
}

// copyRows writes t's rows, numbering them or translating their owners'
// provisional ids first.
func (w *writer) copyRows(t *copyTable) error {
	if len(t.rows) == 0 {
		return nil
	}
	b := w.bulk
	if t.parent != nil {
		if err := w.copyRows(t.parent); err != nil {
			return err
		}
		ids := b.written[t.parent.kind]
		for _, row := range t.rows {
			row[0] = ids[row[0].(int64)-1]
		}
	}
	if t.kind != "" {
		rows, err := w.tx.Query(w.ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2) ORDER BY 1`,
			t.name, len(t.rows))
		if err != nil {
			return fmt.Errorf("bulk load: number %s: %w", t.name, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("bulk load: number %s: %w", t.name, err)
		}
		for i, row := range t.rows {
			row[0] = ids[i]
		}
		b.written[t.kind] = append(b.written[t.kind], ids...)
	}
	if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" {
			return fmt.Errorf("%w: copy into %s: %w", errBulkConflict, t.name, err)
		}
		return fmt.Errorf("bulk load: copy into %s: %w", t.name, err)
	}
	clear(t.rows)
	t.rows = t.rows[:0]
	return nil
}

// copyAll writes every table's buffered rows, record tables first.
func (w *writer) copyAll() error {
	if w.bulk == nil {
		return nil
	}
	for _, t := range w.bulk.all {
		if err := w.copyRows(t); err != nil {
			return err
		}
	}
	return nil
}

// finishBulk writes what is buffered, then builds the derived rows and the
// change log as flushDerived and logChanges would have for every record.
func (w *writer) finishBulk(bulkRange int) error {
	if err := w.copyAll(); err != nil {
		return err
	}
	for _, t := range []recordType{derivedActor, derivedRelationship, derivedEvent, derivedStatement} {
		ids := w.bulk.written[refKindOf[t]]
		for lo := 0; lo < len(ids); lo += bulkRange {
			part := ids[lo:min(lo+bulkRange, len(ids))]
			for _, d := range derivations[t] {
				if _, err := w.tx.Exec(w.ctx, d.insert, part); err != nil {
					return fmt.Errorf("derived rows: %w", err)
				}
			}
		}
	}
	// The notes the paused trigger did not write, as it writes them.
	if _, err := w.tx.Exec(w.ctx, `SELECT set_config('geotimeline.counts_paused', 'off', true)`); err != nil {
		return fmt.Errorf("bulk load: resume counts: %w", err)
	}
	if events := w.bulk.written[db.RefEvent]; len(events) > 0 {
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id,
				fatalities, fatalities_low, fatalities_high, intensity)
			SELECT 1, occurred_at, span_end, type, country_id, fatalities, fatalities_low, fatalities_high, intensity
			FROM events WHERE id = ANY ($1::bigint[]) ORDER BY id`, events); err != nil {
			return fmt.Errorf("bulk load: kept counts: %w", err)
		}
		// And once in each country of its participants (migration 00020).
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO event_count_pending (sign, occurred_at, span_end, type, country_id,
				fatalities, fatalities_low, fatalities_high, intensity, participants)
			SELECT 1, e.occurred_at, e.span_end, e.type, pc.country_id, e.fatalities, e.fatalities_low, e.fatalities_high,
				e.intensity, true
			FROM (SELECT DISTINCT p.event_id, a.country_id FROM event_participants p JOIN actors a ON a.id = p.actor_id
				WHERE p.event_id = ANY ($1::bigint[]) AND a.country_id IS NOT NULL) pc
			JOIN events e ON e.id = pc.event_id ORDER BY pc.event_id, pc.country_id`, events); err != nil {
			return fmt.Errorf("bulk load: kept counts by participants' countries: %w", err)
		}
	}
	for _, t := range []recordType{derivedEvent, derivedStatement} {
		ids := w.bulk.written[refKindOf[t]]
		if len(ids) == 0 {
			continue
		}
		kind := kindEvent
		if t == derivedStatement {
			kind = kindStatement
		}
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO changes (kind, item_id)
			SELECT $1, id FROM unnest($2::bigint[]) AS u (id) ORDER BY id`, kind, ids); err != nil {
			return fmt.Errorf("change log: %w", err)
		}
	}
	return nil
}

var refKindOf = map[recordType]db.RefKind{
	derivedActor: db.RefActor, derivedRelationship: db.RefRelationship, derivedEvent: db.RefEvent, derivedStatement: db.RefStatement,
}

// The values of a record's columns, in the order of sourceCols, actorCols
// and so on: one definition for the upserts and the bulk path.

func sourceArgs(src *db.Source, h []byte, now int64) []any {
	pubAt, pubPrec := dateArgs(src.PublishedAt)
	return []any{src.Key, src.URL, src.Title, src.Publisher, src.Author, pubAt, pubPrec, h, now, now}
}

func actorArgs(a *db.Actor, countryID *int64, h []byte, now int64) []any {
	return []any{a.Key, a.Name, string(a.Kind), countryID, a.Description, h, now, now}
}

func relationshipArgs(r *db.Relationship, identity string, subject int64, objActor, objCountry *int64, h []byte, now int64) []any {
	var key *string
	if r.Key != "" {
		key = &r.Key
	}
	fromAt, fromPrec := dateArgs(r.From)
	toAt, toPrec := dateArgs(r.To)
	return []any{key, identity, string(r.Kind), subject, objActor, objCountry, r.Title, fromAt, fromPrec, toAt, toPrec, h, now, now}
}

func eventArgs(e *db.Event, countryID *int64, h []byte, now int64) []any {
	endAt, endPrec := dateArgs(e.EndedAt)
	fatLow, fatHigh := e.FatalityRange()
	return []any{e.Key, string(e.Type), e.Title, e.Summary, e.OccurredAt.Millis(), e.OccurredAt.SpanPrecision().Rank(),
		intervalArg(e.OccurredAt), endAt, endPrec, intervalArg(e.EndedAt), e.When().Latest.UnixMilli(),
		countryID, e.Location.Place, e.Location.Lat, e.Location.Lon, e.Fatalities, e.Injured, e.Intensity, fatLow, fatHigh,
		h, now, now}
}

func statementArgs(st *db.Statement, speaker int64, deliveredBy *int64, h []byte, now int64) []any {
	return []any{st.Key, string(st.Kind), speaker, deliveredBy, st.MadeAt.Millis(), st.MadeAt.SpanPrecision().Rank(),
		intervalArg(st.MadeAt), st.When().Latest.UnixMilli(), st.Text, st.Summary, h, now, now}
}

// withRowID is a record's row: its provisional id, then args.
func withRowID(p int64, args []any) []any { return append([]any{p}, args...) }

func (w *writer) bulkSource(src *db.Source) error {
	h, err := db.SourceHash(src)
	if err != nil {
		return err
	}
	p := w.bulk.newID(db.RefSource, src.Key)
	w.sum.Inserted++
	return w.addRow(w.bulk.sources, withRowID(p, sourceArgs(src, h, w.now))...)
}

func (w *writer) bulkActor(a *db.Actor) error {
	h, err := db.ActorHash(a)
	if err != nil {
		return err
	}
	countryID, err := w.optionalID(db.RefCountry, a.Country)
	if err != nil {
		return err
	}
	b := w.bulk
	p := b.newID(db.RefActor, a.Key)
	w.sum.Inserted++
	if err := w.addRow(b.actors, withRowID(p, actorArgs(a, countryID, h, w.now))...); err != nil {
		return err
	}
	for i, alias := range a.Aliases {
		if err := w.addRow(b.actorAliases, p, i, alias); err != nil {
			return err
		}
	}
	return w.bulkSources(b.actorSources, p, a.Sources)
}

func (w *writer) bulkRelationship(r *db.Relationship) error {
	h, err := db.RelationshipHash(r)
	if err != nil {
		return err
	}
	identity := r.Identity()
	subject, err := w.mustID(db.RefActor, r.Subject)
	if err != nil {
		return err
	}
	var objActor, objCountry *int64
	if r.Object.Country != "" {
		if objCountry, err = w.optionalID(db.RefCountry, r.Object.Country); err != nil {
			return err
		}
	} else if objActor, err = w.optionalID(db.RefActor, r.Object.Actor); err != nil {
		return err
	}
	p := w.bulk.newID(db.RefRelationship, identity)
	w.sum.Inserted++
	if err := w.addRow(w.bulk.relationships, withRowID(p, relationshipArgs(r, identity, subject, objActor, objCountry, h, w.now))...); err != nil {
		return err
	}
	return w.bulkSources(w.bulk.relationshipSources, p, r.Sources)
}

func (w *writer) bulkEventRow(e *db.Event) error {
	h, err := db.EventHash(e)
	if err != nil {
		return err
	}
	countryID, err := w.optionalID(db.RefCountry, e.Location.Country)
	if err != nil {
		return err
	}
	p := w.bulk.newID(db.RefEvent, e.Key)
	w.sum.Inserted++
	return w.addRow(w.bulk.events, withRowID(p, eventArgs(e, countryID, h, w.now))...)
}

// bulkEventLists writes the lists of e, whose row is written.
func (w *writer) bulkEventLists(e *db.Event) error {
	b := w.bulk
	id, err := w.mustID(db.RefEvent, e.Key)
	if err != nil {
		return err
	}
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
		if err := w.addRow(b.estimates, id, i, string(est.Measure), int64Ptr(est.Low), int64Ptr(est.Best), int64Ptr(est.High),
			src, est.Note); err != nil {
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

func (w *writer) bulkStatement(st *db.Statement) error {
	h, err := db.StatementHash(st)
	if err != nil {
		return err
	}
	speaker, err := w.mustID(db.RefActor, st.Speaker)
	if err != nil {
		return err
	}
	deliveredBy, err := w.optionalID(db.RefActor, st.DeliveredBy)
	if err != nil {
		return err
	}
	b := w.bulk
	p := b.newID(db.RefStatement, st.Key)
	w.sum.Inserted++
	if err := w.addRow(b.statements, withRowID(p, statementArgs(st, speaker, deliveredBy, h, w.now))...); err != nil {
		return err
	}
	for _, list := range []struct {
		t    *copyTable
		kind db.RefKind
		keys []string
	}{{b.coSpeakers, db.RefActor, st.CoSpeakers}, {b.addressees, db.RefActor, st.Addressees}, {b.about, db.RefEvent, st.About}} {
		for i, k := range list.keys {
			ref, err := w.mustID(list.kind, k)
			if err != nil {
				return err
			}
			if err := w.addRow(list.t, p, i, ref); err != nil {
				return err
			}
		}
	}
	for i, s := range st.Stances {
		if err := w.addRow(b.stances, p, i, string(s)); err != nil {
			return err
		}
	}
	return w.bulkSources(b.statementSources, p, st.Sources)
}

// bulkSources buffers the source list of owner (a provisional id when t
// has a parent, a row id otherwise).
func (w *writer) bulkSources(t *copyTable, owner int64, keys []string) error {
	for i, k := range keys {
		src, err := w.mustID(db.RefSource, k)
		if err != nil {
			return err
		}
		if err := w.addRow(t, owner, i, src); err != nil {
			return err
		}
	}
	return nil
}
