package compat

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeFiles writes files (path: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoJSONFromARealRun reads what go test -json really prints for a
// module with a passing, a failing and a skipped test, subtests, and a
// package whose TestMain fails before any test runs.
func TestGoJSONFromARealRun(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/tiny\n\ngo 1.22\n",
		"a/a_test.go": `package a

import "testing"

func TestPass(t *testing.T) {}
func TestFail(t *testing.T) { t.Fatal("boom") }
func TestSkip(t *testing.T) { t.Skip("not today") }
func TestParent(t *testing.T) {
	t.Run("ok", func(t *testing.T) {})
	t.Run("bad", func(t *testing.T) { t.Error("bad") })
}
`,
		"b/b_test.go": `package b

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(3) }
func TestNeverRuns(t *testing.T) {}
`,
	})
	g := newGoJSON()
	out := Command{Script: "echo 'a wrapper line'; go test -count=1 -json ./...", Dir: dir, Stdout: g, Timeout: 2 * time.Minute}.Run(context.Background())
	if out.ExitCode == 0 || out.Err != nil {
		t.Fatalf("exit %d, %v:\n%s", out.ExitCode, out.Err, out.Tail)
	}
	got, err := g.outcomes()
	if err != nil {
		t.Fatal(err)
	}
	want := outcomes{
		"example.com/tiny/a.TestPass":       testPass,
		"example.com/tiny/a.TestFail":       testFail,
		"example.com/tiny/a.TestSkip":       testSkip,
		"example.com/tiny/a.TestParent/ok":  testPass,
		"example.com/tiny/a.TestParent/bad": testFail,
		"example.com/tiny/b":                testFail, // TestMain exited: the package failed, no test did
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes:\n got %v\nwant %v\noutput:\n%s", got, want, out.Tail)
	}
	// The report's output tail is go test's own text again.
	plain := plainGoTest(out.Tail)
	for _, want := range []string{"a wrapper line\n", "--- FAIL: TestFail", "a_test.go:6: boom\n", "FAIL\texample.com/tiny/b"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain output lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, `"Action"`) {
		t.Errorf("plain output has events left:\n%s", plain)
	}
}

func TestGoJSONWithoutEventsIsUnread(t *testing.T) {
	g := newGoJSON()
	g.Write([]byte("ok  \texample.com/tiny/a\t0.01s\nFAIL\n"))
	if _, err := g.outcomes(); err == nil || !strings.Contains(err.Error(), "-json") {
		t.Fatalf("err = %v", err)
	}
}

// The fixtures are written by hand, following what pytest 8's --junitxml
// (xunit2), jest-junit 16's defaults and Maven surefire 3 write: pytest
// and jest-junit are not installed here.
func TestJUnitFixtures(t *testing.T) {
	for _, tc := range []struct {
		file string
		want outcomes
	}{
		{"pytest.xml", outcomes{
			"tests.test_users.test_create_user":      testPass,
			"tests.test_users.test_get_user_name":    testFail,
			"tests.test_orders.test_spent[1200-300]": testPass,
			"tests.test_orders.test_export":          testSkip,
			"tests.test_orders.test_report":          testFail, // <error>: a fixture failed
		}},
		{"jest-junit.xml", outcomes{
			"users creates a user":   testPass,
			"users reads the name":   testFail,
			"users exports to S3":    testSkip,
			"orders sums the totals": testPass,
		}},
		{"TEST-com.example.shop.UserTest.xml", outcomes{
			"com.example.shop.UserTest.createsUser": testPass,
			"com.example.shop.UserTest.readsName":   testFail,
		}},
	} {
		got, err := readJUnit("testdata/junit", tc.file, time.Time{})
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.file, got, tc.want)
		}
	}
	// A glob reads every file it matches (surefire writes one per class).
	all, err := readJUnit("testdata/junit", "*.xml", time.Time{})
	if err != nil || len(all) != 11 {
		t.Errorf("glob: %d tests, %v", len(all), err)
	}
}

func TestJUnitStaleOrMissingOrBroken(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"old.xml": "<testsuite><testcase name=\"x\"/></testsuite>", "bad.xml": "<html><body/></html>"})
	if _, err := readJUnit(dir, "old.xml", time.Now().Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "wrote no JUnit XML file matching old.xml") {
		t.Errorf("stale file: %v", err)
	}
	if _, err := readJUnit(dir, "bad.xml", time.Time{}); err == nil || !strings.Contains(err.Error(), "bad.xml: not JUnit XML: the root element is <html>") {
		t.Errorf("not JUnit: %v", err)
	}
}

