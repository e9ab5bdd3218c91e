package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// exportFixture uses every field of the format: every date precision and an
// offset, lat/lon, fatalities 0, a keyless relationship, a country object,
// links, aliases, tags, stances, sources and fixture countries. Records are
// out of key order, as a hand-written file has them.
const exportFixture = `{
  "version": 1,
  "sources": [
    {"key": "src-2", "url": "http://example.com/b?x=1&y=<2>", "publishedAt": "2025"},
    {"key": "src-1", "url": "https://example.org/a", "title": "Title", "publisher": "Publisher",
      "author": "Author", "publishedAt": "2025-05-08T14:30:15.250+02:00"}
  ],
  "countries": [
    {"code": "XZ", "alpha3": "XZZ", "name": "Zedland", "region": "Nowhere"},
    {"code": "IN", "name": "Republic of India"}
  ],
  "actors": [
    {"key": "zed", "name": "Zed", "kind": "STATE", "country": "XZ"},
    {"key": "india", "name": "India", "kind": "STATE", "country": "IND", "aliases": ["Bharat", "Hindustan"],
      "description": "A state.", "sources": ["src-1", "src-2"]},
    {"key": "envoy", "name": "Envoy", "kind": "PERSON"}
  ],
  "relationships": [
    {"kind": "BASED_IN", "subject": "envoy", "object": {"country": "XZ"}, "title": "Resident", "from": "2025",
      "to": "2025-05", "sources": ["src-2"]},
    {"key": "rel-1", "kind": "ALLIED_WITH", "subject": "india", "object": "zed", "from": "2025-05-08",
      "to": "2025-05-08T14:30Z", "sources": ["src-1"]},
    {"kind": "SPOKESPERSON_FOR", "subject": "envoy", "object": "india"}
  ],
  "events": [
    {"key": "e2", "type": "STRIKE", "title": "Strike", "occurredAt": "2025-05-09T01:02:03Z",
      "links": [{"kind": "RESPONSE_TO", "event": "e1"}, {"kind": "ESCALATION_OF", "event": "e1"}]},
    {"key": "e1", "type": "ATTACK", "title": "Attack", "summary": "Summary & more", "occurredAt": "2025-05-08T14:30+05:30",
      "endedAt": "2025-05-09", "location": {"country": "IN", "place": "Pahalgam", "lat": 34.01, "lon": -75.32},
      "fatalities": 0, "injured": 17,
      "codes": [{"scheme": "CAMEO", "code": "190", "label": "Use conventional military force"}, {"scheme": "PLOVER", "code": "ASSAULT"},
        {"scheme": "CAMEO", "code": "1951"}],
      "intensity": -9.5,
      "estimates": [{"measure": "FATALITIES", "low": 10, "best": 12, "high": 20, "source": "src-1", "note": "UCDP"},
        {"measure": "INJURED", "high": 40}, {"measure": "FATALITIES", "best": 3, "source": "src-2"}],
      "participants": [{"actor": "zed", "role": "INITIATOR", "as": "gunmen"}, {"actor": "india", "role": "VICTIM"}],
      "links": [{"kind": "FOLLOWS", "event": "e2"}], "tags": ["terror", "kashmir"], "sources": ["src-2", "src-1"]},
    {"key": "e3", "type": "OTHER", "title": "Month", "occurredAt": "2025-05", "location": {"lat": 0, "lon": 0}}
  ],
  "statements": [
    {"key": "s1", "kind": "READOUT", "speaker": "india", "coSpeakers": ["zed", "envoy"], "deliveredBy": "envoy", "addressees": ["zed", "envoy"],
      "madeAt": "2025-05-10T12:00:00.5Z", "text": "\"Quoted\" <text>", "summary": "Sum",
      "about": ["e2", "e1"], "stances": ["DEMAND", "CONDEMNATION"], "sources": ["src-1"]},
    {"key": "s0", "kind": "QUOTE", "speaker": "zed", "madeAt": "2025", "text": "Short."}
  ]
}`

