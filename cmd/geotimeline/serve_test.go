package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// lockedBuffer is a bytes.Buffer that serve's goroutines may write while
// the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServe starts serve on a free loopback port, checks /healthz and the
// demo data, then cancels its context and expects a clean exit.
func TestServe(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	ready := make(chan net.Addr, 1)
	var stdout, stderr lockedBuffer
	c := &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" }, ready: ready}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() {
		exited <- c.run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--log-format", "json"})
	}()

	var addr net.Addr
	select {
	case addr = <-ready:
	case code := <-exited:
		t.Fatalf("serve exited %d before listening:\n%s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30s:\n%s", stderr.String())
	}
	base := "http://" + addr.String()
	client := &http.Client{Timeout: 10 * time.Second}

	res, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != `{"status":"ok"}` {
		t.Errorf("GET /healthz: %d %s", res.StatusCode, body)
	}

	res, err = client.Post(base+"/graphql", "application/json",
		strings.NewReader(`{"query":"{ actor(key: \"marco-rubio\") { name } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if want := `{"data":{"actor":{"name":"Marco Rubio"}}}`; string(body) != want {
		t.Errorf("the demo was not loaded: got %s, want %s", body, want)
	}

	// A subscription is served (the live hub is wired in), and shutting
	// down completes it.
	wsCtx, wsCancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wsCancel()
	conn, _, err := websocket.Dial(wsCtx, "ws://"+addr.String()+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for _, m := range []string{`{"type":"connection_init"}`,
		`{"type":"subscribe","id":"live","payload":{"query":"subscription { timelineUpdated { __typename } }"}}`} {
		if err := conn.Write(wsCtx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if _, b, err := conn.Read(wsCtx); err != nil || !strings.Contains(string(b), `"connection_ack"`) {
		t.Fatalf("after connection_init: %s %v", b, err)
	}
	// The subscription is registered once the server has read it; a query
	// sent after it on the same socket answers after that.
	if err := conn.Write(wsCtx, websocket.MessageText, []byte(`{"type":"subscribe","id":"q","payload":{"query":"{ __typename }"}}`)); err != nil {
		t.Fatal(err)
	}
	messages := make(chan string, 10)
	go func() {
		defer close(messages)
		for {
			_, b, err := conn.Read(wsCtx)
			if err != nil {
				return
			}
			messages <- string(b)
		}
	}()
	for m := range messages {
		if strings.Contains(m, `"id":"q"`) && strings.Contains(m, `"complete"`) {
			break
		}
	}

	cancel()
	completed := false
	for m := range messages {
		if m == `{"id":"live","type":"complete"}` || m == `{"type":"complete","id":"live"}` {
			completed = true
			break
		}
	}
	if !completed {
		t.Error("shutting down did not complete the open subscription")
	}
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit %d after cancel, want 0:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15s of cancel")
	}
	logs := stderr.String()
	for _, want := range []string{`"msg":"loaded demo fixture into empty database"`, `"msg":"listening"`,
		`"level":"WARN","msg":"no tokens configured: the API is read-only"`,
		`"msg":"limits","max_complexity":10000,"max_depth":12,"max_aliases":30,"request_timeout":10000000000`,
		`"addr":"` + addr.String() + `"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if stdout.String() != "" {
		t.Errorf("serve wrote to stdout: %q", stdout.String())
	}
}

// TestServeNoDemo checks that GEOTIMELINE_NO_DEMO keeps a new database empty.
func TestServeNoDemo(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	t.Setenv("GEOTIMELINE_NO_DEMO", "true")
	ready := make(chan net.Addr, 1)
	var stderr lockedBuffer
	c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
		getenv: os.Getenv, ready: ready}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() { exited <- c.run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}) }()
	select {
	case <-ready:
	case code := <-exited:
		t.Fatalf("serve exited %d before listening:\n%s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen within 30s")
	}
	cancel()
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15s of cancel")
	}
	if !strings.Contains(stderr.String(), "demo fixture not loaded") {
		t.Errorf("log does not say the demo was skipped:\n%s", stderr.String())
	}
	if res := mustRun(t, "export", "--db", dbPath); res.stdout != "{\n  \"version\": 1\n}\n" {
		t.Errorf("export = %q, want an empty fixture", res.stdout)
	}
}

