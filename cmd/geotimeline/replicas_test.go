package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
	"github.com/geotimeline/geotimeline/graph/relay"
)

// The replica tests run several serve processes (the test binary itself,
// see TestMain) over one PostgreSQL database of their own, as a deployment
// behind a load balancer does, and check what API.md's "Storage backends"
// promises them: every write through one replica is seen by the live
// updates and the changes feed of every other, completely and in commit
// order. They skip without GEOTIMELINE_TEST_POSTGRES (pgtest).

// replicaToken is the token every replica is given: tokens are each
// process's configuration, not state the database shares.
const replicaToken = "replica-token-0123456789abcdef"

// replicaWait bounds every wait of these tests for something another
// process does; it is generous, for a loaded machine, and never reached
// when all is well.
const replicaWait = 60 * time.Second

// startReplica starts serve over the PostgreSQL database at url, with the
// replicas' token and its sessions named name (application_name), so that
// a test can tell when a killed replica's sessions are gone.
func startReplica(t *testing.T, url, name string, args ...string) *serveChild {
	t.Helper()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return startServeChild(t, url+sep+"application_name="+name,
		append([]string{"--token", replicaToken, "--no-demo"}, args...)...)
}

// replicaClient is the HTTP client of the tests' requests.
var replicaClient = &http.Client{Timeout: replicaWait}

// errTransport marks an error of the connection, not of the answer: the
// request's outcome is unknown.
var errTransport = errors.New("transport")

// post sends one GraphQL request with the replicas' token and returns its
// data. An answer other than 200 with data and no errors is an error; a
// failure to get an answer at all wraps errTransport.
func post(base, query string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+replicaToken)
	res, err := replicaClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errTransport, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: read answer: %w", errTransport, err)
	}
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &out); err != nil || res.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		e := &answerError{status: res.StatusCode, body: string(b)}
		if len(out.Errors) > 0 {
			e.code = out.Errors[0].Extensions.Code
		}
		return nil, e
	}
	return out.Data, nil
}

// answerError is an answer other than 200 with data and no errors: code
// is its first error's extensions.code.
type answerError struct {
	status int
	code   string
	body   string
}

func (e *answerError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// errorCode is the extensions.code of the answer err reports, "" when err
// is nil, "transport" when there was no answer.
func errorCode(err error) string {
	var ae *answerError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae):
		return ae.code
	}
	return "transport"
}

// mustPost is post that fails the test on any error, decoding the data
// into out when it is not nil.
func mustPost(t *testing.T, base, query string, vars map[string]any, out any) {
	t.Helper()
	data, err := post(base, query, vars)
	if err != nil {
		t.Fatalf("%s: %.200s: %v", base, query, err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: decode %s: %v", base, data, err)
		}
	}
}

// feedEntry is one change of the changes feed, as the feed and the
// recordChanged subscription give it, with its feed cursor's number.
type feedEntry struct {
	Seq int64  `json:"-"`
	Op  string `json:"op"`
	// Kind is the record's RecordKind.
	Kind string `json:"kind"`
	Key  string `json:"key"`
	At   string `json:"at"`
}

func (e feedEntry) String() string { return e.Op + " " + e.Kind + " " + e.Key }

const feedQuery = `query($after: String) { changes(after: $after, first: 100) {
	edges { cursor node { op kind key at } } pageInfo { hasNextPage endCursor } headCursor } }`

