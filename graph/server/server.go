// Package server serves the GraphQL API over HTTP: GraphQL over HTTP and
// graphql-ws subscriptions at /graphql, the pages of graph/web (the
// playground at /, the dashboard at /dashboard), a health check at /healthz
// and Prometheus metrics at /metrics.
//
// It owns what the HTTP edge decides: how GraphQL over HTTP is spoken
// (transport.go), which Host names it answers (host.go), who may read and
// write (auth.go), what one request may cost (admit.go, the document's
// bounds before validation; limits.go; the field prices of graph/cost, with
// list lengths from listlengths.go), what one client may hold open
// (livelimits.go), how errors look to a client (extensions.code, masked
// internal errors, storage faults) and what is logged per request.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph"
	"github.com/geotimeline/geotimeline/graph/cost"
	"github.com/geotimeline/geotimeline/graph/generated"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/loader"
	"github.com/geotimeline/geotimeline/graph/web"
)

// DefaultMaxBodyBytes is the largest request body /graphql reads when
// Options.MaxBodyBytes is zero. gqlgen's POST transport reads the whole body
// into memory, so without a bound one request could exhaust it.
const DefaultMaxBodyBytes = 1 << 20

// DefaultMaxResponseBytes is the largest answer /graphql sends over HTTP
// when Options.MaxResponseBytes is zero. The cost limit bounds the records
// a query reads; this bounds what they add up to, text fields included.
const DefaultMaxResponseBytes = 16 << 20

// parserTokenLimit bounds the work the GraphQL parser does on one query
// (CVE-2023-49559: gqlgen has no limit by default).
const parserTokenLimit = 15000

// Options tunes the handler; the zero value is a sensible default: an
// open, read-only API with the default limits.
type Options struct {
	// MaxBodyBytes is the largest request body accepted on /graphql;
	// larger ones are refused with 413. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxResponseBytes is the largest response body sent over HTTP; a
	// larger answer is replaced by a QUERY_TOO_COMPLEX error. Zero means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int

	// Tokens are the tokens of the clients allowed to write (and, when
	// Private, to read). With none the API is read-only: every mutation
	// is refused with FORBIDDEN.
	Tokens []Token
	// Private makes reads need a token too; /healthz and the playground
	// page stay open.
	Private bool

	// MaxComplexity is the most an operation may cost (package
	// graph/cost prices fields); zero means DefaultMaxComplexity.
	MaxComplexity int
	// MaxDepth is how deep fields may nest; zero means DefaultMaxDepth.
	MaxDepth int
	// MaxAliases is how many aliases one operation may hold; zero means
	// DefaultMaxAliases.
	MaxAliases int
	// RequestTimeout bounds a whole request to /graphql; the SQL running
	// at the deadline is interrupted. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// NoIntrospection refuses __schema and __type queries.
	NoIntrospection bool

	// ResponseCacheBytes bounds the response cache (responseCache): the
	// answers of queries asked before, kept until the next commit to the
	// database. Zero turns it off.
	ResponseCacheBytes int64

	// MetricsOperations are operation names /metrics labels as
	// themselves, besides those of the built-in pages and examples; other
	// names are counted as "other".
	MetricsOperations []string

	// CheckHosts refuses requests whose Host header names anything but a
	// loopback name (localhost, 127.0.0.0/8, ::1) or one of AllowedHosts,
	// with 421: what a server bound to a loopback address needs against
	// DNS rebinding (see checkHosts).
	CheckHosts bool
	// AllowedHosts are further host names (without port) requests may
	// name when CheckHosts is set.
	AllowedHosts []string

	// Live serves subscriptions (graphql-ws on /graphql); without it they
	// are refused with UNAVAILABLE. Its Run must be going. Its own
	// MaxSubscribers bounds the subscriptions of the whole server; the
	// limits below keep one client from taking all of them.
	Live *live.Hub
	// MaxSubscriptionsPerConnection bounds the open subscriptions of one
	// websocket (serve's --max-subscriptions-per-connection); zero means
	// DefaultMaxSubscriptionsPerConnection.
	MaxSubscriptionsPerConnection int
	// MaxSubscriptionsPerClient bounds those of one client over all its
	// websockets: a token's client, or an address (an IPv6 /64) for
	// anonymous ones (--max-subscriptions-per-client); zero means
	// DefaultMaxSubscriptionsPerClient.
	MaxSubscriptionsPerClient int
	// MaxWebsocketsPerClient bounds the open websockets of one client, by
	// the upgrade's Authorization header or else its address; the upgrade
	// past it gets 429 (--max-websockets-per-client). Zero means
	// DefaultMaxWebsocketsPerClient.
	MaxWebsocketsPerClient int
}

