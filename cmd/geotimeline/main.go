// Command geotimeline keeps geopolitical events as a graph in SQLite and
// serves it over GraphQL.
//
//	geotimeline serve  [--db PATH] [--addr HOST:PORT] [--no-demo]
//	geotimeline seed   [--db PATH] FILE...
//	geotimeline import --format F [--db PATH] FILE...
//	geotimeline export [--db PATH] [--format F] [filter flags]
//	geotimeline generate --events N [--seed S] [--out FILE]
//	geotimeline bench [--url URL] [--concurrency 1,8,32] [--duration D]
//
// Exit status: 0 on success (and for help), 1 when the command failed, 2 when
// it was called wrongly (unknown command or flag, missing argument).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the program with args (without the program name) and returns its
// exit status. Everything it touches of the process comes in as arguments,
// so tests run it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return c.run(ctx, args)
}

// cli is one run of the program.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	// ready, when set, receives serve's listening address once it accepts
	// connections, so that tests can use --addr 127.0.0.1:0. It must be
	// buffered or read promptly.
	ready chan<- net.Addr
}

// commands are the subcommands, in the order help lists them.
var commands = []struct {
	name, summary string
	run           func(c *cli, ctx context.Context, args []string) error
}{
	{"serve", "serve the GraphQL API, the playground and the dashboard over HTTP", (*cli).serve},
	{"seed", "load fixture files into the database, all or nothing", (*cli).seed},
	{"import", "load event dataset files (GDELT, ICEWS, UCDP, ACLED, PLOVER) into the database, all or nothing", (*cli).importCmd},
	{"export", "write the database, or a filtered view of it, as a fixture, CSV, TimelineJS, GeoJSON, GEXF or GraphML", (*cli).export},
	{"generate", "write a synthetic fixture of N events, the same for the same seed", (*cli).generate},
	{"bench", "send a mix of queries to a running server and report req/s and latency", (*cli).bench},
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.usage(c.stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			// "help seed" is "seed --help".
			return c.run(ctx, []string{rest[0], "--help"})
		}
		c.usage(c.stdout)
		return 0
	}
	for _, cmd := range commands {
		if cmd.name == name {
			return c.exit(name, cmd.run(c, ctx, rest))
		}
	}
	fmt.Fprintf(c.stderr, "geotimeline: unknown command %q\n\n", name)
	c.usage(c.stderr)
	return 2
}

// exit reports err, if it is not reported yet, and turns it into the exit
// status.
func (c *cli) exit(name string, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errShown):
		return 1
	case errors.As(err, &ue):
		fmt.Fprintf(c.stderr, "%s: %v\nRun 'geotimeline %s --help' for usage.\n", name, err, name)
		return 2
	default:
		fmt.Fprintf(c.stderr, "%s: %v\n", name, err)
		return 1
	}
}

// usage is the top-level help.
func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, `geotimeline keeps geopolitical events as a graph in SQLite and serves it
over GraphQL.

Usage: geotimeline <command> [flags] [arguments]

Commands:
`)
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(w, `  %-8s show a command's flags

Environment (a flag given on the command line wins over its variable):
  GEOTIMELINE_DB                --db, default "geotimeline.db" (all commands)
  GEOTIMELINE_ADDR              --addr, default "127.0.0.1:8080" (serve)
  GEOTIMELINE_NO_DEMO           --no-demo, default false (serve)
  GEOTIMELINE_TOKEN             --token, default "" (serve)
  GEOTIMELINE_TOKENS_FILE       --tokens-file, default "" (serve)
  GEOTIMELINE_PRIVATE           --private, default false (serve)
  GEOTIMELINE_MAX_COMPLEXITY    --max-complexity, default 10000 (serve)
  GEOTIMELINE_MAX_DEPTH         --max-depth, default 12 (serve)
  GEOTIMELINE_MAX_ALIASES       --max-aliases, default 30 (serve)
  GEOTIMELINE_REQUEST_TIMEOUT   --request-timeout, default 10s (serve)
  GEOTIMELINE_NO_INTROSPECTION  --no-introspection, default false (serve)
  GEOTIMELINE_LOG_LEVEL         --log-level, default "info" (serve)
  GEOTIMELINE_LOG_FORMAT        --log-format, default "text" (serve)
  generate and bench follow the same pattern; see their --help.

Run 'geotimeline help <command>' or 'geotimeline <command> --help' for details.
`, "help")
}
