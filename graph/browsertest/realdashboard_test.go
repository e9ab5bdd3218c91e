package browsertest

import (
	"slices"
	"testing"
)

// The dashboard opens on the real samples (thousands of events from five
// datasets beside the demo) and lists what the API lists.
func TestDashboardRealDataLoads(t *testing.T) {
	s := openRealData(t)
	openDashboard(s, "")
	keys, total := s.listed()
	wantKeys, wantTotal := s.apiTimeline(map[string]any{})
	if total != wantTotal || !slices.Equal(keys, wantKeys) {
		t.Errorf("the dashboard lists %d of %d: %q…; the API %d of %d: %q…", len(keys), total, keys[:3], len(wantKeys), wantTotal, wantKeys[:3])
	}
	if total < 4000 {
		t.Errorf("the real samples hold %d items; want thousands", total)
	}
	s.screenshot("dashboard-real-data")
}
