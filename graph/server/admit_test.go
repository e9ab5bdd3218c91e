package server

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestAdmissionRefusesBeforeValidation sends the documents that took the
// server's CPU or echoed themselves back (the hardening issue's findings 1
// and 10) and checks each is refused, with a short answer naming the bound.
func TestAdmissionRefusesBeforeValidation(t *testing.T) {
	base, _ := mustServe(t, Options{})
	cases := []struct {
		name, doc, code, msg string
	}{
		{"14000 typenames", "{" + strings.Repeat("__typename ", 14000) + "}",
			"QUERY_TOO_COMPLEX", `a selection set has 14000 fields named "__typename", more than the limit of 16`},
		{"17 typenames", "{" + strings.Repeat("__typename ", 17) + "}",
			"QUERY_TOO_COMPLEX", `a selection set has 17 fields named "__typename", more than the limit of 16`},
		{"same name through fragments", "{ countries { nodes { code ...A ...B } } } fragment A on Country { " +
			strings.Repeat("code ", 8) + "} fragment B on Country { " + strings.Repeat("code ", 8) + "}",
			"QUERY_TOO_COMPLEX", `a selection set has 17 fields named "code", more than the limit of 16`},
		{"8 x 8 x 8 nested", nested(8, 3), "QUERY_TOO_COMPLEX", "fields that share a name repeat 512 times over along one path " +
			"(their counts multiplied level by level), more than the limit of 64"},
		{"3000 unknown directives", "{ __typename " + strings.Repeat("@x ", 3000) + "}",
			"QUERY_TOO_COMPLEX", "the document has 3000 directives, more than the limit of 50"},
		{"900 KB field name", "{ " + strings.Repeat("f", 900_000) + " }",
			"BAD_USER_INPUT", "a field name in the document is 900000 bytes long, more than the limit of 128"},
		{"long alias", "{ " + strings.Repeat("a", 129) + ": __typename }",
			"BAD_USER_INPUT", "an alias in the document is 129 bytes long, more than the limit of 128"},
		{"long fragment name", "{ ..." + strings.Repeat("F", 200) + " }",
			"BAD_USER_INPUT", "a fragment name in the document is 200 bytes long, more than the limit of 128"},
		{"long input field name", "{ timeline(filter: {" + strings.Repeat("z", 200_000) + ": 1}) { totalCount } }",
			"BAD_USER_INPUT", "an input field name in the document is 200000 bytes long, more than the limit of 128"},
		{"long enum value", "{ timeline(order: " + strings.Repeat("z", 200_000) + ") { totalCount } }",
			"BAD_USER_INPUT", "an enum value in the document is 200000 bytes long, more than the limit of 128"},
		{"long variable in a value", "{ timeline(first: $" + strings.Repeat("z", 200_000) + ") { totalCount } }",
			"BAD_USER_INPUT", "a variable name in the document is 200000 bytes long, more than the limit of 128"},
		{"long name in a default value", "query($a: TimelineOrder = " + strings.Repeat("z", 200_000) + ") { timeline(order: $a) { totalCount } }",
			"BAD_USER_INPUT", "an enum value in the document is 200000 bytes long, more than the limit of 128"},
		{"directives on variables count", "query($a: Int " + strings.Repeat("@x ", 60) + ") { __typename }",
			"QUERY_TOO_COMPLEX", "the document has 60 directives, more than the limit of 50"},
		{"aliases in a document count before validation", selections(31, "a%d: __typename"),
			"QUERY_TOO_COMPLEX", "the document has 31 aliases, more than the limit of 30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refusedWith(t, base, query(c.doc, nil), c.code, c.msg)
			res := send(t, "POST", base+"/graphql", query(c.doc, nil))
			if len(res.body) > 300 {
				t.Errorf("answer is %d bytes: %.300s", len(res.body), res.body)
			}
		})
	}
	// At the bounds, documents are answered.
	if got := answered(t, base, query("{"+strings.Repeat("__typename ", 16)+"}", nil)); got != `{"data":{"__typename":"Query"}}` {
		t.Errorf("16 typenames: %s", got)
	}
	for _, doc := range []string{nested(4, 3), nested(8, 2)} {
		if got := answered(t, base, query(doc, nil)); !strings.HasPrefix(got, `{"data":{"countries":{"nodes":[{`) {
			t.Errorf("%.80s: %.200s", doc, got)
		}
	}
	fifty := "{" + strings.Repeat(" __typename @include(if: true) @skip(if: false)", 16) +
		" countries(first: 1) { nodes {" + strings.Repeat(" code @include(if: true) @skip(if: false)", 9) + " } } }"
	if got := answered(t, base, query(fifty, nil)); got != `{"data":{"__typename":"Query","countries":{"nodes":[{"code":"AD"}]}}}` {
		t.Errorf("50 directives: %s", got)
	}
}

