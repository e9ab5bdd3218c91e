package live

import (
	"context"
	"maps"
	"slices"

	"github.com/geotimeline/geotimeline/db"
)

// The changes feed's subscribers (Subscription.recordChanged) are served
// by the same hub, under the same limits and buffer, from the store's
// feed instead of its change log: every record written or deleted, with
// its operation, so that a mirror learns of deletions as they commit.

// SubscribeChanges registers a subscriber for the feed's changes of these
// kinds (every kind when none) made from now on. The channel yields them in
// commit order and is closed as Subscribe's is; the limits are Subscribe's.
func (h *Hub) SubscribeChanges(ctx context.Context, kinds []db.RefKind) (<-chan db.FeedChange, error) {
	s, err := h.add(ctx, h.feedSubs, func(limits []Limit) (*subscriber, error) {
		after, err := h.store.LastFeedChange(ctx)
		if err != nil {
			return nil, err
		}
		s := &subscriber{feed: make(chan db.FeedChange, h.opts.Buffer), after: after, limits: limits}
		if len(kinds) > 0 {
			s.kinds = map[db.RefKind]bool{}
			for _, k := range kinds {
				s.kinds[k] = true
			}
		}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return s.feed, nil
}

// pumpFeed delivers every change of the feed after last to its
// subscribers and returns the new last.
func (h *Hub) pumpFeed(ctx context.Context, last int64) (int64, error) {
	subs := h.feedSnapshot()
	if len(subs) == 0 {
		return last, nil // nobody listens: no SQL
	}
	oldest := subs[0].after
	for _, s := range subs {
		oldest = min(oldest, s.after)
	}
	last = max(last, oldest)
	for {
		changes, more, err := h.store.Changes(ctx, last, h.opts.Batch)
		if db.ErrorCode(err) == db.CodeInvalid {
			// Changes after last were trimmed (past the retention) before
			// the hub read them: those waiting for them cannot be told
			// what they missed.
			h.dropFeed(last)
			return h.store.LastFeedChange(ctx)
		}
		if err != nil {
			return last, err
		}
		for _, s := range subs {
			h.sendFeed(s, changes)
		}
		if len(changes) > 0 {
			last = changes[len(changes)-1].Seq
		}
		if !more {
			return last, nil
		}
	}
}

// sendFeed offers s the changes it has not had and wants, without
// blocking: a full buffer drops s.
func (h *Hub) sendFeed(s *subscriber, changes []db.FeedChange) {
	sendEach(h, s, changes, func(c db.FeedChange) int64 { return c.Seq }, func(c db.FeedChange) bool {
		return (s.kinds != nil && !s.kinds[c.Kind]) || offerLocked(h, s, s.feed, c)
	})
}

// dropFeed ends the feed's subscribers still waiting for changes after seq.
func (h *Hub) dropFeed(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.feedSubs {
		if s.after <= seq {
			h.dropLocked(s, "missed changes that were trimmed from the feed")
		}
	}
}

func (h *Hub) feedSnapshot() []*subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Collect(maps.Keys(h.feedSubs))
}
