package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/live"
)

// Defaults of the limits on live updates (Options). The dashboard and the
// playground each open one websocket with a subscription or two; a person
// with a few tabs, or an office behind one address, needs several.
const (
	DefaultMaxSubscriptionsPerConnection = 32
	DefaultMaxSubscriptionsPerClient     = 100
	DefaultMaxWebsocketsPerClient        = 32
)

// liveLimits keeps one client from taking every subscription slot of the
// hub (live.Options.MaxSubscribers): it caps the websockets each client
// may hold open, here, and gives every connection the live.Limits under
// which the hub counts its subscriptions, per connection and per client.
type liveLimits struct {
	perConnection, perClient, socketsPerClient int

	mu      sync.Mutex
	sockets map[string]int // open websockets by client key; no zero entries
}

func newLiveLimits(opts Options) *liveLimits {
	return &liveLimits{
		perConnection:    opts.MaxSubscriptionsPerConnection,
		perClient:        opts.MaxSubscriptionsPerClient,
		socketsPerClient: opts.MaxWebsocketsPerClient,
		sockets:          map[string]int{},
	}
}

// connectionSeq numbers websockets for their live.Limit keys. It is one
// for the process, not one per handler, because one hub may serve several
// handlers and the keys must not collide in it.
var connectionSeq atomic.Int64

// clientOf names who a request comes from, for the per-client limits: the
// client of its valid token, or else its remote address. An IPv6 address
// counts as its /64, which one host commonly holds whole. X-Forwarded-For
// is not believed: there is no option saying which proxy to trust, and
// anyone can send the header. key identifies the client to the counters;
// who names it in refusals.
func clientOf(client, remoteAddr string) (key, who string) {
	if client != "" {
		return "client:" + client, "client " + strconv.Quote(client)
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.Is6() {
			p, _ := ip.Prefix(64)
			host = p.String()
		} else {
			host = ip.String()
		}
	}
	return "ip:" + host, "address " + host
}

type peerKey struct{}

// peer is the remote end of a websocket as clientOf sees it without a
// token, for websocketInit, whose connection_init may or may not bring one.
type peer struct{ key, who string }

// countSockets refuses, with 429, a websocket of a client that already holds
// socketsPerClient of them, before gqlgen accepts it; otherwise it counts
// the socket as long as next serves it. gqlgen's transport returns once the
// socket has closed, whichever side closed it. The client is the one of the
// upgrade request's Authorization header, else its address: a browser
// cannot set headers on a websocket (its token comes later, in
// connection_init), so browsers count by address.
func (l *liveLimits) countSockets(acc *access, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, who := clientOf(acc.authenticate(r.Header.Get("Authorization")).client, r.RemoteAddr)
		if !l.openSocket(key) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, "%s already has %d open websockets, the limit (--max-websockets-per-client)\n", who, l.socketsPerClient)
			return
		}
		defer l.closeSocket(key)
		anonKey, anonWho := clientOf("", r.RemoteAddr)
		ctx := context.WithValue(r.Context(), peerKey{}, peer{key: anonKey, who: anonWho})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (l *liveLimits) openSocket(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sockets[key] >= l.socketsPerClient {
		return false
	}
	l.sockets[key]++
	return true
}

func (l *liveLimits) closeSocket(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sockets[key]--; l.sockets[key] <= 0 {
		delete(l.sockets, key)
	}
}

// openSockets is how many websockets are open, over every client.
func (l *liveLimits) openSockets() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.sockets {
		n += c
	}
	return n
}

// connection returns the context of a websocket that websocketInit has
// authenticated, with the limits of its subscriptions: this connection's
// and its client's (the token's client of connection_init or of the
// upgrade, else the address). gqlgen runs every operation of the socket
// under this context, and the hub counts them by the limits' keys.
func (l *liveLimits) connection(ctx context.Context) context.Context {
	key, who := clientOf(Client(ctx), "")
	if Client(ctx) == "" {
		// countSockets put it there; without it, all such sockets share one key.
		p, ok := ctx.Value(peerKey{}).(peer)
		if !ok {
			p.key, p.who = clientOf("", "unknown")
		}
		key, who = p.key, p.who
	}
	conn := live.Limit{
		Key: "connection:" + strconv.FormatInt(connectionSeq.Add(1), 10),
		Max: l.perConnection,
		Refusal: fmt.Sprintf("this connection already has %d open subscriptions, the limit (--max-subscriptions-per-connection)",
			l.perConnection),
	}
	client := live.Limit{
		Key: key,
		Max: l.perClient,
		Refusal: fmt.Sprintf("%s already has %d open subscriptions, the limit (--max-subscriptions-per-client)",
			who, l.perClient),
	}
	ctx = context.WithValue(ctx, inFlightKey{}, make(chan struct{}, maxInFlightPerConnection))
	return live.WithLimits(ctx, conn, client)
}

// maxInFlightPerConnection bounds the queries and mutations one websocket
// may have running at once. gqlgen runs each operation of a socket in a
// goroutine of its own as soon as it arrives, so without a bound one socket
// could start thousands at once; over HTTP a connection runs one request at
// a time.
const maxInFlightPerConnection = 16

type inFlightKey struct{}

// inFlight refuses a query or mutation sent over a websocket that already
// runs maxInFlightPerConnection of them, with UNAVAILABLE; the socket and
// its other operations go on. Subscriptions have their own limits.
type inFlight struct{}

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = inFlight{}

func (inFlight) ExtensionName() string                   { return "InFlightPerConnection" }
func (inFlight) Validate(graphql.ExecutableSchema) error { return nil }

func (inFlight) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	slots, ok := ctx.Value(inFlightKey{}).(chan struct{})
	if !ok || isSubscription(ctx) {
		return next(ctx)
	}
	select {
	case slots <- struct{}{}:
	default:
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{unavailable(fmt.Sprintf(
			"this connection already has %d operations running, the limit: wait for their answers", maxInFlightPerConnection))}})
	}
	responses := next(ctx)
	released := false
	return func(ctx context.Context) *graphql.Response {
		// A query or mutation answers once; the slot is free from then.
		resp := responses(ctx)
		if !released {
			released = true
			<-slots
		}
		return resp
	}
}

// unavailable is an UNAVAILABLE error: no room for the request right now.
func unavailable(message string) *gqlerror.Error {
	e := &gqlerror.Error{Message: message}
	setCode(e, db.CodeUnavailable)
	return e
}
