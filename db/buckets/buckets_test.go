package buckets_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
)

func ms(s string) int64 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func answer(b []db.EventBucket) string {
	var out string
	for _, x := range b {
		out += fmt.Sprintf("%s %q %d/%d; ", x.Start.Format(time.DateOnly), x.Key, x.Count, x.Certain)
	}
	return out
}

// A span from Sunday to Tuesday is two ISO weeks: by start it counts in
// the first, uncertain; by overlap in both; within one week, nowhere.
func TestSums(t *testing.T) {
	span := buckets.Row{Start: ms("2025-05-04"), Last: ms("2025-05-06"), Key: "k", Events: 1, Certain: -1}
	day := buckets.Row{Start: ms("2025-05-07"), Last: ms("2025-05-07"), Key: "k", Events: 2, Certain: -1}
	for _, tt := range []struct {
		name             string
		overlaps, within bool
		want             string
	}{
		{"Start", false, false, `2025-04-28 "k" 1/0; 2025-05-05 "k" 2/2; `},
		{"Overlaps", true, false, `2025-04-28 "k" 1/0; 2025-05-05 "k" 3/2; `},
		{"Within", false, true, `2025-05-05 "k" 2/2; `},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := buckets.New(db.IntervalWeek, tt.overlaps, tt.within, buckets.Range{})
			for _, r := range []buckets.Row{span, day} {
				if err := b.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			if got := answer(b.Buckets()); got != tt.want {
				t.Errorf("buckets %s, want %s", got, tt.want)
			}
		})
	}
}

func TestUnits(t *testing.T) {
	noon := ms("2025-05-04") + 12*60*60*1000
	for _, tt := range []struct {
		name      string
		got, want int64
	}{
		{"DayStart", buckets.UnitStart(noon, buckets.WidthDay), ms("2025-05-04")},
		{"MonthStart", buckets.UnitStart(noon, buckets.WidthMonth), ms("2025-05-01")},
		{"DayCeil", buckets.UnitCeil(noon, buckets.WidthDay), ms("2025-05-05")},
		{"MonthCeil", buckets.UnitCeil(noon, buckets.WidthMonth), ms("2025-06-01")},
		{"CeilOfAStart", buckets.UnitCeil(ms("2025-05-01"), buckets.WidthMonth), ms("2025-05-01")},
		{"YearStart", buckets.UnitStart(noon, buckets.WidthYear), ms("2025-01-01")},
		{"YearCeil", buckets.UnitCeil(noon, buckets.WidthYear), ms("2026-01-01")},
		{"YearCeilOfAStart", buckets.UnitCeil(ms("2025-01-01"), buckets.WidthYear), ms("2025-01-01")},
		{"YearBefore1970", buckets.UnitStart(ms("1969-12-31")+1, buckets.WidthYear), ms("1969-01-01")},
		{"Before1970", buckets.UnitStart(ms("1969-12-31")+1, buckets.WidthDay), ms("1969-12-31")},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}
