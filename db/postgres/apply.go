package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// Apply writes every record of b in one transaction: each is inserted, or
// replaced (its lists included) when its content differs from the stored
// one, or left untouched, updatedAt included, when it is the same. refs are
// the references b does not satisfy itself; each must name a stored record.
//
// On any problem nothing is written. Unknown references are returned all
// together as db.Problems (code BAD_USER_INPUT).
//
// Each record is one upsert statement (INSERT ... ON CONFLICT DO UPDATE
// ... WHERE the hash differs ... RETURNING), never a read then a write, so
// that writers in other processes loading the same keys meet at the row
// lock instead of both inserting; a collision PostgreSQL resolves by
// aborting one transaction (a deadlock) runs the whole batch again.
func (s *Store) Apply(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, error) {
	return s.ApplyRun(ctx, nil, b, refs)
}

// writer carries one write transaction: the ids of records resolved so far
// and what the change log must name. A retried transaction gets a new one.
type writer struct {
	ctx context.Context
	tx  pgx.Tx
	now int64
	ids map[db.RefKind]map[string]int64
	sum db.Summary
	// dirty holds the records whose derived rows flushDerived rebuilds
	// (derived.go), and movedActors the actors whose country changed: the
	// timeline rows of their events and statements carry that country.
	dirty       map[recordType]map[int64]bool
	movedActors []int64
	retention   time.Duration // the changes feed's (Options.ChangeRetention)
	queued      *pgx.Batch    // list statements not sent yet (sendQueued)
	// reservedIDs holds the ids reserveIDs set aside, by kind and key.
	reservedIDs map[db.RefKind]map[string]int64
	// dry, in a dry run, collects the records the write would update.
	dry *db.Updates
	// bulk is set when the write takes the bulk path (bulk.go).
	bulk *bulkLoad
}

const (
	kindEvent     = 0
	kindStatement = 1
)

// upsert outcomes.
const (
	unchanged = iota
	inserted
	updated
)

// apply writes b's records kind by kind, each kind in key order: writers
// whose batches share records then lock those rows in the same order, and
// queue rather than deadlock.
func (w *writer) apply(b *db.Batch, refs []db.Ref) error {
	if err := w.checkRefs(refs); err != nil {
		return err
	}
	for _, c := range sortedBy(b.Countries, func(c *db.Country) string { return c.Code }) {
		if err := w.country(c); err != nil {
			return err
		}
	}
	if err := w.reserveIDs(b); err != nil {
		return err
	}
	for _, src := range sortedBy(b.Sources, func(s *db.Source) string { return s.Key }) {
		if err := w.source(src); err != nil {
			return err
		}
	}
	for _, a := range sortedBy(b.Actors, func(a *db.Actor) string { return a.Key }) {
		if err := w.actor(a); err != nil {
			return err
		}
	}
	for _, r := range sortedBy(b.Relationships, (*db.Relationship).Identity) {
		if err := w.relationship(r); err != nil {
			return err
		}
	}
	// Every event row before any event's lists: a link may name an event
	// later in the batch.
	type written struct {
		e     *db.Event
		id    int64
		fresh bool
	}
	var lists []written
	for _, e := range sortedBy(b.Events, func(e *db.Event) string { return e.Key }) {
		id, state, err := w.eventRow(e)
		if err != nil {
			return err
		}
		if state != unchanged {
			lists = append(lists, written{e, id, state == inserted})
		}
	}
	for _, l := range lists {
		if err := w.eventLists(l.e, l.id, l.fresh); err != nil {
			return err
		}
	}
	for _, st := range sortedBy(b.Statements, func(st *db.Statement) string { return st.Key }) {
		if err := w.statement(st); err != nil {
			return err
		}
	}
	if err := w.sendQueued(); err != nil {
		return err
	}
	if err := w.flushDerived(); err != nil {
		return err
	}
	if err := w.orderFeed(b); err != nil {
		return err
	}
	if err := w.logChanges(); err != nil {
		return err
	}
	if err := w.trimChanges(); err != nil {
		return err
	}
	return w.trimFeed(w.retention)
}

