package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/server"
)

const serveAbout = `Serves the API over HTTP: GraphQL at /graphql (GET and POST, and
subscriptions over graphql-ws websockets), the GraphQL playground at /, the
dashboard at /dashboard, a health check at /healthz and Prometheus metrics at
/metrics. Logs go to standard error.

A new, empty database is first loaded with the built-in demo fixture (the
May 2025 India–Pakistan escalation), unless --no-demo is given.

Reads are open to anyone unless --private is given. Mutations need a token,
sent as "Authorization: Bearer TOKEN": one from --token (client "default")
and any number from --tokens-file, a file of lines "NAME sha256:HEX" where
HEX is the SHA-256 of the client's token (printf %s "$TOKEN" | sha256sum);
blank lines and lines starting with # are ignored. Without any token the
API is read-only. Prefer GEOTIMELINE_TOKEN to --token: a command line can
be read by other users of the machine.

Each request is bounded: its cost (--max-complexity, see the README for
how fields are priced), how deep its fields nest (--max-depth), how many
aliases it holds (--max-aliases) and how long it may run
(--request-timeout); the size of its document, its answer and its error
list have fixed bounds (see the README's "Access and limits").

A server on a loopback address (the default) answers only requests whose
Host header names a loopback host, against DNS rebinding; --allowed-hosts
adds names (and turns the check on for any address).

Live updates are bounded too: the open subscriptions
of the whole server (--max-subscriptions), of one websocket
(--max-subscriptions-per-connection) and of one client over all its
websockets (--max-subscriptions-per-client), and the open websockets of one
client (--max-websockets-per-client; the upgrade past it gets 429). A
client is a token's client, or else an address (an IPv6 /64); a websocket
counts by the token of its upgrade request's header, and browsers, which
send theirs in connection_init, count by address. X-Forwarded-For is not
believed.

SIGINT or SIGTERM stops accepting connections, lets requests in flight
finish (for up to 10 seconds) and closes the database.`

// commaList splits a flag's comma-separated list, dropping blanks.
func commaList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// defaultResponseCacheMB is serve's --response-cache: the answers of a
// dashboard's few dozen queries take well under a megabyte each.
const defaultResponseCacheMB = 32

// maxResponseCacheMB keeps a mistyped --response-cache from promising the
// cache more memory than a machine has.
const maxResponseCacheMB = 64 << 10

// shutdownTimeout bounds how long requests in flight may take to finish
// once a stop is asked for.
const shutdownTimeout = 10 * time.Second

