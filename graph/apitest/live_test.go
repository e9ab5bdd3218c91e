package apitest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/graph/server"
)

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws (the protocol of the graphql-ws npm
// package) to the test server. A goroutine reads every message into
// messages: coder/websocket closes a connection whose read is cancelled, so
// waiting with a timeout happens on the channel instead.
type wsClient struct {
	t        testing.TB
	conn     *websocket.Conn
	messages chan wsMessage
	err      error // why reading stopped, once messages is closed
}

// dialWS connects and sends connection_init with payload; it returns the
// client, or the error that ended the connection instead of a
// connection_ack.
func (a *api) dialWS(t testing.TB, payload map[string]any) (*wsClient, error) {
	t.Helper()
	return a.dialWSWith(t, payload, &websocket.DialOptions{})
}

// dialWSWith is dialWS with the dial options of the test (its headers, its
// HTTP client); the subprotocol is set here.
func (a *api) dialWSWith(t testing.TB, payload map[string]any, opts *websocket.DialOptions) (*wsClient, error) {
	t.Helper()
	conn, _, err := a.connectWS(opts)
	if err != nil {
		t.Fatalf("dial %s: %v", a.url, err)
	}
	return initWS(t, conn, payload)
}

// connectWS opens a websocket with the graphql-ws subprotocol, returning
// the upgrade's response when it was refused.
func (a *api) connectWS(opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts.Subprotocols = []string{"graphql-transport-ws"}
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(a.url, "http"), opts)
}

// initWS starts graphql-ws on conn, as dialWS does.
func initWS(t testing.TB, conn *websocket.Conn, payload map[string]any) (*wsClient, error) {
	t.Helper()
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, messages: make(chan wsMessage, 100)}
	go c.readAll()
	p, _ := json.Marshal(payload)
	c.send(wsMessage{Type: "connection_init", Payload: p})
	m, err := c.read(5 * time.Second)
	if err != nil {
		return nil, err
	}
	if m.Type != "connection_ack" {
		t.Fatalf("after connection_init got %+v, want connection_ack", m)
	}
	return c, nil
}

func (c *wsClient) readAll() {
	defer close(c.messages)
	for {
		_, b, err := c.conn.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			c.err = fmt.Errorf("message %s: %w", b, err)
			return
		}
		if m.Type != "ping" && m.Type != "pong" {
			c.messages <- m
		}
	}
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("websocket write: %v", err)
	}
}

// read returns the next message other than a ping or pong, or the error
// that closed the connection.
func (c *wsClient) read(timeout time.Duration) (wsMessage, error) {
	select {
	case m, ok := <-c.messages:
		if !ok {
			return wsMessage{}, c.err
		}
		return m, nil
	case <-time.After(timeout):
		return wsMessage{}, errors.New("no message")
	}
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMessage{Type: "subscribe", ID: id, Payload: p})
}

// next waits for the next message of subscription id and returns its data.
func (c *wsClient) next(id string) json.RawMessage {
	c.t.Helper()
	m, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("waiting for a message of %s: %v", id, err)
	}
	if m.Type != "next" || m.ID != id {
		c.t.Fatalf("got %s, want a next message of %s", mustJSON(m), id)
	}
	var p struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	json.Unmarshal(m.Payload, &p)
	if len(p.Errors) > 0 {
		c.t.Fatalf("subscription %s errors: %s", id, p.Errors)
	}
	return p.Data
}

