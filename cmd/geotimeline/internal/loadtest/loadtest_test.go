package loadtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"Empty", nil, 50, 0},
		{"One", ms(7), 99, 7 * time.Millisecond},
		{"MedianOdd", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"MedianEven", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"P95", ms(hundred...), 95, 95 * time.Millisecond},
		{"P99", ms(hundred...), 99, 99 * time.Millisecond},
		{"P100", ms(hundred...), 100, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: Percentile(p%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080/graphql", "http://127.1.2.3/graphql", "http://[::1]:8080/graphql",
		"http://localhost:8080/graphql", "https://LOCALHOST/graphql"} {
		if err := CheckURL(ok, false); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", ok, err)
		}
	}
	for _, remote := range []string{"http://example.com/graphql", "http://10.0.0.1/graphql", "http://[2001:db8::1]/graphql",
		"http://localhost.example.com/graphql", "http://0.0.0.0:8080/graphql"} {
		if err := CheckURL(remote, false); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("CheckURL(%q) = %v, want ErrNotLoopback", remote, err)
		}
		if err := CheckURL(remote, true); err != nil {
			t.Errorf("CheckURL(%q, allowRemote) = %v, want nil", remote, err)
		}
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://127.0.0.1/", "http:///graphql", "http://[::1/"} {
		if err := CheckURL(bad, true); err == nil {
			t.Errorf("CheckURL(%q) = nil, want an error", bad)
		}
	}
}

// TestDialLoopbackOnly checks that the client does not connect off the
// machine even when the URL check is bypassed.
func TestDialLoopbackOnly(t *testing.T) {
	c := NewClient("http://192.0.2.1:9/graphql", "", 1, time.Second, false)
	defer c.Close()
	err := c.query(context.Background(), "{ x }", nil, new(any))
	if !errors.Is(err, ErrNotLoopback) {
		t.Errorf("query to 192.0.2.1: %v, want ErrNotLoopback", err)
	}
}

// TestRunCountsErrors runs a level against a fake server that fails one
// query in three ways, and checks the counts and messages.
func TestRunCountsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(body), "status"):
			http.Error(w, `{"errors":[{"message":"too busy"}]}`, http.StatusServiceUnavailable)
		case strings.Contains(string(body), "graphql"):
			io.WriteString(w, `{"errors":[{"message":"no such field","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}],"data":null}`)
		default:
			// A text that mentions "errors" is not an error.
			io.WriteString(w, `{"data":{"text":"\"errors\": none"}}`)
		}
	}))
	defer srv.Close()
	c := NewClient(srv.URL, "", 2, time.Second, false)
	defer c.Close()
	reqs := []Request{{"ok", []byte(`{"query":"ok"}`)}, {"status", []byte(`{"query":"status"}`)}, {"graphql", []byte(`{"query":"graphql"}`)}}
	// Three rounds per worker at least: enough samples however slow the
	// machine is.
	lv := Run(context.Background(), c, Config{Requests: reqs, Concurrency: 2, Duration: 100 * time.Millisecond, MinRounds: 3, MaxSamples: 10})
	if lv.Requests < 18 || lv.Sampled != 10 || lv.Errors != lv.Queries[1].Requests+lv.Queries[2].Requests || lv.Queries[0].Errors != 0 {
		t.Errorf("requests %d, errors %d, sampled %d, queries %+v", lv.Requests, lv.Errors, lv.Sampled, lv.Queries)
	}
	slices.Sort(lv.ErrorSamples)
	want := []string{"graphql: GRAPHQL_VALIDATION_FAILED: no such field", "status: HTTP 503: too busy"}
	if !slices.Equal(lv.ErrorSamples, want) {
		t.Errorf("error samples = %q, want %q", lv.ErrorSamples, want)
	}
	if l := lv.Latency; !(l.P50 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("latency %+v out of order", l)
	}
}

// With MinRounds, a level whose time is up at once still sends each
// worker's whole mix that many times, and no more.
func TestRunMinRounds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":{}}`)
	}))
	defer srv.Close()
	c := NewClient(srv.URL, "", 2, time.Second, false)
	defer c.Close()
	reqs := []Request{{"a", []byte(`{"query":"a"}`)}, {"b", []byte(`{"query":"b"}`)}, {"c", []byte(`{"query":"c"}`)}}
	lv := Run(context.Background(), c, Config{Requests: reqs, Concurrency: 2, Duration: time.Nanosecond, MinRounds: 2})
	if lv.Requests != 12 || lv.Errors != 0 {
		t.Errorf("requests %d, errors %d; want 12 (2 workers × 2 rounds × 3) and 0", lv.Requests, lv.Errors)
	}
	for _, q := range lv.Queries {
		if q.Requests != 4 {
			t.Errorf("%s: %d requests, want 4", q.Name, q.Requests)
		}
	}
}

func TestParseStatus(t *testing.T) {
	m, err := parseStatus([]byte("Name:\tgeotimeline\nVmPeak:\t  900 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads:\t5\n"))
	if err != nil || m.RSS != 1<<20 || m.Peak != 2<<20 {
		t.Errorf("parseStatus = %+v, %v", m, err)
	}
	if _, err := parseStatus([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("parseStatus without VmRSS: no error")
	}
}

func TestCommonWord(t *testing.T) {
	titles := []string{"India's strikes on Pakistan", "Pakistan's air attacks", "Call between Rubio and Sharif", "Meeting number 3 about things"}
	if got, want := commonWord(titles), "pakistan"; got != want {
		t.Errorf("commonWord = %q, want %q", got, want)
	}
	if got := commonWord([]string{"a b c", "de-la"}); got != "" {
		t.Errorf("commonWord of short words = %q, want none", got)
	}
}

func TestSelect(t *testing.T) {
	all, err := Select("all")
	if err != nil || len(all) != len(Mix) {
		t.Fatalf("Select(all) = %d queries, %v", len(all), err)
	}
	some, err := Select("event-counts, timeline,timeline")
	if err != nil || len(some) != 2 || some[0].Name != "timeline" || some[1].Name != "event-counts" {
		t.Errorf("Select = %v, %v; want timeline, event-counts", some, err)
	}
	for _, bad := range []string{"", " , ", "timeline,nope"} {
		if _, err := Select(bad); err == nil {
			t.Errorf("Select(%q): no error", bad)
		}
	}
	// Every query has variables for complete parameters, and none is
	// built without the ones it needs.
	full := &Params{Busy: &ActorRef{Key: "a", ID: "A"}, Quiet: &ActorRef{Key: "b", ID: "B"}, Country: "IN", EventType: "STRIKE",
		From: "2025-05-01T00:00:00Z", To: "2025-06-01T00:00:00Z", Text: "word", PathFrom: &ActorRef{ID: "B"}, PathTo: &ActorRef{ID: "A"}}
	if reqs, skipped := Build(Mix, full); len(reqs) != len(Mix) || len(skipped) != 0 {
		t.Errorf("Build with every parameter: %d requests, skipped %v", len(reqs), skipped)
	}
	reqs, skipped := Build(Mix, &Params{})
	var names []string
	for _, r := range reqs {
		names = append(names, r.Name)
	}
	if want := []string{"timeline", "deep-page", "nested-page", "event-counts"}; !slices.Equal(names, want) || len(skipped) != len(Mix)-len(want) {
		t.Errorf("Build without parameters: %v, skipped %v; want %v", names, skipped, want)
	}
}
