package cost_test

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"

	"github.com/geotimeline/geotimeline/graph/cost"
	"github.com/geotimeline/geotimeline/graph/generated"
)

// price is what gqlgen's complexity limit computes for query with the
// functions of cost.Root.
func price(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	es := generated.NewExecutableSchema(generated.Config{Complexity: cost.Root(nil)})
	doc, errs := gqlparser.LoadQuery(es.Schema(), query)
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	return complexity.Calculate(context.Background(), es, doc.Operations[0], vars, cost.Options()...)
}

func TestPrices(t *testing.T) {
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"Typename", `{ __typename }`, nil, 0},
		{"OneRecord", `{ actor(key: "x") { name kind aliases } }`, nil, 1},
		{"RecordAndChild", `{ actor(key: "x") { name country { code } } }`, nil, 2},
		// 1 + 20 (default page) × nodes (1).
		{"ConnectionDefaultPage", `{ actors { nodes { key } } }`, nil, 21},
		// 1 + 5 × (edges 1 + node 1 + pageInfo 1 + totalCount 0).
		{"ConnectionFirst", `{ actors(first: 5) { edges { node { key } } pageInfo { hasNextPage } totalCount } }`, nil, 16},
		{"ConnectionLast", `{ events(last: 7) { nodes { key } } }`, nil, 8},
		{"ConnectionFirstVariable", `query($n: Int) { timeline(first: $n) { nodes { ... on Event { key } } } }`, map[string]any{"n": 3}, 4},
		// A page above 100 is refused by the resolver, not priced.
		{"ConnectionClamped", `{ actors(first: 1000) { nodes { key } } }`, nil, 101},
		{"ConnectionOnlyCount", `{ events { totalCount } }`, nil, 1},
		// 1 + 10 × (nodes 1 + events (1 + 10 × nodes 1)).
		{"NestedConnections", `{ actors(first: 10) { nodes { events(first: 10) { nodes { key } } } } }`, nil, 121},
		// event 1 + participants (1 + 5 × (1 + actor 1)).
		{"PlainList", `{ event(key: "x") { participants { role actor { name } } } }`, nil, 12},
		{"ScalarList", `{ event(key: "x") { tags } }`, nil, 1},
		// actor 1 + counterparts (1 + 3 × (1 + actor 1)).
		{"Counterparts", `{ actor(key: "x") { counterparts(first: 3) { sharedEvents actor { key } } } }`, nil, 8},
		// 1 + 200 (default limit) × nodes 1.
		{"Neighborhood", `{ neighborhood(id: "x") { nodes { id } truncated } }`, nil, 201},
		// 1 + 10 × (nodes 1 + edges (1 + from 1)).
		{"NeighborhoodLimit", `{ neighborhood(id: "x", limit: 10) { nodes { id } edges { from { id } } } }`, nil, 31},
		// 1 + 200 (db.MaxChainNodes) × (nodes 1 + edges (1 + to 1)).
		{"EventChain", `{ eventChain(event: "event:x", maxDepth: 10) { nodes { id } edges { to { id } } } }`, nil, 601},
		// 1 + 5 nodes (maxDepth 4 + 1) × nodes 1.
		{"ShortestPath", `{ shortestPath(from: "a", to: "b") { length nodes { id } } }`, nil, 6},
		// 1 + 20 × (1 + node 1).
		{"Search", `{ search(text: "x") { score node { ... on Actor { key } } } }`, nil, 41},
		{"SearchFirst", `{ search(text: "x", first: 2) { score } }`, nil, 3},
		// Open range: priced at the most buckets the store answers with,
		// 1 + 5000 × (1 + 0).
		{"EventCountsOpen", `{ eventCounts(interval: DAY) { start count } }`, nil, 5001},
		{"EventCountsOpenByCountry", `{ eventCounts(interval: DAY, groupBy: COUNTRY) { start count } }`, nil, 5001},
		// 1 to 31 January 2025 (to excluded, but its day counted): 31 buckets.
		{"EventCountsRange", `{ eventCounts(filter: {from: "2025-01-01T00:00:00Z", to: "2025-01-31T00:00:00Z"}, interval: DAY) { count } }`, nil, 32},
		// 1 month × 22 event types.
		{"EventCountsRangeByType", `{ eventCounts(filter: {from: "2025-01-01T00:00:00Z", to: "2025-01-31T00:00:00Z"}, interval: MONTH, groupBy: TYPE) { count } }`, nil, 23},
		// 31 days × 250 countries, capped at 5000.
		{"EventCountsRangeByCountry", `{ eventCounts(filter: {from: "2025-01-01T00:00:00Z", to: "2025-01-31T00:00:00Z"}, interval: DAY, groupBy: COUNTRY) { count } }`, nil, 5001},
		// 2024 and 2025 by year: 2 buckets × 250.
		{"EventCountsYearsByCountry", `{ eventCounts(filter: {from: "2024-01-01T00:00:00Z", to: "2025-12-31T00:00:00Z"}, interval: YEAR, groupBy: COUNTRY) { count } }`, nil, 501},
		// 14 weeks: 98 days / 7 + a partial week at each end.
		{"EventCountsWeeks", `{ eventCounts(filter: {from: "2025-01-01T00:00:00Z", to: "2025-04-09T00:00:00Z"}, interval: WEEK) { count } }`, nil, 17},
		// Years 0001 to 9999 by month: far past a Duration, capped.
		{"EventCountsWideRange", `{ eventCounts(filter: {from: "0001-01-01T00:00:00Z", to: "9999-12-31T00:00:00Z"}, interval: MONTH) { count } }`, nil, 5001},
		{"EventCountsWideRangeByYear", `{ eventCounts(filter: {from: "0001-01-01T00:00:00Z", to: "9999-12-31T00:00:00Z"}, interval: YEAR) { count } }`, nil, 5001},
		{"EventCountsCenturyByYear", `{ eventCounts(filter: {from: "1901-06-01T00:00:00Z", to: "2000-06-01T00:00:00Z"}, interval: YEAR) { count } }`, nil, 101},
		{"Fragments", `{ actors(first: 2) { nodes { ...A } } } fragment A on Actor { country { code } }`, nil, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := price(t, tt.query, tt.vars); got != tt.want {
				t.Errorf("price = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestSaturates checks that prices stop at the largest int instead of
// wrapping around to a small one.
func TestSaturates(t *testing.T) {
	maxInt := int(^uint(0) >> 1)
	huge := maxInt / 3
	if got := cost.Connection(huge, nil, nil); got != maxInt {
		t.Errorf("Connection(huge) = %d, want %d", got, maxInt)
	}
	if got := cost.List(maxInt); got != maxInt {
		t.Errorf("List(maxInt) = %d, want %d", got, maxInt)
	}
	n := 50
	if got := cost.Bounded(huge, &n, 20, 100); got != maxInt {
		t.Errorf("Bounded(huge) = %d, want %d", got, maxInt)
	}
	neg := -5
	if got := cost.Connection(3, &neg, nil); got != 1 {
		t.Errorf("Connection(first: -5) = %d, want 1", got)
	}
}