// quiet checks that nothing arrives within d.
func (c *wsClient) quiet(d time.Duration) {
	c.t.Helper()
	if m, err := c.read(d); err == nil {
		c.t.Fatalf("unexpected message %s", mustJSON(m))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const liveQuery = `subscription($f: TimelineFilter) { timelineUpdated(filter: $f) {
	__typename
	... on Event { key title participants { actor { key } } }
	... on Statement { key text speaker { key } } } }`

// upsertMeeting writes an event of actors through the API.
func (a *api) upsertMeeting(key, title string, actors ...string) {
	a.t.Helper()
	var parts []any
	for _, x := range actors {
		parts = append(parts, map[string]any{"actor": x, "role": "PARTICIPANT"})
	}
	a.data(`mutation($in: EventInput!) { upsertEvent(input: $in) { key } }`, map[string]any{"in": map[string]any{
		"key": key, "type": "MEETING", "title": title, "occurredAt": "2025-06-01", "participants": parts}})
}

// A subscription delivers the events written through mutations that match
// its filter, with their fields read fresh, in commit order, and nothing else.
func TestTimelineUpdatedDeliversMatchingWrites(t *testing.T) {
	a := newAPI(t)
	c, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("rubio", liveQuery, map[string]any{"f": map[string]any{"actors": []string{"marco-rubio"}}})
	waitFor(t, "the subscription to open", func() bool { return a.hub.Open() == 1 })

	a.upsertMeeting("live-1", "Rubio meets Dar", "marco-rubio", "pakistan")
	a.upsertMeeting("live-2", "India and Nepal meet", "india", "nepal")
	a.upsertMeeting("live-3", "Rubio meets Jaishankar", "marco-rubio", "india")
	equalJSON(t, c.next("rubio"), `{"timelineUpdated": {"__typename": "Event", "key": "live-1", "title": "Rubio meets Dar",
		"participants": [{"actor": {"key": "marco-rubio"}}, {"actor": {"key": "pakistan"}}]}}`)
	equalJSON(t, c.next("rubio"), `{"timelineUpdated": {"__typename": "Event", "key": "live-3", "title": "Rubio meets Jaishankar",
		"participants": [{"actor": {"key": "marco-rubio"}}, {"actor": {"key": "india"}}]}}`)

	// A change is delivered again, with the new content; rewriting the
	// same content is no change and delivers nothing.
	a.upsertMeeting("live-1", "Rubio meets Dar again", "marco-rubio", "pakistan")
	a.upsertMeeting("live-1", "Rubio meets Dar again", "marco-rubio", "pakistan")
	equalJSON(t, c.next("rubio"), `{"timelineUpdated": {"__typename": "Event", "key": "live-1", "title": "Rubio meets Dar again",
		"participants": [{"actor": {"key": "marco-rubio"}}, {"actor": {"key": "pakistan"}}]}}`)
	c.quiet(300 * time.Millisecond)

	// complete from the client ends the subscription on the server.
	c.send(wsMessage{Type: "complete", ID: "rubio"})
	waitFor(t, "the subscription to close", func() bool { return a.hub.Open() == 0 })
}

// Writes made through another handle on the database file, as `geotimeline
// seed` makes them from another process, reach subscribers too.
func TestTimelineUpdatedSeesOtherWriters(t *testing.T) {
	a := newAPI(t)
	c, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("s", liveQuery, map[string]any{"f": map[string]any{"include": []string{"STATEMENT"}}})
	waitFor(t, "the subscription to open", func() bool { return a.hub.Open() == 1 })

	other := a.reopen(t)
	set, err := fixture.Decode([]fixture.File{{Name: "seed.json", Data: []byte(`{"version": 1,
		"events": [{"key": "seeded-event", "type": "MEETING", "title": "Seeded", "occurredAt": "2025-06-02"}],
		"statements": [{"key": "seeded-statement", "kind": "QUOTE", "speaker": "marco-rubio", "madeAt": "2025-06-02",
			"text": "We welcome the talks."}]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.ApplyRun(context.Background(), nil, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	equalJSON(t, c.next("s"), `{"timelineUpdated": {"__typename": "Statement", "key": "seeded-statement",
		"text": "We welcome the talks.", "speaker": {"key": "marco-rubio"}}}`)
	c.quiet(300 * time.Millisecond)
}

// Bad filters are refused like the timeline refuses them; subscriptions
// over plain HTTP are refused with a pointer to the websocket.
func TestTimelineUpdatedRefusals(t *testing.T) {
	a := newAPI(t)
	c, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("bad", liveQuery, map[string]any{"f": map[string]any{"text": "!!"}})
	m, err := c.read(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	equalJSON(t, m.Payload, `{"data": null, "errors": [{"message": "search text \"!!\" has no words to look for",
		"path": ["timelineUpdated"], "locations": [{"line": 1, "column": 36}], "extensions": {"code": "BAD_USER_INPUT"}}]}`)
	if m, err := c.read(5 * time.Second); err != nil || m.Type != "complete" || m.ID != "bad" {
		t.Errorf("after the error: %s, %v; want complete", mustJSON(m), err)
	}
	if n := a.hub.Open(); n != 0 {
		t.Errorf("%d subscriptions open after a refused one", n)
	}

	msg, code := a.errorOf(`subscription { timelineUpdated { __typename } }`, nil)
	if code != "BAD_USER_INPUT" || !strings.Contains(msg, "needs a websocket") {
		t.Errorf("subscription over POST: %q %s", msg, code)
	}
}

// On a private server the websocket needs the token in connection_init;
// without it the connection is closed with 4403.
func TestTimelineUpdatedPrivate(t *testing.T) {
	a := newAPIWith(t, server.Options{Private: true})
	if _, err := a.dialWS(t, nil); websocket.CloseStatus(err) != 4403 {
		t.Errorf("no token: err = %v, want close 4403", err)
	}
	if _, err := a.dialWS(t, map[string]any{"Authorization": "Bearer wrong"}); websocket.CloseStatus(err) != 4403 {
		t.Errorf("wrong token: err = %v, want close 4403", err)
	}
	c, err := a.dialWS(t, map[string]any{"Authorization": "Bearer " + writeToken})
	if err != nil {
		t.Fatalf("with the token: %v", err)
	}
	c.subscribe("q", `{ actor(key: "india") { name } }`, nil)
	equalJSON(t, c.next("q"), `{"actor": {"name": "India"}}`)
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 250; i++ {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// A subscription outlives the request timeout: the timeout bounds queries
// and mutations (over the websocket too), not a websocket's life.
func TestSubscriptionOutlivesRequestTimeout(t *testing.T) {
	// Long enough that the query at the end answers in time on a loaded
	// machine (100 ms did not, once, beside a CI run), short enough that
	// three of them pass while the subscription stays open.
	const timeout = 500 * time.Millisecond
	a := newAPIWith(t, server.Options{RequestTimeout: timeout})
	c, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("s", liveQuery, nil)
	waitFor(t, "the subscription to open", func() bool { return a.hub.Open() == 1 })
	time.Sleep(3 * timeout)
	a.upsertMeeting("after-timeout", "Still live", "india")
	equalJSON(t, c.next("s"), `{"timelineUpdated": {"__typename": "Event", "key": "after-timeout", "title": "Still live",
		"participants": [{"actor": {"key": "india"}}]}}`)
	// A query over the same socket still answers within its own timeout.
	c.subscribe("q", `{ actor(key: "nepal") { name } }`, nil)
	equalJSON(t, c.next("q"), `{"actor": {"name": "Nepal"}}`)
}

// A page on another origin cannot open a websocket to the API with the
// user's browser (cross-site websocket hijacking): the upgrade is refused.
func TestWebsocketRefusesOtherOrigins(t *testing.T) {
	a := newAPI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(a.url, "http"), &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   map[string][]string{"Origin": {"https://elsewhere.example"}},
	})
	if err == nil {
		conn.CloseNow()
		t.Fatal("a websocket from another origin was accepted")
	}
	if res == nil || res.StatusCode != 403 {
		t.Errorf("response = %v, want 403", res)
	}
}

// A subscription's time window reads spans as the timeline does: with
// OVERLAPS it delivers an interval that reaches into the window though it
// starts before it, and not one that ends before it begins.
func TestTimelineUpdatedOverlaps(t *testing.T) {
	a := newAPI(t)
	c, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("june", liveQuery, map[string]any{"f": map[string]any{"from": "2025-06-10", "to": "2025-06-11", "timeMatch": "OVERLAPS"}})
	waitFor(t, "the subscription to open", func() bool { return a.hub.Open() == 1 })
	upsert := func(key, occurredAt string) {
		a.data(`mutation($in: EventInput!) { upsertEvent(input: $in) { key } }`, map[string]any{"in": map[string]any{
			"key": key, "type": "MEETING", "title": key, "occurredAt": occurredAt}})
	}
	upsert("ends-before", "2025-06-01/2025-06-09")
	upsert("reaches-in", "2025-06-01/2025-06-10")
	upsert("starts-after", "2025-06-11")
	equalJSON(t, c.next("june"), `{"timelineUpdated": {"__typename": "Event", "key": "reaches-in", "title": "reaches-in", "participants": []}}`)
	c.quiet(300 * time.Millisecond)
}
