package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
)

// timelineQuery is a filter compiled to SQL over the timeline index, as
// db/sqlite's: a driving facet whose primary-key range yields rows already
// in time order, plus conditions on the other facets.
type timelineQuery struct {
	facet  int
	values []int64
	// conds are the conditions besides the driving facet's, on rows t;
	// args holds their parameters ($1 is (*args)[0]), shared with the
	// query an about filter nests this one in.
	conds []string
	args  *[]any
	// empty is a filter that can match nothing (lenient, none of its
	// actors, countries or sources stored), answered without SQL.
	empty bool
}

// arg adds a parameter and returns its placeholder.
func (q *timelineQuery) arg(v any) string {
	*q.args = append(*q.args, v)
	return fmt.Sprintf("$%d", len(*q.args))
}

// params is a copy of q's parameters that a statement built on q adds its
// own to, with add returning each one's placeholder.
func (q *timelineQuery) params() (args *[]any, add func(any) string) {
	list := slices.Clone(*q.args)
	args = &list
	return args, func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
}

// where is the condition of the rows that q keeps, any of its driving
// values, with add (from params) for the driving facet's parameters.
func (q *timelineQuery) where(add func(any) string) string {
	return strings.Join(append([]string{`t.facet = ` + add(q.facet) + ` AND t.value = ANY (` + add(q.values) + `)`},
		q.conds...), " AND ")
}

func (q *timelineQuery) alsoFacet(facet int, values []int64) {
	q.conds = append(q.conds, `EXISTS (SELECT 1 FROM timeline_index x WHERE x.kind = t.kind AND x.item_id = t.item_id
		AND x.facet = `+lit(facet)+` AND x.value = ANY (`+q.arg(values)+`))`)
}

func typeRank(t db.EventType) int64 {
	return int64(slices.Index(db.EventTypes, t) + 1)
}

func roleRank(r db.ParticipantRole) int64 {
	return int64(slices.Index(db.ParticipantRoles, r) + 1)
}

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

// compileTimeline turns f into conditions on the index rows aliased t, with
// db/sqlite's choice of driving facet (the most selective one given).
func (s *Store) compileTimeline(ctx context.Context, f db.TimelineFilter) (*timelineQuery, error) {
	return s.compileInto(ctx, f, false, &[]any{})
}

