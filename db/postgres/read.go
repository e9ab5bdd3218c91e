package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The batch reads serve the API's loaders, as the SQLite store's do: each
// takes many keys in one array parameter (= ANY($1), never a statement
// built per list length) and answers with one statement. Records come back
// without their lists but the small scalar ones (aliases, tags, codes,
// estimates), which ride along as array or JSON columns.

// scanDate rebuilds an optional date from its two nullable columns.
func scanDate(at *int64, precision *int32) db.Date {
	if at == nil || precision == nil {
		return db.Date{}
	}
	p, _ := db.PrecisionOfRank(int(*precision))
	return db.DateFromMillis(*at, p)
}

// scanSpan rebuilds an event's or a statement's date: an interval from its
// written form, a plain date from its two columns.
func scanSpan(at *int64, precision *int32, interval *string) (db.Date, error) {
	if interval != nil {
		return db.ParseSpan(*interval)
	}
	return scanDate(at, precision), nil
}

func stamps(created, updated int64) db.Stamps {
	return db.Stamps{CreatedAt: time.UnixMilli(created).UTC(), UpdatedAt: time.UnixMilli(updated).UTC()}
}

// ActorsByKey returns the actors with these keys, by key; missing ones are
// absent.
func (s *Store) ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error) {
	return s.actors(ctx, `a.key = ANY ($1) ORDER BY a.key`, keys)
}

// ActorsByID returns the actors with these ids, by id; missing ones are
// absent.
func (s *Store) ActorsByID(ctx context.Context, ids []int64) ([]*db.Actor, error) {
	return s.actors(ctx, `a.id = ANY ($1) ORDER BY a.id`, ids)
}

func (s *Store) actors(ctx context.Context, where string, args ...any) ([]*db.Actor, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT a.id, a.key, a.name, a.kind, coalesce(c.code, ''), a.description,
			a.created_at, a.updated_at,
			coalesce((SELECT array_agg(alias ORDER BY position) FROM actor_aliases WHERE actor_id = a.id), '{}')
		FROM actors a LEFT JOIN countries c ON c.id = a.country_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	defer rows.Close()
	var out []*db.Actor
	for rows.Next() {
		a := &db.Actor{}
		var kind string
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.Key, &a.Name, &kind, &a.Country, &a.Description, &created, &updated,
			&a.Aliases); err != nil {
			return nil, fmt.Errorf("read actors: %w", err)
		}
		a.Kind = db.ActorKind(kind)
		a.Stamps = stamps(created, updated)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	return out, nil
}

// EventsByKey returns the events with these keys, by key; missing ones are
// absent.
func (s *Store) EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error) {
	return s.events(ctx, `e.key = ANY ($1) ORDER BY e.key`, keys)
}

// EventsByID returns the events with these ids, by id; missing ones are
// absent.
func (s *Store) EventsByID(ctx context.Context, ids []int64) ([]*db.Event, error) {
	return s.events(ctx, `e.id = ANY ($1) ORDER BY e.id`, ids)
}

