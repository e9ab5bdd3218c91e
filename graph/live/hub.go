// Package live delivers the timeline's new and changed items to subscribers
// as they are written: the hub behind Subscription.timelineUpdated.
//
// Writers never wait for subscribers. Every write records the events and
// statements it touched in the store's change log, in the same transaction;
// the hub reads that log (at once after a commit of this process, and on a
// short poll for commits of other processes such as `geotimeline seed`),
// matches the new items against each subscriber's filter with the same SQL
// as the timeline query, and hands them over through a bounded buffer. A
// subscriber whose buffer is full is dropped: its channel is closed, which
// ends the subscription, and the client reloads and subscribes again.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Defaults for Options' zero fields.
const (
	DefaultBuffer         = 64
	DefaultPoll           = 250 * time.Millisecond
	DefaultMaxSubscribers = 1000
	DefaultBatch          = 500
)

// ErrTooManySubscribers is returned by Subscribe when the hub already
// serves Options.MaxSubscribers subscriptions.
var ErrTooManySubscribers = errors.New("live: too many open subscriptions")

// ErrClosed is returned by Subscribe once Run has returned.
var ErrClosed = errors.New("live: the hub has stopped")

// Options tunes a hub; the zero value uses the defaults above.
type Options struct {
	// Buffer is how many items may wait for one subscriber before it is
	// dropped.
	Buffer int
	// Poll is how often the change log is read for commits made by other
	// processes; commits of this process are read at once.
	Poll time.Duration
	// MaxSubscribers bounds the open subscriptions of the whole server.
	MaxSubscribers int
	// Batch is how many change-log rows one read takes.
	Batch int
}

func (o Options) withDefaults() Options {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.MaxSubscribers <= 0 {
		o.MaxSubscribers = DefaultMaxSubscribers
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	return o
}

// ChangeLog is what the hub reads: the store's log of changed timeline
// items (for subscriptions to a filter), its feed of changed records (for
// the changes subscription), and a signal after each commit so that it
// reads when there is something to read rather than on every poll.
type ChangeLog interface {
	LastChange(ctx context.Context) (int64, error)
	ChangesAfter(ctx context.Context, seq int64, limit int) ([]db.Change, error)
	MatchTimeline(ctx context.Context, f db.TimelineFilter, items []db.ItemID) (map[db.ItemID]bool, error)
	LastFeedChange(ctx context.Context) (int64, error)
	Changes(ctx context.Context, after int64, first int) ([]db.FeedChange, bool, error)
	Commits() <-chan struct{}
}

// Hub fans the change log out to subscribers. Create it with New, start
// Run in a goroutine, and Subscribe from resolvers.
type Hub struct {
	store  ChangeLog
	logger *slog.Logger
	opts   Options

	mu   sync.Mutex
	subs map[*subscriber]struct{}
	// feedSubs are the subscribers of the changes feed (feed.go): their
	// after counts in the feed's numbers, not the change log's.
	feedSubs map[*subscriber]struct{}
	stopped  bool
	// slots counts the subscriptions open or being opened, for
	// MaxSubscribers; held counts them by Limit.Key, and forgets a key
	// whose count falls to zero, so that it does not grow with every
	// connection and client ever seen.
	slots int
	held  map[string]int

	dropped atomic.Int64
}

// subscriber is one subscription: its filter, its buffer, and the last
// change-log row it has already been served (rows up to it are skipped).
type subscriber struct {
	filter db.TimelineFilter
	key    string // filter as JSON: subscribers with equal keys share a query
	ch     chan db.ItemID
	after  int64
	closed bool
	limits []Limit // the limits it counts against

	// A subscriber of the changes feed has feed instead of ch, and the
	// kinds it wants (nil: every kind).
	feed  chan db.FeedChange
	kinds map[db.RefKind]bool
}

// New returns a hub reading store's change log.
func New(store ChangeLog, logger *slog.Logger, opts Options) *Hub {
	return &Hub{store: store, logger: logger, opts: opts.withDefaults(),
		subs: map[*subscriber]struct{}{}, feedSubs: map[*subscriber]struct{}{}, held: map[string]int{}}
}

// Open is the number of open subscriptions.
func (h *Hub) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) + len(h.feedSubs)
}

// Held is the number of subscriptions open or being opened under key (see
// Limit).
func (h *Hub) Held(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held[key]
}

