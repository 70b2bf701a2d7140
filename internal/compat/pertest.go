package compat

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Per-test verdicts (tests.results): each scenario's failures are read
// test by test, failing tests are rerun before they count, and a test that
// fails on the previous schema too (baseline) is not blamed on the
// migrations. Without tests.results none of this runs, and the exit status
// alone judges each scenario.

// suiteRun runs a scenario's test command once; stdout, when not nil,
// receives the command's standard output as it comes.
type suiteRun func(stdout io.Writer) (Outcome, error)

// runOnce runs the suite and reads its per-test results: the outcomes, or
// why they could not be read (unread). A command that timed out or was
// killed has no results.
func (r Results) runOnce(dir string, run suiteRun) (out Outcome, tests outcomes, unread error, err error) {
	start := time.Now()
	var g *goJSON
	var stdout io.Writer
	if r.Format == GoJSON {
		g = newGoJSON()
		stdout = g
	}
	out, err = run(stdout)
	if err != nil || r.Format == "" || out.Err != nil {
		return out, nil, nil, err
	}
	if r.Format == GoJSON {
		tests, unread = g.outcomes()
	} else {
		tests, unread = readJUnit(dir, r.Path, start)
	}
	return out, tests, unread, nil
}

// judge reads the per-test results of a scenario the exit status judged
// (pass or fail): while some tests fail, the command runs again (at most
// Rerun times, each on a fresh copy of the database, through rerun), and
// the scenario fails only if some test failed in every run. Results that
// cannot be read, or a failed command whose results name no failing test,
// leave the exit status's verdict, with the reason.
func (r Results) judge(sc *Scenario, first outcomes, unread error, rerun func(n int) (outcomes, error)) {
	if r.Format == "" || sc.Status != StatusPass && sc.Status != StatusFail {
		return
	}
	if unread == nil && sc.Status == StatusFail && len(first.failing()) == 0 {
		unread = fmt.Errorf("the command failed, yet its results name no failing test (a crash before the tests, or a step after them)")
	}
	if unread != nil {
		sc.Tests = &Tests{Runs: 1, Unread: unread.Error()}
		if sc.Status == StatusFail {
			sc.Reason += "; per-test results not read, so the exit status decides: " + unread.Error()
		}
		return
	}
	runs := []outcomes{first}
	var stopped string
	for n := 1; n <= r.Rerun && len(combine(runs).Failing) > 0; n++ {
		o, err := rerun(n)
		if err != nil {
			stopped = fmt.Sprintf("; rerun %d: %v", n, err)
			break
		}
		runs = append(runs, o)
	}
	t := combine(runs)
	sc.Tests = t
	switch {
	case len(t.Failing) > 0:
		sc.Status = StatusFail
		sc.Reason = fmt.Sprintf("%s failed%s%s", plural(len(t.Failing), "test"), inRuns(t.Runs), stopped)
	case len(t.Flaky) > 0:
		sc.Status, sc.Implicated = StatusPass, nil
		sc.Reason = fmt.Sprintf("%s failed, then passed on a rerun (flaky): not blamed", plural(len(t.Flaky), "test"))
	}
}

func inRuns(n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf(" in each of %d runs", n)
}

// blame compares each later scenario's failing tests with the baseline's:
// a test that fails on the previous release's own schema too is not blamed
// on the migrations, and a scenario whose every failing test is such a
// test passes, saying so. A baseline that was not judged test by test (off,
// an error, results not read) clears no test.
func blame(res *Result) {
	base := &res.Scenarios[0]
	var baseFailing []string
	if base.Tests.Judged() && (base.Status == StatusPass || base.Status == StatusFail) {
		baseFailing = base.Tests.Failing
		if base.Status == StatusFail {
			base.Reason = testsFail(len(baseFailing)) + " on the previous release's own schema: not blamed on the migrations wherever they fail"
			if base.Tests.Passed == 0 {
				base.Reason = "no test passes on the previous release's own schema: nothing is proven"
			}
		}
	}
	for i := 1; i < len(res.Scenarios); i++ {
		sc := &res.Scenarios[i]
		if sc.Status != StatusFail || !sc.Tests.Judged() || len(sc.Tests.Failing) == 0 {
			continue
		}
		t := sc.Tests
		t.Blamed, t.NotBlamed = nil, nil
		for _, n := range t.Failing {
			if failsIn(baseFailing, n) {
				t.NotBlamed = append(t.NotBlamed, n)
			} else {
				t.Blamed = append(t.Blamed, n)
			}
		}
		if len(t.Blamed) == 0 {
			sc.Status, sc.Implicated = StatusPass, nil
			sc.Reason = fmt.Sprintf("every failing test (%d) fails on the previous schema too (baseline): not blamed on the migrations", len(t.NotBlamed))
			continue
		}
		sc.Reason = "1 test passes on the baseline and fails here"
		if len(t.Blamed) != 1 {
			sc.Reason = fmt.Sprintf("%d tests pass on the baseline and fail here", len(t.Blamed))
		}
		if len(t.NotBlamed) > 0 {
			sc.Reason += fmt.Sprintf("; %d more fail on the previous schema too: not blamed", len(t.NotBlamed))
		}
	}
}

// testsFail says how many tests fail, in words.
func testsFail(n int) string {
	if n == 1 {
		return "1 test fails"
	}
	return fmt.Sprintf("%d tests fail", n)
}

// failsIn reports whether test failed on the baseline: the test itself,
// or (go test -json) its whole package.
func failsIn(baseline []string, test string) bool {
	for _, b := range baseline {
		if test == b {
			return true
		}
		// A test of package b (go test -json names tests package.Test,
		// subtests after a "/"), not of a package b.v2 or b.sub.
		if rest, ok := strings.CutPrefix(test, b+"."); ok && !strings.Contains(strings.SplitN(rest, "/", 2)[0], ".") {
			return true
		}
	}
	return false
}

// BaselineBroken reports whether a baseline scenario (its status and
// per-test results) leaves the migrations unjudgeable: it could not run,
// or its tests failed and either were not read one by one or none of
// them passed.
func BaselineBroken(status string, t *Tests) bool {
	switch {
	case status == StatusError:
		return true
	case status != StatusFail:
		return false
	}
	return !t.Judged() || t.Passed == 0
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