// compileInto is compileTimeline with the parameters added to args; with
// lenient, keys that name nothing are left out instead of refused, and a
// filter left with none of its actors (countries, sources) matches nothing:
// what a live subscription needs once an actor it names has been deleted.
func (s *Store) compileInto(ctx context.Context, f db.TimelineFilter, lenient bool, args *[]any) (*timelineQuery, error) {
	// Text first, so that bad text is an error whatever else f holds.
	var terms db.SearchTerms
	if f.Text != "" {
		var err error
		if terms, err = db.ParseSearch(f.Text); err != nil {
			return nil, err
		}
	}
	q := &timelineQuery{args: args}
	if f.Text != "" {
		// A timeline item's docid is item_id*4 + kind + 1 (search.go);
		// actors' docids never equal one.
		q.conds = append(q.conds, `(t.item_id * 4 + t.kind + 1) IN (SELECT docid FROM search_text
			WHERE document @@ `+searchQuerySQL(q.arg(tsQuery(terms, 0)))+`)`)
	}
	resolve := func(kind db.RefKind, table, column string, keys []string) ([]int64, error) {
		if len(keys) == 0 || q.empty {
			return nil, nil
		}
		var ids []int64
		var err error
		if lenient {
			ids, _, err = s.lookupKeys(ctx, table, column, keys)
		} else {
			ids, err = s.resolveKeys(ctx, kind, table, column, keys)
		}
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			q.empty = true
		}
		return ids, nil
	}
	actorIDs, err := resolve(db.RefActor, "actors", "key", f.Actors)
	if err != nil {
		return nil, err
	}
	countryIDs, err := resolve(db.RefCountry, "countries", "code", f.Countries)
	if err != nil {
		return nil, err
	}
	sourceIDs, err := resolve(db.RefSource, "sources", "key", f.Sources)
	if err != nil {
		return nil, err
	}
	if q.empty {
		return q, nil
	}
	if !lenient && len(f.Tags) > 0 {
		if err := s.checkTags(ctx, f.Tags); err != nil {
			return nil, err
		}
	}
	if !lenient && len(f.Codes) > 0 {
		if err := s.checkCodes(ctx, f.Codes); err != nil {
			return nil, err
		}
	}
	include := slices.Clone(f.Include)
	if len(include) == 0 {
		include = []db.ItemKind{db.ItemEvent, db.ItemStatement}
	}
	onlyEvents := !slices.Contains(include, db.ItemStatement)
	var typeRanks, roleRanks []int64
	for _, t := range f.EventTypes {
		typeRanks = append(typeRanks, typeRank(t))
	}
	for _, r := range f.Roles {
		roleRanks = append(roleRanks, roleRank(r))
	}
	switch {
	case len(actorIDs) > 0:
		q.facet, q.values = facetActor, actorIDs
		if len(roleRanks) > 0 {
			q.conds = append(q.conds, `(t.kind = `+lit(kindStatement)+` OR t.role = ANY (`+q.arg(roleRanks)+`))`)
		}
	case len(sourceIDs) > 0:
		q.facet, q.values = facetSource, sourceIDs
	case len(countryIDs) > 0:
		q.facet, q.values = facetCountry, countryIDs
	case len(typeRanks) > 0 && onlyEvents:
		q.facet, q.values = facetType, typeRanks
		typeRanks = nil
	default:
		q.facet, q.values = facetAll, []int64{0}
	}
	if len(sourceIDs) > 0 && q.facet != facetSource {
		q.alsoFacet(facetSource, sourceIDs)
	}
	if len(countryIDs) > 0 && q.facet != facetCountry {
		q.alsoFacet(facetCountry, countryIDs)
	}
	if len(roleRanks) > 0 && len(actorIDs) == 0 {
		q.conds = append(q.conds, `(t.kind = `+lit(kindStatement)+` OR EXISTS (SELECT 1 FROM timeline_index x
			WHERE x.kind = `+lit(kindEvent)+` AND x.item_id = t.item_id AND x.facet = `+lit(facetActor)+`
			AND x.role = ANY (`+q.arg(roleRanks)+`)))`)
	}
	if len(typeRanks) > 0 {
		q.conds = append(q.conds, `(t.kind = `+lit(kindStatement)+` OR EXISTS (SELECT 1 FROM timeline_index x
			WHERE x.kind = `+lit(kindEvent)+` AND x.item_id = t.item_id AND x.facet = `+lit(facetType)+`
			AND x.value = ANY (`+q.arg(typeRanks)+`)))`)
	}
	if len(f.Tags) > 0 {
		q.conds = append(q.conds, `(t.kind = `+lit(kindStatement)+` OR EXISTS (SELECT 1 FROM event_tags g
			WHERE g.event_id = t.item_id AND g.tag = ANY (`+q.arg(f.Tags)+`)))`)
	}
	if len(f.Codes) > 0 {
		var alts []string
		for _, m := range f.Codes {
			alts = append(alts, `EXISTS (SELECT 1 FROM event_codes c WHERE c.event_id = t.item_id AND `+
				codeMatchCondition("c", m, q.arg)+`)`)
		}
		q.conds = append(q.conds, `(t.kind = `+lit(kindStatement)+` OR `+strings.Join(alts, ` OR `)+`)`)
	}
	if len(f.StatementKinds) > 0 {
		kinds := make([]string, len(f.StatementKinds))
		for i, k := range f.StatementKinds {
			kinds[i] = string(k)
		}
		q.conds = append(q.conds, `(t.kind = `+lit(kindEvent)+` OR EXISTS (SELECT 1 FROM statements st
			WHERE st.id = t.item_id AND st.kind = ANY (`+q.arg(kinds)+`)))`)
	}
	if len(f.Stances) > 0 {
		stances := make([]string, len(f.Stances))
		for i, k := range f.Stances {
			stances[i] = string(k)
		}
		q.conds = append(q.conds, `(t.kind = `+lit(kindEvent)+` OR EXISTS (SELECT 1 FROM statement_stances ss
			WHERE ss.statement_id = t.item_id AND ss.stance = ANY (`+q.arg(stances)+`)))`)
	}
	if f.About != nil {
		// The events the inner filter keeps are read once (an
		// uncorrelated subquery), each statement's by its id.
		about := *f.About
		about.Include = []db.ItemKind{db.ItemEvent}
		inner, err := s.compileInto(ctx, about, lenient, q.args)
		if err != nil {
			return nil, err
		}
		if inner.empty {
			// No event matches: no statement is about one.
			q.conds = append(q.conds, `t.kind = `+lit(kindEvent))
		} else {
			q.conds = append(q.conds, `(t.kind = `+lit(kindEvent)+` OR EXISTS (SELECT 1 FROM statement_about sa
				WHERE sa.statement_id = t.item_id AND sa.event_id IN (SELECT t.item_id FROM timeline_index t WHERE `+
				inner.where(q.arg)+`)))`)
		}
	}
	if len(include) == 1 {
		q.conds = append(q.conds, `t.kind = `+q.arg(itemKindCode(include[0])))
	}
	if err := q.window(f); err != nil {
		return nil, err
	}
	if len(f.Precisions) > 0 {
		ranks := make([]int32, len(f.Precisions))
		for i, p := range f.Precisions {
			ranks[i] = int32(p.Rank())
		}
		q.conds = append(q.conds, `t.precision = ANY (`+q.arg(ranks)+`)`)
	}
	return q, nil
}

