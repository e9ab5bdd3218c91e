package db

import "testing"

func TestFatalityRange(t *testing.T) {
	n := func(v int) *int { return &v }
	fat := func(low, best, high *int) Estimate {
		return Estimate{Measure: MeasureFatalities, Low: low, Best: best, High: high}
	}
	for _, c := range []struct {
		name      string
		e         Event
		low, high int
	}{
		{"no figures", Event{}, 0, 0},
		{"fatalities only", Event{Fatalities: n(26)}, 26, 26},
		{"injured estimates do not count", Event{Fatalities: n(3),
			Estimates: []Estimate{{Measure: MeasureInjured, Low: n(1), High: n(90)}}}, 3, 3},
		{"all three", Event{Fatalities: n(3), Estimates: []Estimate{fat(n(10), n(12), n(20))}}, 10, 20},
		{"best only", Event{Estimates: []Estimate{fat(nil, n(12), nil)}}, 12, 12},
		{"low only", Event{Estimates: []Estimate{fat(n(7), nil, nil)}}, 7, 7},
		{"high only", Event{Estimates: []Estimate{fat(nil, nil, n(40))}}, 40, 40},
		{"low and best", Event{Estimates: []Estimate{fat(n(5), n(8), nil)}}, 5, 8},
		{"best and high", Event{Estimates: []Estimate{fat(nil, n(8), n(11))}}, 8, 11},
		{"least low, greatest high", Event{Fatalities: n(100), Estimates: []Estimate{
			fat(n(10), n(12), n(20)), fat(nil, n(9), nil), fat(nil, nil, n(31)),
			{Measure: MeasureInjured, Low: n(0), High: n(500)}}}, 9, 31},
	} {
		t.Run(c.name, func(t *testing.T) {
			low, high := c.e.FatalityRange()
			if low != c.low || high != c.high {
				t.Errorf("FatalityRange = %d, %d, want %d, %d", low, high, c.low, c.high)
			}
		})
	}
}

func TestParseCodeMatch(t *testing.T) {
	for _, c := range []struct {
		in   string
		want CodeMatch
		err  string
	}{
		{in: "CAMEO:190", want: CodeMatch{"CAMEO", "190", false}},
		{in: "CAMEO:19*", want: CodeMatch{"CAMEO", "19", true}},
		{in: "CAMEO:*", want: CodeMatch{"CAMEO", "", true}},
		{in: "PLOVER:ASSAULT", want: CodeMatch{"PLOVER", "ASSAULT", false}},
		{in: "ACLED_X:a:b", want: CodeMatch{"ACLED_X", "a:b", false}},
		{in: "CAMEO", err: `invalid code "CAMEO": want "SCHEME:CODE" or "SCHEME:PREFIX*"`},
		{in: "cameo:190", err: `invalid code "cameo:190": the scheme must be 1 to 16 characters of A-Z 0-9 _`},
		{in: ":190", err: `invalid code ":190": the scheme must be 1 to 16 characters of A-Z 0-9 _`},
		{in: "CAMEO:1*9", err: `invalid code "CAMEO:1*9": "*" may only end the code, for a prefix`},
		{in: "CAMEO:19**", err: `invalid code "CAMEO:19**": "*" may only end the code, for a prefix`},
		{in: "CAMEO:", err: `invalid code "CAMEO:": the code must not be empty (SCHEME:* is every code of a scheme)`},
		{in: "", err: `invalid code "": want "SCHEME:CODE" or "SCHEME:PREFIX*"`},
	} {
		got, err := ParseCodeMatch(c.in)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("ParseCodeMatch(%q) error = %v, want %s", c.in, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("ParseCodeMatch(%q) = %+v, %v, want %+v", c.in, got, err, c.want)
		}
	}
}
