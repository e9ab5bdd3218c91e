package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/geotimeline/geotimeline/cmd/geotimeline/internal/loadtest"
)

// floodSubscriptions is how many subscriptions TestSubscriptionFloodCost
// sends on one websocket: as many as the whole server holds by default.
const floodSubscriptions = 1000

// TestSubscriptionFloodCost sends 1000 subscriptions on one websocket to a
// serve process of its own and logs what they cost that process: CPU time
// and resident memory. With the default limits all but 32 are refused;
// with the per-connection and per-client limits raised to 1000 all are
// served, which is what one socket could do before the limits. The figures
// are logged, not asserted (the machine may be loaded), except resident
// memory, whose bound (300 MB) is far above what either takes.
func TestSubscriptionFloodCost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two serve processes")
	}
	for _, c := range []struct {
		name     string
		args     []string
		accepted int
	}{
		{"default limits", nil, 32},
		{"limits raised to 1000", []string{"--max-subscriptions-per-connection", "1000", "--max-subscriptions-per-client", "1000"}, 1000},
	} {
		t.Run(c.name, func(t *testing.T) {
			child := startServeChild(t, filepath.Join(t.TempDir(), "flood.db"), c.args...)
			before := child.cpu(t)
			start := time.Now()
			refused := floodSubscriptions - c.accepted
			flood(t, child.base, floodSubscriptions, refused)
			// Accepted subscriptions send nothing: the server's gauge says
			// when they are all open.
			for i := 0; child.openSubscriptions(t) != c.accepted; i++ {
				if i == 500 {
					t.Fatalf("%d subscriptions open, want %d", child.openSubscriptions(t), c.accepted)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cpu := child.cpu(t) - before
			mem, err := loadtest.ReadMemory(child.cmd.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d subscriptions on one socket, %d served, %d refused: server CPU %v (%v a subscription), %v wall; RSS %.1f MB, peak %.1f MB",
				floodSubscriptions, c.accepted, refused, cpu, cpu/floodSubscriptions, time.Since(start).Round(time.Millisecond),
				float64(mem.RSS)/1e6, float64(mem.Peak)/1e6)
			if mem.Peak > 300e6 {
				t.Errorf("peak RSS %d bytes, over 300 MB", mem.Peak)
			}
		})
	}
}

// serveChild is a serve process run from the test binary (see TestMain).
type serveChild struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	log  *lockedBuffer
}

// startServeChild starts serve over the database dbArg (a file path or a
// postgres:// URL) on a free port of 127.0.0.1 with args, and stops it when
// the test ends. Its standard error is kept in log, for failure messages.
func startServeChild(t *testing.T, dbArg string, args ...string) *serveChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--db", dbArg, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	log := &lockedBuffer{}
	listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.Write(append(sc.Bytes(), '\n'))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("serve exited before listening:\n%s", log)
		}
		return &serveChild{cmd: cmd, base: "http://" + a, log: log}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30s:\n%s", log)
	}
	return nil
}

// cpu is the CPU time the process has used so far, user and system, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms on Linux).
func (c *serveChild) cpu(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name, in parentheses, may hold spaces: count after it.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

var openGauge = regexp.MustCompile(`(?m)^geotimeline_subscriptions_open (\d+)`)

// openSubscriptions reads the open-subscriptions gauge of /metrics.
func (c *serveChild) openSubscriptions(t *testing.T) int {
	t.Helper()
	res, err := http.Get(c.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := openGauge.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no geotimeline_subscriptions_open in /metrics:\n%s", b)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// flood opens one websocket to base, sends n timeline subscriptions on it
// and waits for refused of them to be refused: each with a next message
// holding UNAVAILABLE, then a complete.
func flood(t *testing.T, base string, n, refused int) {
	t.Helper()
	// The socket outlives flood: its accepted subscriptions are measured.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	write := func(m string) {
		if err := conn.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"type":"connection_init"}`)
	type message struct {
		Type    string          `json:"type"`
		ID      string          `json:"id"`
		Payload json.RawMessage `json:"payload"`
	}
	// Room for every answer, so that reading never holds the server up.
	messages := make(chan message, 2*n+10)
	go func() {
		defer close(messages)
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var m message
			json.Unmarshal(b, &m)
			if m.Type != "ping" && m.Type != "pong" {
				messages <- m
			}
		}
	}()
	if m := <-messages; m.Type != "connection_ack" {
		t.Fatalf("got %+v, want connection_ack", m)
	}
	for i := range n {
		write(fmt.Sprintf(`{"type":"subscribe","id":"s%d","payload":{"query":"subscription { timelineUpdated { __typename } }"}}`, i))
	}
	for completed := 0; completed < refused; {
		m, ok := <-messages
		if !ok {
			t.Fatalf("the server closed the websocket after %d refusals", completed)
		}
		switch {
		case m.Type == "next" && strings.Contains(string(m.Payload), `"UNAVAILABLE"`):
		case m.Type == "complete":
			completed++
		default:
			t.Fatalf("unexpected %s %s %s", m.Type, m.ID, m.Payload)
		}
	}
}
