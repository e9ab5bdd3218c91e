package server

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/web"
)

// metrics is what /metrics reports, on a registry of its own (so that two
// servers in one process, as in tests, do not collide):
//
//	geotimeline_graphql_operations_total{operation,type,outcome}
//	geotimeline_graphql_operation_duration_seconds{operation,type}
//	geotimeline_sql_duration_seconds{pool}
//	geotimeline_subscriptions_open
//	geotimeline_subscriptions_dropped_total
//
// plus the Go runtime and process collectors. operation is the operation's
// name when the server knows it (see known), "anonymous" when it has none
// and "other" otherwise; outcome is "ok" or "error" (the
// response carried errors). A subscription is counted once, as "ok", when it
// starts; its duration is not observed. Requests refused before an operation
// exists (unparsable, invalid) are not counted here; the request log has
// them.
type metrics struct {
	registry   *prometheus.Registry
	operations *prometheus.CounterVec
	durations  *prometheus.HistogramVec

	// known are the operation names labelled as themselves: those of the
	// pages and examples this server ships (web.OperationNames) and those
	// the operator names (Options.MetricsOperations). Names come from
	// clients; labelling any name would let one client inventing a name
	// per request fill the label space, so every other is "other".
	known map[string]bool
}

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = (*metrics)(nil)

func newMetrics(store Store, hub *live.Hub, operations []string) *metrics {
	reg := prometheus.NewRegistry()
	known := map[string]bool{}
	for _, n := range append(web.OperationNames(), operations...) {
		known[n] = true
	}
	m := &metrics{
		registry: reg,
		known:    known,
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geotimeline_graphql_operations_total",
			Help: "GraphQL operations executed, by operation name, type and outcome (ok, error).",
		}, []string{"operation", "type", "outcome"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "geotimeline_graphql_operation_duration_seconds",
			Help:    "Time to answer a query or mutation, from parsed to answered, by operation name and type.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12), // 0.5 ms … ~19 s
		}, []string{"operation", "type"}),
	}
	sqlSeconds := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "geotimeline_sql_duration_seconds",
		Help:    "SQL time by pool: a read until its first row, a write transaction until its commit.",
		Buckets: prometheus.ExponentialBuckets(0.00005, 3, 12), // 50 µs … ~9 s
	}, []string{"pool"})
	store.ObserveSQL(func(pool db.Pool, d time.Duration) {
		sqlSeconds.WithLabelValues(string(pool)).Observe(d.Seconds())
	})
	reg.MustRegister(m.operations, m.durations, sqlSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if hub != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "geotimeline_subscriptions_open",
				Help: "Open GraphQL subscriptions.",
			}, func() float64 { return float64(hub.Open()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "geotimeline_subscriptions_dropped_total",
				Help: "Subscriptions ended by the server because the client read too slowly or fell too far behind.",
			}, func() float64 { return float64(hub.Dropped()) }),
		)
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

func (*metrics) ExtensionName() string                   { return "Metrics" }
func (*metrics) Validate(graphql.ExecutableSchema) error { return nil }

func (m *metrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	name, typ := m.label(opCtx.Operation.Name), string(opCtx.Operation.Operation)
	if opCtx.Operation.Operation == ast.Subscription {
		m.operations.WithLabelValues(name, typ, "ok").Inc()
		return next(ctx)
	}
	start := time.Now()
	responses := next(ctx)
	first := true
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if !first {
			return resp
		}
		first = false
		outcome := "ok"
		if resp == nil || len(resp.Errors) > 0 {
			outcome = "error"
		}
		m.operations.WithLabelValues(name, typ, outcome).Inc()
		m.durations.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
		return resp
	}
}

// label is the operation-name label of name.
func (m *metrics) label(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case m.known[name]:
		return name
	}
	return "other"
}
