package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/generated"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/model"
)

// subscribeTimeline turns the hub's item ids into timeline items, read
// afresh as each arrives. It reads one item at a time and waits until the
// client's connection has taken it: a client that reads slowly fills the
// hub's buffer for it and is dropped there, never slowing the hub.
func (r *Resolver) subscribeTimeline(ctx context.Context, f db.TimelineFilter) (<-chan model.TimelineItem, error) {
	if r.Live == nil {
		return nil, db.Errorf(db.CodeUnavailable, "live updates are not served here")
	}
	ids, err := r.Live.Subscribe(ctx, f)
	if err != nil {
		return nil, subscribeError(err)
	}
	out := make(chan model.TimelineItem)
	go func() {
		// Closing out completes the subscription: when the hub drops this
		// subscriber, when the client leaves, or when a read fails (the
		// client reloads and subscribes again rather than miss an item).
		defer close(out)
		for id := range ids {
			item, err := r.timelineItem(ctx, id)
			if err != nil {
				return
			}
			if item == nil {
				continue // deleted since it was written
			}
			select {
			case out <- item:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// subscribeError words the hub's refusals of a subscription for the client.
func subscribeError(err error) error {
	var limit *live.LimitError
	switch {
	case errors.As(err, &limit):
		// A limit of the connection or the client, worded by the server.
		return db.Errorf(db.CodeUnavailable, "%s", limit.Limit.Refusal)
	case errors.Is(err, live.ErrTooManySubscribers):
		return db.Errorf(db.CodeUnavailable, "too many open subscriptions: try again later")
	case errors.Is(err, live.ErrClosed):
		return db.Errorf(db.CodeUnavailable, "the server is shutting down")
	}
	return err
}

// subscribeChanges passes the hub's changes of the feed on as they come;
// the hub's buffer is the only one, as for subscribeTimeline.
func (r *Resolver) subscribeChanges(ctx context.Context, kinds []generated.RecordKind) (<-chan *db.FeedChange, error) {
	if r.Live == nil {
		return nil, db.Errorf(db.CodeUnavailable, "live updates are not served here")
	}
	refKinds := make([]db.RefKind, len(kinds))
	for i, k := range kinds {
		refKinds[i] = db.RefKind(strings.ToLower(string(k)))
	}
	changes, err := r.Live.SubscribeChanges(ctx, refKinds)
	if err != nil {
		return nil, subscribeError(err)
	}
	out := make(chan *db.FeedChange)
	go func() {
		defer close(out)
		for c := range changes {
			select {
			case out <- &c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// timelineItem reads one event or statement by row id, nil when it is gone.
func (r *Resolver) timelineItem(ctx context.Context, id db.ItemID) (model.TimelineItem, error) {
	if id.Kind == db.ItemStatement {
		sts, err := r.Store.StatementsByID(ctx, []int64{id.ID})
		if err != nil || len(sts) == 0 {
			return nil, err
		}
		return sts[0], nil
	}
	events, err := r.Store.EventsByID(ctx, []int64{id.ID})
	if err != nil || len(events) == 0 {
		return nil, err
	}
	return events[0], nil
}
