package main

import (
	"encoding/json"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/cmd/geotimeline/internal/loadtest"
)

// benchReport is the JSON report of bench, as a client reads it.
type benchReport struct {
	URL     string   `json:"url"`
	Mix     []string `json:"mix"`
	Skipped []string `json:"skipped"`
	Params  struct {
		Busy       *loadtest.ActorRef `json:"busy_actor"`
		Quiet      *loadtest.ActorRef `json:"quiet_actor"`
		Country    string             `json:"country"`
		EventType  string             `json:"event_type"`
		From, To   string
		Text       string `json:"text"`
		PathLength int    `json:"path_length"`
	} `json:"params"`
	MemoryBefore *loadtest.Memory `json:"server_memory_before"`
	Levels       []struct {
		Concurrency  int              `json:"concurrency"`
		Requests     int              `json:"requests"`
		Errors       int              `json:"errors"`
		RPS          float64          `json:"requests_per_second"`
		Latency      benchLatency     `json:"latency_ms"`
		ErrorSamples []string         `json:"error_samples"`
		Memory       *loadtest.Memory `json:"server_memory"`
		Queries      []struct {
			Name     string       `json:"name"`
			Requests int          `json:"requests"`
			Errors   int          `json:"errors"`
			Latency  benchLatency `json:"latency_ms"`
		} `json:"queries"`
	} `json:"levels"`
}

type benchLatency struct {
	P50, P95, P99, Max float64
}

// ordered reports whether p50 ≤ p95 ≤ p99 ≤ max.
func (l benchLatency) ordered() bool {
	return l.P50 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max
}

// TestBench runs bench against serve on the demo, in-process, and checks
// that every query of the mix ran without an error at each level.
func TestBench(t *testing.T) {
	base, _ := startServe(t, nil)
	// One round per worker at least, so that every query is sent however
	// slow a loaded machine makes the 300 ms.
	args := []string{"bench", "--url", base + "/graphql", "--duration", "300ms", "--warmup", "0", "--concurrency", "1,4",
		"--min-rounds", "1", "--json"}
	if runtime.GOOS == "linux" {
		// The server runs in this process.
		args = append(args, "--pid", strconv.Itoa(os.Getpid()))
	}
	res := runCLI(t, "", args...)
	if res.code != 0 {
		t.Fatalf("exit %d\nstderr: %s\nstdout: %s", res.code, res.stderr, res.stdout)
	}
	var r benchReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, res.stdout)
	}
	if got, want := r.Mix, loadtest.Names(); !slices.Equal(got, want) || len(r.Skipped) > 0 {
		t.Errorf("mix = %v, skipped %v; want %v", got, r.Skipped, want)
	}
	p := r.Params
	if p.Busy == nil || p.Quiet == nil || p.Busy.Key == p.Quiet.Key || p.Busy.Events < p.Quiet.Events ||
		p.Country == "" || p.EventType == "" || p.From == "" || p.Text == "" || p.PathLength < 1 {
		t.Errorf("discovered parameters incomplete: %+v", p)
	}
	if len(r.Levels) != 2 || r.Levels[0].Concurrency != 1 || r.Levels[1].Concurrency != 4 {
		t.Fatalf("levels: %+v", r.Levels)
	}
	for _, lv := range r.Levels {
		if lv.Requests == 0 || lv.RPS <= 0 || lv.Errors != 0 || len(lv.ErrorSamples) > 0 {
			t.Errorf("c=%d: %d requests, %.1f req/s, %d errors %v", lv.Concurrency, lv.Requests, lv.RPS, lv.Errors, lv.ErrorSamples)
		}
		if !lv.Latency.ordered() || lv.Latency.Max <= 0 {
			t.Errorf("c=%d: latency %+v is not p50 ≤ p95 ≤ p99 ≤ max", lv.Concurrency, lv.Latency)
		}
		if len(lv.Queries) != len(loadtest.Mix) {
			t.Errorf("c=%d: %d queries, want %d", lv.Concurrency, len(lv.Queries), len(loadtest.Mix))
		}
		sum := 0
		for _, q := range lv.Queries {
			sum += q.Requests
			if q.Requests == 0 || q.Errors != 0 {
				t.Errorf("c=%d %s: %d requests, %d errors; want some and none", lv.Concurrency, q.Name, q.Requests, q.Errors)
			}
			if !q.Latency.ordered() || q.Latency.Max > lv.Latency.Max {
				t.Errorf("c=%d %s: latency %+v out of order", lv.Concurrency, q.Name, q.Latency)
			}
		}
		if sum != lv.Requests {
			t.Errorf("c=%d: queries add up to %d requests, level says %d", lv.Concurrency, sum, lv.Requests)
		}
		if runtime.GOOS == "linux" && (lv.Memory == nil || lv.Memory.RSS <= 0 || lv.Memory.Peak < lv.Memory.RSS) {
			t.Errorf("c=%d: server memory %+v", lv.Concurrency, lv.Memory)
		}
	}
	if runtime.GOOS == "linux" && (r.MemoryBefore == nil || r.MemoryBefore.RSS <= 0) {
		t.Errorf("server memory before: %+v", r.MemoryBefore)
	}

	t.Run("Text", func(t *testing.T) {
		res := runCLI(t, "", "bench", "--url", base+"/graphql", "--duration", "100ms", "--warmup", "0",
			"--concurrency", "2", "--min-rounds", "1", "--mix", "event-counts, timeline")
		if res.code != 0 {
			t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
		}
		lines := strings.Split(res.stdout, "\n")
		for _, want := range []string{"2 queries round-robin", "conc  requests  errors     req/s   p50 ms", "query (ms)",
			"\ntimeline ", "\nevent-counts "} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("report lacks %q:\n%s", want, res.stdout)
			}
		}
		if strings.Contains(res.stdout, "by-actor") || len(lines) > 15 {
			t.Errorf("report of two queries at one level:\n%s", res.stdout)
		}
	})
}

