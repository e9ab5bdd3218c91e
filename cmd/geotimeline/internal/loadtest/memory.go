package loadtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is a process's resident memory, as Linux reports it in
// /proc/PID/status.
type Memory struct {
	// RSS is the resident set size (VmRSS), in bytes.
	RSS int64 `json:"rss_bytes"`
	// Peak is the largest RSS so far (VmHWM), in bytes.
	Peak int64 `json:"peak_rss_bytes"`
}

// ReadMemory reads the memory of process pid from /proc (Linux only).
func ReadMemory(pid int) (*Memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	return parseStatus(data)
}

// parseStatus reads VmRSS and VmHWM, given in kB, from a /proc/PID/status.
func parseStatus(data []byte) (*Memory, error) {
	var m Memory
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number of kB", name, value)
		}
		if name == "VmRSS" {
			m.RSS = kb * 1024
		} else {
			m.Peak = kb * 1024
		}
		found++
	}
	if found != 2 {
		return nil, fmt.Errorf("no VmRSS and VmHWM: not a process's status, or a kernel thread")
	}
	return &m, nil
}