// nested is a document in which k fields of one name repeat at each of
// depth levels.
func nested(k, depth int) string {
	inner := "code"
	for range depth {
		inner = strings.Repeat(" actors(first: 1) { nodes { country { "+inner+" } } }", k)
	}
	return "{ countries(first: 1) { nodes { " + inner + " } } }"
}

// selections is a document of n fields, the ith made by format from i.
func selections(n int, format string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		b.WriteString(" " + fmt.Sprintf(format, i))
	}
	return b.String() + " }"
}

// TestErrorListCapped checks that a document with many errors is answered
// with the first 20 and a count of the rest.
func TestErrorListCapped(t *testing.T) {
	base, _ := mustServe(t, Options{})
	res := send(t, "POST", base+"/graphql", query(selections(40, "nope%d"), nil))
	errs := errorsOf(t, res.body)
	if len(errs) != 21 {
		t.Fatalf("%d errors, want 21: %s", len(errs), res.body)
	}
	if errs[0].Message != `Cannot query field "nope0" on type "Query". Did you mean "node"?` {
		t.Errorf("first error = %q", errs[0].Message)
	}
	if errs[20].Message != "20 more errors not shown" || errs[20].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("last error = %+v", errs[20])
	}
}

// TestResponseSizeBound checks that an answer past MaxResponseBytes is
// replaced by an error saying so.
func TestResponseSizeBound(t *testing.T) {
	base, _ := mustServe(t, Options{MaxResponseBytes: 200})
	if got := answered(t, base, query(`{ __typename }`, nil)); got != `{"data":{"__typename":"Query"}}` {
		t.Errorf("small answer: %s", got)
	}
	res := send(t, "POST", base+"/graphql", query(`{ countries(first: 20) { nodes { code name } } }`, nil))
	check(t, res, 200, "application/json", "QUERY_TOO_COMPLEX")
	errs := errorsOf(t, res.body)
	if len(errs) != 1 || errs[0].Message != "the response is larger than 200 bytes, the limit: ask for smaller pages or fewer fields" {
		t.Errorf("body = %s", res.body)
	}
}

// stopAfter is a request context whose deadline passes after its Err has
// been asked calls times: validation sees it pass in the middle of a walk.
type stopAfter struct {
	context.Context
	calls, asked atomic.Int64
}

func (c *stopAfter) Err() error {
	if c.asked.Add(1) > c.calls.Load() {
		return context.DeadlineExceeded
	}
	return nil
}

