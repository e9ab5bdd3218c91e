package server

import (
	"net/http"
	"strings"
	"testing"
)

// hostRequest sends POST /graphql { __typename } to base with the Host
// header host (and Origin, when given).
func hostRequest(t *testing.T, base, path, host, origin string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(`{"query":"{ __typename }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return do(t, req)
}

// TestHostCheck checks the hardening issue's finding 8: a loopback server
// answers only loopback names and those it is told to allow.
func TestHostCheck(t *testing.T) {
	base, _ := mustServe(t, Options{CheckHosts: true, AllowedHosts: []string{"Geo.Example"}})
	for _, host := range []string{"127.0.0.1:8080", "localhost", "LOCALHOST:1", "app.localhost:80", "127.0.0.2:9", "[::1]:8080", "geo.example:443", "geo.example."} {
		if res := hostRequest(t, base, "/graphql", host, ""); res.status != http.StatusOK || res.body != `{"data":{"__typename":"Query"}}` {
			t.Errorf("Host %s: %d %s", host, res.status, res.body)
		}
	}
	for _, host := range []string{"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.evil.example", "10.0.0.1:8080"} {
		res := hostRequest(t, base, "/graphql", host, "http://"+host)
		want := `this server does not answer to the host "` + hostName(host) + `": if it should, start it with --allowed-hosts naming it` + "\n"
		if res.status != http.StatusMisdirectedRequest || res.body != want {
			t.Errorf("Host %s: %d %q, want 421 %q", host, res.status, res.body, want)
		}
	}
	// The pages and metrics are behind the same check; the health probe is not.
	if res := hostRequest(t, base, "/metrics", "evil.example", ""); res.status != http.StatusMisdirectedRequest {
		t.Errorf("/metrics: %d", res.status)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/healthz", nil)
	req.Host = "10.1.2.3:8080"
	if res := do(t, req); res.status != http.StatusOK {
		t.Errorf("/healthz: %d %s", res.status, res.body)
	}
	// A long name is cut short in the answer.
	if res := hostRequest(t, base, "/graphql", strings.Repeat("a", 300)+".example", ""); len(res.body) > 250 {
		t.Errorf("answer is %d bytes: %s", len(res.body), res.body)
	}
}

// TestHostCheckWebsocket checks that a websocket from a rebound name is
// refused before its origin is compared with it.
func TestHostCheckWebsocket(t *testing.T) {
	base, _ := mustServe(t, Options{CheckHosts: true})
	req, _ := http.NewRequest(http.MethodGet, base+"/graphql", nil)
	req.Host = "evil.example:8080"
	req.Header.Set("Origin", "http://evil.example:8080")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Sec-WebSocket-Protocol", "graphql-transport-ws")
	if res := do(t, req); res.status != http.StatusMisdirectedRequest {
		t.Errorf("websocket: %d %s", res.status, res.body)
	}
}

// TestHostCheckOff checks that without CheckHosts (a server on a public
// address) any Host is answered.
func TestHostCheckOff(t *testing.T) {
	base, _ := mustServe(t, Options{})
	if res := hostRequest(t, base, "/graphql", "evil.example", "http://evil.example"); res.status != http.StatusOK {
		t.Errorf("%d %s", res.status, res.body)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:0": true, "[::1]:80": true, "127.3.4.5:1": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:80": false, "192.168.1.2:80": false, "example.com:80": false} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}