func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxComplexity <= 0 {
		o.MaxComplexity = DefaultMaxComplexity
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxAliases <= 0 {
		o.MaxAliases = DefaultMaxAliases
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxSubscriptionsPerConnection <= 0 {
		o.MaxSubscriptionsPerConnection = DefaultMaxSubscriptionsPerConnection
	}
	if o.MaxSubscriptionsPerClient <= 0 {
		o.MaxSubscriptionsPerClient = DefaultMaxSubscriptionsPerClient
	}
	if o.MaxWebsocketsPerClient <= 0 {
		o.MaxWebsocketsPerClient = DefaultMaxWebsocketsPerClient
	}
	return o
}

// NewSchema returns the executable schema backed by store, with the field
// prices of package graph/cost for the complexity limit; hub, which may be
// nil, serves subscriptions; lists, which may be nil, holds the list
// lengths plain lists are priced by.
func NewSchema(store Store, hub *live.Hub, lists *cost.Lists) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  &graph.Resolver{Store: store, Live: hub, ClientOf: Client},
		Complexity: cost.Root(lists),
	})
}

// New returns the HTTP handler of the API, backed by store. Errors are
// presented with extensions.code; internal errors and panics are logged to
// logger with their details and reach the client only as "internal error".
func New(store Store, logger *slog.Logger, opts Options) http.Handler {
	lists := newListLengths(store, logger)
	return newHandler(NewSchema(store, opts.Live, lists.lists), store, logger, opts, lists)
}

// newHandler is New for any executable schema, so that tests can serve one
// with mutations of their own.
func newHandler(es graphql.ExecutableSchema, store Store, logger *slog.Logger, opts Options, lists *listLengths) http.Handler {
	opts = opts.withDefaults()
	acc := &access{tokens: opts.Tokens, private: opts.Private}
	lim := newLiveLimits(opts)

	gql := handler.New(es)
	// One transport for GET and POST; see httpTransport for why not
	// gqlgen's. Websockets carry subscriptions (graphql-ws); multipart is
	// left out: nothing uses it.
	gql.AddTransport(httpTransport{maxBody: opts.MaxBodyBytes, maxResponse: opts.MaxResponseBytes, logger: logger})
	gql.AddTransport(transport.Websocket{
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			ctx, ack, err := acc.websocketInit(ctx, p)
			if err != nil {
				return ctx, ack, err
			}
			return lim.connection(ctx), ack, nil
		},
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
		ErrorFunc: func(ctx context.Context, err error) {
			loggerFrom(ctx).DebugContext(ctx, "websocket", "err", err)
		},
	})
	queries := newQueryCache()
	gql.SetQueryCache(queries)
	gql.SetParserTokenLimit(parserTokenLimit)
	if !opts.NoIntrospection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(extension.AutomaticPersistedQuery{Cache: newAPQCache()})
	// After the persisted query is looked up, before gqlgen parses and
	// validates: the bounds that keep validation cheap, and validation
	// that stops at the deadline.
	gql.Use(admitQuery{schema: es.Schema(), cache: queries, maxAliases: opts.MaxAliases, maxDepth: opts.MaxDepth,
		introspection: !opts.NoIntrospection, timeout: opts.RequestTimeout})
	// These run in order once the operation is parsed and validated, before
	// it executes: the method and access checks, then the price. The
	// document's own limits (depth, aliases, introspection, the bounds that
	// keep validation cheap) were checked by admitQuery, before validation.
	gql.Use(queriesOverGET{})
	gql.Use(authorizeOperation{access: acc})
	if lists != nil {
		gql.Use(lists)
	}
	gql.Use(extension.FixedComplexityLimit(opts.MaxComplexity, cost.Options()...))
	gql.Use(inFlight{})
	gql.Use(operationTimeout{d: opts.RequestTimeout})
	gql.Use(readSnapshots{store: store})
	gql.Use(subscriptionLoaders{store: store})
	m := newMetrics(store, opts.Live, opts.MetricsOperations)
	gql.Use(m)
	if opts.ResponseCacheBytes > 0 {
		// After the metrics, so that an answer from the cache is counted
		// and timed like any other; before any read, so that it costs none.
		gql.Use(newResponseCache(store, opts.ResponseCacheBytes, m.registry))
	}
	gql.Use(capErrorList{})
	gql.Use(boundWebsocketResponses{max: opts.MaxResponseBytes})
	gql.SetErrorPresenter(errorPresenter(logger, store))
	gql.SetRecoverFunc(recoverFunc(logger))

	api := authenticateRequests(acc, loader.Middleware(store, gql))

	mux := http.NewServeMux()
	timed := withTimeout(opts.RequestTimeout, api)
	mux.Handle("GET /graphql", upgrades(lim.countSockets(acc, api), timed))
	mux.Handle("POST /graphql", timed)
	// Exports are reads like queries: the same access decision, timeout
	// and response size bound (see exportHandler).
	mux.Handle("GET /export/{format}", authenticateRequests(acc,
		withTimeout(opts.RequestTimeout, exportHandler(store, acc, opts.MaxResponseBytes))))
	mux.Handle("GET /healthz", health(store))
	mux.Handle("GET /metrics", acc.metricsAccess(m.handler()))
	web.Register(mux)
	var h http.Handler = mux
	if opts.CheckHosts {
		h = checkHosts(opts.AllowedHosts, mux)
	}
	return logRequests(logger, h)
}

