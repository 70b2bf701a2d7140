package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Results says where a scenario's test suite writes its per-test results
// and in what format (tests.results), so that the check compares the
// scenarios test by test instead of by the command's exit status alone.
type Results struct {
	// Format is GoJSON or JUnit; "" reads no per-test results.
	Format string
	// Path is the JUnit XML file, or a glob (filepath.Match syntax),
	// relative to the checkout.
	Path string
	// Rerun is how many times the whole command runs again, on a fresh
	// copy of the scenario's database, while some tests fail: a test that
	// passes in any run is flaky, not failing.
	Rerun int
}

// Per-test result formats (tests.results).
const (
	// GoJSON is `go test -json` on the command's standard output.
	GoJSON = "go-json"
	// JUnit is a JUnit XML file the runner writes (pytest --junitxml,
	// jest-junit, RSpec's rspec_junit_formatter, Maven surefire).
	JUnit = "junit"
)

// ParseResults reads a tests.results value: "go-json" or "junit:PATH".
func ParseResults(s string) (Results, error) {
	switch kind, path, _ := strings.Cut(strings.TrimSpace(s), ":"); {
	case s == "":
		return Results{}, nil
	case kind == GoJSON && path == "":
		return Results{Format: GoJSON}, nil
	case kind == JUnit && strings.TrimSpace(path) != "":
		return Results{Format: JUnit, Path: strings.TrimSpace(path)}, nil
	case kind == JUnit:
		return Results{}, fmt.Errorf("tests.results %q names no file: write junit:PATH, the JUnit XML file (or glob) the test command writes, relative to the checkout (junit:report.xml)", s)
	}
	return Results{}, fmt.Errorf("tests.results %q is not a format phasegate reads: write go-json (the command prints go test -json) or junit:PATH (the command writes a JUnit XML file)", s)
}

// Tests is what the per-test results of one scenario say.
type Tests struct {
	// Passed counts the tests that passed (in some run), Failed those
	// that failed in every run, Skipped those the runner skipped.
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Runs is how many times the command ran (1 + the reruns).
	Runs int `json:"runs"`
	// Failing are the tests that failed in every run.
	Failing []string `json:"failing,omitempty"`
	// Flaky failed in a run and passed in a rerun: not failing.
	Flaky []string `json:"flaky,omitempty"`
	// Blamed are the failing tests that do not fail on the previous
	// schema (baseline): only they fail the scenario. Empty on the
	// baseline itself.
	Blamed []string `json:"blamed,omitempty"`
	// NotBlamed are the failing tests that fail on the previous schema
	// too: not blamed on the migrations.
	NotBlamed []string `json:"not_blamed,omitempty"`
	// Unread says why the results could not be read; the scenario is then
	// judged by the command's exit status alone, as without tests.results.
	Unread string `json:"unread,omitempty"`
}

// Judged reports whether the scenario was judged test by test: the
// results were read, and name every failure.
func (t *Tests) Judged() bool { return t != nil && t.Unread == "" }

// Test outcomes in one run.
const (
	testPass = "pass"
	testFail = "fail"
	testSkip = "skip"
)

// outcomes are the tests of one run, by name.
type outcomes map[string]string

// add records a test's outcome; a name seen twice fails if either failed.
func (o outcomes) add(name, outcome string) {
	if o[name] == testFail {
		return
	}
	if o[name] == testPass && outcome == testSkip {
		return
	}
	o[name] = outcome
}

