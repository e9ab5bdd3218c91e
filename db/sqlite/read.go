package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/suggest"
)

// The batch reads below serve the API's loaders: each takes many ids or keys
// and answers with one or two statements, whatever their number. Records come
// back without their lists except the small scalar ones (aliases, tags,
// stances), which are filled with one more statement per batch.

// queryer is what reads need of a pool or a transaction: export reads
// everything inside one transaction, to see one snapshot.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// scanDate rebuilds an optional date from its two nullable columns.
func scanDate(at, precision sql.NullInt64) db.Date {
	if !at.Valid {
		return db.Date{}
	}
	p, _ := db.PrecisionOfRank(int(precision.Int64))
	return db.DateFromMillis(at.Int64, p)
}

// scanSpan rebuilds an event's or a statement's date: an interval from its
// written form, a plain date from its two columns.
func scanSpan(at, precision sql.NullInt64, interval sql.NullString) (db.Date, error) {
	if interval.Valid {
		return db.ParseSpan(interval.String)
	}
	return scanDate(at, precision), nil
}

func stamps(created, updated int64) db.Stamps {
	return db.Stamps{CreatedAt: time.UnixMilli(created).UTC(), UpdatedAt: time.UnixMilli(updated).UTC()}
}

// inClause is "col IN (?, ?, …)" with its arguments or, for more than
// maxInlineValues values, "col IN (SELECT value FROM json_each(?))" with the
// values as one JSON array: SQLite refuses a statement of more than 32 766
// variables, and the API bounds its lists (db.MaxListLength) well below
// that, but the store must not fail on a caller that does not. Up to the
// bound the list stays inline, as the planner's tests expect.
func inClause[T any](col string, values []T) (string, []any) {
	if len(values) > maxInlineValues {
		list, err := json.Marshal(values)
		if err == nil { // values are strings and integers: it cannot fail
			return col + ` IN (SELECT value FROM json_each(?))`, []any{string(list)}
		}
	}
	return col + ` IN (` + placeholders(len(values)) + `)`, anySlice(values)
}

// maxInlineValues is the longest list inClause writes as variables.
const maxInlineValues = db.MaxListLength

// The records are read with their lists of strings (aliases, tags,
// stances) as a JSON array column each: one statement per batch of records
// instead of two.
var actorColumns = `a.id, a.key, a.name, a.kind, coalesce(c.code, ''), a.description, a.created_at, a.updated_at, ` +
	listColumn("actor_aliases", "actor_id", "alias", "a.id") + `
	FROM actors a LEFT JOIN countries c ON c.id = a.country_id`