// reserveIDs sets aside, for each kind of b's records, as many ids of
// its table's identity as b has records of the kind, in ascending order,
// and gives them to the records in b's order: apply writes records in key
// order, and a record it inserts takes its reserved id, so that ids follow
// b's order as SQLite's do (what orders a cascade's rewrites, and so
// their changes in the feed, see delete.go). A record that is already
// stored keeps its id, and its reserved one goes unused, as the
// identity's next value an upsert that updates draws does anyway.
func (w *writer) reserveIDs(b *db.Batch) error {
	w.reservedIDs = map[db.RefKind]map[string]int64{}
	for _, k := range []struct {
		kind  db.RefKind
		table string
		keys  func() []string
	}{
		{db.RefSource, "sources", func() []string { return keysOf(b.Sources, func(s *db.Source) string { return s.Key }) }},
		{db.RefActor, "actors", func() []string { return keysOf(b.Actors, func(a *db.Actor) string { return a.Key }) }},
		{db.RefRelationship, "relationships", func() []string { return keysOf(b.Relationships, (*db.Relationship).Identity) }},
		{db.RefEvent, "events", func() []string { return keysOf(b.Events, func(e *db.Event) string { return e.Key }) }},
		{db.RefStatement, "statements", func() []string { return keysOf(b.Statements, func(st *db.Statement) string { return st.Key }) }},
	} {
		keys := k.keys()
		if len(keys) == 0 {
			continue
		}
		rows, err := w.tx.Query(w.ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2) ORDER BY 1`,
			k.table, len(keys))
		if err != nil {
			return fmt.Errorf("reserve %s ids: %w", k.kind, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("reserve %s ids: %w", k.kind, err)
		}
		m := make(map[string]int64, len(keys))
		for i, key := range keys {
			if _, dup := m[key]; !dup {
				m[key] = ids[i]
			}
		}
		w.reservedIDs[k.kind] = m
	}
	return nil
}

// reserved is the id reserveIDs set aside for a record, or nil (the
// identity's next) for a record written outside a batch.
func (w *writer) reserved(kind db.RefKind, key string) *int64 {
	if id, ok := w.reservedIDs[kind][key]; ok {
		return &id
	}
	return nil
}

func keysOf[T any](xs []T, key func(*T) string) []string {
	out := make([]string, len(xs))
	for i := range xs {
		out[i] = key(&xs[i])
	}
	return out
}

// sortedBy is xs by key, as pointers into xs.
func sortedBy[T any](xs []T, key func(*T) string) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	slices.SortStableFunc(out, func(a, b *T) int { return strings.Compare(key(a), key(b)) })
	return out
}

var refTables = map[db.RefKind]string{
	db.RefActor:     `SELECT id FROM actors WHERE key = $1`,
	db.RefEvent:     `SELECT id FROM events WHERE key = $1`,
	db.RefStatement: `SELECT id FROM statements WHERE key = $1`,
	db.RefSource:    `SELECT id FROM sources WHERE key = $1`,
	db.RefCountry:   `SELECT id FROM countries WHERE code = $1`,
}

// id resolves a key (or a country code) to its row id, 0 when there is none.
func (w *writer) id(kind db.RefKind, key string) (int64, error) {
	if key == "" {
		return 0, nil
	}
	if w.bulk != nil && kind != db.RefCountry {
		id, given, err := w.bulkID(kind, key)
		if err != nil || given {
			return id, err
		}
		if !w.bulk.stored {
			// The tables held none: what the write has not given is not there.
			return 0, nil
		}
		// A stored record's key: none of the run's is stored.
	}
	m := w.ids[kind]
	if m == nil {
		m = map[string]int64{}
		w.ids[kind] = m
	}
	if id, ok := m[key]; ok {
		return id, nil
	}
	query, ok := refTables[kind]
	if !ok {
		return 0, fmt.Errorf("look up %s %q: not a kind of record with a key", kind, key)
	}
	var id int64
	err := w.tx.QueryRow(w.ctx, query, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
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

// optionalID is the id of an optional reference: nil (NULL) for "".
func (w *writer) optionalID(kind db.RefKind, key string) (*int64, error) {
	if key == "" {
		return nil, nil
	}
	id, err := w.mustID(kind, key)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func (w *writer) remember(kind db.RefKind, key string, id int64) {
	if w.ids[kind] == nil {
		w.ids[kind] = map[string]int64{}
	}
	w.ids[kind][key] = id
}

// checkRefs reports every reference to nothing at once, with hints.
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
	if err := addHints(w.ctx, w.tx, probs, missing); err != nil {
		return err
	}
	return probs.Err()
}

// upsertSQL is the one statement that writes a record keyed by conflict:
// it inserts, or updates every column but the key and created_at when the
// stored content_hash differs, and returns the row's id and whether it
// inserted it (xmax is 0 on a row version no transaction has updated or
// locked). An unchanged record returns no row.
func upsertSQL(table, conflict string, cols []string) string {
	var set []string
	for _, c := range cols {
		if c != conflict && c != "created_at" {
			set = append(set, c+" = excluded."+c)
		}
	}
	params := make([]string, len(cols))
	for i := range cols {
		params[i] = fmt.Sprintf("$%d", i+1)
	}
	// The id is the last parameter: the one reserve set aside for the
	// record, or NULL for the identity's next.
	params = append(params, fmt.Sprintf("coalesce($%d::bigint, nextval(pg_get_serial_sequence('%s', 'id')))", len(cols)+1, table))
	return `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `, id) VALUES (` + strings.Join(params, ", ") + `)
		ON CONFLICT (` + conflict + `) DO UPDATE SET ` + strings.Join(set, ", ") + `
		WHERE ` + table + `.content_hash <> excluded.content_hash
		RETURNING id, xmax = 0`
}

// upsert runs an upsertSQL statement and counts its outcome; for an
// unchanged record it looks the id up by lookup.
func (w *writer) upsert(query, lookup string, key any, args ...any) (int64, int, error) {
	var id int64
	var fresh bool
	err := w.tx.QueryRow(w.ctx, query, args...).Scan(&id, &fresh)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if err := w.tx.QueryRow(w.ctx, lookup, key).Scan(&id); err != nil {
			return 0, 0, err
		}
		w.sum.Unchanged++
		return id, unchanged, nil
	case err != nil:
		return 0, 0, err
	case fresh:
		w.sum.Inserted++
		return id, inserted, nil
	default:
		w.sum.Updated++
		return id, updated, nil
	}
}