// window adds f's time window as conditions that keep every read a range
// of the index by instant (t.at): see windowConditions.
func (q *timelineQuery) window(f db.TimelineFilter) error {
	conds, err := windowConditions(f, "t.at", "t.span_end", q.arg)
	q.conds = append(q.conds, conds...)
	return err
}

// windowConditions are f's time window as conditions on an item's instant
// and the exclusive end of its span (the columns at and spanEnd), with arg
// adding each parameter, as the SQLite store's: START bounds the instant;
// WITHIN bounds it too and checks the span's end; OVERLAPS keeps the items
// that start before the window ends and end after it begins, of which only
// those that start less than the longest span of any item before it
// (timeline_spans) can, which bounds the range from below.
func windowConditions(f db.TimelineFilter, at, spanEnd string, arg func(any) string) ([]string, error) {
	var conds []string
	from := func() string { return arg(f.From.UnixMilli()) }
	to := func() string { return arg(f.To.UnixMilli()) }
	switch f.TimeMatch {
	case "", db.MatchStart:
		if f.From != nil {
			conds = append(conds, at+` >= `+from())
		}
		if f.To != nil {
			conds = append(conds, at+` < `+to())
		}
	case db.MatchWithin:
		if f.From != nil {
			conds = append(conds, at+` >= `+from())
		}
		if f.To != nil {
			end := to()
			conds = append(conds, at+` < `+end, spanEnd+` <= `+end)
		}
	case db.MatchOverlaps:
		if f.From != nil {
			start := from()
			conds = append(conds, at+` > `+start+`::bigint - (SELECT longest FROM timeline_spans WHERE id = 1)`,
				spanEnd+` > `+start)
		}
		if f.To != nil {
			conds = append(conds, at+` < `+to())
		}
	default:
		return nil, db.Errorf(db.CodeInvalid, "unknown timeMatch %q: want START, OVERLAPS or WITHIN", f.TimeMatch)
	}
	return conds, nil
}

// resolveKeys resolves keys to row ids, or fails naming every key that is
// not stored, with hints (unknownKeys): BAD_USER_INPUT.
func (s *Store) resolveKeys(ctx context.Context, kind db.RefKind, table, column string, keys []string) ([]int64, error) {
	ids, missing, err := s.lookupKeys(ctx, table, column, keys)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, s.unknownKeys(ctx, kind, missing)
	}
	return ids, nil
}

