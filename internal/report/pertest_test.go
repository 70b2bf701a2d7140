package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
)

// perTestResult is a runtime check judged test by test (tests.results):
// the previous release has an always-failing test and a flaky one, and the
// migration breaks one test of it.
func perTestResult() *compat.Result {
	const pkg = "example.com/shop."
	flags := compat.Change{Object: "users.legacy_flags", Kind: "column", Change: "removed", Where: "db/migrations/0003_display_name.up.sql:4"}
	return &compat.Result{
		Previous: "0b8261f824abe7cc4193197749cd536739f44c3f", Server: "postgres:16", Verdict: compat.StatusFail, Changes: []compat.Change{flags},
		Scenarios: []compat.Scenario{
			{Name: compat.ScenarioBaseline, Status: compat.StatusFail, Duration: 2100 * time.Millisecond, Command: "go test -json ./...", Version: "0b8261f824ab",
				Reason: "1 test fails on the previous release's own schema: not blamed on the migrations wherever they fail",
				Tests:  &compat.Tests{Passed: 3, Failed: 1, Runs: 2, Failing: []string{pkg + "TestReportsInLocalTime"}, Flaky: []string{pkg + "TestWarmsTheCache"}}},
			{Name: compat.ScenarioCompat, Status: compat.StatusFail, Duration: 2300 * time.Millisecond, Command: "go test -json ./...", Version: "0b8261f824ab",
				Reason:     "1 test passes on the baseline and fails here; 1 more fail on the previous schema too: not blamed",
				OutputTail: "--- FAIL: TestUserFlags (0.01s)\n    shop_test.go:71: ERROR: column \"legacy_flags\" does not exist (SQLSTATE 42703)\nFAIL",
				Implicated: []compat.Change{flags},
				Tests: &compat.Tests{Passed: 2, Failed: 2, Runs: 2, Failing: []string{pkg + "TestUserFlags", pkg + "TestReportsInLocalTime"},
					Blamed: []string{pkg + "TestUserFlags"}, NotBlamed: []string{pkg + "TestReportsInLocalTime"}, Flaky: []string{pkg + "TestWarmsTheCache"}}},
			{Name: compat.ScenarioContractReady, Status: compat.StatusSkipped, Reason: "the change adds no deferred contract migration"},
		},
	}
}

func TestCommentPerTestVerdicts(t *testing.T) {
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	r.AddRuntime(perTestResult(), "v1.0.0", checker.Options{})
	var md bytes.Buffer
	Markdown(&md, r, mdOpts)
	golden(t, "per-test.md", md.String())
	for _, want := range []string{
		"| `example.com/shop.TestUserFlags` | compat | ❌ blamed on the migrations",
		"| `example.com/shop.TestReportsInLocalTime` | baseline, compat | ⚪ fails on the previous schema too: not blamed |",
		"| `example.com/shop.TestWarmsTheCache` | baseline, compat | 🔁 flaky",
		"1 test of the previous release fails even on its own schema",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	if strings.Contains(md.String(), "fix the test setup; until then compatibility is unproven") {
		t.Error("a baseline judged test by test is not broken")
	}

	var text bytes.Buffer
	Text(&text, r, TextOptions{})
	for _, want := range []string{
		"tests: 2 passed, 2 failed, 0 skipped (2 runs)",
		"blamed (pass on the baseline, fail here): example.com/shop.TestUserFlags",
		"failing on the previous schema too, not blamed: example.com/shop.TestReportsInLocalTime",
		"failing on the previous release's own schema: example.com/shop.TestReportsInLocalTime",
		"flaky (failed, then passed on a rerun): example.com/shop.TestWarmsTheCache",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text lacks %q:\n%s", want, text.String())
		}
	}

	var js bytes.Buffer
	if err := JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Scenarios []struct {
			Name  string
			Tests *compat.Tests
		}
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if c := back.Scenarios[1]; c.Name != compat.ScenarioCompat || c.Tests == nil || len(c.Tests.Blamed) != 1 || len(c.Tests.NotBlamed) != 1 || c.Tests.Passed != 2 {
		t.Errorf("JSON scenarios: %s", js.String())
	}
}

// More failing tests than the table shows: the rest are counted.
func TestCommentPerTestTableIsShort(t *testing.T) {
	res := perTestResult()
	var many []string
	for i := 0; i < 25; i++ {
		many = append(many, "example.com/shop.TestMany"+string(rune('A'+i)))
	}
	res.Scenarios[1].Tests.Blamed = many
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	r.AddRuntime(res, "v1.0.0", checker.Options{})
	var md bytes.Buffer
	Markdown(&md, r, mdOpts)
	if n := strings.Count(md.String(), "| `example.com/shop."); n != maxTestNames || !strings.Contains(md.String(), "…and 17 more tests") {
		t.Errorf("%d rows:\n%s", n, md.String())
	}
}

// Merging shards adds up their per-test results, and a baseline judged
// test by test on every shard is not broken.
func TestMergePerTestResults(t *testing.T) {
	a, b := perTestResult(), perTestResult()
	b.Scenarios[1].Tests.Blamed = []string{"example.com/shop/billing.TestInvoice"}
	var reps []*Report
	for i, res := range []*compat.Result{a, b} {
		r := static(t, "0003_display_name.up.sql", exampleMigration)
		r.Shard = &Shard{Index: i + 1, Total: 2}
		r.AddRuntime(res, "v1.0.0", checker.Options{})
		reps = append(reps, r)
	}
	m, err := Merge(reps)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Scenarios[1]
	if m.Runtime.Verdict != compat.StatusFail || c.Tests.Passed != 4 || len(c.Tests.Blamed) != 2 {
		t.Errorf("verdict %s, compat tests %+v", m.Runtime.Verdict, c.Tests)
	}
	if a.Scenarios[1].Tests.Passed != 2 {
		t.Error("merging changed a shard's report")
	}
}
