// Package server serves the GraphQL API over HTTP: GraphQL over HTTP at
// /graphql, the GraphQL playground at / and a health check at /healthz.
//
// It owns what the HTTP edge decides: which transports are spoken, how large
// a request may be, how errors look to a client (extensions.code, masked
// internal errors) and what is logged per request.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph"
	"github.com/geotimeline/geotimeline/graph/loader"
)

// DefaultMaxBodyBytes is the largest request body /graphql reads when
// Options.MaxBodyBytes is zero. gqlgen's POST transport reads the whole body
// into memory, so without a bound one request could exhaust it.
const DefaultMaxBodyBytes = 1 << 20

// parserTokenLimit bounds the work the GraphQL parser does on one query
// (CVE-2023-49559: gqlgen has no limit by default).
const parserTokenLimit = 15000

// Options tunes the handler; the zero value is a sensible default.
type Options struct {
	// MaxBodyBytes is the largest request body accepted on /graphql;
	// larger ones are refused with 413. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// New returns the HTTP handler of the API, backed by store. Errors are
// presented with extensions.code; internal errors and panics are logged to
// logger with their details and reach the client only as "internal error".
func New(store *sqlite.Store, logger *slog.Logger, opts Options) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}

	gql := handler.New(graph.NewSchema(store))
	// Transports are listed explicitly: NewDefaultServer would also turn on
	// websocket and multipart, which nothing in the API uses yet.
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.SetParserTokenLimit(parserTokenLimit)
	gql.Use(extension.Introspection{})
	gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	gql.SetErrorPresenter(errorPresenter(logger))
	gql.SetRecoverFunc(recoverFunc(logger))

	api := readBody(opts.MaxBodyBytes, loader.Middleware(store, gql))

	mux := http.NewServeMux()
	mux.Handle("GET /graphql", api)
	mux.Handle("POST /graphql", api)
	// The playground loads GraphiQL from a CDN (cdn.jsdelivr.net), so it
	// needs internet access in the browser; serving the assets ourselves is
	// a later change.
	mux.Handle("GET /{$}", playground.Handler("geotimeline", "/graphql"))
	mux.Handle("GET /healthz", health(store))
	return logRequests(logger, mux)
}

// health answers whether the store can be queried. IsEmpty stands in for a
// ping: it is a cheap read through the same pool the API uses.
func health(store *sqlite.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := store.IsEmpty(r.Context()); err != nil {
			loggerFrom(r.Context()).ErrorContext(r.Context(), "health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"unavailable"}`)
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	})
}

// readBody reads a POST body up front within limit, so that an oversized
// request gets a clean 413 instead of gqlgen's "could not read request body"
// with status 200. It also answers a body that is not JSON itself, since
// gqlgen's "transport not supported" carries no extensions.code.
func readBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, db.CodeInvalid,
				"a POST to /graphql must have Content-Type: application/json")
			return
		}
		tooLarge := func() {
			writeError(w, http.StatusRequestEntityTooLarge, db.CodeInvalid,
				fmt.Sprintf("request body is larger than %d bytes", limit))
		}
		if r.ContentLength > limit {
			tooLarge()
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				tooLarge()
				return
			}
			writeError(w, http.StatusBadRequest, db.CodeInvalid, "could not read request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// writeError answers a request that never reached GraphQL execution with a
// GraphQL-shaped error, so clients parse every failure the same way.
func writeError(w http.ResponseWriter, status int, code db.Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{
		Message:    message,
		Extensions: map[string]any{"code": string(code)},
	}}})
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
// errors already carrying a code.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if code, ok := gqlErr.Extensions["code"]; ok {
			// API.md names this one QUERY_TOO_COMPLEX; gqlgen's complexity
			// limit calls it otherwise. The HTTP status is chosen before
			// the presenter runs, so renaming it here does not change it.
			if code == "COMPLEXITY_LIMIT_EXCEEDED" {
				gqlErr.Extensions["code"] = "QUERY_TOO_COMPLEX"
			}
			return gqlErr
		}
		cause := gqlErr.Unwrap()
		if cause == nil {
			return presentBare(ctx, logger, gqlErr)
		}
		code := db.ErrorCode(cause)
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
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" && sw.status == http.StatusOK {
			level = slog.LevelDebug
		}
		logger.LogAttrs(ctx, level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)),
			slog.String("request_id", id),
		)
	})
}