func (w *writer) country(c *db.Country) error {
	// A built-in country a fixture names is an update: it becomes the
	// fixture's, which export writes.
	var fresh bool
	err := w.tx.QueryRow(w.ctx, `INSERT INTO countries (code, alpha3, name, region, from_fixture) VALUES ($1, $2, $3, $4, true)
		ON CONFLICT (code) DO UPDATE SET alpha3 = excluded.alpha3, name = excluded.name, region = excluded.region,
			from_fixture = true
		WHERE NOT countries.from_fixture OR countries.alpha3 <> excluded.alpha3 OR countries.name <> excluded.name
			OR countries.region <> excluded.region
		RETURNING xmax = 0`, c.Code, c.Alpha3, c.Name, c.Region).Scan(&fresh)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		w.sum.Unchanged++
	case err != nil:
		return fmt.Errorf("write country %s: %w", c.Code, err)
	case fresh:
		w.sum.Inserted++
	default:
		w.sum.Updated++
		w.dry.Note(c)
	}
	return nil
}

var sourceCols = []string{"key", "url", "title", "publisher", "author", "published_at", "published_precision",
	"content_hash", "created_at", "updated_at"}

var upsertSource = upsertSQL("sources", "key", sourceCols)

func (w *writer) source(src *db.Source) error {
	h, err := db.SourceHash(src)
	if err != nil {
		return err
	}
	id, state, err := w.upsert(upsertSource, refTables[db.RefSource], src.Key,
		append(sourceArgs(src, h, w.now), w.reserved(db.RefSource, src.Key))...)
	if err != nil {
		return fmt.Errorf("write source %q: %w", src.Key, err)
	}
	w.remember(db.RefSource, src.Key, id)
	if state == updated {
		w.dry.Note(src)
	}
	return nil
}