func (c *cli) serve(ctx context.Context, args []string) error {
	cmd := c.newCommand("serve", "serve [flags]", serveAbout)
	var (
		dbPath, addr string
		allowedHosts string
		metricsOps   string
		cacheMB      int
		noDemo       bool
		writeWait    time.Duration
		retention    time.Duration
		lf           logFlags
		af           accessFlags
		opts         server.Options
		liveOpts     live.Options
	)
	cmd.dbFlag(&dbPath)
	cmd.stringFlag(&addr, "addr", "HOST:PORT", "GEOTIMELINE_ADDR", "127.0.0.1:8080",
		"address to listen on; port 0 picks a free one, which is logged")
	cmd.stringFlag(&allowedHosts, "allowed-hosts", "NAMES", "GEOTIMELINE_ALLOWED_HOSTS", "",
		"comma-separated host names requests may name in Host besides loopback ones; checked when set or when --addr is a loopback address")
	cmd.stringFlag(&metricsOps, "metrics-operations", "NAMES", "GEOTIMELINE_METRICS_OPERATIONS", "",
		"comma-separated operation names /metrics labels by name besides the built-in pages' (others count as \"other\")")
	cmd.intFlag(&cacheMB, "response-cache", "MB", "GEOTIMELINE_RESPONSE_CACHE", defaultResponseCacheMB,
		"megabytes of query answers kept until the next write to the database, for clients that repeat queries (dashboards); 0 turns it off")
	cmd.boolFlag(&noDemo, "no-demo", "GEOTIMELINE_NO_DEMO", "do not load the demo fixture into a new, empty database")
	cmd.stringFlag(&af.token, "token", "TOKEN", "GEOTIMELINE_TOKEN", "",
		`a token that may write, held by client "default" (prefer the environment variable)`)
	cmd.stringFlag(&af.tokensFile, "tokens-file", "PATH", "GEOTIMELINE_TOKENS_FILE", "",
		`a file of tokens that may write, one client a line: "NAME sha256:HEX"`)
	cmd.boolFlag(&opts.Private, "private", "GEOTIMELINE_PRIVATE", "reads need a token too, subscriptions and /metrics included (/healthz and the pages stay open)")
	cmd.intFlag(&opts.MaxComplexity, "max-complexity", "N", "GEOTIMELINE_MAX_COMPLEXITY", server.DefaultMaxComplexity,
		"the most one operation may cost: about how many records it may ask for")
	cmd.intFlag(&opts.MaxDepth, "max-depth", "N", "GEOTIMELINE_MAX_DEPTH", server.DefaultMaxDepth,
		"how deep the fields of one operation may nest")
	cmd.intFlag(&opts.MaxAliases, "max-aliases", "N", "GEOTIMELINE_MAX_ALIASES", server.DefaultMaxAliases,
		"how many aliases one operation may hold")
	cmd.durationFlag(&opts.RequestTimeout, "request-timeout", "DURATION", "GEOTIMELINE_REQUEST_TIMEOUT", server.DefaultRequestTimeout,
		"how long one request to /graphql may run before it is cancelled")
	cmd.intFlag(&liveOpts.MaxSubscribers, "max-subscriptions", "N", "GEOTIMELINE_MAX_SUBSCRIPTIONS", live.DefaultMaxSubscribers,
		"how many subscriptions the server holds open at once, over every client")
	cmd.intFlag(&opts.MaxSubscriptionsPerConnection, "max-subscriptions-per-connection", "N", "GEOTIMELINE_MAX_SUBSCRIPTIONS_PER_CONNECTION",
		server.DefaultMaxSubscriptionsPerConnection, "how many subscriptions one websocket may hold open")
	cmd.intFlag(&opts.MaxSubscriptionsPerClient, "max-subscriptions-per-client", "N", "GEOTIMELINE_MAX_SUBSCRIPTIONS_PER_CLIENT",
		server.DefaultMaxSubscriptionsPerClient, "how many subscriptions one client (a token's, or an address) may hold open over all its websockets")
	cmd.intFlag(&opts.MaxWebsocketsPerClient, "max-websockets-per-client", "N", "GEOTIMELINE_MAX_WEBSOCKETS_PER_CLIENT",
		server.DefaultMaxWebsocketsPerClient, "how many websockets one client may hold open")
	cmd.boolFlag(&opts.NoIntrospection, "no-introspection", "GEOTIMELINE_NO_INTROSPECTION",
		"refuse introspection (__schema and __type); the playground then cannot show the schema")
	cmd.durationFlag(&writeWait, "write-wait", "DURATION", "GEOTIMELINE_WRITE_WAIT", backend.DefaultWriteWait,
		"how long a mutation waits for another process's write (a seed) before failing with UNAVAILABLE; the request timeout bounds it too")
	cmd.durationFlag(&retention, "change-retention", "DURATION", "GEOTIMELINE_CHANGE_RETENTION", backend.DefaultChangeRetention,
		"how long the changes feed keeps a change, so how long a client's cursor into it stays valid")
	cmd.logFlags(&lf)
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve takes no arguments, got %q", rest[0])
	}
	if err := cmd.positive(
		map[string]int{"max-complexity": opts.MaxComplexity, "max-depth": opts.MaxDepth, "max-aliases": opts.MaxAliases,
			"max-subscriptions": liveOpts.MaxSubscribers, "max-subscriptions-per-connection": opts.MaxSubscriptionsPerConnection,
			"max-subscriptions-per-client": opts.MaxSubscriptionsPerClient, "max-websockets-per-client": opts.MaxWebsocketsPerClient},
		map[string]time.Duration{"request-timeout": opts.RequestTimeout, "write-wait": writeWait,
			"change-retention": retention},
	); err != nil {
		return err
	}
	if cacheMB < 0 || cacheMB > maxResponseCacheMB {
		return usagef("%s %d: want 0 (off) to %d", cmd.source("response-cache"), cacheMB, maxResponseCacheMB)
	}
	logger, err := cmd.logger(lf, c.stderr)
	if err != nil {
		return err
	}
	if opts.Tokens, err = cmd.tokens(af); err != nil {
		return err
	}
	if opts.Private && len(opts.Tokens) == 0 {
		return usagef("%s needs a token: give --token or --tokens-file", cmd.source("private"))
	}
	if af.token != "" && len(af.token) < minTokenLength {
		logger.Warn(fmt.Sprintf("the token of %s is short: use at least %d random characters", cmd.source("token"), minTokenLength))
	}

	opts.AllowedHosts = commaList(allowedHosts)
	opts.MetricsOperations = commaList(metricsOps)
	opts.ResponseCacheBytes = int64(cacheMB) << 20
	opts.CheckHosts = server.IsLoopback(addr) || len(opts.AllowedHosts) > 0

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := backend.Open(ctx, dbPath, backend.Options{WriteWait: writeWait, Writer: "geotimeline serve",
		ChangeRetention: retention})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := loadDemo(ctx, store, noDemo, logger); err != nil {
		return err
	}
	warnUnwritable(logger, store, dbPath)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hub := live.New(store, logger, liveOpts)
	hubCtx, stopHubRun := context.WithCancel(ctx)
	hubDone := make(chan struct{})
	go func() {
		defer close(hubDone)
		hub.Run(hubCtx)
	}()
	// The hub stops, ending every subscription, before the store closes.
	stopHub := func() { stopHubRun(); <-hubDone }
	defer stopHub()
	opts.Live = hub
	srv := &http.Server{
		Handler:           server.New(store, logger, opts),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// The request timeout cancels the work; the write timeout leaves
		// room to send the answer after it.
		WriteTimeout: max(60*time.Second, opts.RequestTimeout+30*time.Second),
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logAccess(logger, opts, liveOpts)
	logger.Info("listening", "addr", ln.Addr().String(), "db", backend.Redact(dbPath))
	if c.ready != nil {
		c.ready <- ln.Addr()
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// From here a second Ctrl-C kills the process at once, as users expect
	// when a shutdown hangs.
	stop()
	logger.Info("shutting down", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	// Shutdown does not wait for websockets (they are hijacked): stopping
	// the hub completes their subscriptions.
	stopHub()
	if err := store.Close(); err != nil {
		return fmt.Errorf("close %s: %w", backend.Redact(dbPath), err)
	}
	logger.Info("stopped")
	return nil
}

// minTokenLength is the length below which serve warns about --token.
const minTokenLength = 16

// accessFlags are the serve flags that say who may write.
type accessFlags struct {
	token, tokensFile string
}

// tokens reads the tokens the flags give: --token as client "default",
// then every line of --tokens-file. A malformed file is an error naming the
// file and the line.
func (cmd *command) tokens(af accessFlags) ([]server.Token, error) {
	var tokens []server.Token
	if af.token != "" {
		tokens = append(tokens, server.NewToken(server.DefaultClient, af.token))
	}
	if af.tokensFile == "" {
		return tokens, nil
	}
	f, err := os.Open(af.tokensFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd.source("tokens-file"), err)
	}
	defer f.Close()
	fromFile, err := server.ParseTokens(f)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", cmd.source("tokens-file"), af.tokensFile, err)
	}
	if len(fromFile) == 0 {
		return nil, fmt.Errorf("%s %s: no tokens in the file", cmd.source("tokens-file"), af.tokensFile)
	}
	if af.token != "" {
		for _, t := range fromFile {
			if t.Hash == tokens[0].Hash {
				return nil, fmt.Errorf("%s %s: client %q has the token of %s", cmd.source("tokens-file"),
					af.tokensFile, t.Client, cmd.source("token"))
			}
		}
	}
	return append(tokens, fromFile...), nil
}