// upgrades sends websocket upgrades to ws and the rest to next. A
// websocket lives as long as its subscriptions, so the request timeout and
// the server's read and write deadlines must not apply to it; its
// operations other than subscriptions get the timeout from operationTimeout.
func upgrades(ws, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		// A page on another origin must not open a socket with the user's
		// browser. The websocket library refuses it too, but gqlgen then
		// writes a second response over its 403.
		if o := r.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
				http.Error(w, "a websocket from another origin is refused", http.StatusForbidden)
				return
			}
		}
		// Deadlines set on the connection survive the hijack: clear them.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		ws.ServeHTTP(w, r)
	})
}

// health answers whether the store can be queried and written. IsEmpty
// stands in for a ping: it is a cheap read through the same pool the API
// uses. A store that reads but cannot be written (read-only, a full disk,
// an I/O error on the last write) still serves every query, so it answers
// 200 with status "degraded" rather than a 503 that would take it out of a
// load balancer's rotation; monitoring reads "writable" and "reason".
func health(store Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := store.IsEmpty(r.Context()); err != nil {
			loggerFrom(r.Context()).ErrorContext(r.Context(), "health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"unavailable"}`)
			return
		}
		if err := store.Writable(); err != nil {
			body, _ := json.Marshal(struct {
				Status   string `json:"status"`
				Writable bool   `json:"writable"`
				Code     string `json:"code"`
				Reason   string `json:"reason"`
			}{"degraded", false, string(db.ErrorCode(err)), db.ErrorMessage(err)})
			w.Write(body)
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	})
}

// problem is how one db.Problem appears in extensions.problems.
type problem struct {
	Where string `json:"where"`
	What  string `json:"what"`
}