var actorCols = []string{"key", "name", "kind", "country_id", "description", "content_hash", "created_at", "updated_at"}

var upsertActor = upsertSQL("actors", "key", actorCols)

func (w *writer) actor(a *db.Actor) error {
	h, err := db.ActorHash(a)
	if err != nil {
		return err
	}
	countryID, err := w.optionalID(db.RefCountry, a.Country)
	if err != nil {
		return err
	}
	// The stored country, locked: a concurrent writer's move cannot slip
	// between this read and the upsert, so a move is always seen by the
	// write that makes it.
	var oldCountry *int64
	err = w.tx.QueryRow(w.ctx, `SELECT country_id FROM actors WHERE key = $1 FOR UPDATE`, a.Key).Scan(&oldCountry)
	stored := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("look up actor %q: %w", a.Key, err)
	}
	id, state, err := w.upsert(upsertActor, refTables[db.RefActor], a.Key,
		append(actorArgs(a, countryID, h, w.now), w.reserved(db.RefActor, a.Key))...)
	if err != nil {
		return fmt.Errorf("write actor %q: %w", a.Key, err)
	}
	w.remember(db.RefActor, a.Key, id)
	if state == unchanged {
		return nil
	}
	if state == updated {
		w.dry.Note(a)
	}
	if stored && !equalIDs(oldCountry, countryID) {
		w.movedActors = append(w.movedActors, id)
	}
	w.markChanged(derivedActor, id)
	fresh := state == inserted
	if err := w.replaceStrings(`actor_aliases`, `actor_id`, `alias`, id, a.Aliases, fresh); err != nil {
		return fmt.Errorf("actor %q aliases: %w", a.Key, err)
	}
	if err := w.replaceSources(`actor_sources`, `actor_id`, id, a.Sources, fresh); err != nil {
		return fmt.Errorf("actor %q: %w", a.Key, err)
	}
	return nil
}

var relationshipCols = []string{"key", "identity", "kind", "subject_id", "object_actor_id", "object_country_id", "title",
	"from_at", "from_precision", "to_at", "to_precision", "content_hash", "created_at", "updated_at"}

var upsertRelationship = upsertSQL("relationships", "identity", relationshipCols)

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
	var objActor, objCountry *int64
	if r.Object.Country != "" {
		if objCountry, err = w.optionalID(db.RefCountry, r.Object.Country); err != nil {
			return err
		}
	} else if objActor, err = w.optionalID(db.RefActor, r.Object.Actor); err != nil {
		return err
	}
	id, state, err := w.upsert(upsertRelationship, `SELECT id FROM relationships WHERE identity = $1`, identity,
		append(relationshipArgs(r, identity, subject, objActor, objCountry, h, w.now), w.reserved(db.RefRelationship, identity))...)
	if err != nil {
		return fmt.Errorf("write relationship %s: %w", identity, err)
	}
	if state == unchanged {
		return nil
	}
	if state == updated {
		w.dry.Note(r)
	}
	if err := w.replaceSources(`relationship_sources`, `relationship_id`, id, r.Sources, state == inserted); err != nil {
		return fmt.Errorf("relationship %s: %w", identity, err)
	}
	w.markChanged(derivedRelationship, id)
	return nil
}

var eventCols = []string{"key", "type", "title", "summary", "occurred_at", "precision", "occurred_interval",
	"ended_at", "ended_precision", "ended_interval", "span_end", "country_id", "place", "lat", "lon",
	"fatalities", "injured", "intensity", "fatalities_low", "fatalities_high", "content_hash", "created_at", "updated_at"}

var upsertEvent = upsertSQL("events", "key", eventCols)

// eventRow upserts an event's own columns; its lists are eventLists',
// which also marks the event's derived rows for rebuilding: they are built
// from the lists too.
func (w *writer) eventRow(e *db.Event) (int64, int, error) {
	h, err := db.EventHash(e)
	if err != nil {
		return 0, 0, err
	}
	countryID, err := w.optionalID(db.RefCountry, e.Location.Country)
	if err != nil {
		return 0, 0, err
	}
	id, state, err := w.upsert(upsertEvent, refTables[db.RefEvent], e.Key,
		append(eventArgs(e, countryID, h, w.now), w.reserved(db.RefEvent, e.Key))...)
	if err != nil {
		return 0, 0, fmt.Errorf("write event %q: %w", e.Key, err)
	}
	w.remember(db.RefEvent, e.Key, id)
	if state == updated {
		w.dry.Note(e)
	}
	return id, state, nil
}

