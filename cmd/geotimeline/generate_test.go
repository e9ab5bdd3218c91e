package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/fixture"
)

func TestGenerate(t *testing.T) {
	res := mustRun(t, "generate", "--events", "100", "--seed", "9")
	set, err := fixture.Decode([]fixture.File{{Name: "generated.json", Data: []byte(res.stdout)}})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(set.Refs) != 0 {
		t.Errorf("%d references outside the fixture, first %+v", len(set.Refs), set.Refs[0])
	}
	if got := len(set.Batch.Events); got != 100 {
		t.Errorf("%d events, want 100", got)
	}
	if res.stderr != "" {
		t.Errorf("stderr = %q, want nothing", res.stderr)
	}

	t.Run("SameSeedSameBytes", func(t *testing.T) {
		if again := mustRun(t, "generate", "--seed", "9", "--events", "100").stdout; again != res.stdout {
			t.Error("the same seed gave other bytes")
		}
		if other := mustRun(t, "generate", "--events", "100", "--seed", "10").stdout; other == res.stdout {
			t.Error("seeds 9 and 10 gave the same bytes")
		}
	})
	t.Run("Out", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "g.json")
		out := mustRun(t, "generate", "--events", "100", "--seed", "9", "--out", path)
		if out.stdout != "" || !strings.Contains(out.stderr, "wrote 100 events") {
			t.Errorf("stdout %q, stderr %q", out.stdout, out.stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != res.stdout {
			t.Error("--out wrote other bytes than standard output got")
		}
	})
	t.Run("Env", func(t *testing.T) {
		t.Setenv("GEOTIMELINE_EVENTS", "100")
		t.Setenv("GEOTIMELINE_SEED", "9")
		if env := mustRun(t, "generate").stdout; env != res.stdout {
			t.Error("GEOTIMELINE_EVENTS and GEOTIMELINE_SEED were not honoured")
		}
	})
}

func TestGenerateUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"NoEvents", []string{"generate"}, "--events N is required"},
		{"ZeroEvents", []string{"generate", "--events", "0"}, "--events 0: want a whole number from 1 to 10000000"},
		{"TooMany", []string{"generate", "--events", "10000001"}, "--events 10000001: want a whole number from 1 to 10000000"},
		{"NotANumber", []string{"generate", "--events", "many"}, `invalid value "many" for flag -events`},
		{"BadSeed", []string{"generate", "--events", "5", "--seed", "x"}, `--seed "x": want a whole number`},
		{"Argument", []string{"generate", "--events", "5", "extra"}, `generate takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, "", tt.args...)
			wantUsageError(t, res, tt.wantErr)
		})
	}
}
