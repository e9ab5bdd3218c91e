package server

import "testing"

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