func TestValidationStopsAtDeadline(t *testing.T) {
	schema := NewSchema(nil, nil, nil).Schema()
	doc := func() *ast.QueryDocument {
		d, err := parser.ParseQuery(&ast.Source{Input: "{" + strings.Repeat(" countries { nodes { code name } }", 16) + " }"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	timed := context.WithValue(context.Background(), timeoutKey{}, 2*time.Second)

	// The deadline passes at the rule's first check, 64 nodes in.
	ctx := &stopAfter{Context: timed}
	ctx.calls.Store(1)
	valid, stopped := validateWithin(ctx, schema, doc())
	if valid || stopped == nil || stopped.Message != "the request took longer than 2s and was cancelled" {
		t.Errorf("valid %v, stopped %v; want the timeout error", valid, stopped)
	}
	if got := ctx.asked.Load(); got != 3 {
		t.Errorf("Err asked %d times, want 3 (before the walk, at its first check, and by timedOut)", got)
	}

	// A client that went away: stopped, nothing to answer.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if valid, stopped := validateWithin(gone, schema, doc()); valid || stopped != nil {
		t.Errorf("valid %v, stopped %v; want false, nil", valid, stopped)
	}

	// Without a deadline the same document validates.
	if valid, stopped := validateWithin(context.Background(), schema, doc()); !valid || stopped != nil {
		t.Errorf("valid %v, stopped %v; want true, nil", valid, stopped)
	}
}

// TestAdmissionDeadlineWithoutOne checks that a validation whose context
// has no deadline (an operation sent over a websocket) gets the request
// timeout, and that one whose client has gone is not left to the executor
// to validate again.
func TestAdmissionDeadlineWithoutOne(t *testing.T) {
	schema := NewSchema(nil, nil, nil).Schema()
	a := admitQuery{schema: schema, cache: newQueryCache(), maxAliases: DefaultMaxAliases, maxDepth: DefaultMaxDepth, timeout: time.Nanosecond}
	e := a.MutateOperationParameters(context.Background(), rawParams(nested(4, 3)))
	if e == nil || e.Message != "the request took longer than 1ns and was cancelled" {
		t.Errorf("error = %v, want the timeout", e)
	}
	a.timeout = time.Minute
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if e := a.MutateOperationParameters(gone, rawParams(nested(4, 3))); e == nil || e.Message != "the request was cancelled" {
		t.Errorf("error = %v, want the cancellation", e)
	}
	if a.cache.Len() != 0 {
		t.Errorf("%d documents cached", a.cache.Len())
	}
	if e := a.MutateOperationParameters(context.Background(), rawParams(nested(4, 3))); e != nil || a.cache.Len() != 1 {
		t.Errorf("error %v, %d cached; want none and 1", e, a.cache.Len())
	}
}

func TestWeightedLRU(t *testing.T) {
	ctx := context.Background()
	c := newWeightedLRU(10, 4, func(_ string, v int) int64 { return int64(v) })
	c.Add(ctx, "a", 3)
	c.Add(ctx, "b", 3)
	c.Add(ctx, "c", 3)
	if _, ok := c.Get(ctx, "a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.Add(ctx, "d", 3) // 12 > 10: evicts b, the least recent
	if c.Contains("b") || !c.Contains("a") || !c.Contains("c") || !c.Contains("d") || c.Weight() != 9 {
		t.Errorf("after eviction: b %v a %v c %v d %v weight %d", c.Contains("b"), c.Contains("a"), c.Contains("c"), c.Contains("d"), c.Weight())
	}
	// An entry over the per-entry bound is kept until its first Get.
	c.Add(ctx, "big", 9)
	if c.Len() != 1 || c.Weight() != 9 {
		t.Errorf("len %d weight %d, want the big entry alone", c.Len(), c.Weight())
	}
	if v, ok := c.Get(ctx, "big"); !ok || v != 9 {
		t.Errorf("Get(big) = %d, %v", v, ok)
	}
	if c.Contains("big") || c.Weight() != 0 {
		t.Errorf("big still cached after its Get (weight %d)", c.Weight())
	}
}

// BenchmarkQueryCacheEstimate reports the heap a validated document holds
// (held-B/doc) beside the weight the query cache gives it (weight-B/doc):
// the cache's byte bound is one only while the weight is the larger.
// Measured here: 27,400 held against 48,500 weight for a 1.2 KB query.
func BenchmarkQueryCacheEstimate(b *testing.B) {
	schema := NewSchema(nil, nil, nil).Schema()
	q := "{" + strings.Repeat(" countries(first: 1) { nodes { code name actors { nodes { key name } } } }", 16) + " }"
	const n = 200
	for b.Loop() {
		cache := newQueryCache()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range n {
			text := fmt.Sprintf("# %d\n%s", i, q)
			doc, err := parser.ParseQuery(&ast.Source{Input: text})
			if err != nil {
				b.Fatal(err)
			}
			if valid, _ := validateWithin(context.Background(), schema, doc); !valid {
				b.Fatal("invalid")
			}
			cache.Add(context.Background(), text, doc)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "held-B/doc")
		b.ReportMetric(float64(cache.Weight())/n, "weight-B/doc")
		runtime.KeepAlive(cache)
	}
}

// BenchmarkAdmission times admitting (parsing, checking and validating)
// the costliest documents the bounds let through, and the ones they refuse.
// The README's "Access and limits" quotes the figures.
func BenchmarkAdmission(b *testing.B) {
	schema := NewSchema(nil, nil, nil).Schema()
	var frags strings.Builder
	frags.WriteString("{ countries(first: 1) { nodes {")
	for i := range 16 {
		fmt.Fprintf(&frags, " ...F%d", i)
	}
	frags.WriteString(" } } }")
	for i := range 16 {
		fmt.Fprintf(&frags, " fragment F%d on Country { code actors(first: 1) { nodes { ...G } } }", i)
	}
	frags.WriteString(" fragment G on Actor { " + strings.Repeat("country { code name } ", 16) + "}")
	docs := []struct{ name, q string }{
		{"14000 typenames (refused)", "{" + strings.Repeat("__typename ", 14000) + "}"},
		{"16 typenames", "{" + strings.Repeat("__typename ", 16) + "}"},
		{"16 same-name 2 deep (refused)", nested(16, 2)},
		{"8 same-name 3 deep (refused)", nested(8, 3)},
		{"8 same-name 2 deep", nested(8, 2)},
		{"4 same-name 3 deep", nested(4, 3)},
		{"2 same-name 6 deep", nested(2, 6)},
		{"16 fragments x 16 same-name", frags.String()},
		// Distinct names widen each compared pair: at most 30 aliases.
		{"16 x 4 same-name pairs, 30 distinct names below", "{" + strings.Repeat(" countries(first: 1) { nodes { "+
			strings.Repeat(" actors(first: 1) { nodes { country { "+selections(10, "a%d: code")[1:len(selections(10, "a%d: code"))-1]+" } } }", 4)+" } }", 16) + " }"},
		{"30 aliased same-name fields", selections(30, "a%d: countries(first: 1) { nodes { code name actors(first: 1) { nodes { key } } } }")},
	}
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			a := admitQuery{schema: schema, cache: newQueryCache(), maxAliases: DefaultMaxAliases, timeout: time.Minute}
			for b.Loop() {
				a.cache = newQueryCache()
				params := rawParams(d.q)
				a.MutateOperationParameters(context.Background(), params)
			}
		})
	}
}