// lookupKeys resolves keys to the row ids of those stored and returns the
// others, each once, in the order given.
func (s *Store) lookupKeys(ctx context.Context, table, column string, keys []string) (ids []int64, missing []string, err error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT id, `+column+` FROM `+table+` WHERE `+column+` = ANY ($1) ORDER BY id`, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", table, err)
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, nil, fmt.Errorf("resolve %s: %w", table, err)
		}
		ids = append(ids, id)
		found[key] = true
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", table, err)
	}
	for _, k := range keys {
		if !found[k] {
			found[k] = true // each named once
			missing = append(missing, k)
		}
	}
	return ids, missing, nil
}

// cmp is the comparison that selects items after (or, with before, before)
// a cursor in the list's order.
func cmp(desc, before bool) string {
	if desc != before {
		return "<"
	}
	return ">"
}

// pageSQL reads one page (one row more than asked): with one driving value
// a single range scan of the index's primary key, in order, the cursor a
// row comparison PostgreSQL turns into the scan's start; with several, one
// limited scan per value, merged.
func (q *timelineQuery) pageSQL(desc bool, p db.Page) (string, []any) {
	reverse := desc != p.Backward
	args, next := q.params()
	conds := slices.Clone(q.conds)
	cursor := func(pos *db.Position, op string) {
		conds = append(conds, `(t.at, t.precision, t.key, t.kind) `+op+` (`+next(pos.At)+`::bigint, `+next(int32(pos.Rank))+
			`::integer, `+next(pos.Key)+`::text, `+next(itemKindCode(pos.Kind))+`::integer)`)
	}
	if p.After != nil {
		cursor(p.After, cmp(desc, false))
	}
	if p.Before != nil {
		cursor(p.Before, cmp(desc, true))
	}
	limit := next(p.Limit + 1)
	dir := "ASC"
	if reverse {
		dir = "DESC"
	}
	orderBy := ` ORDER BY at ` + dir + `, precision ` + dir + `, key ` + dir + `, kind ` + dir + `, item_id ` + dir + ` LIMIT ` + limit
	facet := next(q.facet)
	scan := func(value int64) string {
		where := strings.Join(append([]string{`t.facet = ` + facet + ` AND t.value = ` + next(value)}, conds...), " AND ")
		return `SELECT DISTINCT t.at, t.precision, t.key, t.kind, t.item_id FROM timeline_index t WHERE ` + where + orderBy
	}
	if len(q.values) == 1 {
		return scan(q.values[0]), *args
	}
	// One limited scan per value, merged.
	var parts []string
	for _, v := range q.values {
		parts = append(parts, `(`+scan(v)+`)`)
	}
	return `SELECT at, precision, key, kind, item_id FROM (` + strings.Join(parts, " UNION ") + `) u` + orderBy, *args
}

// Timeline returns one page of events and statements matching f, sorted by
// instant, precision (coarser first), key and kind, ascending or
// descending, as the SQLite store's Timeline.
func (s *Store) Timeline(ctx context.Context, f db.TimelineFilter, order db.SortOrder, p db.Page) (db.ItemPage, error) {
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return db.ItemPage{}, err
	}
	if q.empty {
		return db.ItemPage{Items: []db.ItemRef{}}, nil
	}
	desc := order == db.Descending
	query, args := q.pageSQL(desc, p)
	rows, err := s.reader(ctx).Query(ctx, query, args...)
	if err != nil {
		return db.ItemPage{}, fmt.Errorf("timeline page: %w", err)
	}
	defer rows.Close()
	items := []db.ItemRef{}
	for rows.Next() {
		var it db.ItemRef
		var rank int32
		var kind int
		if err := rows.Scan(&it.Pos.At, &rank, &it.Pos.Key, &kind, &it.ID); err != nil {
			return db.ItemPage{}, fmt.Errorf("timeline page: %w", err)
		}
		it.Pos.Rank = int(rank)
		it.Kind = itemKindOf(kind)
		it.Pos.Kind = it.Kind
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return db.ItemPage{}, fmt.Errorf("timeline page: %w", err)
	}
	return db.ItemPageOf(items, p, func(pos *db.Position, before bool) (bool, error) {
		return s.timelineExists(ctx, q, pos, cmp(desc, before)+"=")
	})
}

// timelineExists reports whether any item matching q lies on the far side
// (op) of a cursor: what hasPreviousPage and hasNextPage need beyond the
// page.
func (s *Store) timelineExists(ctx context.Context, q *timelineQuery, pos *db.Position, op string) (bool, error) {
	args, add := q.params()
	where := q.where(add)
	query := `SELECT EXISTS (SELECT 1 FROM timeline_index t WHERE ` + where + `
		AND (t.at, t.precision, t.key, t.kind) ` + op + ` (` + add(pos.At) + `::bigint, ` + add(int32(pos.Rank)) +
		`::integer, ` + add(pos.Key) + `::text, ` + add(itemKindCode(pos.Kind)) + `::integer))`
	var ok bool
	if err := s.reader(ctx).QueryRow(ctx, query, *args...).Scan(&ok); err != nil {
		return false, fmt.Errorf("timeline bounds: %w", err)
	}
	return ok, nil
}

// CountTimeline counts the items matching f, each once: from the kept
// counts and the statements' instants when f restricts items by kind, event
// type and time alone (countKept), else from the index.
func (s *Store) CountTimeline(ctx context.Context, f db.TimelineFilter) (int, error) {
	if n, ok, err := s.countKept(ctx, f); ok || err != nil {
		return n, err
	}
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return 0, err
	}
	if q.empty {
		return 0, nil
	}
	args, add := q.params()
	where := q.where(add)
	var n int
	if err := s.reader(ctx).QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT t.kind, t.item_id FROM timeline_index t WHERE `+
		where+`) x`, *args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count timeline: %w", err)
	}
	return n, nil
}