func TestParseResults(t *testing.T) {
	for in, want := range map[string]Results{
		"":                  {},
		"go-json":           {Format: GoJSON},
		"junit:report.xml":  {Format: JUnit, Path: "report.xml"},
		"junit: out/*.xml ": {Format: JUnit, Path: "out/*.xml"},
	} {
		if got, err := ParseResults(in); err != nil || got != want {
			t.Errorf("%q: %+v, %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{"junit": "names no file", "junit:": "names no file", "tap": "not a format", "go-json:x": "not a format"} {
		if _, err := ParseResults(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestCombineRuns(t *testing.T) {
	got := combine([]outcomes{
		{"A": testPass, "B": testFail, "C": testFail, "D": testSkip},
		{"A": testPass, "B": testPass, "C": testFail, "D": testSkip},
	})
	want := &Tests{Passed: 2, Failed: 1, Skipped: 1, Runs: 2, Failing: []string{"C"}, Flaky: []string{"B"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// judge reruns while tests fail, and a test that passes on a rerun is
// flaky: the scenario passes.
func TestJudgeRerunsFlakyTests(t *testing.T) {
	sc := &Scenario{Name: ScenarioBaseline, Status: StatusFail, Reason: "the test command exited with status 1"}
	reruns := 0
	Results{Format: GoJSON, Rerun: 2}.judge(sc, outcomes{"p.A": testPass, "p.Flaky": testFail}, nil, func(n int) (outcomes, error) {
		reruns++
		return outcomes{"p.A": testPass, "p.Flaky": testPass}, nil
	})
	if reruns != 1 || sc.Status != StatusPass || sc.Tests.Runs != 2 || !reflect.DeepEqual(sc.Tests.Flaky, []string{"p.Flaky"}) || !strings.Contains(sc.Reason, "flaky") {
		t.Fatalf("reruns %d, %+v, tests %+v", reruns, sc, sc.Tests)
	}
	// rerun 0: no rerun, the failure stands.
	sc = &Scenario{Name: ScenarioBaseline, Status: StatusFail}
	Results{Format: GoJSON}.judge(sc, outcomes{"p.Flaky": testFail}, nil, func(int) (outcomes, error) { t.Fatal("rerun"); return nil, nil })
	if sc.Status != StatusFail || !reflect.DeepEqual(sc.Tests.Failing, []string{"p.Flaky"}) {
		t.Fatalf("%+v", sc)
	}
	// A failed command whose results name no failure: the exit status decides.
	sc = &Scenario{Name: ScenarioBaseline, Status: StatusFail}
	Results{Format: GoJSON, Rerun: 1}.judge(sc, outcomes{"p.A": testPass}, nil, nil)
	if sc.Status != StatusFail || sc.Tests.Judged() || !strings.Contains(sc.Reason, "exit status decides") {
		t.Fatalf("%+v %+v", sc, sc.Tests)
	}
}

// blame clears a later scenario's tests that fail on the baseline too,
// and only them.
func TestBlame(t *testing.T) {
	res := &Result{Scenarios: []Scenario{
		{Name: ScenarioBaseline, Status: StatusFail, Tests: &Tests{Passed: 3, Failed: 2, Failing: []string{"p.Broken", "q"}}},
		{Name: ScenarioCompat, Status: StatusFail, Tests: &Tests{Passed: 1, Failed: 3, Failing: []string{"p.Broken", "p.ReadsName", "q.TestX"}}},
		{Name: ScenarioDeploy, Status: StatusFail, Tests: &Tests{Passed: 4, Failed: 1, Failing: []string{"p.Broken"}}, Implicated: []Change{{Object: "users.name"}}},
		{Name: ScenarioContractReady, Status: StatusFail, Tests: &Tests{Unread: "no file"}},
	}}
	blame(res)
	c, d := res.Scenarios[1], res.Scenarios[2]
	if !reflect.DeepEqual(c.Tests.Blamed, []string{"p.ReadsName"}) || !reflect.DeepEqual(c.Tests.NotBlamed, []string{"p.Broken", "q.TestX"}) || c.Status != StatusFail ||
		c.Reason != "1 test passes on the baseline and fails here; 2 more fail on the previous schema too: not blamed" {
		t.Errorf("compat: %+v %+v", c, c.Tests)
	}
	if d.Status != StatusPass || d.Implicated != nil || !strings.Contains(d.Reason, "every failing test (1) fails on the previous schema too") {
		t.Errorf("deploy: %+v", d)
	}
	if res.Scenarios[3].Status != StatusFail {
		t.Errorf("contract-ready, unread, must keep its exit status's verdict: %+v", res.Scenarios[3])
	}
	if BaselineBroken(res.Scenarios[0].Status, res.Scenarios[0].Tests) || verdict(res) != StatusFail {
		t.Errorf("baseline judged test by test is not broken; verdict %s", verdict(res))
	}
	if !strings.HasPrefix(res.Scenarios[0].Reason, "2 tests fail on the previous release's own schema") {
		t.Errorf("baseline reason %q", res.Scenarios[0].Reason)
	}
	// A scenario failed for another reason than its tests (a vacuous
	// proof) keeps failing.
	res = &Result{Scenarios: []Scenario{{Name: ScenarioBaseline, Status: StatusPass, Tests: &Tests{Passed: 2}}, {Name: ScenarioCompat, Status: StatusFail, Tests: &Tests{Passed: 2}, Reason: "the proof is vacuous"}}}
	if blame(res); res.Scenarios[1].Status != StatusFail || res.Scenarios[1].Reason != "the proof is vacuous" {
		t.Errorf("compat failed by its proof: %+v", res.Scenarios[1])
	}
	// No test passing on the baseline: it is broken.
	if !BaselineBroken(StatusFail, &Tests{Failed: 2, Failing: []string{"a", "b"}}) {
		t.Error("a baseline with no passing test proves nothing")
	}
}

// A whole package failing on the baseline clears its own tests, not those
// of a package whose path only starts the same.
func TestFailsInMatchesPackagesExactly(t *testing.T) {
	baseline := []string{"example.com/x", "example.com/y.TestOne"}
	for test, want := range map[string]bool{
		"example.com/x.TestFoo":          true,
		"example.com/x.TestFoo/sub.case": true,
		"example.com/x.v2.TestFoo":       false,
		"example.com/xy.TestFoo":         false,
		"example.com/y.TestOne":          true,
		"example.com/y.TestTwo":          false,
	} {
		if got := failsIn(baseline, test); got != want {
			t.Errorf("failsIn(%q) = %v, want %v", test, got, want)
		}
	}
}