func (s *Store) events(ctx context.Context, where string, args ...any) ([]*db.Event, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT e.id, e.key, e.type, e.title, e.summary,
			e.occurred_at, e.precision, e.occurred_interval, e.ended_at, e.ended_precision, e.ended_interval,
			coalesce(c.code, ''), e.place, e.lat, e.lon, e.fatalities, e.injured, e.intensity, e.created_at, e.updated_at,
			coalesce((SELECT array_agg(tag ORDER BY position) FROM event_tags WHERE event_id = e.id), '{}'),
			(SELECT json_agg(json_build_array(scheme, code, label) ORDER BY position)
				FROM event_codes WHERE event_id = e.id),
			(SELECT json_agg(json_build_object('m', x.measure, 'l', x.low, 'b', x.best, 'h', x.high,
					's', coalesce(src.key, ''), 'n', x.note) ORDER BY x.position)
				FROM event_estimates x LEFT JOIN sources src ON src.id = x.source_id WHERE x.event_id = e.id)
		FROM events e LEFT JOIN countries c ON c.id = e.country_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []*db.Event
	for rows.Next() {
		e := &db.Event{}
		var typ string
		var at, created, updated int64
		var prec int32
		var endAt, fatalities, injured *int64
		var endPrec *int32
		var occInterval, endInterval *string
		var codes, estimates []byte
		if err := rows.Scan(&e.ID, &e.Key, &typ, &e.Title, &e.Summary, &at, &prec, &occInterval, &endAt, &endPrec,
			&endInterval, &e.Location.Country, &e.Location.Place, &e.Location.Lat, &e.Location.Lon, &fatalities, &injured,
			&e.Intensity, &created, &updated, &e.Tags, &codes, &estimates); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.Type = db.EventType(typ)
		if e.OccurredAt, err = scanSpan(&at, &prec, occInterval); err != nil {
			return nil, fmt.Errorf("read events: occurredAt of %s: %w", e.Key, err)
		}
		if e.EndedAt, err = scanSpan(endAt, endPrec, endInterval); err != nil {
			return nil, fmt.Errorf("read events: endedAt of %s: %w", e.Key, err)
		}
		e.Fatalities, e.Injured = intPtr(fatalities), intPtr(injured)
		e.Stamps = stamps(created, updated)
		if e.Codes, err = decodeCodes(codes); err != nil {
			return nil, fmt.Errorf("read events: codes of %s: %w", e.Key, err)
		}
		if e.Estimates, err = decodeEstimates(estimates); err != nil {
			return nil, fmt.Errorf("read events: estimates of %s: %w", e.Key, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// decodeCodes reads the codes column; no codes is nil.
func decodeCodes(raw []byte) ([]db.EventCode, error) {
	if raw == nil {
		return nil, nil
	}
	var rows [][3]string
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	out := make([]db.EventCode, len(rows))
	for i, r := range rows {
		out[i] = db.EventCode{Scheme: r[0], Code: r[1], Label: r[2]}
	}
	return out, nil
}

// decodeEstimates reads the estimates column; no estimates is nil.
func decodeEstimates(raw []byte) ([]db.Estimate, error) {
	if raw == nil {
		return nil, nil
	}
	var rows []struct {
		M       db.Measure
		L, B, H *int
		S, N    string
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	out := make([]db.Estimate, len(rows))
	for i, r := range rows {
		out[i] = db.Estimate{Measure: r.M, Low: r.L, Best: r.B, High: r.H, Source: r.S, Note: r.N}
	}
	return out, nil
}

func intPtr(v *int64) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// StatementsByKey returns the statements with these keys, by key; missing
// ones are absent.
func (s *Store) StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error) {
	return s.statements(ctx, `s.key = ANY ($1) ORDER BY s.key`, keys)
}

// StatementsByID returns the statements with these ids, by id; missing
// ones are absent.
func (s *Store) StatementsByID(ctx context.Context, ids []int64) ([]*db.Statement, error) {
	return s.statements(ctx, `s.id = ANY ($1) ORDER BY s.id`, ids)
}

// statements reads statements with their stances and co-speakers (keys,
// nil for none, as the SQLite store gives them).
func (s *Store) statements(ctx context.Context, where string, args ...any) ([]*db.Statement, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT s.id, s.key, s.kind, sp.key, coalesce(d.key, ''), s.made_at, s.precision,
			s.made_interval, s.text, s.summary, s.created_at, s.updated_at,
			coalesce((SELECT array_agg(stance ORDER BY position) FROM statement_stances WHERE statement_id = s.id), '{}'),
			(SELECT array_agg(a.key ORDER BY c.position) FROM statement_co_speakers c JOIN actors a ON a.id = c.actor_id
				WHERE c.statement_id = s.id)
		FROM statements s JOIN actors sp ON sp.id = s.speaker_id LEFT JOIN actors d ON d.id = s.delivered_by_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read statements: %w", err)
	}
	defer rows.Close()
	var out []*db.Statement
	for rows.Next() {
		st := &db.Statement{}
		var kind string
		var at, created, updated int64
		var prec int32
		var interval *string
		var stances []string
		if err := rows.Scan(&st.ID, &st.Key, &kind, &st.Speaker, &st.DeliveredBy, &at, &prec, &interval, &st.Text,
			&st.Summary, &created, &updated, &stances, &st.CoSpeakers); err != nil {
			return nil, fmt.Errorf("read statements: %w", err)
		}
		st.Kind = db.StatementKind(kind)
		if st.MadeAt, err = scanSpan(&at, &prec, interval); err != nil {
			return nil, fmt.Errorf("read statements: madeAt of %s: %w", st.Key, err)
		}
		st.Stamps = stamps(created, updated)
		st.Stances = make([]db.Stance, len(stances))
		for i, v := range stances {
			st.Stances[i] = db.Stance(v)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statements: %w", err)
	}
	return out, nil
}

const sourceColumns = `s.id, s.key, s.url, s.title, s.publisher, s.author, s.published_at, s.published_precision,
	s.created_at, s.updated_at FROM sources s`

// SourcesByKey returns the sources with these keys, by key; missing ones
// are absent.
func (s *Store) SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error) {
	return s.sources(ctx, `SELECT `+sourceColumns+` WHERE s.key = ANY ($1) ORDER BY s.key`, keys)
}

// SourcesByID returns the sources with these ids, by id; missing ones are
// absent.
func (s *Store) SourcesByID(ctx context.Context, ids []int64) ([]*db.Source, error) {
	return s.sources(ctx, `SELECT `+sourceColumns+` WHERE s.id = ANY ($1) ORDER BY s.id`, ids)
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
	out := map[int64][]*db.Source{}
	_, err := s.scanSources(ctx, func(owner int64, src *db.Source) { out[owner] = append(out[owner], src) },
		`SELECT x.`+t[1]+`, `+sourceColumns+` JOIN `+t[0]+` x ON x.source_id = s.id
		WHERE x.`+t[1]+` = ANY ($1) ORDER BY x.`+t[1]+`, x.position`, ids)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) sources(ctx context.Context, query string, args ...any) ([]*db.Source, error) {
	return s.scanSources(ctx, nil, query, args...)
}

// scanSources reads sourceColumns rows, each after an owner id when each
// is given to owned, and returns them in order otherwise.
func (s *Store) scanSources(ctx context.Context, owned func(int64, *db.Source), query string, args ...any) ([]*db.Source, error) {
	rows, err := s.reader(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	var out []*db.Source
	for rows.Next() {
		src := &db.Source{}
		var owner, created, updated int64
		var at *int64
		var prec *int32
		dst := []any{&src.ID, &src.Key, &src.URL, &src.Title, &src.Publisher, &src.Author, &at, &prec, &created, &updated}
		if owned != nil {
			dst = append([]any{&owner}, dst...)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("read sources: %w", err)
		}
		src.PublishedAt = scanDate(at, prec)
		src.Stamps = stamps(created, updated)
		if owned != nil {
			owned(owner, src)
		} else {
			out = append(out, src)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	return out, nil
}

// Participants returns the participants of many events, in fixture order.
func (s *Store) Participants(ctx context.Context, eventIDs []int64) (map[int64][]db.Participant, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT p.event_id, a.key, p.role, p.mention FROM event_participants p
		JOIN actors a ON a.id = p.actor_id WHERE p.event_id = ANY ($1) ORDER BY p.event_id, p.position`, eventIDs)
	if err != nil {
		return nil, fmt.Errorf("read participants: %w", err)
	}
	defer rows.Close()
	out := map[int64][]db.Participant{}
	for rows.Next() {
		var id int64
		var p db.Participant
		var role string
		if err := rows.Scan(&id, &p.Actor, &role, &p.As); err != nil {
			return nil, fmt.Errorf("read participants: %w", err)
		}
		p.Role = db.ParticipantRole(role)
		out[id] = append(out[id], p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read participants: %w", err)
	}
	return out, nil
}

// Links returns the outgoing links of many events (this event is the
// subject), in fixture order.
func (s *Store) Links(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error) {
	return s.links(ctx, `SELECT l.event_id, l.kind, t.key FROM event_links l JOIN events t ON t.id = l.target_id
		WHERE l.event_id = ANY ($1) ORDER BY l.event_id, l.position`, eventIDs)
}

// LinkedFrom returns the incoming links of many events: for each, the links
// other events hold to it, Link.Event naming the subject, ordered by the
// subject's time and key.
func (s *Store) LinkedFrom(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error) {
	return s.links(ctx, `SELECT l.target_id, l.kind, e.key FROM event_links l JOIN events e ON e.id = l.event_id
		WHERE l.target_id = ANY ($1) ORDER BY l.target_id, e.occurred_at, e.precision, e.key, l.kind`, eventIDs)
}

func (s *Store) links(ctx context.Context, query string, ids []int64) (map[int64][]db.Link, error) {
	rows, err := s.reader(ctx).Query(ctx, query, ids)
	if err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	defer rows.Close()
	out := map[int64][]db.Link{}
	for rows.Next() {
		var id int64
		var kind string
		var l db.Link
		if err := rows.Scan(&id, &kind, &l.Event); err != nil {
			return nil, fmt.Errorf("read links: %w", err)
		}
		l.Kind = db.LinkKind(kind)
		out[id] = append(out[id], l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	return out, nil
}

// Addressees returns the addressees (actor keys) of many statements.
func (s *Store) Addressees(ctx context.Context, statementIDs []int64) (map[int64][]string, error) {
	return s.keyLists(ctx, `SELECT d.statement_id, a.key FROM statement_addressees d JOIN actors a ON a.id = d.actor_id
		WHERE d.statement_id = ANY ($1) ORDER BY d.statement_id, d.position`, statementIDs)
}

// About returns the events (keys) many statements speak of.
func (s *Store) About(ctx context.Context, statementIDs []int64) (map[int64][]string, error) {
	return s.keyLists(ctx, `SELECT x.statement_id, e.key FROM statement_about x JOIN events e ON e.id = x.event_id
		WHERE x.statement_id = ANY ($1) ORDER BY x.statement_id, x.position`, statementIDs)
}

// StatementsAbout returns, for many events, the keys of the statements that
// speak of each, in timeline order.
func (s *Store) StatementsAbout(ctx context.Context, eventIDs []int64) (map[int64][]string, error) {
	return s.keyLists(ctx, `SELECT x.event_id, s.key FROM statement_about x JOIN statements s ON s.id = x.statement_id
		WHERE x.event_id = ANY ($1) ORDER BY x.event_id, s.made_at, s.precision, s.key`, eventIDs)
}

func (s *Store) keyLists(ctx context.Context, query string, ids []int64) (map[int64][]string, error) {
	rows, err := s.reader(ctx).Query(ctx, query, ids)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read lists: %w", err)
	}
	return out, nil
}
