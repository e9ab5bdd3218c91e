package gdelt_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/gdelt"
)

// benchRows is the real file's 1,000 rows repeated to n rows, each copy
// with other GLOBALEVENTIDs.
func benchRows(tb testing.TB, n int) []byte {
	data, err := os.ReadFile(realFile(tb))
	if err != nil {
		tb.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	var out bytes.Buffer
	for i := 0; i < n; i++ {
		line := lines[i%len(lines)]
		tab := bytes.IndexByte(line, '\t')
		id, _ := strconv.Atoi(string(line[:tab]))
		out.WriteString(strconv.Itoa(id + (i/len(lines))*10_000_000))
		out.Write(line[tab:])
		if line[len(line)-1] != '\n' {
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// BenchmarkConvert converts 100,000 GDELT rows to fixtures, the conversion
// half of an import; rows/s is the figure to read.
func BenchmarkConvert(b *testing.B) {
	const n = 100_000
	data := benchRows(b, n)
	dir := b.TempDir()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime(b)
	for b.Loop() {
		src := importer.Source{Name: "bench.CSV", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		conv, err := importer.Convert(context.Background(), gdelt.Format{}, []importer.Source{src}, importer.Options{TempDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if conv.Rows != n {
			b.Fatalf("%d rows converted, want %d", conv.Rows, n)
		}
		conv.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// The rows per second of CPU time the process spent (the GC's
	// included): the figure to compare on a machine that other work shares.
	b.ReportMetric(float64(n)*float64(b.N)/(cpuTime(b)-cpu0).Seconds(), "rows/cpu-s")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
