package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The changes feed's rows are written by the triggers of migration 00008,
// stamped with the write's clock (geotimeline.now, set by writeTx), and
// numbered at commit; each write then trims the rows older than the
// retention (trimFeed).

// DefaultChangeRetention is Options.ChangeRetention's default: how long the
// changes feed keeps a change, so how long a client's cursor stays valid
// (API.md: 30 days).
const DefaultChangeRetention = 30 * 24 * time.Hour

func (o Options) changeRetention() time.Duration {
	if o.ChangeRetention > 0 {
		return o.ChangeRetention
	}
	return DefaultChangeRetention
}

// changesExpired is the message of the error for a cursor whose changes
// were trimmed: the client cannot be told what it missed.
const changesExpired = "the changes after this cursor are no longer kept; reload everything and start again from a new cursor"

// trimFeed drops the feed's changes older than the retention, remembering
// the highest seq dropped: a cursor below it names changes no longer kept.
// change_feed_state's one row is updated (and so locked until commit) only
// when there is something to trim, so that writers do not queue on it.
func (w *writer) trimFeed(retention time.Duration) error {
	cutoff := w.now - retention.Milliseconds()
	if _, err := w.tx.Exec(w.ctx, `UPDATE change_feed_state SET trimmed = x.seq
		FROM (SELECT max(seq) AS seq FROM change_feed WHERE at < $1) x
		WHERE x.seq > change_feed_state.trimmed`, cutoff); err != nil {
		return fmt.Errorf("trim changes feed: %w", err)
	}
	if _, err := w.tx.Exec(w.ctx, `DELETE FROM change_feed WHERE at < $1 AND seq IS NOT NULL`, cutoff); err != nil {
		return fmt.Errorf("trim changes feed: %w", err)
	}
	return nil
}

// orderFeed puts the feed rows of b's write in the SQLite store's order:
// kind by kind as apply writes them, each kind in b's order. apply writes
// each kind in key order instead (so that writers lock shared rows in one
// order), and the triggers log rows in the order of the writes; the rows
// this transaction logged, unnumbered until it commits and seen by no one
// else, are logged again in b's order, which numbering at commit keeps.
func (w *writer) orderFeed(b *db.Batch) error {
	var kinds, keys []string
	note := func(kind db.RefKind, key string) {
		kinds, keys = append(kinds, string(kind)), append(keys, key)
	}
	for _, c := range b.Countries {
		note(db.RefCountry, c.Code)
	}
	for _, src := range b.Sources {
		note(db.RefSource, src.Key)
	}
	for _, a := range b.Actors {
		note(db.RefActor, a.Key)
	}
	for i := range b.Relationships {
		note(db.RefRelationship, b.Relationships[i].Identity())
	}
	for _, e := range b.Events {
		note(db.RefEvent, e.Key)
	}
	for _, st := range b.Statements {
		note(db.RefStatement, st.Key)
	}
	if _, err := w.tx.Exec(w.ctx, `WITH old AS (DELETE FROM change_feed WHERE seq IS NULL RETURNING id, op, kind, key, at)
		INSERT INTO change_feed (op, kind, key, at)
		SELECT o.op, o.kind, o.key, o.at FROM old o
		LEFT JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS b (kind, key, pos) ON b.kind = o.kind AND b.key = o.key
		ORDER BY b.pos NULLS LAST, o.id`, kinds, keys); err != nil {
		return fmt.Errorf("order changes feed: %w", err)
	}
	return nil
}

// Changes returns up to first changes of the feed after seq, oldest first,
// and whether more follow. A seq below the highest one trimmed names
// changes no longer kept: BAD_USER_INPUT (changesExpired).
func (s *Store) Changes(ctx context.Context, after int64, first int) ([]db.FeedChange, bool, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT seq, op, kind, key, at FROM change_feed
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, first+1)
	if err != nil {
		return nil, false, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	var out []db.FeedChange
	for rows.Next() {
		var c db.FeedChange
		var op int
		var kind string
		var at int64
		if err := rows.Scan(&c.Seq, &op, &kind, &c.Key, &at); err != nil {
			return nil, false, fmt.Errorf("read changes: %w", err)
		}
		c.Op, c.Kind = db.ChangeOp(op), db.RefKind(kind)
		c.At = time.UnixMilli(at).UTC()
		if c.Kind == db.RefRelationship {
			c.Key = db.IdentityLabel(c.Key)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read changes: %w", err)
	}
	// Read after the rows, so from a snapshot at least as new (READ
	// COMMITTED: each statement its own): a trim that removed rows this
	// read needed is seen here.
	var trimmed int64
	if err := s.reader(ctx).QueryRow(ctx, `SELECT trimmed FROM change_feed_state`).Scan(&trimmed); err != nil {
		return nil, false, fmt.Errorf("read changes: %w", err)
	}
	if after < trimmed {
		return nil, false, db.Errorf(db.CodeInvalid, "%s", changesExpired)
	}
	more := len(out) > first
	if more {
		out = out[:first]
	}
	return out, more, nil
}

// LastFeedChange returns the sequence number of the newest change made to
// the feed, trimmed or not: 0 when none was ever made.
func (s *Store) LastFeedChange(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.reader(ctx).QueryRow(ctx, `SELECT greatest(coalesce((SELECT max(seq) FROM change_feed), 0),
		(SELECT trimmed FROM change_feed_state))`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last change: %w", err)
	}
	return seq, nil
}