// exportGolden is exportFixture as Export and Encode write it: records by
// key (relationships without a key last), dates in UTC in the canonical form
// of their precision, alpha-3 codes normalised, only fixture countries, ISO
// filling in what the IN override left out.
const exportGolden = `{
  "version": 1,
  "sources": [
    {
      "key": "src-1",
      "url": "https://example.org/a",
      "title": "Title",
      "publisher": "Publisher",
      "author": "Author",
      "publishedAt": "2025-05-08T12:30:15.25Z"
    },
    {
      "key": "src-2",
      "url": "http://example.com/b?x=1&y=<2>",
      "publishedAt": "2025"
    }
  ],
  "countries": [
    {
      "code": "IN",
      "alpha3": "IND",
      "name": "Republic of India",
      "region": "Asia"
    },
    {
      "code": "XZ",
      "alpha3": "XZZ",
      "name": "Zedland",
      "region": "Nowhere"
    }
  ],
  "actors": [
    {
      "key": "envoy",
      "name": "Envoy",
      "kind": "PERSON"
    },
    {
      "key": "india",
      "name": "India",
      "kind": "STATE",
      "country": "IN",
      "aliases": [
        "Bharat",
        "Hindustan"
      ],
      "description": "A state.",
      "sources": [
        "src-1",
        "src-2"
      ]
    },
    {
      "key": "zed",
      "name": "Zed",
      "kind": "STATE",
      "country": "XZ"
    }
  ],
  "relationships": [
    {
      "key": "rel-1",
      "kind": "ALLIED_WITH",
      "subject": "india",
      "object": "zed",
      "from": "2025-05-08",
      "to": "2025-05-08T14:30Z",
      "sources": [
        "src-1"
      ]
    },
    {
      "kind": "BASED_IN",
      "subject": "envoy",
      "object": {
        "country": "XZ"
      },
      "title": "Resident",
      "from": "2025",
      "to": "2025-05",
      "sources": [
        "src-2"
      ]
    },
    {
      "kind": "SPOKESPERSON_FOR",
      "subject": "envoy",
      "object": "india"
    }
  ],
  "events": [
    {
      "key": "e1",
      "type": "ATTACK",
      "title": "Attack",
      "summary": "Summary & more",
      "occurredAt": "2025-05-08T09:00Z",
      "endedAt": "2025-05-09",
      "location": {
        "country": "IN",
        "place": "Pahalgam",
        "lat": 34.01,
        "lon": -75.32
      },
      "fatalities": 0,
      "injured": 17,
      "codes": [
        {
          "scheme": "CAMEO",
          "code": "190",
          "label": "Use conventional military force"
        },
        {
          "scheme": "PLOVER",
          "code": "ASSAULT"
        },
        {
          "scheme": "CAMEO",
          "code": "1951"
        }
      ],
      "intensity": -9.5,
      "estimates": [
        {
          "measure": "FATALITIES",
          "low": 10,
          "best": 12,
          "high": 20,
          "source": "src-1",
          "note": "UCDP"
        },
        {
          "measure": "INJURED",
          "high": 40
        },
        {
          "measure": "FATALITIES",
          "best": 3,
          "source": "src-2"
        }
      ],
      "participants": [
        {
          "actor": "zed",
          "role": "INITIATOR",
          "as": "gunmen"
        },
        {
          "actor": "india",
          "role": "VICTIM"
        }
      ],
      "links": [
        {
          "kind": "FOLLOWS",
          "event": "e2"
        }
      ],
      "tags": [
        "terror",
        "kashmir"
      ],
      "sources": [
        "src-2",
        "src-1"
      ]
    },
    {
      "key": "e2",
      "type": "STRIKE",
      "title": "Strike",
      "occurredAt": "2025-05-09T01:02:03Z",
      "links": [
        {
          "kind": "RESPONSE_TO",
          "event": "e1"
        },
        {
          "kind": "ESCALATION_OF",
          "event": "e1"
        }
      ]
    },
    {
      "key": "e3",
      "type": "OTHER",
      "title": "Month",
      "occurredAt": "2025-05",
      "location": {
        "lat": 0,
        "lon": 0
      }
    }
  ],
  "statements": [
    {
      "key": "s0",
      "kind": "QUOTE",
      "speaker": "zed",
      "madeAt": "2025",
      "text": "Short."
    },
    {
      "key": "s1",
      "kind": "READOUT",
      "speaker": "india",
      "coSpeakers": [
        "zed",
        "envoy"
      ],
      "deliveredBy": "envoy",
      "addressees": [
        "zed",
        "envoy"
      ],
      "madeAt": "2025-05-10T12:00:00.5Z",
      "text": "\"Quoted\" <text>",
      "summary": "Sum",
      "about": [
        "e2",
        "e1"
      ],
      "stances": [
        "DEMAND",
        "CONDEMNATION"
      ],
      "sources": [
        "src-1"
      ]
    }
  ]
}
`

func testExportRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	s1 := mustOpen(t, open)
	if got, want := load(t, s1, exportFixture), (db.Summary{Inserted: 14, Updated: 1}); got != want {
		t.Errorf("Summary = %v, want %v", got, want)
	}
	first := exportBytes(t, s1)
	if got, want := string(first), exportGolden; got != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}

	t.Run("IntoEmptyDatabaseGivesSameBytes", func(t *testing.T) {
		set, err := fixture.Decode([]fixture.File{{Name: "export.json", Data: first}})
		if err != nil {
			t.Fatalf("Decode(export): %v", err)
		}
		s2 := mustOpen(t, open)
		setClock(s2, t2)
		sum, err := s2.Apply(ctx, &set.Batch, set.Refs)
		if err != nil {
			t.Fatalf("Apply(export): %v", err)
		}
		if got, want := sum, (db.Summary{Inserted: 14, Updated: 1}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		if got, want := exportBytes(t, s2), first; !bytes.Equal(got, want) {
			t.Errorf("second export:\n%s\nwant:\n%s", got, want)
		}
		if got, want := timeline(t, s2, db.TimelineFilter{}, db.Ascending), timeline(t, s1, db.TimelineFilter{}, db.Ascending); got != want {
			t.Errorf("timeline after the round trip = %q, want %q", got, want)
		}
		// s1 is XZ's through its co-speaker zed.
		if got, want := timeline(t, s2, db.TimelineFilter{Countries: []string{"XZ"}}, db.Ascending), "s:s0 e:e1 s:s1"; got != want {
			t.Errorf("XZ timeline after the round trip = %q, want %q", got, want)
		}
	})

	t.Run("IntoSameDatabaseChangesNothing", func(t *testing.T) {
		set, err := fixture.Decode([]fixture.File{{Name: "export.json", Data: first}})
		if err != nil {
			t.Fatalf("Decode(export): %v", err)
		}
		setClock(s1, t2)
		sum, err := s1.Apply(ctx, &set.Batch, set.Refs)
		if err != nil {
			t.Fatalf("Apply(export): %v", err)
		}
		if got, want := sum, (db.Summary{Unchanged: 15}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		checkStamps(t, "event e1", eventByKey(t, s1, "e1").Stamps, t1, t1)
	})

	t.Run("ExportedBatchAppliedAsIsChangesNothing", func(t *testing.T) {
		// Export's records, applied without going through the fixture
		// format, are the same content: nothing changes.
		b := mustExport(t, s1)
		setClock(s1, t3)
		sum, err := s1.Apply(ctx, b, nil)
		if err != nil {
			t.Fatalf("Apply(Export()): %v", err)
		}
		if got, want := sum, (db.Summary{Unchanged: 15}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		checkStamps(t, "actor envoy", actorByKey(t, s1, "envoy").Stamps, t1, t1)
		checkStamps(t, "event e2", eventByKey(t, s1, "e2").Stamps, t1, t1)
		checkStamps(t, "statement s0", statementByKey(t, s1, "s0").Stamps, t1, t1)
	})
}
