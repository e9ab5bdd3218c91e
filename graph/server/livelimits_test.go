package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Clients are told apart by token, else by address: IPv4 whole, IPv4
// mapped into IPv6 as IPv4, IPv6 by its /64.
func TestClientOf(t *testing.T) {
	for _, c := range []struct{ client, remote, key, who string }{
		{"dashboard", "10.0.0.1:5000", "client:dashboard", `client "dashboard"`},
		{"", "10.0.0.1:5000", "ip:10.0.0.1", "address 10.0.0.1"},
		{"", "[::ffff:10.0.0.1]:5000", "ip:10.0.0.1", "address 10.0.0.1"},
		{"", "[2001:db8:1:2:3:4:5:6]:5000", "ip:2001:db8:1:2::/64", "address 2001:db8:1:2::/64"},
		{"", "not an address", "ip:not an address", "address not an address"},
	} {
		if key, who := clientOf(c.client, c.remote); key != c.key || who != c.who {
			t.Errorf("clientOf(%q, %q) = %q, %q; want %q, %q", c.client, c.remote, key, who, c.key, c.who)
		}
	}
}

// A client's sockets are counted up to the limit, and the count goes back
// to zero, forgetting the client, as they close.
func TestSocketCounts(t *testing.T) {
	l := newLiveLimits(Options{MaxWebsocketsPerClient: 2})
	for i, want := range []bool{true, true, false} {
		if got := l.openSocket("ip:a"); got != want {
			t.Errorf("socket %d: open = %v, want %v", i+1, got, want)
		}
	}
	if !l.openSocket("ip:b") {
		t.Error("another client's socket was refused")
	}
	for _, key := range []string{"ip:a", "ip:a", "ip:b"} {
		l.closeSocket(key)
	}
	if n, m := l.openSockets(), len(l.sockets); n != 0 || m != 0 {
		t.Errorf("after closing: %d sockets open, %d clients kept; want 0, 0", n, m)
	}
}

// gatedSchema answers each operation once gate is closed.
type gatedSchema struct {
	graphql.ExecutableSchema
	gate chan struct{}
}

func (s gatedSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	next := s.ExecutableSchema.Exec(ctx)
	return func(ctx context.Context) *graphql.Response {
		select {
		case <-s.gate:
		case <-ctx.Done():
		}
		return next(ctx)
	}
}

// TestInFlightPerConnection checks that one websocket cannot run more than
// maxInFlightPerConnection queries at once: those past it are refused at
// once, the others run, and answer once let.
func TestInFlightPerConnection(t *testing.T) {
	store := mustOpenStore(t)
	schema := gatedSchema{NewSchema(store, nil, nil), make(chan struct{})}
	base, _ := mustServeSchema(t, schema, Options{RequestTimeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const sent = maxInFlightPerConnection + 4
	var msgs []string
	for i := range sent {
		msgs = append(msgs, fmt.Sprintf(`{"type":"subscribe","id":"q%d","payload":{"query":"{ __typename }"}}`, i))
	}
	conn := dialGraphQL(t, ctx, base, msgs...)
	refused, ran := 0, 0
	for refused+ran < sent {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("after %d refusals and %d answers: %v", refused, ran, err)
		}
		switch s := string(b); {
		case strings.Contains(s, `"message":"this connection already has 16 operations running, the limit: wait for their answers"`) &&
			strings.Contains(s, `"code":"UNAVAILABLE"`):
			if refused++; refused == sent-maxInFlightPerConnection {
				// Every operation past the limit is refused; the others
				// may answer now.
				close(schema.gate)
			}
		case strings.Contains(s, `"payload":{"data":{"__typename":"Query"}}`):
			if refused < sent-maxInFlightPerConnection {
				t.Fatalf("an answer before the gate opened: %s", s)
			}
			ran++
		case strings.Contains(s, `"type":"connection_ack"`), strings.Contains(s, `"type":"complete"`), strings.Contains(s, `"type":"ping"`):
		default:
			t.Fatalf("unexpected %s", s)
		}
	}
	if refused != 4 || ran != maxInFlightPerConnection {
		t.Errorf("%d refused and %d ran, want 4 and %d", refused, ran, maxInFlightPerConnection)
	}
}
