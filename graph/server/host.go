package server

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// checkHosts refuses a request whose Host header names a host the server
// does not answer to. A server on a loopback address is reachable only from
// this machine, but a web page on another site can still reach it through
// a visitor's browser by DNS rebinding: its own name, re-pointed at
// 127.0.0.1, is then same-origin with the server, and the page can read
// answers. Such requests carry the page's name in Host; refusing every name
// but loopback ones (and those the operator allows) closes that door, for
// websockets too, whose origin check compares Origin with Host.
func checkHosts(allowed []string, next http.Handler) http.Handler {
	names := map[string]bool{}
	for _, h := range allowed {
		names[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := hostName(r.Host)
		// Health probes of an orchestrator name the machine's address;
		// the answer tells nothing worth rebinding for.
		if names[host] || loopbackName(host) || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		shown := host
		if len(shown) > 100 {
			shown = shown[:100] + "…"
		}
		loggerFrom(r.Context()).WarnContext(r.Context(), "request for another host refused", "host", shown)
		http.Error(w, fmt.Sprintf("this server does not answer to the host %q: "+
			"if it should, start it with --allowed-hosts naming it", shown), http.StatusMisdirectedRequest)
	})
}

// hostName is the host of a Host header, lower case, without its port, the
// brackets of an IPv6 literal or a trailing dot.
func hostName(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// loopbackName reports whether host can only mean this machine: localhost
// (and names under it, RFC 6761) or a loopback IP literal.
func loopbackName(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopback reports whether a listening address (HOST:PORT) is on a
// loopback interface only, where New should check Host headers.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return loopbackName(strings.ToLower(host))
}
