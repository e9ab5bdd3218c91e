package apitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/geotimeline/geotimeline/graph/server"
)

// subscriptionError is the error a refused subscription's next message
// carries.
type subscriptionError struct {
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

// refusals reads until n subscriptions have been refused, each with a next
// message holding one error and then a complete, and returns the errors'
// "CODE: message" by subscription id. Any other message fails the test.
func (c *wsClient) refusals(n int) map[string]string {
	c.t.Helper()
	refused, completed := map[string]string{}, map[string]bool{}
	for len(completed) < n {
		m, err := c.read(10 * time.Second)
		if err != nil {
			c.t.Fatalf("after %d refusals and %d completes: %v", len(refused), len(completed), err)
		}
		switch {
		case m.Type == "next":
			var p subscriptionError
			if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) != 1 {
				c.t.Fatalf("subscription %s: got %s, want one error", m.ID, m.Payload)
			}
			refused[m.ID] = p.Errors[0].Extensions.Code + ": " + p.Errors[0].Message
		case m.Type == "complete" && refused[m.ID] != "":
			completed[m.ID] = true
		default:
			c.t.Fatalf("got %s, want a refusal", mustJSON(m))
		}
	}
	return refused
}

// subscribeN sends n timeline subscriptions with ids prefix0 … prefix(n-1).
func (c *wsClient) subscribeN(prefix string, n int) {
	c.t.Helper()
	for i := range n {
		c.subscribe(fmt.Sprint(prefix, i), liveQuery, nil)
	}
}

