package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// command is one subcommand's flag set. Every flag has an environment
// variable; the precedence is flag, then environment, then default, which
// is done by making the environment's value the flag's starting value.
type command struct {
	name     string // "seed"
	synopsis string // "seed [flags] FILE..."
	about    string // paragraphs shown under the synopsis
	fs       *flag.FlagSet
	getenv   func(string) string
	stdout   io.Writer // where --help goes
	flags    []flagDoc
	envErrs  map[string]error // flag name → unusable environment value
}

// flagDoc is what usage says about one flag.
type flagDoc struct {
	name, placeholder, env, def, usage string
}

// usageError is a mistake in how the program was called; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errShown is returned once a command has told the user what went wrong, so
// that nothing more is printed; it exits 1.
var errShown = errors.New("error already reported")

func (c *cli) newCommand(name, synopsis, about string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package prints its own errors and usage; ours go to the
	// right stream with the environment variables shown.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, synopsis: synopsis, about: about, fs: fs, getenv: c.getenv, stdout: c.stdout, envErrs: map[string]error{}}
}

// stringFlag defines --name, starting from $env when it is set and from def
// otherwise.
func (cmd *command) stringFlag(p *string, name, placeholder, env, def, usage string) {
	start := def
	if v := cmd.getenv(env); v != "" {
		start = v
	}
	cmd.fs.StringVar(p, name, start, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, placeholder, env, strconv.Quote(def), usage})
}

// plainFlag defines --name with no environment variable: a per-run
// choice (an export's filter) that a variable left set in the shell would
// silently apply to every run.
func (cmd *command) plainFlag(p *string, name, placeholder, def, usage string) {
	cmd.fs.StringVar(p, name, def, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, placeholder, "", strconv.Quote(def), usage})
}

// boolFlag defines --name, off by default; $env turns it on with any value
// strconv.ParseBool accepts as true.
func (cmd *command) boolFlag(p *bool, name, env, usage string) {
	start := false
	if v := cmd.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			cmd.envErrs[name] = fmt.Errorf("%s=%q: want true or false", env, v)
		}
		start = b
	}
	cmd.fs.BoolVar(p, name, start, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, "", env, "false", usage})
}

// plainBoolFlag is boolFlag with no environment variable, for a per-run
// choice as plainFlag is.
func (cmd *command) plainBoolFlag(p *bool, name, usage string) {
	cmd.fs.BoolVar(p, name, false, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, "", "", "false", usage})
}

// intFlag defines --name, a whole number of 1 or more, starting from $env
// when it is set and from def otherwise.
func (cmd *command) intFlag(p *int, name, placeholder, env string, def int, usage string) {
	start := def
	if v := cmd.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			cmd.envErrs[name] = fmt.Errorf("%s=%q: want a whole number of 1 or more", env, v)
		}
		start = n
	}
	cmd.fs.IntVar(p, name, start, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, placeholder, env, strconv.Itoa(def), usage})
}

// durationFlag defines --name, a positive duration such as "10s" or
// "500ms", starting from $env when it is set and from def otherwise.
func (cmd *command) durationFlag(p *time.Duration, name, placeholder, env string, def time.Duration, usage string) {
	start := def
	if v := cmd.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			cmd.envErrs[name] = fmt.Errorf("%s=%q: want a positive duration such as 10s or 500ms", env, v)
		}
		start = d
	}
	cmd.fs.DurationVar(p, name, start, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, placeholder, env, def.String(), usage})
}

// positive checks that the int flags named are 1 or more and the duration
// flags above zero, as the flag package does not.
func (cmd *command) positive(ints map[string]int, durations map[string]time.Duration) error {
	for _, fd := range cmd.flags {
		if n, ok := ints[fd.name]; ok && n < 1 {
			return usagef("%s %d: want a whole number of 1 or more", cmd.source(fd.name), n)
		}
		if d, ok := durations[fd.name]; ok && d <= 0 {
			return usagef("%s %s: want a positive duration such as 10s or 500ms", cmd.source(fd.name), d)
		}
	}
	return nil
}

// dbFlag is --db, which every command has.
func (cmd *command) dbFlag(p *string) {
	cmd.stringFlag(p, "db", "PATH", "GEOTIMELINE_DB", "geotimeline.db", "the SQLite database file, or a postgres:// URL for PostgreSQL")
}

// parse reads args and returns the positional arguments. Flags may come
// before, between or after them ("seed a.json --db x.db"), as people type
// them; everything after "--" is positional. For -h/--help it writes the
// usage to standard output and returns flag.ErrHelp; for anything malformed
// it returns a *usageError.
func (cmd *command) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := cmd.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				cmd.usage(cmd.stdout)
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := cmd.fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	set := map[string]bool{}
	cmd.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, fd := range cmd.flags {
		if err := cmd.envErrs[fd.name]; err != nil && !set[fd.name] {
			return nil, &usageError{msg: err.Error()}
		}
	}
	return positional, nil
}

// source names where a flag's value came from, for error messages.
func (cmd *command) source(name string) string {
	given := false
	cmd.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	for _, fd := range cmd.flags {
		if fd.name == name && !given && cmd.getenv(fd.env) != "" {
			return fd.env
		}
	}
	return "--" + name
}

// usage writes the command's help: synopsis, description and every flag
// with its environment variable and default.
func (cmd *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: geotimeline %s\n\n%s\n", cmd.synopsis, cmd.about)
	if len(cmd.flags) == 0 {
		return
	}
	fmt.Fprintf(w, "\nFlags (those with an environment variable can also be set by it; a flag wins):\n")
	for _, fd := range cmd.flags {
		head := "--" + fd.name
		if fd.placeholder != "" {
			head += " " + fd.placeholder
		}
		if fd.env == "" {
			fmt.Fprintf(w, "  %s\n        %s\n        default %s\n", head, fd.usage, fd.def)
			continue
		}
		fmt.Fprintf(w, "  %s\n        %s\n        env %s, default %s\n", head, fd.usage, fd.env, fd.def)
	}
}

// logFlags are the serve flags that shape its log.
type logFlags struct {
	level, format string
}

func (cmd *command) logFlags(lf *logFlags) {
	cmd.stringFlag(&lf.level, "log-level", "LEVEL", "GEOTIMELINE_LOG_LEVEL", "info",
		"least severe log messages written: debug, info, warn or error")
	cmd.stringFlag(&lf.format, "log-format", "FORMAT", "GEOTIMELINE_LOG_FORMAT", "text",
		"log format on standard error: text (logfmt) or json (one object a line)")
}

// logger builds the logger the flags ask for, writing to w.
func (cmd *command) logger(lf logFlags, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	switch strings.ToLower(lf.level) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, usagef("%s %q: want debug, info, warn or error", cmd.source("log-level"), lf.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(lf.format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usagef("%s %q: want text or json", cmd.source("log-format"), lf.format)
	}
}
