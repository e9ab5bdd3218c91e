package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// mustOpenStore opens a store in a temporary directory, loaded with the demo
// fixture through the same path as `geotimeline seed`.
func mustOpenStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	set, err := fixture.Decode([]fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := store.Apply(ctx, &set.Batch, set.Refs); err != nil {
		tb.Fatal(err)
	}
	return store
}

// mustServe starts the API on a loopback port and returns its base URL and
// the log it writes.
func mustServe(tb testing.TB, opts Options) (string, *logBuffer) {
	tb.Helper()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// httptest listens on 127.0.0.1 only.
	ts := httptest.NewServer(New(mustOpenStore(tb), logger, opts))
	tb.Cleanup(ts.Close)
	return ts.URL, logs
}

// logBuffer collects the server's log; the server writes from its own
// goroutines while the test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(tb testing.TB, req *http.Request) response {
	tb.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func get(tb testing.TB, u string) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return do(tb, req)
}

func post(tb testing.TB, u, body string) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(tb, req)
}

// gqlError is the part of a GraphQL error the tests look at.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func errorsOf(tb testing.TB, body string) []gqlError {
	tb.Helper()
	var out struct {
		Errors []gqlError `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		tb.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	return out.Errors
}

const rubioQuery = `{ actor(key: "marco-rubio") { key name kind } }`
const rubioAnswer = `{"data":{"actor":{"key":"marco-rubio","name":"Marco Rubio","kind":"PERSON"}}}`

func TestHealthz(t *testing.T) {
	base, _ := mustServe(t, Options{})
	res := get(t, base+"/healthz")
	if res.status != http.StatusOK {
		t.Errorf("status = %d, want 200", res.status)
	}
	if got, want := res.body, `{"status":"ok"}`; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if got, want := res.header.Get("Content-Type"), "application/json"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
}

func TestPlayground(t *testing.T) {
	base, _ := mustServe(t, Options{})
	res := get(t, base+"/")
	if res.status != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.status)
	}
	if !strings.Contains(res.body, "<title>geotimeline playground</title>") || !strings.Contains(res.body, "graphiql") {
		t.Errorf("GET / is not the playground:\n%.500s", res.body)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", got)
	}
	if res := get(t, base+"/nothing-here"); res.status != http.StatusNotFound {
		t.Errorf("GET /nothing-here: status = %d, want 404", res.status)
	}
}

func TestGraphQL(t *testing.T) {
	base, _ := mustServe(t, Options{})

	t.Run("POST", func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"query": rubioQuery})
		res := post(t, base+"/graphql", string(body))
		if res.status != http.StatusOK {
			t.Errorf("status = %d, want 200", res.status)
		}
		if res.body != rubioAnswer {
			t.Errorf("body = %s\nwant   %s", res.body, rubioAnswer)
		}
	})

	t.Run("GET", func(t *testing.T) {
		res := get(t, base+"/graphql?query="+url.QueryEscape(rubioQuery))
		if res.status != http.StatusOK {
			t.Errorf("status = %d, want 200", res.status)
		}
		if res.body != rubioAnswer {
			t.Errorf("body = %s\nwant   %s", res.body, rubioAnswer)
		}
	})

	t.Run("UnknownKeyIsNull", func(t *testing.T) {
		res := post(t, base+"/graphql", `{"query":"{ actor(key: \"nobody\") { key } }"}`)
		if got, want := res.body, `{"data":{"actor":null}}`; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	})

	t.Run("NotJSONContentType", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(rubioQuery))
		req.Header.Set("Content-Type", "application/graphql")
		res := do(t, req)
		if res.status != http.StatusUnsupportedMediaType {
			t.Errorf("status = %d, want 415", res.status)
		}
		if errs := errorsOf(t, res.body); len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("body = %s", res.body)
		}
	})

	t.Run("MethodNotAllowed", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, base+"/graphql", strings.NewReader(`{}`))
		if res := do(t, req); res.status != http.StatusMethodNotAllowed {
			t.Errorf("PUT /graphql: status = %d, want 405", res.status)
		}
	})
}

// TestErrors checks that bad input gets a GraphQL error with a code, never
// a 500 or a stack trace.
func TestErrors(t *testing.T) {
	base, logs := mustServe(t, Options{})
	tests := []struct {
		name     string
		body     string
		wantCode string
		wantMsg  string // substring of the first error's message
	}{
		{"SyntaxError", `{"query":"{ actor(key: \"marco-rubio\") { key "}`, "GRAPHQL_PARSE_FAILED", "Expected Name"},
		{"UnknownField", `{"query":"{ actor(key: \"marco-rubio\") { shoeSize } }"}`, "GRAPHQL_VALIDATION_FAILED", "shoeSize"},
		{"BadEnumLiteral", `{"query":"{ events(filter: {eventTypes: [PICNIC]}) { totalCount } }"}`, "GRAPHQL_VALIDATION_FAILED", "PICNIC"},
		{"BadEnumVariable", `{"query":"query($t: [EventType!]) { events(filter: {eventTypes: $t}) { totalCount } }","variables":{"t":["PICNIC"]}}`, "GRAPHQL_VALIDATION_FAILED", "PICNIC"},
		{"BadDateTimeLiteral", `{"query":"{ timeline(filter: {from: \"2025-13\"}) { totalCount } }"}`, "BAD_USER_INPUT", "2025-13"},
		{"BadDateTimeVariable", `{"query":"query($f: DateTime) { timeline(filter: {from: $f}) { totalCount } }","variables":{"f":"yesterday"}}`, "BAD_USER_INPUT", "yesterday"},
		{"DateTimeNotAString", `{"query":"query($f: DateTime) { timeline(filter: {from: $f}) { totalCount } }","variables":{"f":5}}`, "BAD_USER_INPUT", "DateTime"},
		{"FirstTooLarge", `{"query":"{ actors(first: 1000) { totalCount } }"}`, "BAD_USER_INPUT", ""},
		{"BadGlobalID", `{"query":"{ node(id: \"not-an-id\") { id } }"}`, "BAD_USER_INPUT", ""},
		{"NotJSON", `{"query": `, "BAD_USER_INPUT", "the request body is not valid JSON"},
		{"NoQuery", `{}`, "BAD_USER_INPUT", "the request has no query"},
		{"Batch", `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, "BAD_USER_INPUT", "batched requests are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := post(t, base+"/graphql", tt.body)
			if res.status >= 500 {
				t.Errorf("status = %d", res.status)
			}
			errs := errorsOf(t, res.body)
			if len(errs) == 0 {
				t.Fatalf("no errors in %s", res.body)
			}
			if got := errs[0].Extensions["code"]; got != tt.wantCode {
				t.Errorf("extensions.code = %v, want %s\n%s", got, tt.wantCode, res.body)
			}
			if !strings.Contains(errs[0].Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", errs[0].Message, tt.wantMsg)
			}
			if strings.Contains(res.body, "goroutine") || strings.Contains(res.body, ".go:") {
				t.Errorf("response leaks a stack trace: %s", res.body)
			}
		})
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("bad input was logged as an internal error:\n%s", logs.String())
	}
}

