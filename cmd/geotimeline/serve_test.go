package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

	cancel()
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