// TestBenchUsage checks that bench refuses, with exit 2 and before sending
// anything, a URL off this machine and malformed flags.
func TestBenchUsage(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"RemoteHost", nil, []string{"--url", "http://example.com/graphql"}, "not a loopback address"},
		{"RemoteIP", nil, []string{"--url", "http://10.1.2.3:8080/graphql"}, "not a loopback address"},
		{"RemoteIPv6", nil, []string{"--url", "http://[2001:db8::1]:8080/graphql"}, "not a loopback address"},
		{"LoopbackLookalike", nil, []string{"--url", "http://127.0.0.1.example.com/graphql"}, "not a loopback address"},
		{"RemoteEnv", map[string]string{"GEOTIMELINE_BENCH_URL": "https://example.org/graphql"}, nil,
			"GEOTIMELINE_BENCH_URL"},
		{"NotHTTP", nil, []string{"--url", "ftp://127.0.0.1/graphql"}, "want an http:// or https:// URL"},
		{"UnknownQuery", nil, []string{"--mix", "timeline,frobnicate"}, `unknown query "frobnicate"`},
		{"ZeroConcurrency", nil, []string{"--concurrency", "1,0"}, "want whole numbers from 1"},
		{"BadConcurrency", nil, []string{"--concurrency", "eight"}, "want whole numbers from 1"},
		{"NegativeWarmup", nil, []string{"--warmup", "-1s"}, "--warmup -1s: want 0 or a positive duration"},
		{"ZeroDuration", nil, []string{"--duration", "0s"}, "--duration 0s: want a positive duration"},
		{"BadWarmupEnv", map[string]string{"GEOTIMELINE_BENCH_WARMUP": "soon"}, nil, `GEOTIMELINE_BENCH_WARMUP="soon"`},
		{"Argument", nil, []string{"extra"}, `bench takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			res := runCLI(t, "", append([]string{"bench"}, tt.args...)...)
			wantUsageError(t, res, tt.wantErr)
		})
	}
	t.Run("WarmupZeroEnv", func(t *testing.T) {
		t.Setenv("GEOTIMELINE_BENCH_WARMUP", "0")
		// Valid, so bench goes on to the URL, which is refused.
		res := runCLI(t, "", "bench", "--url", "http://192.0.2.1/graphql")
		if res.code != 2 || !strings.Contains(res.stderr, "not a loopback address") {
			t.Errorf("exit %d: %s", res.code, res.stderr)
		}
	})
	t.Run("Help", func(t *testing.T) {
		res := runCLI(t, "", "help", "bench")
		if res.code != 0 {
			t.Fatalf("exit %d", res.code)
		}
		for _, want := range append(loadtest.Names(), "--concurrency N,N,...", "GEOTIMELINE_BENCH_URL", "--allow-remote", "--pid PID") {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("help lacks %q", want)
			}
		}
	})
	t.Run("ServerDown", func(t *testing.T) {
		// Port 1 on loopback: nothing listens there.
		res := runCLI(t, "", "bench", "--url", "http://127.0.0.1:1/graphql", "--duration", "100ms")
		if res.code != 1 || !strings.Contains(res.stderr, "sample actors") || res.stdout != "" {
			t.Errorf("exit %d, stdout %q, stderr %s; want 1 and the failed request", res.code, res.stdout, res.stderr)
		}
	})
}
