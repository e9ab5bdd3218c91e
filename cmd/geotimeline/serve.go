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
	"syscall"
	"time"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph/server"
)

const serveAbout = `Serves the API over HTTP: GraphQL at /graphql (GET and POST), the GraphQL
playground at / and a health check at /healthz. Logs go to standard error.

A new, empty database is first loaded with the built-in demo fixture (the
May 2025 India–Pakistan escalation), unless --no-demo is given.

SIGINT or SIGTERM stops accepting connections, lets requests in flight
finish (for up to 10 seconds) and closes the database.`

// shutdownTimeout bounds how long requests in flight may take to finish
// once a stop is asked for.
const shutdownTimeout = 10 * time.Second

func (c *cli) serve(ctx context.Context, args []string) error {
	cmd := c.newCommand("serve", "serve [flags]", serveAbout)
	var (
		dbPath, addr string
		noDemo       bool
		lf           logFlags
	)
	cmd.dbFlag(&dbPath)
	cmd.stringFlag(&addr, "addr", "HOST:PORT", "GEOTIMELINE_ADDR", "127.0.0.1:8080",
		"address to listen on; port 0 picks a free one, which is logged")
	cmd.boolFlag(&noDemo, "no-demo", "GEOTIMELINE_NO_DEMO", "do not load the demo fixture into a new, empty database")
	cmd.logFlags(&lf)
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve takes no arguments, got %q", rest[0])
	}
	logger, err := cmd.logger(lf, c.stderr)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := loadDemo(ctx, store, noDemo, logger); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           server.New(store, logger, server.Options{}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "db", dbPath)
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
	if err := store.Close(); err != nil {
		return fmt.Errorf("close %s: %w", dbPath, err)
	}
	logger.Info("stopped")
	return nil
}

// loadDemo loads the demo fixture into an empty store, through the same
// decode-and-apply path as seed, unless noDemo.
func loadDemo(ctx context.Context, store *sqlite.Store, noDemo bool, logger *slog.Logger) error {
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
	sum, err := load(ctx, store, []fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		return fmt.Errorf("load demo fixture: %w", err)
	}
	logger.Info("loaded demo fixture into empty database", "inserted", sum.Inserted,
		"updated", sum.Updated, "unchanged", sum.Unchanged)
	return nil
}
