package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/cmd/geotimeline/internal/loadtest"
)

const benchAboutHead = `Sends a mix of read queries to a running server and reports, at each
concurrency level in turn, requests per second, latency percentiles
(p50/p95/p99/max) and errors, then the p50 and p95 of each query.

The queries' parameters (a busy and a quiet actor, a country, an event type,
the busiest month, a word of the titles, a cursor far into the timeline, two
actors with a path between them) are first learnt from the server with a
few small requests, so the same mix runs against the demo and a large
generated graph. A query the server has no parameter for is skipped and
named in the report.

Each worker sends the queries one at a time, in the order below,
round-robin (worker i starting at the i-th), over its own HTTP/1.1
keep-alive connection: every query gets the same share of the requests.
Nothing is counted during --warmup; a request counts when it starts within
--duration, and req/s divides those by the time until the last of them
ended. Percentiles are exact over a uniform sample of at most a million
latencies per level; counts and max are exact. An error is a failed
request, a status other than 200 or an answer with "errors".

Load goes only to 127.0.0.1, ::1 or localhost unless --allow-remote is
given. With --pid, the resident memory of that process (the server) is
read from /proc before the run and after each level (Linux).

Exit status: 0, or 1 when the server could not be queried or any request
failed (the report is written first), 2 for a wrong call such as a URL that
is not on this machine.

The mix (--mix all, or some of these names separated by commas):
`