func (s *Store) actors(ctx context.Context, q queryer, where string, args ...any) ([]*db.Actor, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+actorColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	defer rows.Close()
	var out []*db.Actor
	for rows.Next() {
		a := &db.Actor{}
		var created, updated int64
		var aliases string
		if err := rows.Scan(&a.ID, &a.Key, &a.Name, &a.Kind, &a.Country, &a.Description, &created, &updated, &aliases); err != nil {
			return nil, fmt.Errorf("read actors: %w", err)
		}
		a.Stamps = stamps(created, updated)
		if a.Aliases, err = decodeList[string](aliases); err != nil {
			return nil, fmt.Errorf("read actors: aliases of %s: %w", a.Key, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	return out, nil
}

// listColumn is a column holding, as a JSON array, the ordered list of
// strings in column of table whose owner column is the record's id.
func listColumn(table, owner, column, id string) string {
	return `(SELECT json_group_array(` + column + ` ORDER BY position) FROM ` + table + ` WHERE ` + owner + ` = ` + id + `)`
}

// decodeList decodes a listColumn; an empty list is non-nil. SQLite writes
// the array compactly, so one without a backslash holds no escaped quote
// and splits on its separators; encoding/json decodes the others.
func decodeList[T ~string](raw string) ([]T, error) {
	if raw == "[]" {
		return []T{}, nil
	}
	if inner, ok := strings.CutPrefix(raw, `["`); ok && !strings.Contains(raw, `\`) {
		if inner, ok = strings.CutSuffix(inner, `"]`); ok {
			out := make([]T, 0, strings.Count(inner, `","`)+1)
			for item := range strings.SplitSeq(inner, `","`) {
				out = append(out, T(item))
			}
			return out, nil
		}
	}
	var out []T
	return out, json.Unmarshal([]byte(raw), &out)
}

// ActorsByID returns the actors with these ids; missing ones are absent.
func (s *Store) ActorsByID(ctx context.Context, ids []int64) ([]*db.Actor, error) {
	in, args := inClause("a.id", ids)
	return s.actors(ctx, s.read, in, args...)
}

// ActorsByKey returns the actors with these keys; missing ones are absent.
func (s *Store) ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error) {
	in, args := inClause("a.key", keys)
	return s.actors(ctx, s.read, in, args...)
}

// ActorsOfKind returns every actor of one kind, by key: importers look
// among the states for the one that stands for a country.
func (s *Store) ActorsOfKind(ctx context.Context, kind db.ActorKind) ([]*db.Actor, error) {
	return s.actors(ctx, s.read, "a.kind = ? ORDER BY a.key", string(kind))
}

var eventColumns = `e.id, e.key, e.type, e.title, e.summary, e.occurred_at, e.precision, e.occurred_interval,
	e.ended_at, e.ended_precision, e.ended_interval, coalesce(c.code, ''), e.place, e.lat, e.lon, e.fatalities, e.injured,
	e.intensity, e.created_at, e.updated_at, ` +
	listColumn("event_tags", "event_id", "tag", "e.id") + `, ` + codesColumn + `, ` + estimatesColumn + `
	FROM events e LEFT JOIN countries c ON c.id = e.country_id`

func (s *Store) events(ctx context.Context, q queryer, where string, args ...any) ([]*db.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []*db.Event
	for rows.Next() {
		e := &db.Event{}
		var at, prec, created, updated int64
		var endAt, endPrec, fatalities, injured sql.NullInt64
		var occInterval, endInterval sql.NullString
		var lat, lon sql.NullFloat64
		var intensity sql.NullFloat64
		var tags string
		var codes, estimates sql.NullString
		if err := rows.Scan(&e.ID, &e.Key, &e.Type, &e.Title, &e.Summary, &at, &prec, &occInterval, &endAt, &endPrec, &endInterval,
			&e.Location.Country, &e.Location.Place, &lat, &lon, &fatalities, &injured, &intensity, &created, &updated,
			&tags, &codes, &estimates); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.Intensity = floatPtr(intensity)
		if e.Codes, err = decodeCodes(codes); err != nil {
			return nil, fmt.Errorf("read events: codes of %s: %w", e.Key, err)
		}
		if e.Estimates, err = decodeEstimates(estimates); err != nil {
			return nil, fmt.Errorf("read events: estimates of %s: %w", e.Key, err)
		}
		if e.OccurredAt, err = scanSpan(sql.NullInt64{Int64: at, Valid: true}, sql.NullInt64{Int64: prec, Valid: true}, occInterval); err != nil {
			return nil, fmt.Errorf("read events: occurredAt of %s: %w", e.Key, err)
		}
		if e.EndedAt, err = scanSpan(endAt, endPrec, endInterval); err != nil {
			return nil, fmt.Errorf("read events: endedAt of %s: %w", e.Key, err)
		}
		e.Location.Lat = floatPtr(lat)
		e.Location.Lon = floatPtr(lon)
		e.Fatalities = intPtr(fatalities)
		e.Injured = intPtr(injured)
		e.Stamps = stamps(created, updated)
		if e.Tags, err = decodeList[string](tags); err != nil {
			return nil, fmt.Errorf("read events: tags of %s: %w", e.Key, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// codesColumn and estimatesColumn hold an event's codes and estimates as
// JSON arrays, in fixture order, or NULL when it has none: read with the
// event, as its tags are, they need no loader of their own. Most events
// have neither, so each first probes its list's primary key: the ordered
// aggregate, which SQLite sets up with a sorter even for no rows, cost a
// page of 50 timeline items a third more (0.5 ms of 1.3 on graph/bench's
// 2 000 events) when it ran for every row.
const (
	codesColumn = `CASE WHEN EXISTS (SELECT 1 FROM event_codes WHERE event_id = e.id) THEN
		(SELECT json_group_array(json_array(scheme, code, label) ORDER BY position) FROM event_codes WHERE event_id = e.id) END`
	estimatesColumn = `CASE WHEN EXISTS (SELECT 1 FROM event_estimates WHERE event_id = e.id) THEN
		(SELECT json_group_array(json_object('m', x.measure, 'l', x.low, 'b', x.best, 'h', x.high,
			's', coalesce(s.key, ''), 'n', x.note) ORDER BY x.position)
		FROM event_estimates x LEFT JOIN sources s ON s.id = x.source_id WHERE x.event_id = e.id) END`
)

// decodeCodes reads codesColumn; no codes is nil.
func decodeCodes(raw sql.NullString) ([]db.EventCode, error) {
	if !raw.Valid {
		return nil, nil
	}
	var rows [][3]string
	if err := json.Unmarshal([]byte(raw.String), &rows); err != nil {
		return nil, err
	}
	out := make([]db.EventCode, len(rows))
	for i, r := range rows {
		out[i] = db.EventCode{Scheme: r[0], Code: r[1], Label: r[2]}
	}
	return out, nil
}

// decodeEstimates reads estimatesColumn; no estimates is nil.
func decodeEstimates(raw sql.NullString) ([]db.Estimate, error) {
	if !raw.Valid {
		return nil, nil
	}
	var rows []struct {
		M       db.Measure
		L, B, H *int
		S, N    string
	}
	if err := json.Unmarshal([]byte(raw.String), &rows); err != nil {
		return nil, err
	}
	out := make([]db.Estimate, len(rows))
	for i, r := range rows {
		out[i] = db.Estimate{Measure: r.M, Low: r.L, Best: r.B, High: r.H, Source: r.S, Note: r.N}
	}
	return out, nil
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

func intPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

// EventsByID returns the events with these ids; missing ones are absent.
func (s *Store) EventsByID(ctx context.Context, ids []int64) ([]*db.Event, error) {
	in, args := inClause("e.id", ids)
	return s.events(ctx, s.read, in, args...)
}

// EventsByKey returns the events with these keys; missing ones are absent.
func (s *Store) EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error) {
	in, args := inClause("e.key", keys)
	return s.events(ctx, s.read, in, args...)
}

var statementColumns = `s.id, s.key, s.kind, sp.key, coalesce(d.key, ''), s.made_at, s.precision, s.made_interval, s.text, s.summary,
	s.created_at, s.updated_at, ` + listColumn("statement_stances", "statement_id", "stance", "s.id") + `,
	(SELECT json_group_array(a.key ORDER BY c.position) FROM statement_co_speakers c JOIN actors a ON a.id = c.actor_id
		WHERE c.statement_id = s.id HAVING count(*) > 0)
	FROM statements s JOIN actors sp ON sp.id = s.speaker_id LEFT JOIN actors d ON d.id = s.delivered_by_id`

func (s *Store) statements(ctx context.Context, q queryer, where string, args ...any) ([]*db.Statement, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+statementColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read statements: %w", err)
	}
	defer rows.Close()
	var out []*db.Statement
	for rows.Next() {
		st := &db.Statement{}
		var at, prec, created, updated int64
		var stances string
		var interval, coSpeakers sql.NullString
		if err := rows.Scan(&st.ID, &st.Key, &st.Kind, &st.Speaker, &st.DeliveredBy, &at, &prec, &interval, &st.Text, &st.Summary,
			&created, &updated, &stances, &coSpeakers); err != nil {
			return nil, fmt.Errorf("read statements: %w", err)
		}
		// Co-speakers come with the statement, NULL for none (most):
		// they are keys, as the speaker is, resolved by the API's loaders.
		if coSpeakers.Valid {
			if st.CoSpeakers, err = decodeList[string](coSpeakers.String); err != nil {
				return nil, fmt.Errorf("read statements: co-speakers of %s: %w", st.Key, err)
			}
		}
		if st.MadeAt, err = scanSpan(sql.NullInt64{Int64: at, Valid: true}, sql.NullInt64{Int64: prec, Valid: true}, interval); err != nil {
			return nil, fmt.Errorf("read statements: madeAt of %s: %w", st.Key, err)
		}
		st.Stamps = stamps(created, updated)
		if st.Stances, err = decodeList[db.Stance](stances); err != nil {
			return nil, fmt.Errorf("read statements: stances of %s: %w", st.Key, err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statements: %w", err)
	}
	return out, nil
}

// StatementsByID returns the statements with these ids; missing ones are absent.
func (s *Store) StatementsByID(ctx context.Context, ids []int64) ([]*db.Statement, error) {
	in, args := inClause("s.id", ids)
	return s.statements(ctx, s.read, in, args...)
}

// StatementsByKey returns the statements with these keys; missing ones are absent.
func (s *Store) StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error) {
	in, args := inClause("s.key", keys)
	return s.statements(ctx, s.read, in, args...)
}

const sourceColumns = `s.id, s.key, s.url, s.title, s.publisher, s.author, s.published_at, s.published_precision,
	s.created_at, s.updated_at FROM sources s`

func scanSource(rows *sql.Rows) (*db.Source, error) {
	src := &db.Source{}
	var at, prec sql.NullInt64
	var created, updated int64
	if err := rows.Scan(&src.ID, &src.Key, &src.URL, &src.Title, &src.Publisher, &src.Author, &at, &prec,
		&created, &updated); err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	src.PublishedAt = scanDate(at, prec)
	src.Stamps = stamps(created, updated)
	return src, nil
}

func (s *Store) sources(ctx context.Context, q queryer, where string, args ...any) ([]*db.Source, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+sourceColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	var out []*db.Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// SourcesByID returns the sources with these ids; missing ones are absent.
func (s *Store) SourcesByID(ctx context.Context, ids []int64) ([]*db.Source, error) {
	in, args := inClause("s.id", ids)
	return s.sources(ctx, s.read, in, args...)
}

// SourcesByKey returns the sources with these keys; missing ones are absent.
func (s *Store) SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error) {
	in, args := inClause("s.key", keys)
	return s.sources(ctx, s.read, in, args...)
}

// ownerTables are the source tables of the record types with sources.
var ownerTables = map[db.SourceOwner][2]string{
	db.OwnerActor:        {"actor_sources", "actor_id"},
	db.OwnerEvent:        {"event_sources", "event_id"},
	db.OwnerStatement:    {"statement_sources", "statement_id"},
	db.OwnerRelationship: {"relationship_sources", "relationship_id"},
}

// SourcesOf returns the sources of many records of one type, in their order.
func (s *Store) SourcesOf(ctx context.Context, owner db.SourceOwner, ids []int64) (map[int64][]*db.Source, error) {
	t, ok := ownerTables[owner]
	if !ok {
		return nil, fmt.Errorf("sources of %q: unknown owner", owner)
	}
	in, args := inClause("x."+t[1], ids)
	rows, err := s.read.QueryContext(ctx, `SELECT x.`+t[1]+`, `+sourceColumns+` JOIN `+t[0]+` x ON x.source_id = s.id
		WHERE `+in+` ORDER BY x.`+t[1]+`, x.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", t[0], err)
	}
	defer rows.Close()
	out := map[int64][]*db.Source{}
	for rows.Next() {
		src := &db.Source{}
		var owner int64
		var at, prec sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&owner, &src.ID, &src.Key, &src.URL, &src.Title, &src.Publisher, &src.Author, &at, &prec,
			&created, &updated); err != nil {
			return nil, fmt.Errorf("read %s: %w", t[0], err)
		}
		src.PublishedAt = scanDate(at, prec)
		src.Stamps = stamps(created, updated)
		out[owner] = append(out[owner], src)
	}
	return out, rows.Err()
}

const countryColumns = `c.id, c.code, c.alpha3, c.name, c.region FROM countries c`

func (s *Store) countries(ctx context.Context, q queryer, where string, args ...any) ([]*db.Country, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+countryColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read countries: %w", err)
	}
	defer rows.Close()
	var out []*db.Country
	for rows.Next() {
		c := &db.Country{}
		if err := rows.Scan(&c.ID, &c.Code, &c.Alpha3, &c.Name, &c.Region); err != nil {
			return nil, fmt.Errorf("read countries: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountriesByID returns the countries with these ids; missing ones are absent.
func (s *Store) CountriesByID(ctx context.Context, ids []int64) ([]*db.Country, error) {
	in, args := inClause("c.id", ids)
	return s.countries(ctx, s.read, in, args...)
}

// CountriesByCode returns the countries with these alpha-2 codes.
func (s *Store) CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error) {
	in, args := inClause("c.code", codes)
	return s.countries(ctx, s.read, in, args...)
}

const relationshipColumns = `r.id, coalesce(r.key, ''), r.kind, sa.key, coalesce(oa.key, ''), coalesce(oc.code, ''), r.title,
	r.from_at, r.from_precision, r.to_at, r.to_precision, r.created_at, r.updated_at
	FROM relationships r JOIN actors sa ON sa.id = r.subject_id
	LEFT JOIN actors oa ON oa.id = r.object_actor_id LEFT JOIN countries oc ON oc.id = r.object_country_id`

func (s *Store) relationships(ctx context.Context, q queryer, where string, args ...any) ([]*db.Relationship, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+relationshipColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read relationships: %w", err)
	}
	defer rows.Close()
	var out []*db.Relationship
	for rows.Next() {
		r := &db.Relationship{}
		var fromAt, fromPrec, toAt, toPrec sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Key, &r.Kind, &r.Subject, &r.Object.Actor, &r.Object.Country, &r.Title,
			&fromAt, &fromPrec, &toAt, &toPrec, &created, &updated); err != nil {
			return nil, fmt.Errorf("read relationships: %w", err)
		}
		r.From = scanDate(fromAt, fromPrec)
		r.To = scanDate(toAt, toPrec)
		r.Stamps = stamps(created, updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RelationshipsByID returns the relationships with these ids.
func (s *Store) RelationshipsByID(ctx context.Context, ids []int64) ([]*db.Relationship, error) {
	in, args := inClause("r.id", ids)
	return s.relationships(ctx, s.read, in, args...)
}

// RelationshipsOf returns, for each of the actors, the relationships in
// which it is subject or object, of the given kinds (all when empty), that
// held at the instant at (all when nil), ordered by start (open starts
// first), kind and id. Two statements serve any number of actors. When a
// tie holds is db.HeldAt's.
func (s *Store) RelationshipsOf(ctx context.Context, actorIDs []int64, kinds []db.RelationshipKind, at *time.Time) (map[int64][]*db.Relationship, error) {
	out := map[int64][]*db.Relationship{}
	if len(actorIDs) == 0 {
		return out, nil
	}
	subj, args := inClause("r.subject_id", actorIDs)
	obj, objArgs := inClause("r.object_actor_id", actorIDs)
	where := `(` + subj + ` OR ` + obj + `)`
	args = append(args, objArgs...)
	if len(kinds) > 0 {
		in, kargs := inClause("r.kind", kinds)
		where += ` AND ` + in
		args = append(args, kargs...)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.subject_id, coalesce(r.object_actor_id, 0) FROM relationships r
		WHERE `+where+` ORDER BY r.from_at IS NOT NULL, r.from_at, r.kind, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("relationships of actors: %w", err)
	}
	var ties []db.Tie
	for rows.Next() {
		var t db.Tie
		if err := rows.Scan(&t.ID, &t.Subject, &t.Object); err != nil {
			rows.Close()
			return nil, fmt.Errorf("relationships of actors: %w", err)
		}
		ties = append(ties, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ties) == 0 {
		return out, err
	}
	rels, err := s.RelationshipsByID(ctx, db.TieIDs(ties))
	if err != nil {
		return nil, err
	}
	db.GroupTies(out, actorIDs, ties, rels, at)
	return out, nil
}

// Participants returns the participants of many events, in fixture order.
func (s *Store) Participants(ctx context.Context, eventIDs []int64) (map[int64][]db.Participant, error) {
	in, args := inClause("p.event_id", eventIDs)
	return participants(ctx, s.read, `SELECT p.event_id, a.key, p.role, p.mention FROM event_participants p
		JOIN actors a ON a.id = p.actor_id WHERE `+in+` ORDER BY p.event_id, p.position`, args)
}

func participants(ctx context.Context, q queryer, query string, args []any) (map[int64][]db.Participant, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read participants: %w", err)
	}
	defer rows.Close()
	out := map[int64][]db.Participant{}
	for rows.Next() {
		var id int64
		var p db.Participant
		if err := rows.Scan(&id, &p.Actor, &p.Role, &p.As); err != nil {
			return nil, fmt.Errorf("read participants: %w", err)
		}
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}

// Links returns the outgoing links of many events (this event is the
// subject), in fixture order.
func (s *Store) Links(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error) {
	in, args := inClause("l.event_id", eventIDs)
	return s.links(ctx, s.read, `SELECT l.event_id, l.kind, t.key FROM event_links l JOIN events t ON t.id = l.target_id
		WHERE `+in+` ORDER BY l.event_id, l.position`, args)
}

// LinkedFrom returns the incoming links of many events: for each, the links
// other events hold to it, Link.Event naming the subject, ordered by the
// subject's time and key.
func (s *Store) LinkedFrom(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error) {
	in, args := inClause("l.target_id", eventIDs)
	return s.links(ctx, s.read, `SELECT l.target_id, l.kind, e.key FROM event_links l JOIN events e ON e.id = l.event_id
		WHERE `+in+` ORDER BY l.target_id, e.occurred_at, e.precision, e.key, l.kind`, args)
}

func (s *Store) links(ctx context.Context, q queryer, query string, args []any) (map[int64][]db.Link, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	defer rows.Close()
	out := map[int64][]db.Link{}
	for rows.Next() {
		var id int64
		var l db.Link
		if err := rows.Scan(&id, &l.Kind, &l.Event); err != nil {
			return nil, fmt.Errorf("read links: %w", err)
		}
		out[id] = append(out[id], l)
	}
	return out, rows.Err()
}

// Addressees returns the addressees (actor keys) of many statements.
func (s *Store) Addressees(ctx context.Context, statementIDs []int64) (map[int64][]string, error) {
	in, args := inClause("d.statement_id", statementIDs)
	return keyLists(ctx, s.read, `SELECT d.statement_id, a.key FROM statement_addressees d JOIN actors a ON a.id = d.actor_id
		WHERE `+in+` ORDER BY d.statement_id, d.position`, args)
}

// About returns the events (keys) many statements speak of.
func (s *Store) About(ctx context.Context, statementIDs []int64) (map[int64][]string, error) {
	in, args := inClause("x.statement_id", statementIDs)
	return keyLists(ctx, s.read, `SELECT x.statement_id, e.key FROM statement_about x JOIN events e ON e.id = x.event_id
		WHERE `+in+` ORDER BY x.statement_id, x.position`, args)
}

// StatementsAbout returns, for many events, the keys of the statements that
// speak of each, in timeline order.
func (s *Store) StatementsAbout(ctx context.Context, eventIDs []int64) (map[int64][]string, error) {
	in, args := inClause("x.event_id", eventIDs)
	return keyLists(ctx, s.read, `SELECT x.event_id, s.key FROM statement_about x JOIN statements s ON s.id = x.statement_id
		WHERE `+in+` ORDER BY x.event_id, s.made_at, s.precision, s.key`, args)
}

func keyLists(ctx context.Context, q queryer, query string, args []any) (map[int64][]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read lists: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, fmt.Errorf("read lists: %w", err)
		}
		out[id] = append(out[id], key)
	}
	return out, rows.Err()
}

// RelationshipByIdentity returns the relationship with this identity (see
// db.Relationship.Identity), or nil.
func (s *Store) RelationshipByIdentity(ctx context.Context, identity string) (*db.Relationship, error) {
	rels, err := s.relationships(ctx, s.read, `r.identity = ?`, identity)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	return rels[0], nil
}

// UnknownRefs reports the references that no stored record satisfies, one
// problem each, in the order given, ending with the stored values nearest
// to the first of them ("did you mean"). It reads only: a loader uses it to
// report unknown references together with a fixture's other problems.
//
// defined, which may be nil, gives the keys the run's own files define of
// a kind: candidates for the suggestions too.
func (s *Store) UnknownRefs(ctx context.Context, refs []db.Ref, defined func(db.RefKind) []string) (db.Problems, error) {
	var probs db.Problems
	var missing []db.Ref
	for _, r := range refs {
		q, ok := refTables[r.Kind]
		if !ok {
			return nil, fmt.Errorf("unknown reference kind %q", r.Kind)
		}
		var id int64
		err := s.read.QueryRowContext(ctx, q, r.Key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			probs = append(probs, db.UnknownRef(r))
			missing = append(missing, r)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("look up %s %q: %w", r.Kind, r.Key, err)
		}
	}
	if err := addHints(ctx, s.read, defined, probs, missing); err != nil {
		return nil, err
	}
	return probs, nil
}

// maxHintedRefs is how many unknown references of one run get suggestions:
// a fixture that misspells one key usually does it once, and one that
// references a thousand missing records needs no thousand guesses.
const maxHintedRefs = 20

// addHints ends the problems of unknown references refs (probs[i] is
// refs[i]'s) with the stored values nearest to each, for the first
// maxHintedRefs of them, from the records q reads and the keys defined
// gives (either may be nil).
func addHints(ctx context.Context, q querier, defined func(db.RefKind) []string, probs db.Problems, refs []db.Ref) error {
	byKind := map[db.RefKind][]int{}
	for i, r := range refs[:min(len(refs), maxHintedRefs)] {
		byKind[r.Kind] = append(byKind[r.Kind], i)
	}
	for kind, idx := range byKind {
		keys := make([]string, len(idx))
		for j, i := range idx {
			keys[j] = refs[i].Key
		}
		var extra []suggest.Candidate
		if defined != nil {
			for _, k := range defined(kind) {
				extra = append(extra, suggest.Candidate{Value: k, Texts: []string{k}})
			}
		}
		ends, err := hints(ctx, q, kind, keys, extra)
		if err != nil {
			return err
		}
		for j, i := range idx {
			probs[i].What += ends[j]
		}
	}
	return nil
}
