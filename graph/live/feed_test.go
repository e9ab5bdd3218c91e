package live

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// drainFeed returns the keys ch holds now, as "kind:key", and whether it
// has been closed.
func drainFeed(ch <-chan db.FeedChange) (keys string, closed bool) {
	var out []string
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				return strings.Join(out, " "), true
			}
			out = append(out, string(c.Kind)+":"+c.Key)
		default:
			return strings.Join(out, " "), false
		}
	}
}

// Feed subscribers get the changes made after they subscribed, of their
// kinds; one that does not read is dropped when its buffer is full.
func TestFeedSubscribers(t *testing.T) {
	s := openStore(t)
	h := newHub(s, Options{Buffer: 3})
	ctx := context.Background()
	write(t, s, "before", 1, true)
	all, err := h.SubscribeChanges(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	actors, err := h.SubscribeChanges(ctx, []db.RefKind{db.RefActor})
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, "x", 2, true)
	if _, err := h.pumpFeed(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if keys, closed := drainFeed(all); keys != "event:x-0 event:x-1" || closed {
		t.Errorf("all: %q, closed %v; want the two new events, open", keys, closed)
	}
	if keys, closed := drainFeed(actors); keys != "" || closed {
		t.Errorf("actors: %q, closed %v; want nothing (a and b are unchanged), open", keys, closed)
	}
	write(t, s, "y", 4, true)
	if _, err := h.pumpFeed(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if keys, closed := drainFeed(all); keys != "event:y-0 event:y-1 event:y-2" || !closed || h.Dropped() != 1 {
		t.Errorf("all: %q, closed %v, Dropped %d; want a full buffer, then the subscriber ended", keys, closed, h.Dropped())
	}
}

// A feed subscriber whose changes were trimmed (past the retention) before
// the hub read them is ended: it cannot be told what it missed.
func TestFeedTrimmedEndsSubscribers(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "feed.db"), sqlite.Options{ChangeRetention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return start }
	h := newHub(s, Options{})
	sub, err := h.SubscribeChanges(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, "old", 1, true)
	s.Now = func() time.Time { return start.Add(2 * time.Hour) }
	write(t, s, "new", 1, true)
	if _, err := h.pumpFeed(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if keys, closed := drainFeed(sub); keys != "" || !closed || h.Dropped() != 1 {
		t.Errorf("%q, closed %v, Dropped %d; want the subscriber ended", keys, closed, h.Dropped())
	}
}