func benchAbout() string {
	var b strings.Builder
	b.WriteString(benchAboutHead)
	for _, q := range loadtest.Mix {
		fmt.Fprintf(&b, "  %-19s %s\n", q.Name, q.About)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// maxConcurrency bounds --concurrency: more workers than this measure the
// load generator rather than the server.
const maxConcurrency = 4096

func (c *cli) bench(ctx context.Context, args []string) error {
	cmd := c.newCommand("bench", "bench [flags]", benchAbout())
	var (
		url, levels, mix, token string
		duration, warmup        time.Duration
		timeout                 time.Duration
		pid, minRounds          int
		asJSON, allowRemote     bool
	)
	cmd.stringFlag(&url, "url", "URL", "GEOTIMELINE_BENCH_URL", "http://127.0.0.1:8080/graphql",
		"the GraphQL endpoint of the server to load")
	cmd.stringFlag(&levels, "concurrency", "N,N,...", "GEOTIMELINE_BENCH_CONCURRENCY", "1,8,32",
		"the concurrency levels to run, one after another: how many requests are in flight at once")
	cmd.durationFlag(&duration, "duration", "DURATION", "GEOTIMELINE_BENCH_DURATION", 10*time.Second,
		"how long each level is measured")
	cmd.nonNegativeDurationFlag(&warmup, "warmup", "DURATION", "GEOTIMELINE_BENCH_WARMUP", 2*time.Second,
		"how long each level runs before it is measured; 0 for none")
	cmd.durationFlag(&timeout, "timeout", "DURATION", "GEOTIMELINE_BENCH_TIMEOUT", 10*time.Second,
		"how long one request may take before it counts as an error")
	cmd.stringFlag(&mix, "mix", "all|NAME,...", "GEOTIMELINE_BENCH_MIX", "all",
		"the queries to send (see above)")
	cmd.stringFlag(&token, "token", "TOKEN", "GEOTIMELINE_TOKEN", "",
		`a token sent as "Authorization: Bearer TOKEN", for a --private server (prefer the environment variable)`)
	cmd.intFlag(&pid, "pid", "PID", "GEOTIMELINE_BENCH_PID", 0,
		"the server's process ID, to report its memory (VmRSS, VmHWM) before and after each level; 0 for none")
	cmd.intFlag(&minRounds, "min-rounds", "N", "GEOTIMELINE_BENCH_MIN_ROUNDS", 0,
		"go on past --duration until each worker has sent the whole mix N times, so that a short run covers every query")
	cmd.boolFlag(&asJSON, "json", "GEOTIMELINE_BENCH_JSON", "write the report as JSON instead of tables")
	cmd.boolFlag(&allowRemote, "allow-remote", "GEOTIMELINE_BENCH_ALLOW_REMOTE",
		"allow a --url that is not on this machine")
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("bench takes no arguments, got %q", rest[0])
	}
	if err := cmd.positive(nil, map[string]time.Duration{"duration": duration, "timeout": timeout}); err != nil {
		return err
	}
	if warmup < 0 {
		return usagef("%s %s: want 0 or a positive duration", cmd.source("warmup"), warmup)
	}
	if pid < 0 {
		return usagef("%s %d: want a process ID, or 0 for none", cmd.source("pid"), pid)
	}
	if minRounds < 0 || minRounds > 1000 {
		return usagef("%s %d: want 0 to 1000", cmd.source("min-rounds"), minRounds)
	}
	concurrency, err := parseLevels(levels)
	if err != nil {
		return usagef("%s %q: %v", cmd.source("concurrency"), levels, err)
	}
	queries, err := loadtest.Select(mix)
	if err != nil {
		return usagef("%s: %v", cmd.source("mix"), err)
	}
	if err := loadtest.CheckURL(url, allowRemote); err != nil {
		return usagef("%s %v", cmd.source("url"), err)
	}

	report := &loadtest.Report{URL: url, WarmupSeconds: warmup.Seconds(), DurationSeconds: duration.Seconds(), Started: time.Now().UTC()}
	if pid > 0 {
		if report.MemoryBefore, err = loadtest.ReadMemory(pid); err != nil {
			return fmt.Errorf("%s %d: %w", cmd.source("pid"), pid, err)
		}
	}
	fmt.Fprintf(c.stderr, "bench: learning the parameters from %s\n", url)
	discovery := loadtest.NewClient(url, token, 1, timeout, allowRemote)
	params, err := loadtest.Discover(ctx, discovery)
	discovery.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	reqs, skipped := loadtest.Build(queries, params)
	for _, s := range skipped {
		fmt.Fprintf(c.stderr, "bench: skipped %s\n", s)
	}
	if len(reqs) == 0 {
		return fmt.Errorf("the server has no data for any query of the mix")
	}
	report.Params, report.Skipped = params, skipped
	for _, r := range reqs {
		report.Mix = append(report.Mix, r.Name)
	}

	failed, total := 0, 0
	for _, n := range concurrency {
		fmt.Fprintf(c.stderr, "bench: concurrency %d: %s warm-up, %s measured\n", n, warmup, duration)
		client := loadtest.NewClient(url, token, n, timeout, allowRemote)
		lv := loadtest.Run(ctx, client, loadtest.Config{Requests: reqs, Concurrency: n, Warmup: warmup, Duration: duration, MinRounds: minRounds})
		client.Close()
		if err := ctx.Err(); err != nil {
			return err
		}
		if pid > 0 {
			if lv.Memory, err = loadtest.ReadMemory(pid); err != nil {
				return fmt.Errorf("%s %d: %w", cmd.source("pid"), pid, err)
			}
		}
		report.Levels = append(report.Levels, lv)
		failed, total = failed+lv.Errors, total+lv.Requests
	}

	if asJSON {
		err = report.WriteJSON(c.stdout)
	} else {
		err = report.WriteText(c.stdout)
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(c.stderr, "bench: %d of %d requests failed\n", failed, total)
		return errShown
	}
	return nil
}

// parseLevels reads a comma-separated list of concurrency levels.
func parseLevels(s string) ([]int, error) {
	var levels []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > maxConcurrency {
			return nil, fmt.Errorf("want whole numbers from 1 to %d separated by commas", maxConcurrency)
		}
		levels = append(levels, n)
	}
	return levels, nil
}

// nonNegativeDurationFlag is durationFlag for a duration that may be 0.
func (cmd *command) nonNegativeDurationFlag(p *time.Duration, name, placeholder, env string, def time.Duration, usage string) {
	start := def
	if v := cmd.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			cmd.envErrs[name] = fmt.Errorf("%s=%q: want 0 or a positive duration such as 2s or 500ms", env, v)
		}
		start = d
	}
	cmd.fs.DurationVar(p, name, start, usage)
	cmd.flags = append(cmd.flags, flagDoc{name, placeholder, env, def.String(), usage})
}