// eventLists rewrites the lists of event id, which eventRow wrote in this
// transaction; fresh is as for replaceStrings.
func (w *writer) eventLists(e *db.Event, id int64, fresh bool) error {
	w.markChanged(derivedEvent, id)
	actors := make([]int64, len(e.Participants))
	roles := make([]string, len(e.Participants))
	mentions := make([]string, len(e.Participants))
	for i, p := range e.Participants {
		a, err := w.mustID(db.RefActor, p.Actor)
		if err != nil {
			return err
		}
		actors[i], roles[i], mentions[i] = a, string(p.Role), p.As
	}
	if err := w.clear(fresh, `DELETE FROM event_participants WHERE event_id = $1`, id); err != nil {
		return fmt.Errorf("event %q participants: %w", e.Key, err)
	}
	if err := w.insertList(len(actors), `INSERT INTO event_participants (event_id, actor_id, role, position, mention)
		SELECT $1, a, r, o - 1, m FROM unnest($2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS u (a, r, m, o)`,
		id, actors, roles, mentions); err != nil {
		return fmt.Errorf("event %q participants: %w", e.Key, err)
	}

	schemes := make([]string, len(e.Codes))
	codes := make([]string, len(e.Codes))
	labels := make([]string, len(e.Codes))
	for i, c := range e.Codes {
		schemes[i], codes[i], labels[i] = c.Scheme, c.Code, c.Label
	}
	if err := w.clear(fresh, `DELETE FROM event_codes WHERE event_id = $1`, id); err != nil {
		return fmt.Errorf("event %q codes: %w", e.Key, err)
	}
	if err := w.insertList(len(codes), `INSERT INTO event_codes (event_id, position, scheme, code, label)
		SELECT $1, o - 1, s, c, l FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u (s, c, l, o)`,
		id, schemes, codes, labels); err != nil {
		return fmt.Errorf("event %q codes: %w", e.Key, err)
	}

	n := len(e.Estimates)
	measures, notes := make([]string, n), make([]string, n)
	lows, bests, highs, sources := make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]*int64, n)
	for i, est := range e.Estimates {
		src, err := w.optionalID(db.RefSource, est.Source)
		if err != nil {
			return err
		}
		measures[i], notes[i], sources[i] = string(est.Measure), est.Note, src
		lows[i], bests[i], highs[i] = int64Ptr(est.Low), int64Ptr(est.Best), int64Ptr(est.High)
	}
	if err := w.clear(fresh, `DELETE FROM event_estimates WHERE event_id = $1`, id); err != nil {
		return fmt.Errorf("event %q estimates: %w", e.Key, err)
	}
	if err := w.insertList(n, `INSERT INTO event_estimates (event_id, position, measure, low, best, high, source_id, note)
		SELECT $1, o - 1, m, l, b, h, s, n
		FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[]) WITH ORDINALITY AS u (m, l, b, h, s, n, o)`,
		id, measures, lows, bests, highs, sources, notes); err != nil {
		return fmt.Errorf("event %q estimates: %w", e.Key, err)
	}

	kinds := make([]string, len(e.Links))
	targets := make([]int64, len(e.Links))
	for i, l := range e.Links {
		t, err := w.mustID(db.RefEvent, l.Event)
		if err != nil {
			return err
		}
		kinds[i], targets[i] = string(l.Kind), t
	}
	if err := w.clear(fresh, `DELETE FROM event_links WHERE event_id = $1`, id); err != nil {
		return fmt.Errorf("event %q links: %w", e.Key, err)
	}
	if err := w.insertList(len(targets), `INSERT INTO event_links (event_id, position, kind, target_id)
		SELECT $1, o - 1, k, t FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS u (k, t, o)`,
		id, kinds, targets); err != nil {
		return fmt.Errorf("event %q links: %w", e.Key, err)
	}

	if err := w.replaceStrings(`event_tags`, `event_id`, `tag`, id, e.Tags, fresh); err != nil {
		return fmt.Errorf("event %q tags: %w", e.Key, err)
	}
	if err := w.replaceSources(`event_sources`, `event_id`, id, e.Sources, fresh); err != nil {
		return fmt.Errorf("event %q: %w", e.Key, err)
	}
	return nil
}

