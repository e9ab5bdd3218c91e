package loader

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
)

// recorder is a fetch that records the keys of each call and finds every
// key but "missing".
type recorder struct {
	mu    sync.Mutex
	calls [][]string
}

func (r *recorder) fetch(_ context.Context, keys []string) (map[string]string, error) {
	r.mu.Lock()
	r.calls = append(r.calls, append([]string(nil), keys...))
	r.mu.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		if k != "missing" {
			out[k] = "v-" + k
		}
	}
	return out, nil
}

func TestEachFetchesOnlyWhatItLacks(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	l := newLoader(r.fetch)
	got, err := Each(ctx, l, []string{"a", "", "b", "a", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"v-a", "", "v-b", "v-a", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("Each = %q, want %q", got, want)
	}
	// b and missing are remembered, found or not; only c is new.
	if _, err := Each(ctx, l, []string{"b", "c", "missing"}); err != nil {
		t.Fatal(err)
	}
	if v, err := Load(ctx, l, "c"); v != "v-c" || err != nil {
		t.Errorf(`Load("c") = %q, %v`, v, err)
	}
	if _, err := Load(ctx, l, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf(`Load("missing") error = %v, want ErrNotFound`, err)
	}
	if v, err := Maybe(ctx, l, "missing"); v != "" || err != nil {
		t.Errorf(`Maybe("missing") = %q, %v; want "", nil`, v, err)
	}
	if _, err := All(ctx, l, []string{"a", "missing"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("All with a missing key: error = %v, want ErrNotFound", err)
	}
	if want := [][]string{{"a", "b", "missing"}, {"c"}}; !reflect.DeepEqual(r.calls, want) {
		t.Errorf("fetches = %q, want %q", r.calls, want)
	}
}

func TestEachListGroups(t *testing.T) {
	r := &recorder{}
	got, err := EachList(context.Background(), newLoader(r.fetch), [][]string{{"a", "missing"}, nil, {"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"v-a"}, {}, {"v-b"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("EachList = %q, want %q", got, want)
	}
	if len(r.calls) != 1 {
		t.Errorf("%d fetches, want 1", len(r.calls))
	}
}

// A key that another goroutine is fetching is not fetched again: its
// caller waits for that fetch. The first fetch is held open by a gate, so
// the second call always finds it under way.
func TestKeyInFlightIsFetchedOnce(t *testing.T) {
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	var fetches [][]string
	l := newLoader(func(_ context.Context, keys []string) (map[string]string, error) {
		fetches = append(fetches, keys)
		if len(fetches) == 1 {
			close(started)
			<-release
		}
		return map[string]string{"a": "1", "b": "2"}, nil
	})
	first := make(chan []string)
	go func() {
		v, _ := Each(ctx, l, []string{"a"})
		first <- v
	}()
	<-started
	second := make(chan []string)
	go func() {
		v, _ := Each(ctx, l, []string{"a", "b"})
		second <- v
	}()
	// The second call fetches b itself while the first fetch is held, then
	// waits for a; releasing the first lets both answer.
	close(release)
	v2 := <-second
	if v1 := <-first; !reflect.DeepEqual(v1, []string{"1"}) {
		t.Errorf("first = %q", v1)
	}
	if !reflect.DeepEqual(v2, []string{"1", "2"}) {
		t.Errorf("second = %q", v2)
	}
	if want := [][]string{{"a"}, {"b"}}; !reflect.DeepEqual(fetches, want) {
		t.Errorf("fetches = %q, want %q", fetches, want)
	}
}

func TestFetchErrorReachesEveryCaller(t *testing.T) {
	boom := errors.New("boom")
	l := newLoader(func(context.Context, []int64) (map[int64]int, error) { return nil, boom })
	if _, err := Each(context.Background(), l, []int64{1, 2}); !errors.Is(err, boom) {
		t.Errorf("Each error = %v, want boom", err)
	}
	if _, err := Load(context.Background(), l, 2); !errors.Is(err, boom) {
		t.Errorf("Load error = %v, want boom", err)
	}
}