// failing lists the failed tests, sorted.
func (o outcomes) failing() []string {
	var out []string
	for n, s := range o {
		if s == testFail {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// combine sums up the runs of a scenario's command: a test that passed in
// any run is flaky if it failed in another, and failing only if it failed
// in every run it ran in.
func combine(runs []outcomes) *Tests {
	t := &Tests{Runs: len(runs)}
	final := outcomes{}
	failedOnce := map[string]bool{}
	for _, run := range runs {
		for n, s := range run {
			switch {
			case s == testPass:
				final[n] = testPass
			case s == testFail:
				failedOnce[n] = true
				if final[n] != testPass {
					final[n] = testFail
				}
			case final[n] == "":
				final[n] = s
			}
		}
	}
	for n, s := range final {
		switch s {
		case testPass:
			t.Passed++
			if failedOnce[n] {
				t.Flaky = append(t.Flaky, n)
			}
		case testFail:
			t.Failed++
		default:
			t.Skipped++
		}
	}
	sort.Strings(t.Flaky)
	t.Failing = final.failing()
	return t
}

// goJSON reads `go test -json` from the command's standard output as it
// comes (a long suite's output is never held whole). Lines that are not
// test events (a build's messages, a wrapper's own output) are skipped.
type goJSON struct {
	mu      sync.Mutex
	partial []byte
	tests   outcomes            // "pkg.TestName" (subtests "pkg.TestName/sub")
	pkgFail map[string]bool     // packages that failed as a whole
	parents map[string]bool     // tests that have subtests
	inPkg   map[string][]string // the tests of each package
	events  int
}

func newGoJSON() *goJSON {
	return &goJSON{tests: outcomes{}, pkgFail: map[string]bool{}, parents: map[string]bool{}, inPkg: map[string][]string{}}
}

func (g *goJSON) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.partial = append(g.partial, p...)
	for {
		i := bytes.IndexByte(g.partial, '\n')
		if i < 0 {
			break
		}
		g.line(g.partial[:i])
		g.partial = g.partial[i+1:]
	}
	return len(p), nil
}

// testEvent is the part of go test -json's events (cmd/test2json) read
// here.
type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func (g *goJSON) line(l []byte) {
	l = bytes.TrimSpace(l)
	if len(l) == 0 || l[0] != '{' {
		return
	}
	var ev testEvent
	if json.Unmarshal(l, &ev) != nil || ev.Action == "" {
		return
	}
	g.events++
	var outcome string
	switch ev.Action {
	case "pass":
		outcome = testPass
	case "fail":
		outcome = testFail
	case "skip":
		outcome = testSkip
	default:
		return
	}
	if ev.Test == "" {
		if outcome == testFail {
			g.pkgFail[ev.Package] = true
		}
		return
	}
	name := ev.Package + "." + ev.Test
	if _, seen := g.tests[name]; !seen {
		g.inPkg[ev.Package] = append(g.inPkg[ev.Package], name)
	}
	g.tests.add(name, outcome)
	for i := strings.LastIndexByte(ev.Test, '/'); i > 0; i = strings.LastIndexByte(ev.Test[:i], '/') {
		g.parents[ev.Package+"."+ev.Test[:i]] = true
	}
}

// outcomes are the run's tests: the leaves (a test with subtests fails
// when one of them does, and is counted through them), and a package that
// failed with no failing test of its own (it did not build, or its
// TestMain failed) under the package's name.
func (g *goJSON) outcomes() (outcomes, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.partial) > 0 {
		g.line(g.partial)
		g.partial = nil
	}
	if g.events == 0 {
		return nil, fmt.Errorf("the test command printed no go test -json event: run go test with -json (tests.results: go-json reads its standard output)")
	}
	out := outcomes{}
	for n, s := range g.tests {
		if !g.parents[n] {
			out[n] = s
		}
	}
	for pkg := range g.pkgFail {
		failed := false
		for _, n := range g.inPkg[pkg] {
			failed = failed || g.tests[n] == testFail
		}
		if !failed {
			out[pkg] = testFail
		}
	}
	return out, nil
}

// plainGoTest turns go test -json output back into what go test prints
// (the events' Output), for the report's output tail; lines that are not
// events (the go command's own messages on standard error) stay.
func plainGoTest(tail string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(tail, "\n") {
		var ev testEvent
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "{") || json.Unmarshal([]byte(t), &ev) != nil || ev.Action == "" {
			b.WriteString(l)
			continue
		}
		b.WriteString(ev.Output) // "" for the other events
	}
	return b.String()
}
