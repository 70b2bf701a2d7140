package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/compat"
)

// maxTestNames bounds the test names listed per line (text) or the rows
// of the table (comment); the JSON report has them all.
const maxTestNames = 10

// testsText writes a scenario's per-test results under its line: the
// counts, then the tests blamed, not blamed, failing (the baseline's) and
// flaky.
func testsText(b *strings.Builder, sc Scenario, paint func(code, s string) string) {
	t := sc.Tests
	if t == nil {
		return
	}
	if t.Unread != "" {
		fmt.Fprintf(b, "      %s per-test results not read: %s\n", paint(dim, "tests:"), t.Unread)
		return
	}
	runs := ""
	if t.Runs > 1 {
		runs = fmt.Sprintf(" (%d runs)", t.Runs)
	}
	fmt.Fprintf(b, "      %s %d passed, %d failed, %d skipped%s\n", paint(dim, "tests:"), t.Passed, t.Failed, t.Skipped, runs)
	list := func(label string, names []string) {
		if len(names) > 0 {
			fmt.Fprintf(b, "      %s %s\n", label, names10(names, func(s string) string { return s }))
		}
	}
	if sc.Name == compat.ScenarioBaseline {
		list("failing on the previous release's own schema:", t.Failing)
	} else {
		list("blamed (pass on the baseline, fail here):", t.Blamed)
		list("failing on the previous schema too, not blamed:", t.NotBlamed)
	}
	list("flaky (failed, then passed on a rerun):", t.Flaky)
}

// names10 joins at most maxTestNames names, each through quote, saying
// how many more there are.
func names10(names []string, quote func(string) string) string {
	var parts []string
	for i, n := range names {
		if i == maxTestNames {
			parts = append(parts, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		parts = append(parts, quote(n))
	}
	return strings.Join(parts, ", ")
}

// testRow is one test of the comment's table, across scenarios.
type testRow struct {
	name      string
	verdict   string // blamed, not blamed, flaky
	scenarios []string
}

// testsTable writes the comment's short table of the tests that matter:
// those blamed on the migrations, those that fail on the previous schema
// too (not blamed), and the flaky ones, each with the scenarios it failed
// in. Nothing when no scenario was judged test by test, or none failed.
func testsTable(b *mdWriter, scs []Scenario) {
	rows := map[string]*testRow{}
	var order []string
	add := func(name, verdict, scenario string) {
		key := verdict + "\x00" + name
		r := rows[key]
		if r == nil {
			r = &testRow{name: name, verdict: verdict}
			rows[key] = r
			order = append(order, key)
		}
		r.scenarios = append(r.scenarios, scenario)
	}
	for _, sc := range scs {
		t := sc.Tests
		if !t.Judged() {
			continue
		}
		for _, n := range t.Blamed {
			add(n, "blamed", sc.Name)
		}
		if sc.Name == compat.ScenarioBaseline {
			for _, n := range t.Failing {
				add(n, "not blamed", sc.Name)
			}
		}
		for _, n := range t.NotBlamed {
			add(n, "not blamed", sc.Name)
		}
		for _, n := range t.Flaky {
			add(n, "flaky", sc.Name)
		}
	}
	if len(order) == 0 {
		return
	}
	rank := map[string]int{"blamed": 0, "not blamed": 1, "flaky": 2}
	sort.SliceStable(order, func(i, j int) bool {
		a, c := rows[order[i]], rows[order[j]]
		if rank[a.verdict] != rank[c.verdict] {
			return rank[a.verdict] < rank[c.verdict]
		}
		return a.name < c.name
	})
	words := map[string]string{
		"blamed":     "❌ blamed on the migrations: passes on the previous schema (baseline), fails here",
		"not blamed": "⚪ fails on the previous schema too: not blamed",
		"flaky":      "🔁 flaky: failed, then passed on a rerun",
	}
	b.f("| test | failed in | verdict |\n|---|---|---|\n")
	for i, key := range order {
		if i == maxTestNames {
			b.f("\n…and %d more tests (every name is in the JSON report, `phasegate check --format json`).\n", len(order)-i)
			break
		}
		r := rows[key]
		b.f("| `%s` | %s | %s |\n", strings.ReplaceAll(r.name, "`", "'"), strings.Join(r.scenarios, ", "), words[r.verdict])
	}
	b.f("\n")
}

// baselineFailingStep is the next step when some of the previous
// release's tests fail on its own schema, judged test by test.
func baselineFailingStep(t *compat.Tests) string {
	what := fmt.Sprintf("%d tests of the previous release fail", len(t.Failing))
	if len(t.Failing) == 1 {
		what = "1 test of the previous release fails"
	}
	return what + " even on its own schema (baseline, listed below): not blamed on the migrations, but proving nothing about them until fixed."
}

// mergeTests adds up one scenario's per-test results across shards: each
// shard ran a slice of the suite, judged against its own baseline.
func mergeTests(a, c *compat.Tests) *compat.Tests {
	if c == nil {
		return a
	}
	if a == nil {
		a = &compat.Tests{}
	}
	if c.Unread != "" && a.Unread == "" {
		a.Unread = c.Unread
	}
	a.Passed += c.Passed
	a.Failed += c.Failed
	a.Skipped += c.Skipped
	a.Runs = max(a.Runs, c.Runs)
	a.Failing = append(a.Failing, c.Failing...)
	a.Flaky = append(a.Flaky, c.Flaky...)
	a.Blamed = append(a.Blamed, c.Blamed...)
	a.NotBlamed = append(a.NotBlamed, c.NotBlamed...)
	return a
}