var statementCols = []string{"key", "kind", "speaker_id", "delivered_by_id", "made_at", "precision", "made_interval",
	"span_end", "text", "summary", "content_hash", "created_at", "updated_at"}

var upsertStatement = upsertSQL("statements", "key", statementCols)

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
	id, state, err := w.upsert(upsertStatement, refTables[db.RefStatement], st.Key,
		append(statementArgs(st, speaker, deliveredBy, h, w.now), w.reserved(db.RefStatement, st.Key))...)
	if err != nil {
		return fmt.Errorf("write statement %q: %w", st.Key, err)
	}
	w.remember(db.RefStatement, st.Key, id)
	if state == unchanged {
		return nil
	}
	if state == updated {
		w.dry.Note(st)
	}
	w.markChanged(derivedStatement, id)
	fresh := state == inserted
	for _, l := range []struct {
		table, what string
		keys        []string
	}{
		{"statement_co_speakers", "co-speakers", st.CoSpeakers},
		{"statement_addressees", "addressees", st.Addressees},
	} {
		ids, err := w.mustIDs(db.RefActor, l.keys)
		if err != nil {
			return err
		}
		if err := w.replaceIDs(l.table, "statement_id", "actor_id", id, ids, fresh); err != nil {
			return fmt.Errorf("statement %q %s: %w", st.Key, l.what, err)
		}
	}
	about, err := w.mustIDs(db.RefEvent, st.About)
	if err != nil {
		return err
	}
	if err := w.replaceIDs("statement_about", "statement_id", "event_id", id, about, fresh); err != nil {
		return fmt.Errorf("statement %q about: %w", st.Key, err)
	}
	stances := make([]string, len(st.Stances))
	for i, s := range st.Stances {
		stances[i] = string(s)
	}
	if err := w.replaceStrings(`statement_stances`, `statement_id`, `stance`, id, stances, fresh); err != nil {
		return fmt.Errorf("statement %q stances: %w", st.Key, err)
	}
	if err := w.replaceSources(`statement_sources`, `statement_id`, id, st.Sources, fresh); err != nil {
		return fmt.Errorf("statement %q: %w", st.Key, err)
	}
	return nil
}