// startServe runs serve in-process with env as its environment and returns
// the base URL of the API and a function that stops it and returns its
// exit status and log.
func startServe(t *testing.T, env map[string]string, args ...string) (string, func() (int, string)) {
	t.Helper()
	ready := make(chan net.Addr, 1)
	var stderr lockedBuffer
	c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
		getenv: func(k string) string { return env[k] }, ready: ready}
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() {
		exited <- c.run(ctx, append([]string{"serve", "--db", filepath.Join(t.TempDir(), "serve.db"), "--addr", "127.0.0.1:0"}, args...))
	}()
	var (
		once sync.Once
		code = -1
	)
	stop := func() (int, string) {
		once.Do(func() {
			cancel()
			select {
			case code = <-exited:
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop within 15s of cancel")
			}
		})
		return code, stderr.String()
	}
	select {
	case addr := <-ready:
		t.Cleanup(func() { stop() })
		return "http://" + addr.String(), stop
	case code := <-exited:
		t.Fatalf("serve exited %d before listening:\n%s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30s:\n%s", stderr.String())
	}
	return "", nil
}

// call posts a GraphQL request with an optional bearer token and returns
// the status and body.
func call(t *testing.T, base, token, query string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

func tokenLine(name, token string) string {
	sum := sha256.Sum256([]byte(token))
	return name + " sha256:" + hex.EncodeToString(sum[:]) + "\n"
}

const (
	envToken  = "env-token-0123456789abcdef"
	fileToken = "file-token-0123456789abcdef"
	upsert    = `mutation { upsertSource(input: {key: "s1", title: "T"}) { key } }`
)

// TestServeTokens checks that serve takes tokens from GEOTIMELINE_TOKEN and
// --tokens-file, logs the client of each authenticated request and never a
// token.
func TestServeTokens(t *testing.T) {
	file := writeFile(t, t.TempDir(), "tokens", "# writers\n\n"+tokenLine("ci", fileToken))
	base, stop := startServe(t, map[string]string{"GEOTIMELINE_TOKEN": envToken}, "--tokens-file", file, "--log-format", "json")

	if status, body := call(t, base, "", upsert); status != http.StatusUnauthorized || !strings.Contains(body, `"UNAUTHENTICATED"`) {
		t.Errorf("no token: %d %s", status, body)
	}
	if status, body := call(t, base, "wrong", `{ __typename }`); status != http.StatusUnauthorized {
		t.Errorf("wrong token: %d %s", status, body)
	}
	if status, body := call(t, base, envToken, upsert); status != http.StatusOK || body != `{"data":{"upsertSource":{"key":"s1"}}}` {
		t.Errorf("GEOTIMELINE_TOKEN: %d %s", status, body)
	}
	if status, body := call(t, base, fileToken, upsert); status != http.StatusOK {
		t.Errorf("--tokens-file: %d %s", status, body)
	}
	if status, body := call(t, base, "", `{ source(key: "s1") { title } }`); body != `{"data":{"source":{"title":"T"}}}` {
		t.Errorf("anonymous read: %d %s", status, body)
	}
	code, logs := stop()
	if code != 0 {
		t.Errorf("exit %d:\n%s", code, logs)
	}
	for _, want := range []string{`"msg":"tokens configured: mutations need one","tokens":2,"clients":2,"private":false`,
		`"status":200,`, `"client":"default"`, `"client":"ci"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, envToken) || strings.Contains(logs, fileToken) || strings.Contains(logs, "read-only") {
		t.Errorf("log shows a token or says read-only:\n%s", logs)
	}
}

// TestServeReadOnly checks the warning and the refusal of a server without
// tokens.
func TestServeReadOnly(t *testing.T) {
	base, stop := startServe(t, nil)
	status, body := call(t, base, "", upsert)
	if want := `{"errors":[{"message":"this server is read-only: no tokens are configured","extensions":{"code":"FORBIDDEN"}}]}` + "\n"; status != http.StatusForbidden || body != want {
		t.Errorf("mutation: %d %s, want 403 %s", status, body, want)
	}
	_, logs := stop()
	if !strings.Contains(logs, `level=WARN msg="no tokens configured: the API is read-only"`) {
		t.Errorf("no read-only warning:\n%s", logs)
	}
}

// TestServeLimits checks that the limit flags and variables reach the
// server.
func TestServeLimits(t *testing.T) {
	base, stop := startServe(t, map[string]string{"GEOTIMELINE_TOKEN": envToken, "GEOTIMELINE_PRIVATE": "1",
		"GEOTIMELINE_MAX_DEPTH": "3", "GEOTIMELINE_NO_INTROSPECTION": "true"},
		"--max-complexity", "30", "--max-aliases", "1", "--request-timeout", "1m")
	if status, body := call(t, base, "", `{ __typename }`); status != http.StatusUnauthorized ||
		!strings.Contains(body, "this server is private") {
		t.Errorf("private: %d %s", status, body)
	}
	for q, want := range map[string]string{
		`{ actors(first: 30) { nodes { key } } }`:                   "complexity 31, which exceeds the limit of 30",
		`{ actor(key: "x") { country { actors { totalCount } } } }`: "nests 4 fields deep, more than the limit of 3",
		`{ a: __typename b: __typename }`:                           "2 aliases, more than the limit of 1",
		`{ __schema { queryType { name } } }`:                       "introspection is disabled on this server",
	} {
		if _, body := call(t, base, envToken, q); !strings.Contains(body, want) {
			t.Errorf("%s: body = %s, want %q", q, body, want)
		}
	}
	if code, logs := stop(); code != 0 || !strings.Contains(logs, `msg=limits max_complexity=30 max_depth=3 max_aliases=1 request_timeout=1m0s`) {
		t.Errorf("exit %d, log:\n%s", code, logs)
	}
	// The deadline passes before the query is even validated.
	base, stop = startServe(t, nil, "--request-timeout", "1ns")
	if _, body := call(t, base, "", `{ actor(key: "marco-rubio") { name } }`); !strings.Contains(body, "the request took longer than 1ns and was cancelled") {
		t.Errorf("body = %s, want the timeout", body)
	}
	stop()
}

// TestServeLiveLimits checks that the live-update limit flags and
// variables reach the hub and the server, and that zero is refused.
func TestServeLiveLimits(t *testing.T) {
	_, stop := startServe(t, map[string]string{"GEOTIMELINE_MAX_WEBSOCKETS_PER_CLIENT": "4"},
		"--max-subscriptions", "5", "--max-subscriptions-per-connection", "2", "--max-subscriptions-per-client", "3")
	want := `msg="live update limits" max_subscriptions=5 per_connection=2 per_client=3 websockets_per_client=4`
	if code, logs := stop(); code != 0 || !strings.Contains(logs, want) {
		t.Errorf("exit %d, log lacks %s:\n%s", code, want, logs)
	}
	wantUsageError(t, runCLI(t, "", "serve", "--max-subscriptions-per-connection", "0"),
		"--max-subscriptions-per-connection 0: want a whole number of 1 or more")
}

// TestServeHelpAccess checks that serve --help documents every access and
// limit flag with its variable and default.
func TestServeHelpAccess(t *testing.T) {
	res := runCLI(t, "", "serve", "--help")
	for _, want := range []string{
		"--token TOKEN", "GEOTIMELINE_TOKEN", "--tokens-file PATH", "GEOTIMELINE_TOKENS_FILE",
		"--private", "GEOTIMELINE_PRIVATE", "--no-introspection", "GEOTIMELINE_NO_INTROSPECTION",
		"--max-complexity N", "env GEOTIMELINE_MAX_COMPLEXITY, default 10000",
		"--max-depth N", "env GEOTIMELINE_MAX_DEPTH, default 12",
		"--max-aliases N", "env GEOTIMELINE_MAX_ALIASES, default 30",
		"--request-timeout DURATION", "env GEOTIMELINE_REQUEST_TIMEOUT, default 10s",
		"--max-subscriptions N", "env GEOTIMELINE_MAX_SUBSCRIPTIONS, default 1000",
		"--max-subscriptions-per-connection N", "env GEOTIMELINE_MAX_SUBSCRIPTIONS_PER_CONNECTION, default 32",
		"--max-subscriptions-per-client N", "env GEOTIMELINE_MAX_SUBSCRIPTIONS_PER_CLIENT, default 100",
		"--max-websockets-per-client N", "env GEOTIMELINE_MAX_WEBSOCKETS_PER_CLIENT, default 32",
		"--allowed-hosts NAMES", `env GEOTIMELINE_ALLOWED_HOSTS, default ""`,
		"--metrics-operations NAMES", `env GEOTIMELINE_METRICS_OPERATIONS, default ""`,
		"--write-wait DURATION", "env GEOTIMELINE_WRITE_WAIT, default 30s",
		"--change-retention DURATION", "env GEOTIMELINE_CHANGE_RETENTION, default 720h0m0s",
		"--response-cache MB", "env GEOTIMELINE_RESPONSE_CACHE, default 32",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, res.stdout)
		}
	}
}

func TestServeAccessErrors(t *testing.T) {
	dir := t.TempDir()
	malformed := writeFile(t, dir, "malformed", "# ok\n"+tokenLine("ci", fileToken)+"bob hunter2\n")
	dup := writeFile(t, dir, "dup", tokenLine("ci", envToken))
	empty := writeFile(t, dir, "empty", "# nobody yet\n")
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		wantErr string
	}{
		{"PrivateWithoutTokens", nil, []string{"--private"}, 2, "serve: --private needs a token: give --token or --tokens-file"},
		{"PrivateEnvWithoutTokens", map[string]string{"GEOTIMELINE_PRIVATE": "yes"}, nil, 2, `GEOTIMELINE_PRIVATE="yes": want true or false`},
		{"PrivateEnvTrueWithoutTokens", map[string]string{"GEOTIMELINE_PRIVATE": "true"}, nil, 2, "serve: GEOTIMELINE_PRIVATE needs a token"},
		{"MaxDepthZero", nil, []string{"--max-depth", "0"}, 2, "serve: --max-depth 0: want a whole number of 1 or more"},
		{"MaxComplexityNotANumber", nil, []string{"--max-complexity", "lots"}, 2, `invalid value "lots" for flag -max-complexity`},
		{"MaxAliasesEnv", map[string]string{"GEOTIMELINE_MAX_ALIASES": "-3"}, nil, 2, `GEOTIMELINE_MAX_ALIASES="-3": want a whole number of 1 or more`},
		{"TimeoutNegative", nil, []string{"--request-timeout", "-1s"}, 2, "serve: --request-timeout -1s: want a positive duration"},
		{"TimeoutEnv", map[string]string{"GEOTIMELINE_REQUEST_TIMEOUT": "soon"}, nil, 2, `GEOTIMELINE_REQUEST_TIMEOUT="soon": want a positive duration`},
		{"ResponseCacheNegative", nil, []string{"--response-cache", "-1"}, 2, "serve: --response-cache -1: want 0 (off) to 65536"},
		{"ResponseCacheHuge", map[string]string{"GEOTIMELINE_RESPONSE_CACHE": "100000"}, nil, 2, "serve: GEOTIMELINE_RESPONSE_CACHE 100000: want 0 (off) to 65536"},
		{"MalformedTokensFile", nil, []string{"--tokens-file", malformed}, 1,
			"serve: --tokens-file " + malformed + ": line 3: want sha256:HEX after the client name, got \"hunter2\"\n"},
		{"TokensFileEnv", map[string]string{"GEOTIMELINE_TOKENS_FILE": malformed}, nil, 1, "serve: GEOTIMELINE_TOKENS_FILE " + malformed + ": line 3:"},
		{"MissingTokensFile", nil, []string{"--tokens-file", filepath.Join(dir, "nope")}, 1, "serve: --tokens-file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"EmptyTokensFile", nil, []string{"--tokens-file", empty}, 1, "serve: --tokens-file " + empty + ": no tokens in the file"},
		{"SameTokenTwice", map[string]string{"GEOTIMELINE_TOKEN": envToken}, []string{"--tokens-file", dup}, 1, `client "ci" has the token of GEOTIMELINE_TOKEN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "x.db")
			var stdout, stderr bytes.Buffer
			c := &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
				getenv: func(k string) string { return tt.env[k] }}
			code := c.run(context.Background(), append([]string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, tt.args...))
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantErr, stderr.String())
			}
			if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
				t.Errorf("serve created the database before refusing")
			}
		})
	}
}

