package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// Apply writes every record of b in one transaction: each is inserted, or
// replaced (its lists included) when its content differs from the stored
// one, or left untouched, updatedAt included, when it is the same. refs are
// the references b does not satisfy itself; each must name a stored record.
//
// On any problem nothing is written. Unknown references are returned all
// together as db.Problems (code BAD_USER_INPUT).
func (s *Store) Apply(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, error) {
	return s.ApplyRun(ctx, nil, b, refs)
}

// ApplyRun is Apply that also records run, as ApplyStreamRun does.
func (s *Store) ApplyRun(ctx context.Context, run *db.Run, b *db.Batch, refs []db.Ref) (db.Summary, error) {
	return s.ApplyStreamRunKeys(ctx, run, refs, b.Keys(), b.Feed)
}

// writer carries one write transaction: prepared statements, the ids of
// records resolved so far, and what must be reindexed at the end.
type writer struct {
	ctx   context.Context
	tx    *sql.Tx
	now   int64
	stmts map[string]*sql.Stmt
	ids   map[db.RefKind]map[string]int64
	sum   db.Summary
	// dry, for a dry run, collects the records the write updates.
	dry *db.Updates
	// bulk is set when the write takes the bulk path (bulk.go).
	bulk *bulkLoad

	// actors whose country changed: the timeline rows of their events and
	// statements carry that country and must be rewritten.
	movedActors []int64
	// eventsWritten counts the event rows this write inserted or changed,
	// eventsStored is the events stored before it (-1 until needed), and
	// countsPaused says the count triggers are paused (event_counts.go).
	eventsWritten, eventsStored int
	countsPaused                bool
	pauseEventCounts            int // the store's
	// dirty holds the records whose derived rows flushDerived rebuilds;
	// ndirty counts them.
	dirty  map[recordType]map[int64]bool
	ndirty int

	// The store's bounds (Store.maxCachedIDs, Store.flushEvery), copied so
	// that a test's store sets them for its own writes alone.
	maxCachedIDs int
	flushEvery   int
	bulkRange    int
}

type itemRef struct {
	kind int
	id   int64
}

func (s *Store) newWriter(ctx context.Context, tx *sql.Tx, now int64) *writer {
	return &writer{ctx: ctx, tx: tx, now: now, stmts: map[string]*sql.Stmt{},
		ids:          map[db.RefKind]map[string]int64{},
		maxCachedIDs: s.maxCachedIDs, flushEvery: s.flushEvery, bulkRange: s.bulkRange, eventsStored: -1,
		pauseEventCounts: s.pauseEventCounts}
}

func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// exec runs a statement, prepared once per transaction.
func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.prepare(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

func (w *writer) queryRow(query string, args ...any) *sql.Row {
	st, err := w.prepare(query)
	if err != nil {
		// QueryRowContext on a closed statement reports the error at Scan.
		return w.tx.QueryRowContext(w.ctx, query, args...)
	}
	return st.QueryRowContext(w.ctx, args...)
}

func (w *writer) prepare(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(w.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", query, err)
	}
	w.stmts[query] = st
	return st, nil
}

var refTables = map[db.RefKind]string{
	db.RefActor:     `SELECT id FROM actors WHERE key = ?`,
	db.RefEvent:     `SELECT id FROM events WHERE key = ?`,
	db.RefStatement: `SELECT id FROM statements WHERE key = ?`,
	db.RefSource:    `SELECT id FROM sources WHERE key = ?`,
	db.RefCountry:   `SELECT id FROM countries WHERE code = ?`,
}

// defaultMaxCachedIDs is Store.maxCachedIDs's default: the ids the writer
// keeps per kind of record. A load of a million events would otherwise keep
// every event key; past the bound the cache starts over, and keys not in it
// are looked up (by a unique index). Loads refer mostly to recent records
// and to actors, which are far fewer, so few lookups miss.
const defaultMaxCachedIDs = 1 << 16

// cached returns the id cache of kind, emptied when it is full.
func (w *writer) cached(kind db.RefKind) map[string]int64 {
	m := w.ids[kind]
	if m == nil {
		m = map[string]int64{}
		w.ids[kind] = m
	}
	if len(m) >= w.maxCachedIDs {
		clear(m)
	}
	return m
}

// id resolves a key (or a country code) to its row id, 0 when there is none.
func (w *writer) id(kind db.RefKind, key string) (int64, error) {
	if key == "" {
		return 0, nil
	}
	if w.bulk != nil && kind != db.RefCountry {
		if id, ok := w.bulk.ids[kind][key]; ok || !w.bulk.stored {
			// The tables held none: what the write has not given is not there.
			return id, nil
		}
		// A stored record's key: none of the run's is stored.
	}
	m := w.cached(kind)
	if id, ok := m[key]; ok {
		return id, nil
	}
	var id int64
	err := w.queryRow(refTables[kind], key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look up %s %q: %w", kind, key, err)
	}
	m[key] = id
	return id, nil
}

// mustID is id for references that validation guaranteed: a miss here is a
// bug in the caller, reported as an input problem rather than a crash.
func (w *writer) mustID(kind db.RefKind, key string) (int64, error) {
	id, err := w.id(kind, key)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		return 0, db.Problems{db.UnknownRef(db.Ref{Kind: kind, Key: key})}
	}
	return id, nil
}