func TestBodyLimit(t *testing.T) {
	base, _ := mustServe(t, Options{})
	query := `{"query":"{ actor(key: \"marco-rubio\") { key } }", "extensions": {"pad": "` +
		strings.Repeat("x", 2<<20) + `"}}`

	t.Run("ContentLength", func(t *testing.T) {
		res := post(t, base+"/graphql", query)
		if res.status != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", res.status)
		}
		errs := errorsOf(t, res.body)
		if len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("body = %s", res.body)
		}
	})

	t.Run("Chunked", func(t *testing.T) {
		// No Content-Length: the limit must hold while reading.
		req, err := http.NewRequest(http.MethodPost, base+"/graphql", io.MultiReader(strings.NewReader(query)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		res := do(t, req)
		if res.status != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", res.status)
		}
	})

	t.Run("SmallerLimit", func(t *testing.T) {
		base, _ := mustServe(t, Options{MaxBodyBytes: 16})
		body, _ := json.Marshal(map[string]string{"query": rubioQuery})
		if res := post(t, base+"/graphql", string(body)); res.status != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", res.status)
		}
	})
}

func TestRequestID(t *testing.T) {
	base, logs := mustServe(t, Options{})

	req, _ := http.NewRequest(http.MethodGet, base+"/healthz", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	if got := do(t, req).header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("X-Request-ID = %q, want the client's abc-123", got)
	}

	got := get(t, base+"/healthz").header.Get("X-Request-ID")
	if len(got) != 16 || strings.Trim(got, "0123456789abcdef") != "" {
		t.Errorf("X-Request-ID = %q, want 16 hex digits", got)
	}

	req, _ = http.NewRequest(http.MethodGet, base+"/healthz", nil)
	req.Header.Set("X-Request-ID", "two words")
	if got := do(t, req).header.Get("X-Request-ID"); got == "two words" {
		t.Error("an id with a space was echoed; it should have been replaced")
	}

	if !strings.Contains(logs.String(), "request_id=abc-123") {
		t.Errorf("request log lacks the id:\n%s", logs.String())
	}
}

