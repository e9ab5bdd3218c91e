package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

const (
	aliceToken = "alice-secret-token-0123456789"
	bobToken   = "bob-secret-token-9876543210"
)

func hashLine(name, token string) string {
	sum := sha256.Sum256([]byte(token))
	return name + " sha256:" + hex.EncodeToString(sum[:])
}

func twoClients() []Token {
	return []Token{NewToken("alice", aliceToken), NewToken("bob", bobToken)}
}

func TestParseTokens(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		file := "# who may write\n\n" + hashLine("alice", aliceToken) + "\n   # indented comment\n" +
			strings.ToUpper(hashLine("bob", bobToken)[:4]) + hashLine("bob", bobToken)[4:] + "\n"
		tokens, err := ParseTokens(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if len(tokens) != 2 || tokens[0] != NewToken("alice", aliceToken) || tokens[1].Client != "BOB" ||
			tokens[1].Hash != NewToken("bob", bobToken).Hash {
			t.Errorf("tokens = %+v", tokens)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		tokens, err := ParseTokens(strings.NewReader("# nobody\n\n"))
		if err != nil || len(tokens) != 0 {
			t.Errorf("got %v, %v; want no tokens and no error", tokens, err)
		}
	})
	good := hashLine("alice", aliceToken)
	tests := []struct {
		name, file, want string
	}{
		{"OneField", "# c\n" + good + "\nbob\n", `line 3: want "NAME sha256:HEX", got 1 fields`},
		{"ThreeFields", "alice sha256:00 extra\n", `line 1: want "NAME sha256:HEX", got 3 fields`},
		{"BadName", "al/ice sha256:" + strings.Repeat("0", 64) + "\n", `line 1: client name "al/ice"`},
		{"NoPrefix", "alice " + strings.Repeat("0", 64) + "\n", "line 1: want sha256:HEX after the client name"},
		{"PlainToken", "alice hunter2\n", "line 1: want sha256:HEX after the client name"},
		{"ShortHash", "\n\nalice sha256:abcd\n", "line 3: sha256:abcd is not 64 hexadecimal digits"},
		{"NotHex", "alice sha256:" + strings.Repeat("g", 64) + "\n", "line 1: sha256:ggg"},
		{"LongLine", good + "\n" + strings.Repeat("x", 2000) + "\n", `line 2: longer than 1024 bytes; want "NAME sha256:HEX"`},
		{"SameHash", good + "\n" + strings.Replace(good, "alice", "carol", 1) + "\n", "line 2: the same hash as line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTokens(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDecide is the decision table: operation type, configured tokens,
// private or not, and the Authorization header sent.
func TestDecide(t *testing.T) {
	const (
		query    = ast.Query
		mutation = ast.Mutation
		sub      = ast.Subscription
	)
	tests := []struct {
		op      ast.Operation
		tokens  []Token
		private bool
		header  string

		client string // when allowed
		code   string // when refused
		status int
		msg    string
	}{
		// Read-only server: reads open, writes forbidden whatever is sent.
		{op: query, client: ""},
		{op: mutation, code: "FORBIDDEN", status: 403, msg: msgReadOnly},
		{op: mutation, header: "Bearer " + aliceToken, code: "FORBIDDEN", status: 403, msg: msgReadOnly},
		{op: sub, client: ""}, // a subscription only reads
		{op: query, header: "Bearer " + aliceToken, code: "UNAUTHENTICATED", status: 401, msg: msgInvalidToken},

		// Tokens configured.
		{op: query, tokens: twoClients(), client: ""},
		{op: query, tokens: twoClients(), header: "Bearer " + aliceToken, client: "alice"},
		{op: query, tokens: twoClients(), header: "Bearer wrong", code: "UNAUTHENTICATED", status: 401, msg: msgInvalidToken},
		{op: query, tokens: twoClients(), header: "Basic YWxpY2U6eA==", code: "UNAUTHENTICATED", status: 401, msg: msgBadHeader},
		{op: mutation, tokens: twoClients(), code: "UNAUTHENTICATED", status: 401, msg: msgNeedToken},
		{op: mutation, tokens: twoClients(), header: "Bearer " + bobToken, client: "bob"},
		{op: mutation, tokens: twoClients(), header: "bearer  " + bobToken + " ", client: "bob"},
		{op: mutation, tokens: twoClients(), header: "Bearer " + aliceToken + "x", code: "UNAUTHENTICATED", status: 401, msg: msgInvalidToken},
		{op: mutation, tokens: twoClients(), header: "Bearer", code: "UNAUTHENTICATED", status: 401, msg: msgBadHeader},
		{op: mutation, tokens: twoClients(), header: aliceToken, code: "UNAUTHENTICATED", status: 401, msg: msgBadHeader},
		{op: sub, tokens: twoClients(), client: ""},
		{op: sub, tokens: twoClients(), header: "Bearer " + aliceToken, client: "alice"},

		// Private: reads need a token too.
		{op: query, tokens: twoClients(), private: true, code: "UNAUTHENTICATED", status: 401, msg: msgPrivate},
		{op: query, tokens: twoClients(), private: true, header: "Bearer wrong", code: "UNAUTHENTICATED", status: 401, msg: msgInvalidToken},
		{op: query, tokens: twoClients(), private: true, header: "Bearer " + aliceToken, client: "alice"},
		{op: mutation, tokens: twoClients(), private: true, code: "UNAUTHENTICATED", status: 401, msg: msgPrivate},
		{op: mutation, tokens: twoClients(), private: true, header: "Bearer " + bobToken, client: "bob"},
		{op: sub, tokens: twoClients(), private: true, code: "UNAUTHENTICATED", status: 401, msg: msgPrivate},
		{op: sub, tokens: twoClients(), private: true, header: "Bearer " + aliceToken, client: "alice"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/tokens=%d/private=%v/%q", tt.op, len(tt.tokens), tt.private, tt.header)
		t.Run(name, func(t *testing.T) {
			a := &access{tokens: tt.tokens, private: tt.private}
			client, err := a.decide(tt.op, tt.header)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if client != tt.client {
					t.Errorf("client = %q, want %q", client, tt.client)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed as %q, want %s", client, tt.code)
			}
			if got := err.Extensions["code"]; got != tt.code {
				t.Errorf("code = %v, want %s", got, tt.code)
			}
			if err.Message != tt.msg {
				t.Errorf("message = %q, want %q", err.Message, tt.msg)
			}
			status, header := statusOf(gqlerror.List{err}, mediaJSON)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if got := header.Get("WWW-Authenticate"); (tt.status == 401) != (got == `Bearer realm="geotimeline"`) {
				t.Errorf("WWW-Authenticate = %q with status %d", got, tt.status)
			}
		})
	}
}

// testSchema is a tiny executable schema with a mutation, so that the HTTP
// behaviour of access control is tested whatever mutations the real schema
// has: whoami and write both answer with the client's name (Client).
type testSchema struct{ schema *ast.Schema }

func newTestSchema() testSchema {
	return testSchema{gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphql", Input: `
		type Query { whoami: String! }
		type Mutation { write: String! }`})}
}

func (s testSchema) Schema() *ast.Schema { return s.schema }

func (s testSchema) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}

func (s testSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx).Operation
	field := op.SelectionSet[0].(*ast.Field)
	data, _ := json.Marshal(map[string]string{field.Alias: "client:" + Client(ctx)})
	return graphql.OneShot(&graphql.Response{Data: data})
}

// mustServeSchema serves es with opts, like mustServe.
func mustServeSchema(tb testing.TB, es graphql.ExecutableSchema, opts Options) (string, *logBuffer) {
	tb.Helper()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := httptest.NewServer(newHandler(es, mustOpenStore(tb), logger, opts, nil))
	tb.Cleanup(ts.Close)
	return ts.URL, logs
}

// TestAccess checks access control over HTTP: statuses, codes, the
// challenge header, Client in resolvers and the client in the request log.
func TestAccess(t *testing.T) {
	const (
		write  = `{"query":"mutation { write }"}`
		whoami = `{"query":"{ whoami }"}`
	)
	alice := "Authorization: Bearer " + aliceToken
	refused := func(t *testing.T, res response, status int, code, msg string) {
		t.Helper()
		check(t, res, status, "application/json", code)
		if errs := errorsOf(t, res.body); len(errs) != 1 || errs[0].Message != msg {
			t.Errorf("errors = %s, want one: %q", res.body, msg)
		}
		if got, want := res.header.Get("WWW-Authenticate"), `Bearer realm="geotimeline"`; (status == 401) != (got == want) {
			t.Errorf("WWW-Authenticate = %q with status %d", got, status)
		}
		if hasData(t, res.body) {
			t.Errorf("refused request has data: %s", res.body)
		}
	}

	t.Run("ReadOnly", func(t *testing.T) {
		base, _ := mustServeSchema(t, newTestSchema(), Options{})
		res := send(t, http.MethodPost, base+"/graphql", whoami)
		check(t, res, http.StatusOK, "application/json", "")
		if res.body != `{"data":{"whoami":"client:"}}` {
			t.Errorf("body = %s", res.body)
		}
		refused(t, send(t, http.MethodPost, base+"/graphql", write), 403, "FORBIDDEN", msgReadOnly)
		refused(t, send(t, http.MethodPost, base+"/graphql", write, alice), 403, "FORBIDDEN", msgReadOnly)
		res = send(t, http.MethodPost, base+"/graphql", write, acceptGraphQL)
		if res.status != 403 {
			t.Errorf("graphql-response+json: status = %d, want 403", res.status)
		}
	})

	t.Run("Tokens", func(t *testing.T) {
		base, logs := mustServeSchema(t, newTestSchema(), Options{Tokens: twoClients()})
		refused(t, send(t, http.MethodPost, base+"/graphql", write), 401, "UNAUTHENTICATED", msgNeedToken)
		refused(t, send(t, http.MethodPost, base+"/graphql", write, "Authorization: Bearer nope"), 401, "UNAUTHENTICATED", msgInvalidToken)
		refused(t, send(t, http.MethodPost, base+"/graphql", write, "Authorization: Token "+aliceToken), 401, "UNAUTHENTICATED", msgBadHeader)
		refused(t, send(t, http.MethodPost, base+"/graphql", whoami, "Authorization: Bearer nope"), 401, "UNAUTHENTICATED", msgInvalidToken)
		if res := send(t, http.MethodPost, base+"/graphql", write, acceptGraphQL); res.status != 401 ||
			res.header.Get("Content-Type") != "application/graphql-response+json" {
			t.Errorf("graphql-response+json: %d %s", res.status, res.header.Get("Content-Type"))
		}

		res := send(t, http.MethodPost, base+"/graphql", write, alice, "X-Request-ID: alice-writes")
		check(t, res, http.StatusOK, "application/json", "")
		if res.body != `{"data":{"write":"client:alice"}}` {
			t.Errorf("body = %s", res.body)
		}
		res = send(t, http.MethodPost, base+"/graphql", `{"query":"mutation { w: write }"}`, "Authorization: Bearer "+bobToken)
		if res.body != `{"data":{"w":"client:bob"}}` {
			t.Errorf("body = %s", res.body)
		}
		res = send(t, http.MethodPost, base+"/graphql", whoami, alice)
		if res.body != `{"data":{"whoami":"client:alice"}}` {
			t.Errorf("body = %s", res.body)
		}
		res = send(t, http.MethodPost, base+"/graphql", whoami)
		if res.body != `{"data":{"whoami":"client:"}}` {
			t.Errorf("anonymous read: body = %s", res.body)
		}

		log := logs.String()
		if !strings.Contains(log, "status=200") || !regexp.MustCompile(`request_id=alice-writes client=alice`).MatchString(log) {
			t.Errorf("the request log does not name the client:\n%s", log)
		}
		if strings.Contains(log, aliceToken) || strings.Contains(log, bobToken) {
			t.Errorf("a token was logged:\n%s", log)
		}
		if strings.Contains(log, "client=\n") || strings.Contains(log, `client=""`) {
			t.Errorf("an anonymous request logged an empty client:\n%s", log)
		}
	})

	t.Run("MutationOverGET", func(t *testing.T) {
		base, _ := mustServeSchema(t, newTestSchema(), Options{Tokens: twoClients()})
		for _, h := range []string{alice, ""} {
			res := send(t, http.MethodGet, base+"/graphql?query="+url.QueryEscape("mutation { write }"), "", acceptGraphQL, "Authorization: "+strings.TrimPrefix(h, "Authorization: "))
			check(t, res, http.StatusMethodNotAllowed, "application/graphql-response+json", "BAD_USER_INPUT")
			if got := res.header.Get("Allow"); got != "POST" {
				t.Errorf("Allow = %q, want POST", got)
			}
		}
		res := send(t, http.MethodGet, base+"/graphql?query="+url.QueryEscape("{ whoami }"), "", alice)
		if res.body != `{"data":{"whoami":"client:alice"}}` {
			t.Errorf("GET query: body = %s", res.body)
		}
	})

	t.Run("Private", func(t *testing.T) {
		base, _ := mustServeSchema(t, newTestSchema(), Options{Tokens: twoClients(), Private: true})
		refused(t, send(t, http.MethodPost, base+"/graphql", whoami), 401, "UNAUTHENTICATED", msgPrivate)
		refused(t, send(t, http.MethodPost, base+"/graphql", whoami, "Authorization: Bearer nope"), 401, "UNAUTHENTICATED", msgInvalidToken)
		// Nothing about the schema leaks to an anonymous client, not even
		// through validation errors.
		refused(t, send(t, http.MethodPost, base+"/graphql", `{"query":"{ secrets }"}`), 401, "UNAUTHENTICATED", msgPrivate)
		refused(t, send(t, http.MethodGet, base+"/graphql?query="+url.QueryEscape("{ whoami }"), ""), 401, "UNAUTHENTICATED", msgPrivate)
		refused(t, send(t, http.MethodPost, base+"/graphql", write), 401, "UNAUTHENTICATED", msgPrivate)
		if res := send(t, http.MethodPost, base+"/graphql", whoami, alice); res.body != `{"data":{"whoami":"client:alice"}}` {
			t.Errorf("body = %s", res.body)
		}
		if res := send(t, http.MethodPost, base+"/graphql", write, alice); res.body != `{"data":{"write":"client:alice"}}` {
			t.Errorf("body = %s", res.body)
		}
		if res := get(t, base+"/healthz"); res.status != http.StatusOK {
			t.Errorf("/healthz: status = %d, want 200", res.status)
		}
		if res := get(t, base+"/"); res.status != http.StatusOK {
			t.Errorf("playground: status = %d, want 200", res.status)
		}
	})
}

// TestAccessRealMutation runs the access rules against the real schema's
// upsertSource mutation, once the schema has it.
func TestAccessRealMutation(t *testing.T) {
	const upsert = `{"query":"mutation { upsertSource(input: {key: \"s1\", title: \"T\"}) { key } }"}`
	alice := "Authorization: Bearer " + aliceToken

	readOnly, _ := mustServe(t, Options{})
	res := send(t, http.MethodPost, readOnly+"/graphql", upsert)
	check(t, res, http.StatusForbidden, "application/json", "FORBIDDEN")
	if errs := errorsOf(t, res.body); len(errs) != 1 || errs[0].Message != msgReadOnly {
		t.Errorf("body = %s", res.body)
	}

	base, logs := mustServe(t, Options{Tokens: twoClients()})
	res = send(t, http.MethodPost, base+"/graphql", upsert)
	check(t, res, http.StatusUnauthorized, "application/json", "UNAUTHENTICATED")
	if got := res.header.Get("WWW-Authenticate"); got != `Bearer realm="geotimeline"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	res = send(t, http.MethodPost, base+"/graphql", upsert, "Authorization: Bearer nope")
	check(t, res, http.StatusUnauthorized, "application/json", "UNAUTHENTICATED")
	res = send(t, http.MethodGet, base+"/graphql?query="+url.QueryEscape(`mutation { upsertSource(input: {key: "s1", title: "T"}) { key } }`), "", alice)
	check(t, res, http.StatusMethodNotAllowed, "application/json", "BAD_USER_INPUT")

	res = send(t, http.MethodPost, base+"/graphql", upsert, alice)
	check(t, res, http.StatusOK, "application/json", "")
	if want := `{"data":{"upsertSource":{"key":"s1"}}}`; res.body != want {
		t.Errorf("body = %s, want %s", res.body, want)
	}
	if !strings.Contains(logs.String(), "client=alice") {
		t.Errorf("the request log does not name the client:\n%s", logs.String())
	}
	res = send(t, http.MethodPost, base+"/graphql", `{"query":"{ source(key: \"s1\") { title } }"}`)
	if want := `{"data":{"source":{"title":"T"}}}`; res.body != want {
		t.Errorf("read back: body = %s, want %s", res.body, want)
	}
}