// optionalID is the id of an optional reference: NULL for "", else as
// mustID.
func (w *writer) optionalID(kind db.RefKind, key string) (sql.NullInt64, error) {
	if key == "" {
		return sql.NullInt64{}, nil
	}
	id, err := w.mustID(kind, key)
	if err != nil {
		return sql.NullInt64{}, err
	}
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

func (w *writer) remember(kind db.RefKind, key string, id int64) {
	if w.bulk != nil && kind != db.RefCountry {
		return
	}
	w.cached(kind)[key] = id
}

func (w *writer) checkRefs(refs []db.Ref) error {
	var probs db.Problems
	var missing []db.Ref
	for _, r := range refs {
		id, err := w.id(r.Kind, r.Key)
		if err != nil {
			return err
		}
		if id == 0 {
			probs = append(probs, db.UnknownRef(r))
			missing = append(missing, r)
		}
	}
	// The hints read through the transaction: what this write has
	// added counts as known.
	if err := addHints(w.ctx, w.tx, nil, probs, missing); err != nil {
		return err
	}
	return probs.Err()
}

// existing looks up a stored record's id and content hash.
func (w *writer) existing(query string, arg any) (id int64, hash []byte, err error) {
	err = w.queryRow(query, arg).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	return id, hash, err
}

func (w *writer) country(c *db.Country) error {
	var alpha3, name, region string
	var fromFixture bool
	err := w.queryRow(`SELECT alpha3, name, region, from_fixture FROM countries WHERE code = ?`, c.Code).
		Scan(&alpha3, &name, &region, &fromFixture)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		w.sum.Inserted++
	case err != nil:
		return fmt.Errorf("look up country %s: %w", c.Code, err)
	case fromFixture && alpha3 == c.Alpha3 && name == c.Name && region == c.Region:
		w.sum.Unchanged++
		return nil
	default:
		w.sum.Updated++
		w.dry.Note(c)
	}
	res, err := w.exec(`INSERT INTO countries (code, alpha3, name, region, from_fixture) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (code) DO UPDATE SET alpha3 = excluded.alpha3, name = excluded.name,
		region = excluded.region, from_fixture = 1`, c.Code, c.Alpha3, c.Name, c.Region)
	if err != nil {
		return fmt.Errorf("write country %s: %w", c.Code, err)
	}
	if id, err := res.LastInsertId(); err == nil && id != 0 {
		w.ids[db.RefCountry] = nil // an upsert's LastInsertId is unreliable; look it up again
	}
	return nil
}