// TestErrorPresenter covers what no request against the demo can provoke:
// an internal error, a panic and a list of problems.
func TestErrorPresenter(t *testing.T) {
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	present := errorPresenter(logger, nil)
	ctx := context.Background()

	t.Run("Internal", func(t *testing.T) {
		err := fmt.Errorf("read actors: %w", errors.New("disk on fire"))
		got := present(ctx, err)
		if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
			t.Errorf("got %q %v, want \"internal error\" INTERNAL", got.Message, got.Extensions)
		}
		if !strings.Contains(logs.String(), "disk on fire") || !strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("the real error was not logged:\n%s", logs.String())
		}
	})

	t.Run("Coded", func(t *testing.T) {
		err := fmt.Errorf("lookup: %w", db.Errorf(db.CodeNotFound, "no actor %q", "x"))
		got := present(ctx, err)
		if got.Message != `no actor "x"` || got.Extensions["code"] != "NOT_FOUND" {
			t.Errorf("got %q %v", got.Message, got.Extensions)
		}
	})

	t.Run("Problems", func(t *testing.T) {
		ps := db.Problems{{Where: "a.json: actors[0].kind", What: "bad kind"}, {Where: "b.json", What: "not JSON"}}
		got := present(ctx, fmt.Errorf("seed: %w", ps))
		if got.Message != "a.json: actors[0].kind: bad kind\nb.json: not JSON" || got.Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("got %q %v", got.Message, got.Extensions)
		}
		out, _ := json.Marshal(got.Extensions["problems"])
		if want := `[{"where":"a.json: actors[0].kind","what":"bad kind"},{"where":"b.json","what":"not JSON"}]`; string(out) != want {
			t.Errorf("problems = %s, want %s", out, want)
		}
	})

	t.Run("Panic", func(t *testing.T) {
		err := recoverFunc(logger)(ctx, "nil map")
		got := present(ctx, err)
		if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
			t.Errorf("got %q %v", got.Message, got.Extensions)
		}
		if !strings.Contains(logs.String(), "nil map") || !strings.Contains(logs.String(), "goroutine") {
			t.Errorf("the panic and its stack were not logged:\n%s", logs.String())
		}
		if _, ok := errors.AsType[*gqlerror.Error](err); !ok {
			t.Errorf("recoverFunc returned %T, want *gqlerror.Error", err)
		}
	})
}
