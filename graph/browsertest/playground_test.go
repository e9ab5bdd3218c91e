package browsertest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The GraphiQL editors are CodeMirror 5 instances; their text is read and
// set through the CodeMirror object on the editor's element.
const (
	queryEditor    = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	responseEditor = `document.querySelector('.result-window .CodeMirror').CodeMirror`
)

// openPlayground loads / and waits for GraphiQL with its example tabs.
func openPlayground(s *site) {
	s.t.Helper()
	s.run("open the playground", chromedp.Navigate(s.base+"/"),
		chromedp.WaitVisible(`.graphiql-execute-button`, chromedp.ByQuery))
	s.waitJS("the README examples as tabs", `document.querySelectorAll('.graphiql-tab').length === 18`)
}

// runEditor clicks the run button and waits until the response pane shows
// JSON in which want appears.
func (s *site) runEditor(want string) json.RawMessage {
	s.t.Helper()
	s.run("run the query", chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery))
	s.waitJS("the response", responseEditor+`.getValue().includes(`+jsString(want)+`)`)
	var text string
	s.eval(responseEditor+`.getValue()`, &text)
	return json.RawMessage(text)
}

// setEditor replaces the query editor's text. GraphiQL re-reads the
// operation (and its name) from the editor after a short debounce; running
// before that would send the previous operation's name.
func (s *site) setEditor(text string) {
	s.t.Helper()
	s.eval(queryEditor+`.setValue(`+jsString(text)+`)`, nil)
	s.run("let GraphiQL parse", chromedp.Sleep(600*time.Millisecond))
}

func jsString(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The playground loads from the binary alone, holds the README's examples,
// and runs the first one with the same answer as the API gives.
func TestPlaygroundRunsReadmeQuery(t *testing.T) {
	s := open(t)
	openPlayground(s)
	var query string
	s.eval(queryEditor+`.getValue()`, &query)
	if !strings.HasPrefix(query, "# The whole story in time order") || !strings.Contains(query, "query WholeStory {") {
		t.Fatalf("first tab holds %.200q, want the README's first example", query)
	}
	shown := s.runEditor(`"totalCount"`)
	var got struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(shown, &got); err != nil {
		t.Fatalf("response pane: %v\n%s", err, shown)
	}
	want := s.graphql(query, nil)
	if !sameJSON(t, got.Data, want) {
		t.Errorf("the playground shows\n%s\nthe API answers\n%s", got.Data, want)
	}
	s.screenshot("playground")
}

// Writes need the token typed into the token field; subscriptions run over
// the websocket and show what is written.
func TestPlaygroundTokenAndSubscription(t *testing.T) {
	s := open(t)
	openPlayground(s)
	mutation := `mutation { upsertEvent(input: {key: "playground-write", type: MEETING, title: "Written from the playground", occurredAt: "2025-06-01"}) { key } }`
	s.allow("status of 401 (Unauthorized)") // the refused write
	s.setEditor(mutation)
	s.runEditor(`"UNAUTHENTICATED"`)

	s.run("type the token", chromedp.SendKeys(`#token`, writeToken, chromedp.ByID), chromedp.Blur(`#token`, chromedp.ByID))
	s.waitJS("the token to apply", `sessionStorage.getItem('geotimeline.token') === `+jsString(writeToken))
	s.setEditor(mutation)
	s.runEditor(`"playground-write"`)

	sub := `subscription { timelineUpdated(filter: {include: [EVENT]}) { ... on Event { key title } } }`
	s.setEditor(sub)
	s.run("start the subscription", chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery))
	waitFor(t, "the subscription to open", func() bool { return s.hub.Open() == 1 })
	s.graphql(`mutation { upsertEvent(input: {key: "live-from-api", type: MEETING, title: "Seen live", occurredAt: "2025-06-02"}) { key } }`, nil)
	s.waitJS("the live event in the response pane", responseEditor+`.getValue().includes('"live-from-api"')`)
	s.screenshot("playground-subscription")
}