func rawParams(q string) *graphql.RawParams { return &graphql.RawParams{Query: q} }

// dialGraphQL opens a graphql-ws websocket to base's /graphql, closed when
// the test ends, and sends connection_init and then messages.
func dialGraphQL(t *testing.T, ctx context.Context, base string, messages ...string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	for _, m := range append([]string{`{"type":"connection_init"}`}, messages...) {
		if err := conn.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// wsAnswer sends query over a new websocket to base and returns the
// errors of its first answer (a next or an error message).
func wsAnswer(t *testing.T, base, query string) []gqlError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]string{"query": query}})
	conn := dialGraphQL(t, ctx, base, string(sub))
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		var m struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		json.Unmarshal(b, &m)
		switch m.Type {
		case "next":
			var p struct{ Errors []gqlError }
			json.Unmarshal(m.Payload, &p)
			return p.Errors
		case "error":
			var errs []gqlError
			json.Unmarshal(m.Payload, &errs)
			return errs
		}
	}
}

// TestErrorListCappedOverWebsocket checks that the cap holds for an
// operation sent over a websocket, which gqlgen's own transport answers.
func TestErrorListCappedOverWebsocket(t *testing.T) {
	base, _ := mustServe(t, Options{})
	errs := wsAnswer(t, base, selections(40, "nope%d"))
	if len(errs) != 21 || errs[20].Message != "20 more errors not shown" {
		t.Errorf("%d errors: %+v", len(errs), errs)
	}
}

// TestResponseSizeBoundOverWebsocket checks that MaxResponseBytes holds
// for answers sent over a websocket too.
func TestResponseSizeBoundOverWebsocket(t *testing.T) {
	base, _ := mustServe(t, Options{MaxResponseBytes: 200})
	errs := wsAnswer(t, base, `{ countries(first: 20) { nodes { code name } } }`)
	if len(errs) != 1 || errs[0].Message != "the response is larger than 200 bytes, the limit: ask for smaller pages or fewer fields" ||
		errs[0].Extensions["code"] != "QUERY_TOO_COMPLEX" {
		t.Errorf("errors = %+v", errs)
	}
	if errs := wsAnswer(t, base, `{ __typename }`); len(errs) != 0 {
		t.Errorf("small answer: %+v", errs)
	}
}