// logChanges writes the change log's rows for the events and statements
// whose timeline rows were rebuilt (written, or naming an actor that
// moved), by id, as the SQLite store does; their seq comes at commit
// (migration 00005).
func (w *writer) logChanges() error {
	for _, t := range []recordType{derivedEvent, derivedStatement, derivedEventTimeline, derivedStatementTimeline} {
		if len(w.dirty[t]) == 0 {
			continue
		}
		ids := make([]int64, 0, len(w.dirty[t]))
		for id := range w.dirty[t] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		kind := kindEvent
		if t == derivedStatement || t == derivedStatementTimeline {
			kind = kindStatement
		}
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO changes (kind, item_id)
			SELECT $1, id FROM unnest($2::bigint[]) AS u (id) ORDER BY id`, kind, ids); err != nil {
			return fmt.Errorf("change log: %w", err)
		}
	}
	return nil
}

// changeLogKeep is how many of the newest change-log rows survive a
// write, as in the SQLite store: subscribers read the log a few times a
// second and each holds a bounded buffer.
const changeLogKeep = 10000

// trimChanges drops all but the newest changeLogKeep committed rows. The
// numbers are shared with the changes feed, so the bound is found by
// position, not by subtracting from the newest seq.
func (w *writer) trimChanges() error {
	if _, err := w.tx.Exec(w.ctx, `DELETE FROM changes WHERE seq < (SELECT seq FROM changes
		WHERE seq IS NOT NULL ORDER BY seq DESC OFFSET $1 LIMIT 1)`, changeLogKeep-1); err != nil {
		return fmt.Errorf("trim change log: %w", err)
	}
	return nil
}

func equalIDs(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func (w *writer) mustIDs(kind db.RefKind, keys []string) ([]int64, error) {
	ids := make([]int64, len(keys))
	for i, k := range keys {
		id, err := w.mustID(kind, k)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// The statements that rewrite lists return nothing the write needs and
// depend only on row ids already known, so they are queued and sent
// together (pgx's pipelined batch): one round trip for many statements
// instead of one each, which bounds a load on a server across a network.
// Whatever reads the lists (the derived rows) sends the queue first.

// maxQueued is how many list statements wait before they are sent.
const maxQueued = 512

// queue adds a statement to the queue, sending it once it is full.
func (w *writer) queue(query string, args ...any) error {
	if w.queued == nil {
		w.queued = &pgx.Batch{}
	}
	w.queued.Queue(query, args...)
	if w.queued.Len() >= maxQueued {
		return w.sendQueued()
	}
	return nil
}

// sendQueued runs the queued statements, in order, and reports the first
// that failed.
func (w *writer) sendQueued() error {
	if w.queued == nil || w.queued.Len() == 0 {
		return nil
	}
	b := w.queued
	w.queued = nil
	if err := w.tx.SendBatch(w.ctx, b).Close(); err != nil {
		return fmt.Errorf("write lists: %w", err)
	}
	return nil
}

// clear queues a statement that deletes a row's list, unless the row is
// fresh (see replaceStrings).
func (w *writer) clear(fresh bool, query string, id int64) error {
	if fresh {
		return nil
	}
	return w.queue(query, id)
}

// insertList queues a list's INSERT ... SELECT FROM unnest(...), one
// statement per list whatever its length, unless the list is empty.
func (w *writer) insertList(n int, query string, args ...any) error {
	if n == 0 {
		return nil
	}
	return w.queue(query, args...)
}

// replaceStrings rewrites an ordered list of strings owned by one row. The
// table and column names are constants of this package, never input. A
// fresh row, inserted in this transaction, has no list to delete (an id is
// never reused), so the delete is skipped.
func (w *writer) replaceStrings(table, owner, column string, id int64, values []string, fresh bool) error {
	if err := w.clear(fresh, `DELETE FROM `+table+` WHERE `+owner+` = $1`, id); err != nil {
		return err
	}
	return w.insertList(len(values), `INSERT INTO `+table+` (`+owner+`, position, `+column+`)
		SELECT $1, o - 1, v FROM unnest($2::text[]) WITH ORDINALITY AS u (v, o)`, id, values)
}

// replaceIDs is replaceStrings for a list of row ids.
func (w *writer) replaceIDs(table, owner, column string, id int64, values []int64, fresh bool) error {
	if err := w.clear(fresh, `DELETE FROM `+table+` WHERE `+owner+` = $1`, id); err != nil {
		return err
	}
	return w.insertList(len(values), `INSERT INTO `+table+` (`+owner+`, position, `+column+`)
		SELECT $1, o - 1, v FROM unnest($2::bigint[]) WITH ORDINALITY AS u (v, o)`, id, values)
}

// replaceSources rewrites the ordered source list of one row.
func (w *writer) replaceSources(table, owner string, id int64, keys []string, fresh bool) error {
	ids, err := w.mustIDs(db.RefSource, keys)
	if err != nil {
		return err
	}
	if err := w.replaceIDs(table, owner, "source_id", id, ids, fresh); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// dateArgs turns an optional date into its two nullable columns: the
// instant and the rank of the span's precision.
func dateArgs(d db.Date) (at *int64, precision *int) {
	if d.IsZero() {
		return nil, nil
	}
	ms, rank := d.Millis(), d.SpanPrecision().Rank()
	return &ms, &rank
}

// intervalArg is the written form of an interval, what the *_interval
// columns hold (migration 00010), and NULL for a plain date or none.
func intervalArg(d db.Date) *string {
	if !d.IsInterval() {
		return nil
	}
	s := d.String()
	return &s
}

func int64Ptr(v *int) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}
