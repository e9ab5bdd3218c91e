package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// refusedWith checks a request refused before execution: status 200 with
// application/json and 400 with application/graphql-response+json, the
// code, a message containing msg, and no data.
func refusedWith(t *testing.T, base, body, code, msg string) {
	t.Helper()
	for _, accept := range []string{acceptJSON, acceptGraphQL} {
		res := send(t, http.MethodPost, base+"/graphql", body, accept)
		status, media := http.StatusOK, "application/json"
		if accept == acceptGraphQL {
			status, media = http.StatusBadRequest, "application/graphql-response+json"
		}
		check(t, res, status, media, code)
		errs := errorsOf(t, res.body)
		if len(errs) != 1 || !strings.Contains(errs[0].Message, msg) {
			t.Errorf("errors = %s, want one containing %q", res.body, msg)
		}
		if hasData(t, res.body) {
			t.Errorf("refused request has data: %s", res.body)
		}
	}
}

func answered(t *testing.T, base, body string) string {
	t.Helper()
	res := send(t, http.MethodPost, base+"/graphql", body)
	check(t, res, http.StatusOK, "application/json", "")
	return res.body
}

func TestComplexityLimit(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		base, _ := mustServe(t, Options{})
		// 1 + 100 × (1 + (1 + 100 × 1)) = 10201 > 10000.
		refusedWith(t, base, query(`{ actors(first: 100) { nodes { events(first: 100) { nodes { key } } } } }`, nil),
			"QUERY_TOO_COMPLEX", "operation has complexity 10201, which exceeds the limit of 10000: ask for smaller pages")
		// 1 + 100 × (1 + (1 + 50 × 1)) = 5201.
		answered(t, base, query(`{ actors(first: 100) { nodes { events(first: 50) { nodes { key } } } } }`, nil))
		// A page above 100 is the resolver's BAD_USER_INPUT, not a cost.
		res := send(t, http.MethodPost, base+"/graphql", query(`{ actors(first: 100000) { nodes { key } } }`, nil))
		if errs := errorsOf(t, res.body); len(errs) == 0 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("body = %s, want BAD_USER_INPUT", res.body)
		}
	})
	t.Run("PageSizeCounts", func(t *testing.T) {
		base, _ := mustServe(t, Options{MaxComplexity: 50})
		answered(t, base, query(`{ actors(first: 49) { nodes { key } } }`, nil))
		refusedWith(t, base, query(`{ actors(first: 50) { nodes { key } } }`, nil),
			"QUERY_TOO_COMPLEX", "operation has complexity 51, which exceeds the limit of 50")
		refusedWith(t, base, query(`query($n: Int) { actors(last: $n) { nodes { key } } }`, map[string]any{"n": 60}),
			"QUERY_TOO_COMPLEX", "complexity 61")
		// neighborhood: 1 + 200 (default limit) × 1.
		refusedWith(t, base, query(`{ neighborhood(id: "x") { nodes { id } } }`, nil), "QUERY_TOO_COMPLEX", "complexity 201")
		// event 1 + participants (1 + 5 × (1 + actor 1)) × 4 aliases = 48.
		answered(t, base, query(`{ a: event(key: "x") { participants { actor { key } } } b: event(key: "x") { participants { actor { key } } }
			c: event(key: "x") { participants { actor { key } } } d: event(key: "x") { participants { actor { key } } } }`, nil))
	})
}

// nest returns a query on the demo data whose fields nest depth deep (at
// least 3), and whose cost is small.
func nest(depth int) string {
	// actor and country, then k times actors, nodes and country, then a
	// leaf one, two or three fields deep.
	r := (depth-3)%3 + 1
	q := []string{"", `code`, `actors(first: 1) { totalCount }`, `actors(first: 1) { nodes { key } }`}[r]
	for range (depth - 2 - r) / 3 {
		q = `actors(first: 1) { nodes { country { ` + q + ` } } }`
	}
	return `{ actor(key: "marco-rubio") { country { ` + q + ` } } }`
}

