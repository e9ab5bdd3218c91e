// Package browsertest holds the browser tests of the pages graph/web serves:
// Debian's Chromium, driven headless through the DevTools protocol
// (chromedp), against a real server on 127.0.0.1 backed by a real SQLite
// file with the demo data. It has no code of its own besides this comment;
// the tests are in its _test.go files.
//
// The tests need a Chromium binary: $GEOTIMELINE_CHROMIUM, or chromium /
// chromium-browser / google-chrome on PATH. Without one they skip, saying
// so, unless GEOTIMELINE_BROWSER_TESTS=require (set by .ci/run, which
// installs Debian's chromium), in which case a missing browser fails them.
//
// Screenshots of each page are written to the test's artifact directory
// (go test -artifacts -outputdir DIR keeps them); with -update-screenshots
// the ones the README shows are rewritten in screenshots/.
package browsertest