// logAccess says at start-up who may do what and within which limits.
func logAccess(logger *slog.Logger, opts server.Options, liveOpts live.Options) {
	if len(opts.Tokens) == 0 {
		logger.Warn("no tokens configured: the API is read-only")
	} else {
		clients := map[string]bool{}
		for _, t := range opts.Tokens {
			clients[t.Client] = true
		}
		logger.Info("tokens configured: mutations need one", "tokens", len(opts.Tokens),
			"clients", len(clients), "private", opts.Private)
	}
	if opts.NoIntrospection {
		logger.Info("introspection is disabled")
	}
	logger.Info("limits", "max_complexity", opts.MaxComplexity, "max_depth", opts.MaxDepth,
		"max_aliases", opts.MaxAliases, "request_timeout", opts.RequestTimeout)
	logger.Info("live update limits", "max_subscriptions", liveOpts.MaxSubscribers,
		"per_connection", opts.MaxSubscriptionsPerConnection, "per_client", opts.MaxSubscriptionsPerClient,
		"websockets_per_client", opts.MaxWebsocketsPerClient)
}

// warnUnwritable says at start-up that the database cannot be written, so
// that an operator learns it before the first mutation fails: serve goes on,
// since every query still works, and /healthz reports the same.
func warnUnwritable(logger *slog.Logger, store interface{ Writable() error }, dbPath string) {
	if err := store.Writable(); err != nil {
		logger.Warn("the database cannot be written: mutations will fail", "db", backend.Redact(dbPath),
			"code", string(db.ErrorCode(err)), "reason", db.ErrorMessage(err))
	}
}

// loadDemo loads the demo fixture into an empty store, through the same
// decode-and-apply path as seed, unless noDemo.
func loadDemo(ctx context.Context, store backend.Store, noDemo bool, logger *slog.Logger) error {
	empty, err := store.IsEmpty(ctx)
	if err != nil {
		return err
	}
	switch {
	case !empty:
		return nil
	case noDemo:
		logger.Info("database is empty; demo fixture not loaded (--no-demo)")
		return nil
	}
	loader := &seed.Loader{Record: &db.Run{Command: "seed", Client: "geotimeline serve (the built-in demo)", StartedAt: time.Now().UTC()}}
	_, sum, err := loader.Load(ctx, store, []fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		return fmt.Errorf("load demo fixture: %w", err)
	}
	logger.Info("loaded demo fixture into empty database", "inserted", sum.Inserted,
		"updated", sum.Updated, "unchanged", sum.Unchanged)
	return nil
}
