package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is a whole run: what was asked, what was discovered and each
// level's measurements.
type Report struct {
	URL             string    `json:"url"`
	WarmupSeconds   float64   `json:"warmup_seconds"`
	DurationSeconds float64   `json:"duration_seconds"`
	Mix             []string  `json:"mix"`
	Skipped         []string  `json:"skipped,omitempty"`
	Params          *Params   `json:"params"`
	MemoryBefore    *Memory   `json:"server_memory_before,omitempty"`
	Levels          []*Level  `json:"levels"`
	Started         time.Time `json:"started"`
}

// WriteJSON writes r as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes r as aligned tables: one row per level, then the p50
// and p95 of each query at each level, then the first error messages.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "bench %s: %d queries round-robin, %s per level after %s warm-up\n", r.URL, len(r.Mix),
		time.Duration(r.DurationSeconds*float64(time.Second)), time.Duration(r.WarmupSeconds*float64(time.Second)))
	b.WriteString(r.Params.summary())
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "skipped %s\n", s)
	}
	if r.MemoryBefore != nil {
		fmt.Fprintf(&b, "server memory before: RSS %s MiB, peak %s MiB\n", mib(r.MemoryBefore.RSS), mib(r.MemoryBefore.Peak))
	}

	b.WriteString("\n")
	head := fmt.Sprintf("%5s %9s %7s %9s %8s %8s %8s %8s", "conc", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
	if r.MemoryBefore != nil {
		head += fmt.Sprintf("  %s", "server RSS / peak MiB")
	}
	b.WriteString(head + "\n")
	for _, lv := range r.Levels {
		fmt.Fprintf(&b, "%5d %9d %7d %9.1f %8s %8s %8s %8s", lv.Concurrency, lv.Requests, lv.Errors, lv.RPS,
			ms(lv.Latency.P50), ms(lv.Latency.P95), ms(lv.Latency.P99), ms(lv.Latency.Max))
		if lv.Memory != nil {
			fmt.Fprintf(&b, "  %s / %s", mib(lv.Memory.RSS), mib(lv.Memory.Peak))
		}
		b.WriteString("\n")
	}

	if len(r.Levels) > 0 {
		width := 0
		for _, q := range r.Levels[0].Queries {
			width = max(width, len(q.Name))
		}
		b.WriteString("\n" + strings.Repeat(" ", width))
		for _, lv := range r.Levels {
			fmt.Fprintf(&b, "  %15s", fmt.Sprintf("c=%d", lv.Concurrency))
		}
		fmt.Fprintf(&b, "\n%-*s", width, "query (ms)")
		for range r.Levels {
			fmt.Fprintf(&b, "  %7s %7s", "p50", "p95")
		}
		b.WriteString("\n")
		for i, q := range r.Levels[0].Queries {
			fmt.Fprintf(&b, "%-*s", width, q.Name)
			for _, lv := range r.Levels {
				qs := lv.Queries[i]
				fmt.Fprintf(&b, "  %7s %7s", ms(qs.Latency.P50), ms(qs.Latency.P95))
			}
			b.WriteString("\n")
		}
	}

	for _, lv := range r.Levels {
		if lv.Errors == 0 {
			continue
		}
		fmt.Fprintf(&b, "\nerrors at c=%d (%d; first distinct messages):\n", lv.Concurrency, lv.Errors)
		for _, m := range lv.ErrorSamples {
			fmt.Fprintf(&b, "  %s\n", m)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// summary is one or two lines naming the discovered parameters.
func (p *Params) summary() string {
	var parts []string
	actor := func(a *ActorRef) string {
		if a == nil {
			return "none"
		}
		if a.Events == 1 {
			return a.Key + " (1 event)"
		}
		return fmt.Sprintf("%s (%d events)", a.Key, a.Events)
	}
	parts = append(parts, "busy actor "+actor(p.Busy), "quiet "+actor(p.Quiet))
	if p.Country != "" {
		parts = append(parts, "country "+p.Country)
	}
	if p.EventType != "" {
		parts = append(parts, "type "+p.EventType)
	}
	if p.From != "" {
		month := p.From
		if t, err := time.Parse(time.RFC3339, p.From); err == nil {
			month = t.Format("2006-01")
		}
		parts = append(parts, "month "+month)
	}
	if p.Text != "" {
		parts = append(parts, fmt.Sprintf("text %q", p.Text))
	}
	if p.DeepCursor != "" {
		parts = append(parts, fmt.Sprintf("deep page after item %d", p.DeepOffset))
	} else {
		parts = append(parts, "deep page last 50")
	}
	if p.PathFrom != nil {
		length := "no path"
		if p.PathLength >= 0 {
			length = fmt.Sprintf("%d edges", p.PathLength)
		}
		parts = append(parts, fmt.Sprintf("path %s → %s (%s)", p.PathFrom.Key, p.PathTo.Key, length))
	}
	// Two lines at most of about 100 characters.
	var b strings.Builder
	line := 0
	for i, s := range parts {
		if i > 0 {
			if line+2+len(s) > 100 {
				b.WriteString(",\n")
				line = 0
			} else {
				b.WriteString(", ")
				line += 2
			}
		}
		b.WriteString(s)
		line += len(s)
	}
	b.WriteString("\n")
	return b.String()
}

// ms formats d in milliseconds with three significant digits or so.
func ms(d Ms) string {
	x := float64(d) / float64(time.Millisecond)
	switch {
	case x < 10:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.0f", x)
	}
}

// mib formats a number of bytes in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f", float64(n)/(1<<20)) }