// fromAddress is an HTTP client whose connections come from ip, another
// loopback address than the default 127.0.0.1: Linux routes all of
// 127.0.0.0/8 to the loopback interface, so the server sees another
// anonymous client.
func fromAddress(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// One websocket sending 1000 subscriptions gets the per-connection limit
// of them and a clean refusal for each of the others; other clients can
// still subscribe, and every slot is given back when the sockets close.
func TestOneSocketCannotTakeEverySubscription(t *testing.T) {
	a := newAPI(t)
	const n, limit = 1000, server.DefaultMaxSubscriptionsPerConnection
	greedy, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	greedy.subscribeN("s", n)
	refused := greedy.refusals(n - limit)
	want := fmt.Sprintf("UNAVAILABLE: this connection already has %d open subscriptions, the limit (--max-subscriptions-per-connection)", limit)
	for id, got := range refused {
		if got != want {
			t.Fatalf("subscription %s: %q, want %q", id, got, want)
		}
	}
	waitFor(t, "the accepted subscriptions", func() bool { return a.hub.Open() == limit })

	// Another anonymous client, and a token's client, still subscribe.
	other, err := a.dialWSWith(t, nil, &websocket.DialOptions{HTTPClient: fromAddress("127.0.0.2")})
	if err != nil {
		t.Fatal(err)
	}
	other.subscribe("o", liveQuery, nil)
	withToken, err := a.dialWS(t, map[string]any{"Authorization": "Bearer " + writeToken})
	if err != nil {
		t.Fatal(err)
	}
	withToken.subscribe("t", liveQuery, nil)
	waitFor(t, "the other clients' subscriptions", func() bool { return a.hub.Open() == limit+2 })
	a.upsertMeeting("after-the-flood", "Still served", "india")
	for _, c := range []struct {
		c  *wsClient
		id string
	}{{other, "o"}, {withToken, "t"}} {
		equalJSON(t, c.c.next(c.id), `{"timelineUpdated": {"__typename": "Event", "key": "after-the-flood",
			"title": "Still served", "participants": [{"actor": {"key": "india"}}]}}`)
	}

	for _, c := range []*wsClient{greedy, other, withToken} {
		c.conn.Close(websocket.StatusNormalClosure, "")
	}
	waitFor(t, "every slot to be given back", func() bool { return a.hub.Open() == 0 && a.hub.Holders() == 0 })
}

// The per-client limits count a client's subscriptions over all its
// websockets, and its websockets: the socket past the limit is refused
// with 429 before any graphql-ws is spoken. Anonymous clients are told
// apart by address, token holders by client; closed sockets free their
// places.
func TestPerClientLimits(t *testing.T) {
	a := newAPIWith(t, server.Options{MaxSubscriptionsPerConnection: 2, MaxSubscriptionsPerClient: 3, MaxWebsocketsPerClient: 2})
	first, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	first.subscribeN("f", 3)
	if got := first.refusals(1); fmt.Sprint(values(got)) != "[UNAVAILABLE: this connection already has 2 open subscriptions, the limit (--max-subscriptions-per-connection)]" {
		t.Errorf("third on one socket: %v", got)
	}
	second, err := a.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	second.subscribeN("s", 2)
	if got := second.refusals(1); fmt.Sprint(values(got)) != "[UNAVAILABLE: address 127.0.0.1 already has 3 open subscriptions, the limit (--max-subscriptions-per-client)]" {
		t.Errorf("fourth of the client: %v", got)
	}
	waitFor(t, "three subscriptions", func() bool { return a.hub.Open() == 3 })

	// A third socket from 127.0.0.1 is refused at the upgrade.
	status, body := dialStatus(t, a, &websocket.DialOptions{})
	if want := "address 127.0.0.1 already has 2 open websockets, the limit (--max-websockets-per-client)\n"; status != http.StatusTooManyRequests || body != want {
		t.Errorf("third socket: %d %q, want 429 %q", status, body, want)
	}
	// Another address, and a token in the upgrade's header, are other
	// clients. (A token sent only in connection_init, as browsers send it,
	// counts the socket by address but its subscriptions by client.)
	elsewhere, err := a.dialWSWith(t, nil, &websocket.DialOptions{HTTPClient: fromAddress("127.0.0.2")})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere.subscribeN("e", 2)
	withToken, err := a.dialWSWith(t, nil, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + writeToken}}})
	if err != nil {
		t.Fatal(err)
	}
	withToken.subscribeN("t", 2)
	waitFor(t, "the other clients' subscriptions", func() bool { return a.hub.Open() == 7 })

	// Closing the first socket frees its subscriptions and its place.
	first.conn.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "the first socket's subscriptions to end", func() bool { return a.hub.Open() == 5 })
	// The server notices the close a moment later: retry until it has.
	var again *wsClient
	waitFor(t, "a socket to be allowed again", func() bool {
		conn, res, err := a.connectWS(&websocket.DialOptions{})
		if err != nil {
			if res == nil || res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("dial: %v", err)
			}
			return false
		}
		if again, err = initWS(t, conn, nil); err != nil {
			t.Fatal(err)
		}
		return true
	})
	again.subscribeN("a", 3)
	if got := again.refusals(1); fmt.Sprint(values(got)) != "[UNAVAILABLE: this connection already has 2 open subscriptions, the limit (--max-subscriptions-per-connection)]" {
		t.Errorf("on the new socket: %v", got)
	}

	for _, c := range []*wsClient{second, elsewhere, withToken, again} {
		c.conn.Close(websocket.StatusNormalClosure, "")
	}
	waitFor(t, "every slot to be given back", func() bool { return a.hub.Open() == 0 && a.hub.Holders() == 0 })
	// Both sockets of 127.0.0.1 may open again. With the token in
	// connection_init, their subscriptions count against the token's client.
	var browser []*wsClient
	for range 2 {
		c, err := a.dialWS(t, map[string]any{"Authorization": "Bearer " + writeToken})
		if err != nil {
			t.Fatal(err)
		}
		browser = append(browser, c)
	}
	browser[0].subscribeN("b", 2)
	waitFor(t, "two subscriptions", func() bool { return a.hub.Open() == 2 })
	browser[1].subscribeN("c", 2)
	if got := browser[1].refusals(1); fmt.Sprint(values(got)) != `[UNAVAILABLE: client "tests" already has 3 open subscriptions, the limit (--max-subscriptions-per-client)]` {
		t.Errorf("fourth of the token's client: %v", got)
	}
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// dialStatus tries a websocket that the server should refuse, returning
// the status and body of its answer; 101 means it was accepted (and it is
// closed at once).
func dialStatus(t *testing.T, a *api, opts *websocket.DialOptions) (int, string) {
	t.Helper()
	conn, res, err := a.connectWS(opts)
	if err == nil {
		conn.CloseNow()
		return http.StatusSwitchingProtocols, ""
	}
	if res == nil {
		t.Fatalf("dial: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