// TestServeHostCheck checks that a server on a loopback address refuses a
// rebound Host name unless --allowed-hosts names it.
func TestServeHostCheck(t *testing.T) {
	ask := func(base, host string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	base, stop := startServe(t, nil)
	if got := ask(base, "evil.example"); got != http.StatusMisdirectedRequest {
		t.Errorf("default: %d, want 421", got)
	}
	stop()
	base, stop = startServe(t, map[string]string{"GEOTIMELINE_ALLOWED_HOSTS": "evil.example, geo.example"})
	if got := ask(base, "evil.example"); got != http.StatusOK {
		t.Errorf("allowed: %d, want 200", got)
	}
	if got := ask(base, "other.example"); got != http.StatusMisdirectedRequest {
		t.Errorf("not allowed: %d, want 421", got)
	}
	stop()
}

// TestServeMetricsOperations checks that --metrics-operations reaches the
// server's metrics: a name it lists is a label, another is "other".
func TestServeMetricsOperations(t *testing.T) {
	base, stop := startServe(t, map[string]string{"GEOTIMELINE_METRICS_OPERATIONS": "Mine, Ours"})
	defer stop()
	call(t, base, "", `query Mine { __typename }`)
	call(t, base, "", `query Theirs { __typename }`)
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`geotimeline_graphql_operations_total{operation="Mine",outcome="ok",type="query"} 1`,
		`geotimeline_graphql_operations_total{operation="other",outcome="ok",type="query"} 1`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(b), "Theirs") {
		t.Errorf("/metrics names an operation nobody configured")
	}
}
