package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/cmd/geotimeline/internal/loadtest"
)

// TestHTTPAttackCost sends the requests with which one anonymous client
// took the server down (the hardening issue's findings 1, 2, 3 and 10) to a
// serve process of its own, and checks each answer and the process's peak
// resident memory (under 300 MB); the CPU each costs the server is logged,
// not asserted, since the machine may be loaded. GEOTIMELINE_ATTACK_DB
// names a database to serve instead of the demo. The README's threat model
// quotes the figures.
func TestHTTPAttackCost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a serve process")
	}
	dbArg := filepath.Join(t.TempDir(), "attack.db")
	if path := os.Getenv("GEOTIMELINE_ATTACK_DB"); path != "" {
		// A large database of one's own (a generated one, say) instead of
		// the demo; it is only read.
		dbArg = path
	}
	child := startServeChild(t, dbArg)
	client := &http.Client{Timeout: 60 * time.Second}
	ask := func(body []byte) (int, string) {
		res, err := client.Post(child.base+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	request := func(query, operation string) []byte {
		b, _ := json.Marshal(map[string]string{"query": query, "operationName": operation})
		return b
	}
	attacks := []struct {
		name   string
		n      int
		body   func(i int) []byte
		answer string // what every answer must contain
	}{
		{"14,000 identical __typename fields (154 KB), each with a unique comment", 4, func(i int) []byte {
			return request(fmt.Sprintf("# %d\n{%s}", i, strings.Repeat("__typename ", 14000)), "")
		}, `a selection set has 14000 fields named \"__typename\", more than the limit of 16`},
		{"distinct 30 KB valid documents", 1000, func(i int) []byte {
			// 400 operations of one country each: a large, valid document
			// under every bound; the last one runs.
			var b strings.Builder
			for j := range 400 {
				fmt.Fprintf(&b, "query Q%d_%d { countries(first: 1) { nodes { code name } } }\n", i, j)
			}
			return request(b.String(), fmt.Sprintf("Q%d_399", i))
		}, `{"data":{"countries":{"nodes":[{"code":"AD","name":"Andorra"}]}}}`},
		{"900 KB string literals", 20, func(i int) []byte {
			return request(fmt.Sprintf(`{ search(text: "%d%s") { score } }`, i, strings.Repeat("x", 900_000)), "")
		}, `"errors"`},
		{"30 aliased day-by-country eventCounts (2.4 KB)", 20, func(int) []byte {
			var b strings.Builder
			b.WriteString("{")
			for i := range 30 {
				fmt.Fprintf(&b, " c%d: eventCounts(interval: DAY, groupBy: COUNTRY) { start key count fatalities }", i)
			}
			return request(b.String()+" }", "")
		}, "operation has complexity 150030, which exceeds the limit of 10000"},
		{"3,000 unknown directives (16 KB)", 20, func(int) []byte {
			return request("{ __typename "+strings.Repeat("@x ", 3000)+"}", "")
		}, "the document has 3000 directives, more than the limit of 50"},
	}
	for _, a := range attacks {
		before := child.cpu(t)
		start := time.Now()
		largest := 0
		for i := range a.n {
			status, body := ask(a.body(i))
			if status != http.StatusOK || !strings.Contains(body, a.answer) {
				t.Fatalf("%s #%d: %d %.300s, want %s", a.name, i, status, body, a.answer)
			}
			largest = max(largest, len(body))
		}
		cpu := child.cpu(t) - before
		t.Logf("%s: %d requests, server CPU %v (%v a request), %v wall, largest answer %d bytes",
			a.name, a.n, cpu, cpu/time.Duration(a.n), time.Since(start).Round(time.Millisecond), largest)
	}
	mem, err := loadtest.ReadMemory(child.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after all: RSS %.1f MB, peak %.1f MB", float64(mem.RSS)/1e6, float64(mem.Peak)/1e6)
	if mem.Peak > 300e6 {
		t.Errorf("peak RSS %d bytes, over 300 MB", mem.Peak)
	}
}
