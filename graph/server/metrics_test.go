package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/graph/live"
)

// metricValue returns the value of the sample line that starts with
// series (name and labels exactly as exposed), failing when there is none.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sample %s in:\n%s", series, body)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// /metrics counts operations by name, type and outcome, times them, times
// the SQL behind them and reports open subscriptions.
func TestMetrics(t *testing.T) {
	store := mustOpenStore(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The hub is not run: its reads would race with the count below, and
	// the gauges need no running hub.
	hub := live.New(store, logger, live.Options{})
	ts := httptest.NewServer(New(store, logger, Options{Live: hub, MetricsOperations: []string{"India"}}))
	defer ts.Close()
	readsBefore := store.ReadStatements()

	for range 2 {
		if res := post(t, ts.URL+"/graphql", `{"query":"query India { actor(key: \"india\") { name } }"}`); res.status != 200 {
			t.Fatalf("India: %d %s", res.status, res.body)
		}
	}
	post(t, ts.URL+"/graphql", `{"query":"query Broken { timeline(filter: {text: \"!!\"}) { totalCount } }"}`)
	post(t, ts.URL+"/graphql", `{"query":"{ __typename }"}`)
	// A name the dashboard sends is known; one nobody configured is not.
	post(t, ts.URL+"/graphql", `{"query":"query Timeline { __typename }"}`)
	for i := range 3 {
		post(t, ts.URL+"/graphql", fmt.Sprintf(`{"query":"query Invented%d { __typename }"}`, i))
	}
	reads := store.ReadStatements() - readsBefore

	res := get(t, ts.URL+"/metrics")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", res.status, res.header.Get("Content-Type"))
	}
	want := map[string]float64{
		`geotimeline_graphql_operations_total{operation="India",outcome="ok",type="query"}`:        2,
		`geotimeline_graphql_operations_total{operation="other",outcome="error",type="query"}`:     1,
		`geotimeline_graphql_operations_total{operation="other",outcome="ok",type="query"}`:        3,
		`geotimeline_graphql_operations_total{operation="Timeline",outcome="ok",type="query"}`:     1,
		`geotimeline_graphql_operations_total{operation="anonymous",outcome="ok",type="query"}`:    1,
		`geotimeline_graphql_operation_duration_seconds_count{operation="India",type="query"}`:     2,
		`geotimeline_graphql_operation_duration_seconds_count{operation="anonymous",type="query"}`: 1,
		`geotimeline_sql_duration_seconds_count{pool="read"}`:                                      float64(reads),
		`geotimeline_subscriptions_open`:          0,
		`geotimeline_subscriptions_dropped_total`: 0,
	}
	for series, v := range want {
		if got := metricValue(t, res.body, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
	if reads == 0 {
		t.Error("the queries ran no SQL through the read pool")
	}
	// The runtime collectors are there too.
	metricValue(t, res.body, "go_goroutines")
}

// A private server's metrics need a token, like its data.
func TestMetricsPrivate(t *testing.T) {
	base, _ := mustServe(t, Options{Private: true, Tokens: []Token{NewToken("ops", "metrics-token-123456")}})
	if res := get(t, base+"/metrics"); res.status != http.StatusUnauthorized || res.header.Get("WWW-Authenticate") != wwwAuthenticate {
		t.Errorf("no token: %d %q", res.status, res.header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer metrics-token-123456")
	if res := do(t, req); res.status != http.StatusOK || !strings.Contains(res.body, "geotimeline_graphql_operations_total") && !strings.Contains(res.body, "go_goroutines") {
		t.Errorf("with the token: %d\n%.300s", res.status, res.body)
	}
}