// countKept counts a timeline that f restricts by nothing but kind, event
// type and time, if it does, as the SQLite store's (buckets.TimelineTotal).
// ok is false for any other f.
func (s *Store) countKept(ctx context.Context, f db.TimelineFilter) (n int, ok bool, err error) {
	return buckets.TimelineTotal(ctx, counts{s}, f, s.countStatements)
}

// countStatements counts the statements in f's window, from
// statements_made_at (migration 00022).
func (s *Store) countStatements(ctx context.Context, f db.TimelineFilter) (int, error) {
	var args sqlArgs
	conds, err := windowConditions(f, "s.made_at", "s.span_end", args.add)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.reader(ctx).QueryRow(ctx, `SELECT count(*) FROM statements s WHERE `+strings.Join(append([]string{"true"}, conds...), " AND "),
		args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count timeline: %w", err)
	}
	return n, nil
}

// MatchTimeline returns which of items (event and statement row ids) the
// timeline filtered by f holds now, as a set, as the SQLite store's: the
// same index rows and conditions as Timeline, read from the items' own
// rows (timeline_index_item) rather than from the filter's driving facet.
// With no items it checks f as Timeline would (an actor that names nothing
// is refused); with items, keys deleted since just match nothing.
func (s *Store) MatchTimeline(ctx context.Context, f db.TimelineFilter, items []db.ItemID) (map[db.ItemID]bool, error) {
	q, err := s.compileInto(ctx, f, len(items) > 0, &[]any{})
	if err != nil {
		return nil, err
	}
	out := map[db.ItemID]bool{}
	if q.empty || len(items) == 0 {
		return out, nil
	}
	byKind := map[db.ItemKind][]int64{}
	for _, it := range items {
		byKind[it.Kind] = append(byKind[it.Kind], it.ID)
	}
	for _, kind := range []db.ItemKind{db.ItemEvent, db.ItemStatement} {
		ids := byKind[kind]
		if len(ids) == 0 {
			continue
		}
		args, add := q.params()
		query := `SELECT DISTINCT t.item_id FROM timeline_index t WHERE t.kind = ` + add(itemKindCode(kind)) +
			` AND t.item_id = ANY (` + add(ids) + `) AND ` + q.where(add)
		rows, err := s.reader(ctx).Query(ctx, query, *args...)
		if err != nil {
			return nil, fmt.Errorf("match timeline: %w", err)
		}
		matched, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("match timeline: %w", err)
		}
		for _, id := range matched {
			out[db.ItemID{Kind: kind, ID: id}] = true
		}
	}
	return out, nil
}