// errorPresenter maps errors to what a client sees: the domain code of
// db.ErrorCode as extensions.code and the message of db.ErrorMessage.
// gqlgen's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
// PERSISTED_QUERY_NOT_FOUND, …) are kept, and so are the messages of
// errors already carrying a code. An error without a code in a request past
// its timeout is the timeout's doing (an interrupted SQL statement), not a
// bug: it becomes the timeout's QUERY_TOO_COMPLEX and is not logged as an
// internal error. classify, when not nil, is the store that gives a read's
// storage failure its code.
func errorPresenter(logger *slog.Logger, classify faultClassifier) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if code, ok := gqlErr.Extensions["code"]; ok {
			// API.md names this one QUERY_TOO_COMPLEX; gqlgen's complexity
			// limit calls it otherwise. The transport treats both alike.
			if code == "COMPLEXITY_LIMIT_EXCEEDED" {
				gqlErr.Extensions["code"] = string(db.CodeTooComplex)
				gqlErr.Message += ": ask for smaller pages (first, last, limit) or fewer nested lists"
			}
			return gqlErr
		}
		cause := gqlErr.Unwrap()
		if timedOut(ctx) && (cause == nil || db.ErrorCode(cause) == db.CodeInternal) {
			t := timeoutError(ctx)
			gqlErr.Message, gqlErr.Extensions = t.Message, t.Extensions
			return gqlErr
		}
		if cause == nil {
			return presentBare(ctx, logger, gqlErr)
		}
		// A read that failed on the storage half-way (an I/O error, a
		// corrupt page) comes here unclassified.
		if classify != nil {
			cause = classify.Classify(cause)
		}
		code := db.ErrorCode(cause)
		if db.IsStorageFault(code) {
			// Shown to the client with its own code, and logged: the
			// operator has to act on a full disk or a read-only file.
			logger.ErrorContext(ctx, "storage fault", "code", string(code), "err", cause,
				"path", gqlErr.Path.String(), "request_id", RequestID(ctx))
		}
		if code == db.CodeInternal && errors.Is(cause, context.Canceled) {
			// The client went away (while a write waited for the lock,
			// say): nobody reads the answer, and nothing is wrong here.
			logger.DebugContext(ctx, "request cancelled by its client", "err", cause, "request_id", RequestID(ctx))
			gqlErr.Message = "the request was cancelled"
			setCode(gqlErr, code)
			return gqlErr
		}
		if code == db.CodeInternal {
			logger.ErrorContext(ctx, "internal error", "err", cause, "path", gqlErr.Path.String(),
				"request_id", RequestID(ctx))
		}
		gqlErr.Message = db.ErrorMessage(cause)
		setCode(gqlErr, code)
		if ps, ok := errors.AsType[db.Problems](cause); ok {
			list := make([]problem, len(ps))
			for i, p := range ps {
				list[i] = problem{Where: p.Where, What: p.What}
			}
			gqlErr.Extensions["problems"] = list
		}
		return gqlErr
	}
}

// presentBare handles a gqlerror that wraps nothing and has no code: one
// gqlgen made itself. Outside field execution it is about the request (a
// body that is not JSON, a bad persisted-query extension); during execution
// it is a server bug such as a null for a non-null field.
func presentBare(ctx context.Context, logger *slog.Logger, gqlErr *gqlerror.Error) *gqlerror.Error {
	if graphql.GetFieldContext(ctx) == nil {
		// gqlgen echoes the whole undecodable body after " body:"; the
		// client has it already, and it can be a megabyte.
		if i := strings.Index(gqlErr.Message, " body:"); i >= 0 &&
			strings.HasPrefix(gqlErr.Message, "json request body could not be decoded") {
			gqlErr.Message = gqlErr.Message[:i]
		}
		setCode(gqlErr, db.CodeInvalid)
		return gqlErr
	}
	logger.ErrorContext(ctx, "internal error", "err", gqlErr.Message, "path", gqlErr.Path.String(),
		"request_id", RequestID(ctx))
	gqlErr.Message = "internal error"
	setCode(gqlErr, db.CodeInternal)
	return gqlErr
}

func setCode(gqlErr *gqlerror.Error, code db.Code) {
	if gqlErr.Extensions == nil {
		gqlErr.Extensions = map[string]any{}
	}
	gqlErr.Extensions["code"] = string(code)
}

// recoverFunc turns a panic in a resolver into an INTERNAL error: the stack
// goes to the log, never to the client.
func recoverFunc(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "panic", "panic", fmt.Sprint(v), "request_id", RequestID(ctx),
			"stack", string(debug.Stack()))
		gqlErr := gqlerror.Errorf("internal error")
		setCode(gqlErr, db.CodeInternal)
		return gqlErr
	}
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to: the client's
// X-Request-ID when it sent a usable one, otherwise one made up for it. It
// is "" outside a request served by New.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type loggerKey struct{}

// loggerFrom returns the request's logger, which carries its request id.
func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// requestID picks the id of a request. A client's id is kept only when it
// is short and plain, because it is echoed in a header and written to logs.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); id != "" && len(id) <= 128 && plain(id) {
		return id
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// statusWriter remembers the status a handler wrote, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestInfo is what inner handlers tell the request log: the name of the
// authenticated client (never its token).
type requestInfo struct {
	client string
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// logRequests gives each request an id, echoes it in X-Request-ID and logs
// one line per request when it is done. Health checks are logged at debug
// level: a probe every few seconds would drown the rest.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = context.WithValue(ctx, loggerKey{}, logger.With("request_id", id))
		info := &requestInfo{}
		ctx = context.WithValue(ctx, infoKey{}, info)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" && sw.status == http.StatusOK {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)),
			slog.String("request_id", id),
		}
		if info.client != "" {
			attrs = append(attrs, slog.String("client", info.client))
		}
		logger.LogAttrs(ctx, level, "request", attrs...)
	})
}