func TestDepthLimit(t *testing.T) {
	base, _ := mustServe(t, Options{})
	answered(t, base, query(nest(12), nil))
	refusedWith(t, base, query(nest(13), nil), "QUERY_TOO_COMPLEX",
		"the document nests 13 fields deep, more than the limit of 12")

	small, _ := mustServe(t, Options{MaxDepth: 3})
	answered(t, small, query(`{ actor(key: "marco-rubio") { country { code } } }`, nil))
	for name, q := range map[string]string{
		"Field":          `{ actor(key: "marco-rubio") { country { actors { totalCount } } } }`,
		"Fragment":       `{ actor(key: "marco-rubio") { ...C } } fragment C on Actor { country { actors { totalCount } } }`,
		"InlineFragment": `{ node(id: "x") { ... on Actor { country { actors { totalCount } } } } }`,
		"NestedFragment": `{ ...Q } fragment Q on Query { actor(key: "marco-rubio") { ...C } } fragment C on Actor { country { actors { totalCount } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			refusedWith(t, small, query(q, nil), "QUERY_TOO_COMPLEX", "the document nests 4 fields deep, more than the limit of 3")
		})
	}

	t.Run("Introspection", func(t *testing.T) {
		// GraphiQL's introspection query nests ofType deeper than 12;
		// fields inside __schema and __type do not count.
		ofType := `name`
		for range 9 {
			ofType = `kind name ofType { ` + ofType + ` }`
		}
		q := `{ __schema { types { fields { args { type { ` + ofType + ` } } } } } }`
		body := answered(t, base, query(q, nil))
		if !strings.Contains(body, `"__schema"`) {
			t.Errorf("body = %.300s", body)
		}
	})
}

func TestAliasLimit(t *testing.T) {
	base, _ := mustServe(t, Options{})
	aliases := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "a%d: __typename ", i)
		}
		return b.String()
	}
	answered(t, base, query(`{ `+aliases(30)+` }`, nil))
	refusedWith(t, base, query(`{ `+aliases(31)+` }`, nil), "QUERY_TOO_COMPLEX",
		"the document has 31 aliases, more than the limit of 30")
	// An alias in a fragment counts each time the fragment is spread.
	refusedWith(t, base, query(`{ ...F ...G }
		fragment F on Query { `+aliases(16)+` }
		fragment G on Query { k1: __typename k2: __typename ...F }`, nil),
		"QUERY_TOO_COMPLEX", "the document has 34 aliases")
	// A field named as itself is no alias.
	answered(t, base, query(`{ actor: actor(key: "marco-rubio") { key: key } `+aliases(30)+` }`, nil))
}

// fanOut is a document of levels fragments each spreading the next twice:
// 2^levels leaf fields once expanded.
func fanOut(levels int, leaf string) string {
	var b strings.Builder
	b.WriteString(`{ ...F0 } `)
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d } ", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { %s }", levels, leaf)
	return b.String()
}

// TestFragmentFanOut checks that fragments spreading each other many times
// over are measured in time linear in the document, not in the expansion.
//
// A walk of the expansion (2^40 fields) would not end: go test's own
// timeout, not a timed assertion, catches that.
func TestFragmentFanOut(t *testing.T) {
	base, _ := mustServe(t, Options{})
	// Aliases count as often as fragments repeat them: 2^5 = 32.
	refusedWith(t, base, query(fanOut(5, "x: __typename"), nil), "QUERY_TOO_COMPLEX", "the document has 32 aliases, more than the limit of 30")
	// The number of fields stops a large fan-out before validation and
	// gqlgen's complexity calculation walk the expansion.
	refusedWith(t, base, query(fanOut(40, "x: __typename"), nil),
		"QUERY_TOO_COMPLEX", "the document selects more than 5000 fields once its fragments are expanded")
	refusedWith(t, base, query(fanOut(40, "__typename"), nil),
		"QUERY_TOO_COMPLEX", "the document selects more than 5000 fields once its fragments are expanded")
	// A fan-out that stays small is fine.
	if got := answered(t, base, query(fanOut(10, "__typename"), nil)); got != `{"data":{"__typename":"Query"}}` {
		t.Errorf("body = %s", got)
	}
}

// TestFragmentCycle checks that the document check ends on a fragment
// cycle (validation reports the cycle), counting each field once.
func TestFragmentCycle(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `
		query { a: __typename ...A }
		fragment A on Query { b: __typename ...B }
		fragment B on Query { c: __typename ...A }`})
	if err != nil {
		t.Fatal(err)
	}
	a := admitQuery{maxAliases: 2, maxDepth: 1}
	if e := a.check(doc); e == nil || e.Message != "the document has 3 aliases, more than the limit of 2" {
		t.Errorf("check = %v, want 3 aliases", e)
	}
	a.maxAliases = 3
	if e := a.check(doc); e != nil {
		t.Errorf("check = %v, want none (3 aliases, depth 1)", e)
	}
}

func TestIntrospectionSwitch(t *testing.T) {
	const schemaQuery = `{ __schema { queryType { name } } }`
	on, _ := mustServe(t, Options{})
	if got, want := answered(t, on, query(schemaQuery, nil)), `{"data":{"__schema":{"queryType":{"name":"Query"}}}}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}

	off, logs := mustServe(t, Options{NoIntrospection: true})
	for name, q := range map[string]string{
		"Schema":   schemaQuery,
		"Type":     `{ __type(name: "Actor") { name } }`,
		"Fragment": `{ ...F } fragment F on Query { __type(name: "Actor") { name } }`,
	} {
		t.Run(name, func(t *testing.T) {
			for _, accept := range []string{acceptJSON, acceptGraphQL} {
				res := send(t, http.MethodPost, off+"/graphql", query(q, nil), accept)
				check(t, res, http.StatusForbidden, strings.TrimPrefix(accept, "Accept: "), "FORBIDDEN")
				if errs := errorsOf(t, res.body); len(errs) != 1 || errs[0].Message != "introspection is disabled on this server" {
					t.Errorf("body = %s", res.body)
				}
			}
		})
	}
	if got, want := answered(t, off, query(`{ __typename actor(key: "marco-rubio") { __typename } }`, nil)),
		`{"data":{"__typename":"Query","actor":{"__typename":"Actor"}}}`; got != want {
		t.Errorf("__typename: body = %s, want %s", got, want)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("refusals were logged as errors:\n%s", logs.String())
	}
}

