package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// write applies a fixture of n meetings keyed prefix-0 … prefix-(n-1), held
// by actor "a" when withA and by "b" otherwise.
func write(t *testing.T, s *sqlite.Store, prefix string, n int, withA bool) {
	t.Helper()
	actor := "b"
	if withA {
		actor = "a"
	}
	var events []string
	for i := range n {
		events = append(events, fmt.Sprintf(`{"key": "%s-%d", "type": "MEETING", "title": "Meeting %d", "occurredAt": "2025-01-01",
			"participants": [{"actor": "%s", "role": "PARTICIPANT"}]}`, prefix, i, i, actor))
	}
	doc := `{"version": 1, "actors": [{"key": "a", "kind": "PERSON", "name": "A"}, {"key": "b", "kind": "PERSON", "name": "B"}],
		"events": [` + strings.Join(events, ",") + `]}`
	set, err := fixture.Decode([]fixture.File{{Name: "w.json", Data: []byte(doc)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
}

func newHub(s *sqlite.Store, opts Options) *Hub {
	return New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
}

// drain returns what ch holds now and whether it has been closed.
func drain(ch <-chan db.ItemID) (ids []int64, closed bool) {
	for {
		select {
		case it, ok := <-ch:
			if !ok {
				return ids, true
			}
			ids = append(ids, it.ID)
		default:
			return ids, false
		}
	}
}

// A subscriber that does not read is dropped when its buffer is full; the
// writer is never held up, and a subscriber that keeps up gets everything.
func TestSlowSubscriberIsDropped(t *testing.T) {
	s := openStore(t)
	write(t, s, "before", 1, true) // the actors exist; this is history
	h := newHub(s, Options{Buffer: 2})
	ctx := context.Background()
	start, err := s.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	filter := db.TimelineFilter{Actors: []string{"a"}}
	slow, err := h.Subscribe(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := h.Subscribe(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	if h.Open() != 2 {
		t.Fatalf("Open = %d, want 2", h.Open())
	}

	write(t, s, "x", 2, true)
	write(t, s, "other", 1, false) // matches neither
	last, err := h.pump(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	got, closed := drain(fast)
	if len(got) != 2 || closed {
		t.Fatalf("fast subscriber got %v (closed %v), want 2 events, open", got, closed)
	}
	// The slow one's buffer of 2 is full now; one more overflows it.
	write(t, s, "y", 1, true)
	if last, err = h.pump(ctx, last); err != nil {
		t.Fatal(err)
	}
	ids, closed := drain(slow)
	if len(ids) != 2 || !closed {
		t.Errorf("slow subscriber: got %v, closed %v; want its 2 buffered events, then closed", ids, closed)
	}
	if got, closed := drain(fast); len(got) != 1 || closed {
		t.Errorf("fast subscriber after the drop: got %v (closed %v), want 1 event, open", got, closed)
	}
	if h.Open() != 1 || h.Dropped() != 1 {
		t.Errorf("Open = %d, Dropped = %d; want 1 and 1", h.Open(), h.Dropped())
	}
	if seq, _ := s.LastChange(ctx); last != seq {
		t.Errorf("pump ended at %d, want the log's end %d", last, seq)
	}
}

// Items come in commit order, filtered as the timeline filters them.
func TestDeliveryOrderAndFilter(t *testing.T) {
	s := openStore(t)
	h := newHub(s, Options{})
	ctx := context.Background()
	// A filter must name actors that exist: first the actors alone.
	if _, err := h.Subscribe(ctx, db.TimelineFilter{Actors: []string{"b"}}); db.ErrorMessage(err) != `unknown actor "b"` {
		t.Fatalf("subscribing to an unknown actor: %v, want unknown actor \"b\"", err)
	}
	write(t, s, "none", 0, false)
	onlyB, err := h.Subscribe(ctx, db.TimelineFilter{Actors: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, "b1", 3, false)
	write(t, s, "a1", 2, true)
	write(t, s, "b2", 1, false)
	if _, err := h.pump(ctx, 0); err != nil {
		t.Fatal(err)
	}
	ids, _ := drain(onlyB)
	var keys []string
	for _, id := range ids {
		evs, err := s.EventsByID(ctx, []int64{id})
		if err != nil || len(evs) != 1 {
			t.Fatalf("event %d: %v", id, err)
		}
		keys = append(keys, evs[0].Key)
	}
	if got, want := strings.Join(keys, " "), "b1-0 b1-1 b1-2 b2-0"; got != want {
		t.Errorf("delivered %q, want %q", got, want)
	}
}

// A subscriber whose changes were trimmed from the log before the hub read
// them is ended: it cannot be told what it missed.
func TestTrimmedChangesEndSubscribers(t *testing.T) {
	s := openStore(t)
	h := newHub(s, Options{Buffer: 20000})
	ctx := context.Background()
	sub, err := h.Subscribe(ctx, db.TimelineFilter{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, "bulk", 10005, true) // the log keeps the newest 10 000
	if _, err := h.pump(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, closed := drain(sub); !closed || h.Dropped() != 1 {
		t.Errorf("closed %v, Dropped %d; want the subscriber ended", closed, h.Dropped())
	}
}

// Subscribe refuses a filter the timeline refuses, and subscribers past
// the bound; cancelling a subscription's context closes it.
func TestSubscribeLimits(t *testing.T) {
	s := openStore(t)
	h := newHub(s, Options{MaxSubscribers: 1})
	if _, err := h.Subscribe(context.Background(), db.TimelineFilter{Text: "!!"}); db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("bad text: err = %v, want BAD_USER_INPUT", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := h.Subscribe(ctx, db.TimelineFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe(context.Background(), db.TimelineFilter{}); err != ErrTooManySubscribers {
		t.Errorf("second subscriber: err = %v, want ErrTooManySubscribers", err)
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Error("channel yielded an item after cancel, want it closed")
	}
	if h.Open() != 0 {
		t.Errorf("Open = %d after cancel, want 0", h.Open())
	}
}

// The limits of a subscription's context cap the subscriptions under each
// key, are checked before any SQL, and are given back on every way a
// subscription ends: its context ends, the hub drops it, the hub stops,
// or it fails to open.
func TestSubscribeLimitsByKey(t *testing.T) {
	s := openStore(t)
	h := newHub(s, Options{Buffer: 20000})
	conn := Limit{Key: "connection:1", Max: 2, Refusal: "this connection is full"}
	client := Limit{Key: "client:a", Max: 3, Refusal: "this client is full"}
	base := context.Background()
	onConn := WithLimits(base, client, conn)
	// Another connection of the same client.
	onOther := WithLimits(base, client, Limit{Key: "connection:2", Max: 2})

	cancels := map[string]context.CancelFunc{}
	subscribe := func(name string, parent context.Context) (<-chan db.ItemID, error) {
		ctx, cancel := context.WithCancel(parent)
		cancels[name] = cancel
		return h.Subscribe(ctx, db.TimelineFilter{})
	}
	for _, name := range []string{"c1", "c2"} {
		if _, err := subscribe(name, onConn); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// A full limit refuses even a filter that SQL would refuse: nothing
	// was asked of the store.
	_, err := h.Subscribe(onConn, db.TimelineFilter{Text: "!!"})
	if le, ok := errors.AsType[*LimitError](err); !ok || le.Limit != conn || !errors.Is(err, ErrLimitReached) {
		t.Errorf("third on the connection: err = %v, want the connection's LimitError", err)
	}
	other, err := subscribe("o1", onOther)
	if err != nil {
		t.Fatalf("first on the other connection: %v", err)
	}
	if _, err := subscribe("o2", onOther); !errors.Is(err, ErrLimitReached) || err.(*LimitError).Limit != client {
		t.Errorf("fourth of the client: err = %v, want the client's LimitError", err)
	}
	// A subscription that fails to open gives its slots back.
	if _, err := h.Subscribe(WithLimits(base, Limit{Key: "k", Max: 1}), db.TimelineFilter{Text: "!!"}); db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("bad text: err = %v, want BAD_USER_INPUT", err)
	}
	if n := h.Held("k"); n != 0 {
		t.Errorf("Held(k) = %d after a refused filter, want 0", n)
	}
	if got := []int{h.Held(conn.Key), h.Held(client.Key), h.Held("connection:2"), h.Open()}; fmt.Sprint(got) != "[2 3 1 3]" {
		t.Errorf("Held conn, client, other conn and Open = %v, want [2 3 1 3]", got)
	}

	// The client leaves one subscription: its slot is free again.
	cancels["c1"]()
	waitUntil(t, func() bool { return h.Held(conn.Key) == 1 })
	if _, err := subscribe("c3", onConn); err != nil {
		t.Fatalf("after one left: %v", err)
	}
	// The hub drops the other connection's subscriber (its changes were
	// trimmed; see TestTrimmedChangesEndSubscribers).
	write(t, s, "bulk", 10005, true)
	if _, err := h.pump(base, 0); err != nil {
		t.Fatal(err)
	}
	if _, closed := drain(other); !closed || h.Held("connection:2") != 0 || h.Held(client.Key) != 0 {
		t.Errorf("after the drops: closed %v, Held other %d, client %d; want every slot back",
			closed, h.Held("connection:2"), h.Held(client.Key))
	}
	// Everything was dropped; new ones fill the limits again, then the hub stops.
	for _, name := range []string{"c4", "c5"} {
		if _, err := subscribe(name, onConn); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	ctx, stop := context.WithCancel(base)
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	stop()
	<-done
	if h.Holders() != 0 || h.Open() != 0 {
		t.Errorf("after stop: Holders %d, Open %d; want 0", h.Holders(), h.Open())
	}
	if _, err := h.Subscribe(onConn, db.TimelineFilter{}); err != ErrClosed {
		t.Errorf("after stop: err = %v, want ErrClosed", err)
	}
	for _, c := range cancels {
		c()
	}
}

// waitUntil polls cond, which a goroutine of the hub makes true soon.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met within 5s")
}