// Holders is the number of keys that hold at least one subscription: zero
// once every limited subscription has ended.
func (h *Hub) Holders() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.held)
}

// Dropped is the number of subscribers dropped since the hub started,
// for falling behind or because change-log rows they needed were trimmed.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

// Subscribe registers a subscriber for the items matching f written from
// now on. The channel yields them in commit order and is closed when ctx
// ends, when the subscriber falls behind (see Options.Buffer) or when the
// hub stops. A filter the timeline would refuse is refused here with the
// same error.
//
// The limits ctx carries (WithLimits) are checked in their order, then
// Options.MaxSubscribers: a full one refuses the subscription with a
// *LimitError, or ErrTooManySubscribers, before any SQL runs, so that a
// client past its limits costs the hub a few map lookups. Once the hub has
// stopped the error is ErrClosed.
func (h *Hub) Subscribe(ctx context.Context, f db.TimelineFilter) (<-chan db.ItemID, error) {
	s, err := h.add(ctx, h.subs, func(limits []Limit) (*subscriber, error) { return h.prepare(ctx, f, limits) })
	if err != nil {
		return nil, err
	}
	return s.ch, nil
}

// add reserves the slots of a subscription under ctx's limits, makes its
// subscriber with prepare and adds it to subs until ctx ends.
func (h *Hub) add(ctx context.Context, subs map[*subscriber]struct{}, prepare func([]Limit) (*subscriber, error)) (*subscriber, error) {
	limits := limitsFrom(ctx)
	if err := h.reserve(limits); err != nil {
		return nil, err
	}
	s, err := prepare(limits)
	h.mu.Lock()
	if err == nil && h.stopped {
		err = ErrClosed
	}
	if err != nil {
		h.releaseLocked(limits)
		h.mu.Unlock()
		return nil, err
	}
	subs[s] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.remove(s)
	}()
	return s, nil
}

// reserve takes a slot under every limit and under MaxSubscribers, or
// none when one of them is full.
func (h *Hub) reserve(limits []Limit) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return ErrClosed
	}
	for _, l := range limits {
		if h.held[l.Key] >= l.Max {
			return &LimitError{Limit: l}
		}
	}
	if h.slots >= h.opts.MaxSubscribers {
		return ErrTooManySubscribers
	}
	h.slots++
	for _, l := range limits {
		h.held[l.Key]++
	}
	return nil
}

// releaseLocked gives back the slots reserve took. h.mu must be held.
func (h *Hub) releaseLocked(limits []Limit) {
	h.slots--
	for _, l := range limits {
		if h.held[l.Key]--; h.held[l.Key] <= 0 {
			delete(h.held, l.Key)
		}
	}
}

// prepare checks f and makes its subscriber, starting after the newest
// change so far.
func (h *Hub) prepare(ctx context.Context, f db.TimelineFilter, limits []Limit) (*subscriber, error) {
	// Matching nothing compiles the filter: bad text, say, fails here.
	if _, err := h.store.MatchTimeline(ctx, f, nil); err != nil {
		return nil, err
	}
	key, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("live: filter key: %w", err)
	}
	after, err := h.store.LastChange(ctx)
	if err != nil {
		return nil, err
	}
	return &subscriber{filter: f, key: string(key), ch: make(chan db.ItemID, h.opts.Buffer), after: after, limits: limits}, nil
}

// remove closes s's channel and forgets it; it may be called more than once.
func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked(s)
}

// closeLocked closes s's channel and forgets s, reporting whether s was
// still open. h.mu must be held.
func (h *Hub) closeLocked(s *subscriber) bool {
	if s.closed {
		return false
	}
	s.closed = true
	if s.feed != nil {
		close(s.feed)
		delete(h.feedSubs, s)
	} else {
		close(s.ch)
		delete(h.subs, s)
	}
	// Every way a subscription ends (its client leaves, the hub drops it,
	// the hub stops) comes here once: the one place its slots are given back.
	h.releaseLocked(s.limits)
	return true
}

// dropLocked ends s for the hub's own reason (not the client's). h.mu
// must be held.
func (h *Hub) dropLocked(s *subscriber, why string) {
	if h.closeLocked(s) {
		h.dropped.Add(1)
		h.logger.Warn("live updates: subscriber dropped", "why", why)
	}
}