func TestTimeout(t *testing.T) {
	t.Run("BeforeExecution", func(t *testing.T) {
		base, logs := mustServe(t, Options{RequestTimeout: time.Nanosecond})
		refusedWith(t, base, query(rubioQuery, nil), "QUERY_TOO_COMPLEX", "the request took longer than 1ns and was cancelled")
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("a timeout was logged as an error:\n%s", logs.String())
		}
	})

	t.Run("DuringExecution", func(t *testing.T) {
		// slowSchema holds execution back until the deadline has passed,
		// so that every resolver's SQL runs on a cancelled context.
		store := mustOpenStore(t)
		base, logs := mustServeSchema(t, slowSchema{NewSchema(store, nil, nil)}, Options{RequestTimeout: 50 * time.Millisecond})
		refusedWith(t, base, query(`{ timeline(first: 5) { nodes { ... on Event { key participants { actor { name } } } } } }`, nil),
			"QUERY_TOO_COMPLEX", "the request took longer than 50ms and was cancelled")
		log := logs.String()
		if strings.Contains(log, "level=ERROR") {
			t.Errorf("a timeout was logged as an error:\n%s", log)
		}
		if !strings.Contains(log, `level=WARN msg="request cancelled at its timeout"`) {
			t.Errorf("the timeout was not logged:\n%s", log)
		}
	})

	t.Run("OverWebsocket", func(t *testing.T) {
		// A query over a websocket has no HTTP request timeout around it;
		// operationTimeout gives it the same one.
		store := mustOpenStore(t)
		base, _ := mustServeSchema(t, slowSchema{NewSchema(store, nil, nil)}, Options{RequestTimeout: 50 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn := dialGraphQL(t, ctx, base, `{"type":"subscribe","id":"1","payload":{"query":"{ timeline(first: 5) { totalCount } }"}}`)
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if strings.Contains(string(b), `"type":"next"`) {
				if !strings.Contains(string(b), `"message":"the request took longer than 50ms and was cancelled"`) ||
					!strings.Contains(string(b), `"code":"QUERY_TOO_COMPLEX"`) {
					t.Errorf("answer = %s, want the timeout", b)
				}
				return
			}
		}
	})

	t.Run("PresentedFieldErrors", func(t *testing.T) {
		// What the resolvers' errors become once the deadline has passed.
		logs := &logBuffer{}
		present := errorPresenter(slog.New(slog.NewTextHandler(logs, nil)), nil)
		ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), timeoutKey{}, 2*time.Second), 0)
		defer cancel()
		<-ctx.Done()
		got := present(ctx, fmt.Errorf("read events: %w", context.DeadlineExceeded))
		if got.Message != "the request took longer than 2s and was cancelled" || got.Extensions["code"] != "QUERY_TOO_COMPLEX" {
			t.Errorf("got %q %v", got.Message, got.Extensions)
		}
		if logs.String() != "" {
			t.Errorf("logged:\n%s", logs.String())
		}
	})
}

type slowSchema struct{ graphql.ExecutableSchema }

func (s slowSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	next := s.ExecutableSchema.Exec(ctx)
	return func(ctx context.Context) *graphql.Response {
		<-ctx.Done()
		return next(ctx)
	}
}

// TestEventCountsPricedByBuckets checks the hardening issue's finding 3:
// thirty aliased day-by-country counts, a 2.4 KB request that made a 74 MB
// answer, are refused by their price; one is answered.
func TestEventCountsPricedByBuckets(t *testing.T) {
	base, _ := mustServe(t, Options{})
	doc := selections(30, "c%d: eventCounts(interval: DAY, groupBy: COUNTRY) { start key count fatalities }")
	// 30 × (1 + 5000 buckets × 1).
	refusedWith(t, base, query(doc, nil), "QUERY_TOO_COMPLEX", "operation has complexity 150030, which exceeds the limit of 10000")
	if got := answered(t, base, query(`{ eventCounts(interval: YEAR, groupBy: COUNTRY) { count } }`, nil)); !strings.HasPrefix(got, `{"data":{"eventCounts":[{"count":`) {
		t.Errorf("body = %s", got)
	}
}