func (w *writer) source(src *db.Source) error {
	h, err := db.SourceHash(src)
	if err != nil {
		return err
	}
	if w.bulk != nil {
		return w.bulkSource(src, h)
	}
	id, old, err := w.existing(`SELECT id, content_hash FROM sources WHERE key = ?`, src.Key)
	if err != nil {
		return fmt.Errorf("look up source %q: %w", src.Key, err)
	}
	pubAt, pubPrec := dateArgs(src.PublishedAt)
	switch {
	case id == 0:
		res, err := w.exec(insertOne("sources", sourceCols), sourceArgs(src, h, w.now)...)
		if err != nil {
			return fmt.Errorf("insert source %q: %w", src.Key, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		w.sum.Inserted++
	case string(old) == string(h):
		w.sum.Unchanged++
	default:
		if _, err := w.exec(`UPDATE sources SET url = ?, title = ?, publisher = ?, author = ?, published_at = ?,
			published_precision = ?, content_hash = ?, updated_at = ? WHERE id = ?`,
			src.URL, src.Title, src.Publisher, src.Author, pubAt, pubPrec, h, w.now, id); err != nil {
			return fmt.Errorf("update source %q: %w", src.Key, err)
		}
		w.sum.Updated++
		w.dry.Note(src)
	}
	w.remember(db.RefSource, src.Key, id)
	return nil
}

func (w *writer) actor(a *db.Actor) error {
	h, err := db.ActorHash(a)
	if err != nil {
		return err
	}
	countryID, err := w.countryID(a.Country)
	if err != nil {
		return err
	}
	if w.bulk != nil {
		return w.bulkActor(a, countryID, h)
	}
	var id int64
	var old []byte
	var oldCountry sql.NullInt64
	err = w.queryRow(`SELECT id, content_hash, country_id FROM actors WHERE key = ?`, a.Key).Scan(&id, &old, &oldCountry)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("look up actor %q: %w", a.Key, err)
	}
	fresh := id == 0
	switch {
	case id == 0:
		res, err := w.exec(insertOne("actors", actorCols), actorArgs(a, countryID, h, w.now)...)
		if err != nil {
			return fmt.Errorf("insert actor %q: %w", a.Key, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		w.sum.Inserted++
	case string(old) == string(h):
		w.sum.Unchanged++
		w.remember(db.RefActor, a.Key, id)
		return nil
	default:
		if _, err := w.exec(`UPDATE actors SET name = ?, kind = ?, country_id = ?, description = ?, content_hash = ?,
			updated_at = ? WHERE id = ?`, a.Name, string(a.Kind), countryID, a.Description, h, w.now, id); err != nil {
			return fmt.Errorf("update actor %q: %w", a.Key, err)
		}
		if oldCountry != countryID {
			w.movedActors = append(w.movedActors, id)
		}
		w.sum.Updated++
		w.dry.Note(a)
	}
	w.remember(db.RefActor, a.Key, id)
	if err := w.replaceStrings(`actor_aliases`, `actor_id`, `alias`, id, a.Aliases, fresh); err != nil {
		return fmt.Errorf("actor %q aliases: %w", a.Key, err)
	}
	if err := w.replaceSources(`actor_sources`, `actor_id`, id, a.Sources, fresh); err != nil {
		return err
	}
	w.changed(derivedActor, id)
	return nil
}

func (w *writer) relationship(r *db.Relationship) error {
	h, err := db.RelationshipHash(r)
	if err != nil {
		return err
	}
	identity := r.Identity()
	subject, err := w.mustID(db.RefActor, r.Subject)
	if err != nil {
		return err
	}
	var objActor, objCountry sql.NullInt64
	if r.Object.Country != "" {
		if objCountry, err = w.countryID(r.Object.Country); err != nil {
			return err
		}
	} else {
		id, err := w.mustID(db.RefActor, r.Object.Actor)
		if err != nil {
			return err
		}
		objActor = sql.NullInt64{Int64: id, Valid: true}
	}
	var key sql.NullString
	if r.Key != "" {
		key = sql.NullString{String: r.Key, Valid: true}
	}
	fromAt, fromPrec := dateArgs(r.From)
	toAt, toPrec := dateArgs(r.To)
	if w.bulk != nil {
		return w.bulkRelationship(r, []any{key, identity, string(r.Kind), subject, objActor, objCountry, r.Title,
			fromAt, fromPrec, toAt, toPrec, h, w.now, w.now})
	}
	id, old, err := w.existing(`SELECT id, content_hash FROM relationships WHERE identity = ?`, identity)
	if err != nil {
		return fmt.Errorf("look up relationship %s: %w", identity, err)
	}
	fresh := id == 0
	switch {
	case id == 0:
		res, err := w.exec(insertOne("relationships", relationshipCols),
			key, identity, string(r.Kind), subject, objActor, objCountry, r.Title, fromAt, fromPrec, toAt, toPrec, h, w.now, w.now)
		if err != nil {
			return fmt.Errorf("insert relationship %s: %w", identity, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		w.sum.Inserted++
	case string(old) == string(h):
		w.sum.Unchanged++
		return nil
	default:
		if _, err := w.exec(`UPDATE relationships SET kind = ?, subject_id = ?, object_actor_id = ?, object_country_id = ?,
			title = ?, from_at = ?, from_precision = ?, to_at = ?, to_precision = ?, content_hash = ?, updated_at = ?
			WHERE id = ?`, string(r.Kind), subject, objActor, objCountry, r.Title, fromAt, fromPrec, toAt, toPrec, h, w.now, id); err != nil {
			return fmt.Errorf("update relationship %s: %w", identity, err)
		}
		w.sum.Updated++
		w.dry.Note(r)
	}
	if err := w.replaceSources(`relationship_sources`, `relationship_id`, id, r.Sources, fresh); err != nil {
		return err
	}
	w.changed(derivedRelationship, id)
	return nil
}

// eventRow upserts an event's own columns and reports whether its content
// changed, in which case its lists are rewritten by eventLists.
func (w *writer) eventRow(e *db.Event) (bool, error) {
	_, changed, _, err := w.upsertEventRow(e)
	return changed, err
}

// upsertEventRow is eventRow, which also returns the event's row id and
// whether it inserted the row.
func (w *writer) upsertEventRow(e *db.Event) (id int64, changed, inserted bool, err error) {
	h, err := db.EventHash(e)
	if err != nil {
		return 0, false, false, err
	}
	countryID, err := w.countryID(e.Location.Country)
	if err != nil {
		return 0, false, false, err
	}
	endAt, endPrec := dateArgs(e.EndedAt)
	fatLow, fatHigh := e.FatalityRange()
	if w.bulk != nil {
		id, err := w.bulkEventRow(e, eventArgs(e, countryID, h, w.now))
		return id, err == nil, err == nil, err
	}
	id, old, err := w.existing(`SELECT id, content_hash FROM events WHERE key = ?`, e.Key)
	if err != nil {
		return 0, false, false, fmt.Errorf("look up event %q: %w", e.Key, err)
	}
	switch {
	case id == 0:
		res, err := w.exec(insertOne("events", eventCols), eventArgs(e, countryID, h, w.now)...)
		if err != nil {
			return 0, false, false, fmt.Errorf("insert event %q: %w", e.Key, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, false, false, err
		}
		w.sum.Inserted++
		inserted = true
	case string(old) == string(h):
		w.sum.Unchanged++
		w.remember(db.RefEvent, e.Key, id)
		return id, false, false, nil
	default:
		if _, err := w.exec(`UPDATE events SET type = ?, title = ?, summary = ?, occurred_at = ?, precision = ?,
			occurred_interval = ?, ended_at = ?, ended_precision = ?, ended_interval = ?, span_end = ?,
			country_id = ?, place = ?, lat = ?, lon = ?, fatalities = ?, injured = ?, intensity = ?,
			fatalities_low = ?, fatalities_high = ?, content_hash = ?, updated_at = ? WHERE id = ?`,
			string(e.Type), e.Title, e.Summary, e.OccurredAt.Millis(), e.OccurredAt.SpanPrecision().Rank(), intervalArg(e.OccurredAt),
			endAt, endPrec, intervalArg(e.EndedAt), e.When().Latest.UnixMilli(),
			countryID, e.Location.Place, e.Location.Lat, e.Location.Lon, e.Fatalities, e.Injured, e.Intensity, fatLow, fatHigh,
			h, w.now, id); err != nil {
			return 0, false, false, fmt.Errorf("update event %q: %w", e.Key, err)
		}
		w.sum.Updated++
		w.dry.Note(e)
	}
	w.remember(db.RefEvent, e.Key, id)
	if err := w.eventWritten(); err != nil {
		return 0, false, false, err
	}
	return id, true, inserted, nil
}

func (w *writer) eventLists(e *db.Event) error {
	id, err := w.mustID(db.RefEvent, e.Key)
	if err != nil {
		return err
	}
	return w.writeEventLists(e, id, false)
}

// writeEventLists rewrites the lists of event id; fresh is as for
// replaceStrings.
func (w *writer) writeEventLists(e *db.Event, id int64, fresh bool) error {
	if w.bulk != nil {
		return w.bulkEventLists(e, id)
	}
	if err := w.clear(fresh, `DELETE FROM event_participants WHERE event_id = ?`, id); err != nil {
		return fmt.Errorf("event %q participants: %w", e.Key, err)
	}
	for i, p := range e.Participants {
		actor, err := w.mustID(db.RefActor, p.Actor)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO event_participants (event_id, actor_id, role, position, mention) VALUES (?, ?, ?, ?, ?)`,
			id, actor, string(p.Role), i, p.As); err != nil {
			return fmt.Errorf("event %q participant %q: %w", e.Key, p.Actor, err)
		}
	}
	if err := w.clear(fresh, `DELETE FROM event_codes WHERE event_id = ?`, id); err != nil {
		return fmt.Errorf("event %q codes: %w", e.Key, err)
	}
	for i, c := range e.Codes {
		if _, err := w.exec(`INSERT INTO event_codes (event_id, position, scheme, code, label) VALUES (?, ?, ?, ?, ?)`,
			id, i, c.Scheme, c.Code, c.Label); err != nil {
			return fmt.Errorf("event %q code %s:%s: %w", e.Key, c.Scheme, c.Code, err)
		}
	}
	if err := w.clear(fresh, `DELETE FROM event_estimates WHERE event_id = ?`, id); err != nil {
		return fmt.Errorf("event %q estimates: %w", e.Key, err)
	}
	for i, est := range e.Estimates {
		src, err := w.optionalID(db.RefSource, est.Source)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO event_estimates (event_id, position, measure, low, best, high, source_id, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, i, string(est.Measure), est.Low, est.Best, est.High, src, est.Note); err != nil {
			return fmt.Errorf("event %q estimate %d: %w", e.Key, i, err)
		}
	}
	if err := w.clear(fresh, `DELETE FROM event_links WHERE event_id = ?`, id); err != nil {
		return fmt.Errorf("event %q links: %w", e.Key, err)
	}
	for i, l := range e.Links {
		target, err := w.mustID(db.RefEvent, l.Event)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO event_links (event_id, position, kind, target_id) VALUES (?, ?, ?, ?)`,
			id, i, string(l.Kind), target); err != nil {
			return fmt.Errorf("event %q link to %q: %w", e.Key, l.Event, err)
		}
	}
	if err := w.replaceStrings(`event_tags`, `event_id`, `tag`, id, e.Tags, fresh); err != nil {
		return fmt.Errorf("event %q tags: %w", e.Key, err)
	}
	if err := w.replaceSources(`event_sources`, `event_id`, id, e.Sources, fresh); err != nil {
		return err
	}
	w.changed(derivedEvent, id)
	return nil
}

func (w *writer) statement(st *db.Statement) error {
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
	if w.bulk != nil {
		return w.bulkStatement(st, statementArgs(st, speaker, deliveredBy, h, w.now))
	}
	id, old, err := w.existing(`SELECT id, content_hash FROM statements WHERE key = ?`, st.Key)
	if err != nil {
		return fmt.Errorf("look up statement %q: %w", st.Key, err)
	}
	fresh := id == 0
	switch {
	case id == 0:
		res, err := w.exec(insertOne("statements", statementCols), statementArgs(st, speaker, deliveredBy, h, w.now)...)
		if err != nil {
			return fmt.Errorf("insert statement %q: %w", st.Key, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		w.sum.Inserted++
	case string(old) == string(h):
		w.sum.Unchanged++
		w.remember(db.RefStatement, st.Key, id)
		return nil
	default:
		if _, err := w.exec(`UPDATE statements SET kind = ?, speaker_id = ?, delivered_by_id = ?, made_at = ?, precision = ?,
			made_interval = ?, span_end = ?, text = ?, summary = ?, content_hash = ?, updated_at = ? WHERE id = ?`,
			string(st.Kind), speaker, deliveredBy, st.MadeAt.Millis(), st.MadeAt.SpanPrecision().Rank(), intervalArg(st.MadeAt),
			st.When().Latest.UnixMilli(), st.Text, st.Summary,
			h, w.now, id); err != nil {
			return fmt.Errorf("update statement %q: %w", st.Key, err)
		}
		w.sum.Updated++
		w.dry.Note(st)
	}
	w.remember(db.RefStatement, st.Key, id)
	if err := w.clear(fresh, `DELETE FROM statement_co_speakers WHERE statement_id = ?`, id); err != nil {
		return fmt.Errorf("statement %q co-speakers: %w", st.Key, err)
	}
	for i, a := range st.CoSpeakers {
		actor, err := w.mustID(db.RefActor, a)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO statement_co_speakers (statement_id, position, actor_id) VALUES (?, ?, ?)`,
			id, i, actor); err != nil {
			return fmt.Errorf("statement %q co-speaker %q: %w", st.Key, a, err)
		}
	}
	if err := w.clear(fresh, `DELETE FROM statement_addressees WHERE statement_id = ?`, id); err != nil {
		return fmt.Errorf("statement %q addressees: %w", st.Key, err)
	}
	for i, a := range st.Addressees {
		actor, err := w.mustID(db.RefActor, a)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO statement_addressees (statement_id, position, actor_id) VALUES (?, ?, ?)`,
			id, i, actor); err != nil {
			return fmt.Errorf("statement %q addressee %q: %w", st.Key, a, err)
		}
	}
	if err := w.clear(fresh, `DELETE FROM statement_about WHERE statement_id = ?`, id); err != nil {
		return fmt.Errorf("statement %q about: %w", st.Key, err)
	}
	for i, ev := range st.About {
		event, err := w.mustID(db.RefEvent, ev)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO statement_about (statement_id, position, event_id) VALUES (?, ?, ?)`,
			id, i, event); err != nil {
			return fmt.Errorf("statement %q about %q: %w", st.Key, ev, err)
		}
	}
	stances := make([]string, len(st.Stances))
	for i, s := range st.Stances {
		stances[i] = string(s)
	}
	if err := w.replaceStrings(`statement_stances`, `statement_id`, `stance`, id, stances, fresh); err != nil {
		return fmt.Errorf("statement %q stances: %w", st.Key, err)
	}
	if err := w.replaceSources(`statement_sources`, `statement_id`, id, st.Sources, fresh); err != nil {
		return err
	}
	w.changed(derivedStatement, id)
	return nil
}

// countryID resolves an alpha-2 code to the countries row, NULL for "".
func (w *writer) countryID(code string) (sql.NullInt64, error) {
	if code == "" {
		return sql.NullInt64{}, nil
	}
	id, err := w.mustID(db.RefCountry, code)
	if err != nil {
		return sql.NullInt64{}, err
	}
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

// clear runs a statement that deletes a row's list, unless the row is
// fresh (see replaceStrings).
func (w *writer) clear(fresh bool, query string, id int64) error {
	if fresh {
		return nil
	}
	_, err := w.exec(query, id)
	return err
}

// replaceStrings rewrites an ordered list of strings owned by one row. The
// table and column names are constants of this package, never input. A
// fresh row, inserted in this transaction, has no list to delete: its id
// is new, or was last a row whose lists were deleted with it (the list
// tables cascade), so the delete is skipped.
func (w *writer) replaceStrings(table, owner, column string, id int64, values []string, fresh bool) error {
	if !fresh {
		if _, err := w.exec(`DELETE FROM `+table+` WHERE `+owner+` = ?`, id); err != nil {
			return err
		}
	}
	for i, v := range values {
		if _, err := w.exec(`INSERT INTO `+table+` (`+owner+`, position, `+column+`) VALUES (?, ?, ?)`, id, i, v); err != nil {
			return err
		}
	}
	return nil
}

// replaceSources rewrites the ordered source list of one row; fresh is as
// for replaceStrings.
func (w *writer) replaceSources(table, owner string, id int64, keys []string, fresh bool) error {
	if !fresh {
		if _, err := w.exec(`DELETE FROM `+table+` WHERE `+owner+` = ?`, id); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	for i, k := range keys {
		src, err := w.mustID(db.RefSource, k)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO `+table+` (`+owner+`, position, source_id) VALUES (?, ?, ?)`, id, i, src); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}

// dateArgs turns an optional date into its two nullable columns: the
// instant and the precision of the span it names (intervalArg keeps an
// interval's written form).
func dateArgs(d db.Date) (at, precision sql.NullInt64) {
	if d.IsZero() {
		return sql.NullInt64{}, sql.NullInt64{}
	}
	return sql.NullInt64{Int64: d.Millis(), Valid: true}, sql.NullInt64{Int64: int64(d.SpanPrecision().Rank()), Valid: true}
}

// intervalArg is the written form of an interval, what the *_interval
// columns hold (migration 00010), and NULL for a plain date or none.
func intervalArg(d db.Date) sql.NullString {
	if !d.IsInterval() {
		return sql.NullString{}
	}
	return sql.NullString{String: d.String(), Valid: true}
}