// Run reads the change log and delivers to subscribers until ctx ends, then
// closes every subscription. Errors reading the store are logged and
// retried at the next poll: a locked or busy database is not a reason to
// end subscriptions.
func (h *Hub) Run(ctx context.Context) {
	defer h.stop()
	// last is how far the log has been read. It starts at 0 and pump moves
	// it to the oldest subscriber's start, so an idle hub reads nothing.
	var last, lastFeed int64
	var err error
	tick := time.NewTicker(h.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-h.store.Commits():
		}
		if last, err = h.pump(ctx, last); err != nil && ctx.Err() == nil {
			h.logger.Error("live updates: deliver changes", "err", err)
		}
		if lastFeed, err = h.pumpFeed(ctx, lastFeed); err != nil && ctx.Err() == nil {
			h.logger.Error("live updates: deliver the changes feed", "err", err)
		}
	}
}

func (h *Hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		h.closeLocked(s)
	}
	for s := range h.feedSubs {
		h.closeLocked(s)
	}
	h.stopped = true
}

// pump delivers every change after last and returns the new last.
func (h *Hub) pump(ctx context.Context, last int64) (int64, error) {
	subs := h.snapshot()
	if len(subs) == 0 {
		// Nobody listens: no SQL at all, so an idle server stays idle.
		return last, nil
	}
	// Rows before every subscriber's start concern no one: skip them.
	oldest := subs[0].after
	for _, s := range subs {
		oldest = min(oldest, s.after)
	}
	last = max(last, oldest)
	for {
		changes, err := h.store.ChangesAfter(ctx, last, h.opts.Batch)
		if err != nil || len(changes) == 0 {
			return last, err
		}
		if first := changes[0].Seq; first > last+1 {
			// Rows (last, first) were trimmed before this hub read them.
			h.dropBefore(first)
		}
		if err := h.deliver(ctx, changes); err != nil {
			return last, err
		}
		last = changes[len(changes)-1].Seq
	}
}

// dropBefore ends the subscribers that should have been served change-log
// rows before seq: rows that no longer exist, so they cannot be told what
// they missed.
func (h *Hub) dropBefore(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.after < seq-1 {
			h.dropLocked(s, "missed changes that were trimmed from the log")
		}
	}
}

func (h *Hub) snapshot() []*subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*subscriber, 0, len(h.subs))
	for s := range h.subs {
		out = append(out, s)
	}
	return out
}

// deliver hands one batch of changes to every subscriber it matches. One
// query per distinct filter decides the matches.
func (h *Hub) deliver(ctx context.Context, changes []db.Change) error {
	groups := map[string][]*subscriber{}
	for _, s := range h.snapshot() {
		groups[s.key] = append(groups[s.key], s)
	}
	for _, subs := range groups {
		// The group's oldest position bounds which rows it needs.
		oldest := subs[0].after
		for _, s := range subs {
			oldest = min(oldest, s.after)
		}
		var items []db.ItemID
		for _, c := range changes {
			if c.Seq > oldest {
				items = append(items, c.Item)
			}
		}
		if len(items) == 0 {
			continue
		}
		matched, err := h.store.MatchTimeline(ctx, subs[0].filter, items)
		if err != nil {
			return err
		}
		for _, s := range subs {
			h.send(s, changes, matched)
		}
	}
	return nil
}

// send offers s the matching changes it has not had, without blocking: a
// full buffer drops s.
func (h *Hub) send(s *subscriber, changes []db.Change, matched map[db.ItemID]bool) {
	sendEach(h, s, changes, func(c db.Change) int64 { return c.Seq }, func(c db.Change) bool {
		return !matched[c.Item] || offerLocked(h, s, s.ch, c.Item)
	})
}

// sendEach hands s each of changes it has not had yet (seq numbers them),
// through offer, which reports whether s is still open.
func sendEach[C any](h *Hub, s *subscriber, changes []C, seq func(C) int64, offer func(C) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closed {
		return
	}
	for _, c := range changes {
		if seq(c) <= s.after {
			continue
		}
		s.after = seq(c)
		if !offer(c) {
			return
		}
	}
}

// offerLocked hands v to s through ch without blocking: a full buffer
// drops s, and it reports whether s is still open. h.mu must be held.
func offerLocked[T any](h *Hub, s *subscriber, ch chan T, v T) bool {
	select {
	case ch <- v:
		return true
	default:
		h.dropLocked(s, "its buffer is full: it reads too slowly")
		return false
	}
}