// readFeed pages through the whole changes feed of base after the cursor
// after ("" for the start), and checks that its cursors number the changes
// one by one, without gaps: the feed is numbered at commit.
func readFeed(t *testing.T, base, after string) []feedEntry {
	t.Helper()
	var out []feedEntry
	var prev int64 = -1
	if after != "" {
		var err error
		if prev, err = relay.ParseChangeCursor("after", after); err != nil {
			t.Fatal(err)
		}
	}
	for {
		var page struct {
			Changes struct {
				Edges []struct {
					Cursor string    `json:"cursor"`
					Node   feedEntry `json:"node"`
				} `json:"edges"`
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"changes"`
		}
		vars := map[string]any{}
		if after != "" {
			vars["after"] = after
		}
		mustPost(t, base, feedQuery, vars, &page)
		for _, e := range page.Changes.Edges {
			seq, err := relay.ParseChangeCursor("cursor", e.Cursor)
			if err != nil {
				t.Fatal(err)
			}
			if prev >= 0 && seq != prev+1 {
				t.Fatalf("%s: feed cursor %d follows %d: want %d", base, seq, prev, prev+1)
			}
			prev = seq
			e.Node.Seq = seq
			out = append(out, e.Node)
		}
		if !page.Changes.PageInfo.HasNextPage {
			return out
		}
		after = page.Changes.PageInfo.EndCursor
	}
}

// headCursor is the changes feed's cursor after its newest change.
func headCursor(t *testing.T, base string) string {
	t.Helper()
	var page struct {
		Changes struct {
			HeadCursor string `json:"headCursor"`
		} `json:"changes"`
	}
	mustPost(t, base, `{ changes(first: 0) { headCursor } }`, nil, &page)
	return page.Changes.HeadCursor
}

// sameFeed checks that two replicas' feeds are the same changes, times
// and cursors included.
func sameFeed(t *testing.T, nameA string, a []feedEntry, nameB string, b []feedEntry) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("the feed has %d changes on %s, %d on %s", len(a), nameA, len(b), nameB)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("change %d: %+v on %s, %+v on %s", i, a[i], nameA, b[i], nameB)
		}
	}
}

// liveSub is one subscription over its own graphql-transport-ws websocket.
// A goroutine reads every message into messages, so that the server never
// waits for the test (coder/websocket closes a connection whose read is
// cancelled, so waits happen on the channel).
type liveSub struct {
	id       string
	conn     *websocket.Conn
	messages chan liveMessage
}

type liveMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscribe opens a websocket to base, sends the subscription query with
// vars and waits for the server's gauge to count it open, so that every
// write committed after subscribe returns reaches it.
func subscribe(t *testing.T, replica *serveChild, query string, vars map[string]any) *liveSub {
	t.Helper()
	open := replica.openSubscriptions(t)
	ctx, cancel := context.WithTimeout(context.Background(), replicaWait)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(replica.base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	s := &liveSub{id: "s", conn: conn, messages: make(chan liveMessage, 10000)}
	go func() {
		defer close(s.messages)
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var m liveMessage
			if json.Unmarshal(b, &m) == nil && m.Type != "ping" && m.Type != "pong" {
				s.messages <- m
			}
		}
	}()
	s.send(t, liveMessage{Type: "connection_init"})
	if m := s.read(t); m.Type != "connection_ack" {
		t.Fatalf("after connection_init got %+v, want connection_ack", m)
	}
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	s.send(t, liveMessage{Type: "subscribe", ID: s.id, Payload: p})
	deadline := time.Now().Add(replicaWait)
	for replica.openSubscriptions(t) != open+1 {
		if time.Now().After(deadline) {
			t.Fatalf("the subscription did not open within %v", replicaWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

func (s *liveSub) send(t *testing.T, m liveMessage) {
	t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), replicaWait)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("websocket write: %v", err)
	}
}

func (s *liveSub) read(t *testing.T) liveMessage {
	t.Helper()
	select {
	case m, ok := <-s.messages:
		if !ok {
			t.Fatal("the server closed the websocket")
		}
		return m
	case <-time.After(replicaWait):
		t.Fatalf("no message within %v", replicaWait)
	}
	return liveMessage{}
}

// next waits for the subscription's next message and decodes its data's
// one field into out.
func (s *liveSub) next(t *testing.T, out any) {
	t.Helper()
	m := s.read(t)
	var p struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors json.RawMessage            `json:"errors"`
	}
	json.Unmarshal(m.Payload, &p)
	if m.Type != "next" || m.ID != s.id || len(p.Errors) > 0 || len(p.Data) != 1 {
		t.Fatalf("got %s %s %s, want the next item of the subscription", m.Type, m.ID, m.Payload)
	}
	for _, v := range p.Data {
		if err := json.Unmarshal(v, out); err != nil {
			t.Fatalf("decode %s: %v", v, err)
		}
	}
}

const (
	recordChangedSub = `subscription { recordChanged { op kind key at } }`
	timelineSub      = `subscription { timelineUpdated {
		__typename ... on Event { key title participants { actor { key } role } } } }`
	upsertEventMutation = `mutation($in: EventInput!) { upsertEvent(input: $in) { key } }`
	eventQuery          = `query($key: String!) { event(key: $key) { key title participants { actor { key } role } } }`
)

// liveEvent is an event as timelineUpdated and eventQuery give it.
type liveEvent struct {
	Typename     string `json:"__typename,omitempty"`
	Key          string `json:"key"`
	Title        string `json:"title"`
	Participants []struct {
		Actor struct {
			Key string `json:"key"`
		} `json:"actor"`
		Role string `json:"role"`
	} `json:"participants"`
}

// String shows an event as "key: title [actor ROLE, …]".
func (e *liveEvent) String() string {
	if e == nil {
		return "<none>"
	}
	var parts []string
	for _, p := range e.Participants {
		parts = append(parts, p.Actor.Key+" "+p.Role)
	}
	return e.Key + ": " + e.Title + " [" + strings.Join(parts, ", ") + "]"
}

// eventInput is an EventInput of a meeting on 2025-06-01 of actors, the
// first as INITIATOR and the others as PARTICIPANT.
func eventInput(key, title string, actors ...string) map[string]any {
	var parts []any
	for i, a := range actors {
		role := "PARTICIPANT"
		if i == 0 {
			role = "INITIATOR"
		}
		parts = append(parts, map[string]any{"actor": a, "role": role})
	}
	return map[string]any{"key": key, "type": "MEETING", "title": title, "occurredAt": "2025-06-01", "participants": parts}
}

// wantEvent is how eventInput's event reads back.
func wantEvent(key, title string, actors ...string) string {
	var parts []string
	for i, a := range actors {
		role := "PARTICIPANT"
		if i == 0 {
			role = "INITIATOR"
		}
		parts = append(parts, a+" "+role)
	}
	return key + ": " + title + " [" + strings.Join(parts, ", ") + "]"
}

// readEvent reads one event by key from base, nil when there is none.
func readEvent(t *testing.T, base, key string) *liveEvent {
	t.Helper()
	var out struct {
		Event *liveEvent `json:"event"`
	}
	mustPost(t, base, eventQuery, map[string]any{"key": key}, &out)
	return out.Event
}

// eventTotals are the number of events and the kept counts' total of
// them (eventCounts, summed over its buckets): each write adds to both in
// its transaction, so after any number of writes and crashes they agree.
func eventTotals(t *testing.T, base string) (events, counted int) {
	t.Helper()
	var out struct {
		Events struct {
			TotalCount int `json:"totalCount"`
		} `json:"events"`
		EventCounts []struct {
			Count int `json:"count"`
		} `json:"eventCounts"`
	}
	mustPost(t, base, `{ events(first: 0) { totalCount } eventCounts(interval: YEAR) { count } }`, nil, &out)
	for _, b := range out.EventCounts {
		counted += b.Count
	}
	return out.Events.TotalCount, counted
}

// TestReplicasShareLiveUpdates seeds the demo into a PostgreSQL database,
// starts two serve processes over it, subscribes on replica B and writes
// through replica A: B's subscriptions deliver each write (an event
// created, changed, a source, the event deleted) exactly, in order, B's
// answers (through its response cache) follow each, and both replicas'
// changes feeds are the same complete, gapless sequence.
func TestReplicasShareLiveUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two serve processes")
	}
	url := pgtest.URL(t)
	mustRun(t, "seed", "--db", url, demoFile(t, t.TempDir()))
	a := startReplica(t, url, "replica-a")
	b := startReplica(t, url, "replica-b")
	head := headCursor(t, b.base)
	seeded := readFeed(t, a.base, "")
	if want := demoRecords(t); len(seeded) != want {
		t.Fatalf("the feed holds %d changes after seeding the demo, want one per record: %d", len(seeded), want)
	}
	if got, want := head, relay.ChangeCursor(int64(len(seeded))); got != want {
		t.Fatalf("B's head cursor %q, want %q (A's feed has %d changes)", got, want, len(seeded))
	}

	changes := subscribe(t, b, recordChangedSub, nil)
	timeline := subscribe(t, b, timelineSub, nil)

	// Each write is awaited on B before the next is made: timelineUpdated
	// reads an item when it delivers it, so a later write of the same
	// event would show through an earlier message.
	type step struct {
		query    string
		vars     map[string]any
		change   string // what recordChanged delivers
		timeline string // what timelineUpdated delivers, "" for nothing
		talks    string // what B then reads of replica-talks, "<none>" for nothing
	}
	steps := []step{
		{upsertEventMutation, map[string]any{"in": eventInput("replica-talks", "Talks begin", "india", "pakistan")},
			"UPSERT EVENT replica-talks", wantEvent("replica-talks", "Talks begin", "india", "pakistan"),
			wantEvent("replica-talks", "Talks begin", "india", "pakistan")},
		{upsertEventMutation, map[string]any{"in": eventInput("replica-talks", "Talks resume", "pakistan", "india", "marco-rubio")},
			"UPSERT EVENT replica-talks", wantEvent("replica-talks", "Talks resume", "pakistan", "india", "marco-rubio"),
			wantEvent("replica-talks", "Talks resume", "pakistan", "india", "marco-rubio")},
		{`mutation { upsertSource(input: {key: "replica-note", title: "A note"}) { key } }`, nil,
			"UPSERT SOURCE replica-note", "", wantEvent("replica-talks", "Talks resume", "pakistan", "india", "marco-rubio")},
		{`mutation { deleteEvent(key: "replica-talks") { deleted { key } } }`, nil,
			"DELETE EVENT replica-talks", "", "<none>"},
		// Written last, it shows that timelineUpdated announced nothing for
		// the source and the deletion.
		{upsertEventMutation, map[string]any{"in": eventInput("replica-after", "After the talks", "india")},
			"UPSERT EVENT replica-after", wantEvent("replica-after", "After the talks", "india"), "<none>"},
	}
	// B answers this before the writes and keeps the answer in its
	// response cache: A's commits must empty it.
	if got := readEvent(t, b.base, "replica-talks"); got != nil {
		t.Fatalf("B reads %s before it is written", got)
	}
	var delivered []feedEntry
	for i, s := range steps {
		mustPost(t, a.base, s.query, s.vars, nil)
		var c feedEntry
		changes.next(t, &c)
		if got := c.String(); got != s.change {
			t.Fatalf("step %d: recordChanged on B delivered %q, want %q", i, got, s.change)
		}
		delivered = append(delivered, c)
		if s.timeline != "" {
			var e liveEvent
			timeline.next(t, &e)
			if got := e.String(); e.Typename != "Event" || got != s.timeline {
				t.Fatalf("step %d: timelineUpdated on B delivered %s %q, want Event %q", i, e.Typename, got, s.timeline)
			}
		}
		if got := readEvent(t, b.base, "replica-talks").String(); got != s.talks {
			t.Fatalf("step %d: B reads %q, want %q", i, got, s.talks)
		}
	}

	// The feed after the seed holds the same changes as the subscription,
	// times included, on both replicas; and the whole feed is the same on
	// both.
	tail := readFeed(t, b.base, head)
	if len(tail) != len(delivered) {
		t.Fatalf("B's feed after the seed holds %d changes %v, want %d %v", len(tail), tail, len(delivered), delivered)
	}
	for i := range tail {
		if tail[i].Seq != int64(len(seeded)+1+i) {
			t.Errorf("change %d after the seed has cursor %d, want %d", i, tail[i].Seq, len(seeded)+1+i)
		}
		got, want := tail[i], delivered[i]
		got.Seq = 0
		if got != want {
			t.Errorf("change %d after the seed: feed %+v, subscription %+v", i, got, want)
		}
	}
	sameFeed(t, "A", readFeed(t, a.base, ""), "B", readFeed(t, b.base, ""))
}

// Sizes of TestReplicasConcurrentWriters: writers serve processes, each
// written to by its own client doing rounds rounds of three or four
// mutations.
const (
	concurrentWriters = 4
	concurrentRounds  = 25
	deleteEvery       = 10 // a writer deletes its own event of every tenth round
)

// TestReplicasConcurrentWriters runs four serve processes over one
// database, each written to by its own client at once. In round i every
// client creates an event of its own, writes the shared event shared-i
// with the same content as every other client (so that four writers meet
// on one key at about the same moment), retitles its own event, and every
// tenth round deletes it. Every event names the same two actors, so every
// write also meets the others on the kept counts. The final state is then
// known exactly whatever the order of the commits: no request fails, each
// event holds its last content, the kept counts agree with the events, and
// the feed, the same on every replica, holds exactly the writes that
// changed something: two upserts (and a deletion) of each own event in the
// client's order, and one upsert of each shared event (the others found it
// unchanged).
func TestReplicasConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four serve processes")
	}
	url := pgtest.URL(t)
	replicas := make([]*serveChild, concurrentWriters)
	for w := range replicas {
		replicas[w] = startReplica(t, url, fmt.Sprintf("replica-%d", w))
	}
	for _, key := range []string{"east", "west"} {
		mustPost(t, replicas[0].base, `mutation($key: String!) { upsertActor(input: {key: $key, name: $key, kind: STATE}) { key } }`,
			map[string]any{"key": key}, nil)
	}
	head := headCursor(t, replicas[0].base)

	own := func(w, i int) string { return fmt.Sprintf("w%d-%02d", w, i) }
	shared := func(i int) string { return fmt.Sprintf("shared-%02d", i) }
	start := time.Now()
	errs := make(chan error, concurrentWriters)
	for w := range replicas {
		go func() {
			base := replicas[w].base
			write := func(query string, vars map[string]any) error {
				if _, err := post(base, query, vars); err != nil {
					return fmt.Errorf("writer %d: %w", w, err)
				}
				return nil
			}
			for i := range concurrentRounds {
				if err := write(upsertEventMutation, map[string]any{"in": eventInput(own(w, i), "draft", "east", "west")}); err != nil {
					errs <- err
					return
				}
				if err := write(upsertEventMutation, map[string]any{"in": eventInput(shared(i), "Shared", "west", "east")}); err != nil {
					errs <- err
					return
				}
				if err := write(upsertEventMutation, map[string]any{"in": eventInput(own(w, i), "final", "east", "west")}); err != nil {
					errs <- err
					return
				}
				if i%deleteEvery == deleteEvery-1 {
					if err := write(`mutation($key: String!) { deleteEvent(key: $key) { deleted { key } } }`,
						map[string]any{"key": own(w, i)}); err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range replicas {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	deletes := concurrentRounds / deleteEvery
	mutations := concurrentWriters * (3*concurrentRounds + deletes)
	t.Logf("%d mutations through %d replicas at once in %v (%.0f a second)", mutations, concurrentWriters,
		elapsed.Round(time.Millisecond), float64(mutations)/elapsed.Seconds())

	// The final state, read through a replica other than the writer's.
	wantEvents := concurrentRounds + concurrentWriters*(concurrentRounds-deletes)
	if events, counted := eventTotals(t, replicas[1].base); events != wantEvents || counted != wantEvents {
		t.Errorf("%d events, %d in eventCounts; want %d", events, counted, wantEvents)
	}
	for i := range concurrentRounds {
		if got, want := readEvent(t, replicas[i%concurrentWriters].base, shared(i)).String(), wantEvent(shared(i), "Shared", "west", "east"); got != want {
			t.Errorf("shared event %s, want %s", got, want)
		}
		for w := range replicas {
			got := readEvent(t, replicas[(w+1)%concurrentWriters].base, own(w, i))
			if i%deleteEvery == deleteEvery-1 {
				if got != nil {
					t.Errorf("deleted event %s is there: %s", own(w, i), got)
				}
			} else if want := wantEvent(own(w, i), "final", "east", "west"); got.String() != want {
				t.Errorf("event %s, want %s", got, want)
			}
		}
	}

	// The feed: the same on every replica, and exactly the changes made.
	feed := readFeed(t, replicas[0].base, head)
	for w := 1; w < concurrentWriters; w++ {
		sameFeed(t, "replica 0", feed, fmt.Sprintf("replica %d", w), readFeed(t, replicas[w].base, head))
	}
	byKey := map[string][]string{}
	for _, c := range feed {
		if c.Kind != "EVENT" {
			t.Errorf("unexpected change %s", c)
		}
		byKey[c.Key] = append(byKey[c.Key], c.Op)
	}
	wantFeed := 0
	for i := range concurrentRounds {
		if got := strings.Join(byKey[shared(i)], " "); got != "UPSERT" {
			t.Errorf("the feed holds %q for %s, want one UPSERT", got, shared(i))
		}
		wantFeed++
		for w := range replicas {
			want := "UPSERT UPSERT"
			if i%deleteEvery == deleteEvery-1 {
				want += " DELETE"
			}
			if got := strings.Join(byKey[own(w, i)], " "); got != want {
				t.Errorf("the feed holds %q for %s, want %q", got, own(w, i), want)
			}
			wantFeed += len(strings.Fields(want))
		}
	}
	if len(feed) != wantFeed || len(byKey) != concurrentRounds*(1+concurrentWriters) {
		t.Errorf("the feed holds %d changes of %d keys, want %d of %d", len(feed), len(byKey), wantFeed, concurrentRounds*(1+concurrentWriters))
	}
}

// replicaSeedEnv, when set, is the seed of TestReplicaKilledMidRequest's
// kill moments, to replay a run; otherwise the seed is the clock, and
// logged.
const replicaSeedEnv = "GEOTIMELINE_REPLICA_SEED"

// Sizes of TestReplicaKilledMidRequest: rounds replicas killed one after
// the other, each written to by killClients clients at once, and killed at
// a random moment up to killWindow after killAfter writes succeeded.
const (
	killRounds  = 3
	killClients = 2
	killAfter   = 5
	killWindow  = 300 * time.Millisecond
)

// killedWrites is what one client of a killed replica saw: the keys whose
// write was answered, in order, and the one whose request failed (it may
// have committed or not) and how.
type killedWrites struct {
	ok     []string
	failed string
	err    error
}

// TestReplicaKilledMidRequest runs replica B throughout and, round after
// round, a replica A that clients write events to (each event with three
// participants, so that a half-written one would show) until A is killed
// with SIGKILL at a random moment, requests in flight. Once the dead
// replica's sessions are gone, B shows every answered write, the write in
// flight of each client wholly or not at all, nothing else; B's changes
// feed holds exactly the stored writes, each client's in its order; the
// subscription opened on B before the first kill delivered every one of
// them; and B answered queries all along.
func TestReplicaKilledMidRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills serve processes")
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv(replicaSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", replicaSeedEnv, s, err)
		}
	}
	t.Logf("kill moments from math/rand seed %d (replay with %s=%d)", seed, replicaSeedEnv, seed)
	rng := rand.New(rand.NewSource(seed))

	url := pgtest.URL(t)
	b := startReplica(t, url, "replica-b")
	actors := []string{"north", "south", "centre"}
	for _, key := range actors {
		mustPost(t, b.base, `mutation($key: String!) { upsertActor(input: {key: $key, name: $key, kind: STATE}) { key } }`,
			map[string]any{"key": key}, nil)
	}
	head := headCursor(t, b.base)
	changes := subscribe(t, b, recordChangedSub, nil)

	title := func(key string) string { return "Event " + key }
	var stored [][]string // per round and client, the keys stored, in order
	inFlight := 0         // failed requests that had reached A (not refused)
	for round := range killRounds {
		name := fmt.Sprintf("replica-a%d", round)
		a := startReplica(t, url, name)

		// B is read all along, the kill included.
		var readsAfterKill atomic.Int64
		var killed atomic.Bool
		stopReads := make(chan struct{})
		readErr := make(chan error, 1)
		go func() {
			for {
				select {
				case <-stopReads:
					readErr <- nil
					return
				default:
				}
				if _, err := post(b.base, `{ events(first: 0) { totalCount } }`, nil); err != nil {
					readErr <- err
					return
				}
				if killed.Load() {
					readsAfterKill.Add(1)
				}
			}
		}()

		var answered atomic.Int64
		results := make([]killedWrites, killClients)
		done := make(chan struct{}, killClients)
		for c := range results {
			go func() {
				defer func() { done <- struct{}{} }()
				for i := 0; ; i++ {
					key := fmt.Sprintf("r%d-c%d-%04d", round, c, i)
					_, err := post(a.base, upsertEventMutation, map[string]any{"in": eventInput(key, title(key), actors...)})
					if err != nil {
						results[c].failed, results[c].err = key, err
						return
					}
					results[c].ok = append(results[c].ok, key)
					answered.Add(1)
				}
			}()
		}
		deadline := time.Now().Add(replicaWait)
		for answered.Load() < killAfter {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d writes answered within %v, want %d:\n%s", round, answered.Load(), replicaWait, killAfter, a.log)
			}
			time.Sleep(5 * time.Millisecond)
		}
		// The delay is the random moment of the kill, not a wait for
		// anything.
		delay := time.Duration(rng.Int63n(int64(killWindow)))
		time.Sleep(delay)
		if err := a.cmd.Process.Kill(); err != nil {
			t.Fatalf("round %d: kill: %v", round, err)
		}
		killed.Store(true)
		mustPost(t, b.base, `{ events(first: 0) { totalCount } }`, nil, nil)
		for range results {
			<-done
		}
		a.cmd.Wait()
		pgtest.WaitSessionsGone(t, url, name, replicaWait)
		// At least one of B's background reads ran after the kill (on a
		// loaded machine it may not have yet).
		for deadline := time.Now().Add(replicaWait); readsAfterKill.Load() == 0 && len(readErr) == 0; {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no read on B completed within %v of the kill", round, replicaWait)
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(stopReads)
		if err := <-readErr; err != nil {
			t.Fatalf("round %d: a read on B failed: %v", round, err)
		}

		// Every answered write is whole on B; each failed one whole or
		// absent.
		for c, r := range results {
			if r.failed == "" || !errors.Is(r.err, errTransport) {
				t.Fatalf("round %d client %d: its last write failed with %v, want a failed connection", round, c, r.err)
			}
			for _, key := range r.ok {
				if got, want := readEvent(t, b.base, key).String(), wantEvent(key, title(key), actors...); got != want {
					t.Errorf("round %d: answered write %s, want %s", round, got, want)
				}
			}
			keys := r.ok
			outcome := "absent"
			switch got := readEvent(t, b.base, r.failed); {
			case got == nil:
			case got.String() == wantEvent(r.failed, title(r.failed), actors...):
				outcome = "committed"
				keys = append(keys, r.failed)
			default:
				t.Errorf("round %d: the write in flight is half there: %s", round, got)
			}
			refused := errors.Is(r.err, syscall.ECONNREFUSED)
			if !refused {
				inFlight++
			} else if outcome != "absent" {
				t.Errorf("round %d: write %s was refused a connection yet is stored", round, r.failed)
			}
			t.Logf("round %d client %d: killed %v after %d writes answered; %s failed (refused: %v), %s: %v",
				round, c, delay.Round(time.Millisecond), len(r.ok), r.failed, refused, outcome, r.err)
			stored = append(stored, keys)
		}
	}
	if inFlight == 0 {
		t.Errorf("no kill caught a request in flight: every failed write was refused a connection")
	}

	// B's feed holds exactly the stored writes, each client's in order.
	feed := readFeed(t, b.base, head)
	position := map[string]int{}
	for i, e := range feed {
		position[e.Key] = i
	}
	total := 0
	for _, keys := range stored {
		total += len(keys)
		for i, key := range keys {
			p, ok := position[key]
			switch {
			case !ok:
				t.Errorf("stored event %s is not in the feed", key)
			case i > 0 && p < position[keys[i-1]]:
				t.Errorf("the feed holds %s before %s, written before it", key, keys[i-1])
			}
		}
	}
	if len(feed) != total {
		t.Errorf("B's feed holds %d changes, want the %d writes stored", len(feed), total)
	}
	for _, e := range feed {
		if e.Op != "UPSERT" || e.Kind != "EVENT" {
			t.Errorf("unexpected change %s", e)
		}
	}
	if events, counted := eventTotals(t, b.base); events != total || counted != total {
		t.Errorf("B counts %d events, %d in eventCounts; want %d", events, counted, total)
	}

	// The subscription delivered the feed, exactly, and nothing more: a
	// last write through B comes next.
	for i, want := range feed {
		var got feedEntry
		changes.next(t, &got)
		want.Seq = 0 // the subscription's changes carry no cursor
		if got != want {
			t.Fatalf("message %d of recordChanged on B: %+v, want %+v (the feed's)", i, got, want)
		}
	}
	mustPost(t, b.base, `mutation { upsertSource(input: {key: "after-the-kills"}) { key } }`, nil, nil)
	var last feedEntry
	changes.next(t, &last)
	if got := last.String(); got != "UPSERT SOURCE after-the-kills" {
		t.Errorf("after the feed, recordChanged on B delivered %q, want the last write", got)
	}
	t.Logf("%d rounds: %d writes stored, %d requests in flight at a kill", killRounds, total, inFlight)
}

// TestReplicasDeleteWhileReferenced races deletes with cascade on one
// replica against writes on another that refer to what is deleted: actor
// x created and deleted with cascade over and over through A while B
// writes events naming x, and event hot, which names x, written and
// deleted through A while B writes a statement addressed to x about hot
// (which each of the deletes rewrites). Every request either succeeds or
// is refused for what it finds when it runs (BAD_USER_INPUT for a
// reference to a record not there, NOT_FOUND for deleting what is gone, or
// for reading back what another request deleted since), never an
// INTERNAL error; the kept counts agree with the events; and both
// replicas' feeds are the same, their last change of each record telling
// whether it is there. (It found foreign key violations and vanished
// referrers reported as INTERNAL errors, and deletes starved by retries;
// db/postgres's TestConcurrentDeletesAndReferences pins the fix.)
func TestReplicasDeleteWhileReferenced(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two serve processes")
	}
	url := pgtest.URL(t)
	a := startReplica(t, url, "replica-a")
	b := startReplica(t, url, "replica-b")
	for _, key := range []string{"x", "y", "z"} {
		mustPost(t, a.base, `mutation($key: String!) { upsertActor(input: {key: $key, name: $key, kind: STATE}) { key } }`,
			map[string]any{"key": key}, nil)
	}
	const rounds = 40
	var mu sync.Mutex
	unexpected := map[string]int{}
	ask := func(base, what, query string, vars map[string]any, allowed ...string) {
		_, err := post(base, query, vars)
		if code := errorCode(err); code != "" && !slices.Contains(allowed, code) {
			mu.Lock()
			unexpected[what+": "+code+": "+err.Error()]++
			mu.Unlock()
		}
	}
	// Reading back a record that another request deleted since is
	// NOT_FOUND.
	const invalid, notFound = "BAD_USER_INPUT", "NOT_FOUND"
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		for range rounds {
			ask(a.base, "upsertActor x", `mutation { upsertActor(input: {key: "x", name: "x", kind: STATE}) { key } }`, nil)
			ask(a.base, "deleteActor x", `mutation { deleteActor(key: "x", cascade: true) { deleted { key } } }`, nil, notFound)
		}
	}()
	go func() {
		defer wg.Done()
		for i := range rounds {
			ask(b.base, "upsertEvent of x", upsertEventMutation,
				map[string]any{"in": eventInput(fmt.Sprintf("e-%02d", i), "Of x", "x", "y")}, invalid, notFound)
		}
	}()
	go func() {
		defer wg.Done()
		for range rounds {
			ask(a.base, "upsertEvent hot", upsertEventMutation, map[string]any{"in": eventInput("hot", "Hot", "z", "x", "y")},
				invalid, notFound)
			ask(a.base, "deleteEvent hot", `mutation { deleteEvent(key: "hot", cascade: true) { deleted { key } } }`, nil, notFound)
		}
	}()
	go func() {
		defer wg.Done()
		for range rounds {
			ask(b.base, "upsertStatement to x about hot", `mutation { upsertStatement(input: {key: "st", kind: QUOTE,
				speaker: "y", madeAt: "2025-06-02", text: "To x, on hot", addressees: ["x"], about: ["hot"]}) { key } }`,
				nil, invalid, notFound)
		}
	}()
	wg.Wait()
	for what, n := range unexpected {
		t.Errorf("%d × %s", n, what)
	}

	if events, counted := eventTotals(t, b.base); events != counted {
		t.Errorf("%d events, %d in eventCounts", events, counted)
	}
	feed := readFeed(t, a.base, "")
	sameFeed(t, "A", feed, "B", readFeed(t, b.base, ""))
	last := map[string]feedEntry{}
	for _, c := range feed {
		last[c.Kind+" "+c.Key] = c
	}
	for _, c := range last {
		var out map[string]json.RawMessage
		field := strings.ToLower(c.Kind)
		if field != "actor" && field != "event" && field != "statement" {
			continue
		}
		mustPost(t, b.base, fmt.Sprintf(`query($key: String!) { %s(key: $key) { key } }`, field), map[string]any{"key": c.Key}, &out)
		if there := string(out[field]) != "null"; there != (c.Op == "UPSERT") {
			t.Errorf("%s %s: last change %s, yet there: %v", c.Kind, c.Key, c.Op, there)
		}
	}
	t.Logf("%d requests; the feed holds %d changes", 6*rounds, len(feed))
}
