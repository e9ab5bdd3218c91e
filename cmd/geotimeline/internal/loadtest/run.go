package loadtest

import (
	"bytes"
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxSamples is how many latencies a level keeps for its
// percentiles, at most: 16 MB.
const DefaultMaxSamples = 1_000_000

// maxErrorSamples is how many distinct error messages a level keeps.
const maxErrorSamples = 5

// Config is one level of load.
type Config struct {
	// Requests is the mix. Each worker sends them in order, round-robin,
	// worker i starting at request i: every query gets the same share of
	// the requests (not of the time), and at concurrency 1 the order is the
	// mix's.
	Requests []Request
	// Concurrency is the number of workers, each with one request in
	// flight at a time and its own keep-alive connection.
	Concurrency int
	// Warmup is how long the workers run before anything is counted;
	// Duration how long they run while counted. A request counts when it
	// starts inside Duration; the workers then finish the ones in flight.
	Warmup, Duration time.Duration
	// MinRounds makes each worker go on past Duration until it has sent
	// the whole mix this many times while counted: a short run (a test's)
	// then covers every query however slow the machine is.
	MinRounds int
	// MaxSamples bounds the latencies kept for percentiles
	// (DefaultMaxSamples when 0): each worker keeps a uniform random
	// sample (reservoir) of MaxSamples/Concurrency of its own. Counts and
	// the maximum are exact.
	MaxSamples int
}

// Ms is a duration that JSON writes as milliseconds.
type Ms time.Duration

// MarshalJSON writes d in milliseconds to the microsecond.
func (d Ms) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(float64(d)/1e3)/1e3, 'f', -1, 64), nil
}

// Latency is a distribution of request times.
type Latency struct {
	P50 Ms `json:"p50"`
	P95 Ms `json:"p95"`
	P99 Ms `json:"p99"`
	Max Ms `json:"max"`
}

// QueryStats is one query's share of a level.
type QueryStats struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Latency  Latency `json:"latency_ms"`
}

// Level is what one concurrency level measured.
type Level struct {
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"requests_per_second"`
	Latency     Latency `json:"latency_ms"`
	// Sampled is how many latencies the percentiles are computed from.
	Sampled int          `json:"sampled"`
	Queries []QueryStats `json:"queries"`
	// ErrorSamples are the first few distinct error messages, each
	// prefixed by its query's name.
	ErrorSamples []string `json:"error_samples,omitempty"`
	// Memory is the server's memory after the level, when asked for.
	Memory *Memory `json:"server_memory,omitempty"`
}

// sample is one request's latency and its query.
type sample struct {
	d time.Duration
	q int
}

// worker is one sender's tally; nothing in it is shared while it runs.
type worker struct {
	rng      *rand.Rand
	cap      int
	samples  []sample
	seen     int
	max      time.Duration
	requests []int
	errors   []int
	messages []errorSample
}

// errorSample is one failed request's query and message.
type errorSample struct {
	q   int
	msg string
}

func (w *worker) record(q int, d time.Duration, err error) {
	w.requests[q]++
	if err != nil {
		w.errors[q]++
		if len(w.messages) < maxErrorSamples {
			w.messages = append(w.messages, errorSample{q, err.Error()})
		}
	}
	w.max = max(w.max, d)
	// Algorithm R: the i-th latency replaces a kept one with
	// probability cap/i.
	w.seen++
	if len(w.samples) < w.cap {
		w.samples = append(w.samples, sample{d, q})
	} else if j := w.rng.IntN(w.seen); j < w.cap {
		w.samples[j] = sample{d, q}
	}
}

// Run runs one level of load with c, which should keep at least
// cfg.Concurrency connections alive, and returns what it measured. It
// returns after Warmup+Duration and the requests then in flight, or when
// ctx is done.
func Run(ctx context.Context, c *Client, cfg Config) *Level {
	n := len(cfg.Requests)
	maxSamples := cfg.MaxSamples
	if maxSamples <= 0 {
		maxSamples = DefaultMaxSamples
	}
	perWorker := max(1, maxSamples/cfg.Concurrency)
	workers := make([]*worker, cfg.Concurrency)
	for i := range workers {
		workers[i] = &worker{
			rng:      rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano()))),
			cap:      perWorker,
			samples:  make([]sample, 0, perWorker),
			requests: make([]int, n),
			errors:   make([]int, n),
		}
	}

	begin := time.Now()
	measureFrom := begin.Add(cfg.Warmup)
	stopAt := measureFrom.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() {
			var buf bytes.Buffer
			counted := 0
			for k := i; ; k++ {
				start := time.Now()
				if (!start.Before(stopAt) && counted >= cfg.MinRounds*n) || ctx.Err() != nil {
					return
				}
				q := k % n
				err := c.post(ctx, cfg.Requests[q].Body, &buf)
				d := time.Since(start)
				if ctx.Err() != nil {
					return
				}
				if !start.Before(measureFrom) {
					w.record(q, d, err)
					counted++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)

	lv := &Level{Concurrency: cfg.Concurrency, Seconds: elapsed.Seconds(), Queries: make([]QueryStats, n)}
	var all []sample
	var maxD time.Duration
	seenMsg := map[errorSample]bool{}
	for _, w := range workers {
		all = append(all, w.samples...)
		maxD = max(maxD, w.max)
		for q := range n {
			lv.Queries[q].Requests += w.requests[q]
			lv.Queries[q].Errors += w.errors[q]
		}
		for _, m := range w.messages {
			if !seenMsg[m] && len(lv.ErrorSamples) < maxErrorSamples {
				seenMsg[m] = true
				lv.ErrorSamples = append(lv.ErrorSamples, cfg.Requests[m.q].Name+": "+m.msg)
			}
		}
	}
	slices.SortFunc(all, func(a, b sample) int { return cmp.Compare(a.d, b.d) })
	byQuery := make([][]time.Duration, n)
	sorted := make([]time.Duration, len(all))
	for i, s := range all {
		sorted[i] = s.d
		byQuery[s.q] = append(byQuery[s.q], s.d)
	}
	lv.Sampled = len(all)
	lv.Latency = distribution(sorted)
	lv.Latency.Max = Ms(maxD)
	for q := range n {
		qs := &lv.Queries[q]
		qs.Name = cfg.Requests[q].Name
		qs.Latency = distribution(byQuery[q])
		lv.Requests += qs.Requests
		lv.Errors += qs.Errors
	}
	if elapsed > 0 {
		lv.RPS = float64(lv.Requests) / elapsed.Seconds()
	}
	return lv
}

// distribution returns the percentiles of sorted latencies (nearest rank)
// and the largest.
func distribution(sorted []time.Duration) Latency {
	if len(sorted) == 0 {
		return Latency{}
	}
	return Latency{
		P50: Ms(Percentile(sorted, 50)),
		P95: Ms(Percentile(sorted, 95)),
		P99: Ms(Percentile(sorted, 99)),
		Max: Ms(sorted[len(sorted)-1]),
	}
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value at least p % of the values are
// less than or equal to; 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
