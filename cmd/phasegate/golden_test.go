package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/cases")

// TestGolden runs every case of testdata/cases and compares its JSON and
// text output with the case's expected.json and expected.txt. go test
// ./cmd/phasegate -update rewrites the expected files; review the diff.
//
// A case is a directory of one of two kinds:
//   - phasegate classify: base.sql (optional) is the production schema,
//     config.yml (optional) the config, and every other .sql file a
//     migration, judged in name order;
//   - phasegate check --base main: base/ is the repository on main, head/
//     the repository the change makes of it (committed on a branch), and
//     args (optional) the flags to add, where $PHASEGATE_TEST_POSTGRES_IMAGE
//     is replaced by the image of the database tests (the output writes
//     it back, and the timings of a runtime check as 0). The text output
//     and the JSON report (--report-json) come from one run.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/cases/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if fi, err := os.Stat(filepath.Join(dir, "head")); err == nil && fi.IsDir() {
				goldenCheck(t, dir)
				return
			}
			goldenClassify(t, dir)
		})
	}
}

// goldenClassify runs a classify case.
func goldenClassify(t *testing.T, dir string) {
	t.Chdir(dir)
	args := []string{"classify"}
	if _, err := os.Stat("base.sql"); err == nil {
		args = append(args, "--schema", "base.sql")
	}
	if _, err := os.Stat("config.yml"); err == nil {
		args = append(args, "--config", "config.yml")
	}
	files, _ := filepath.Glob("*.sql")
	var migrations []string
	for _, f := range files {
		if f != "base.sql" {
			migrations = append(migrations, f)
		}
	}
	if len(migrations) == 0 {
		t.Fatal("case has no migration file")
	}
	sort.Strings(migrations)
	args = append(args, migrations...)
	for _, format := range []string{"json", "text"} {
		var stdout, stderr bytes.Buffer
		run(append(append([]string{}, args[0]), append([]string{"--format", format}, args[1:]...)...), &stdout, &stderr)
		compareGolden(t, ".", format, stdout.String()+stderr.String())
	}
}

// goldenCheck runs a check case: base/ committed on main, head/ on a
// branch, with fixed dates so that commit ids are the same on each run.
func goldenCheck(t *testing.T, dir string) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		args = strings.Fields(os.Expand(string(b), func(name string) string {
			if name == "PHASEGATE_TEST_POSTGRES_IMAGE" {
				return testImage(t)
			}
			t.Fatalf("args: unknown variable $%s", name)
			return ""
		}))
	}
	for _, k := range []string{"GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"} {
		t.Setenv(k, "2024-01-02T03:04:05Z")
	}
	t.Setenv("GITHUB_ACTIONS", "") // the case runs as on a laptop, in GitHub's CI too
	repo := gittest.New(t)
	repo.CopyDir(filepath.Join(dir, "base"))
	repo.Commit("base", nil)
	repo.Git("checkout", "-q", "-b", "change")
	repo.CopyDir(filepath.Join(dir, "head"))
	repo.Commit("change", nil)
	t.Chdir(repo.Dir)
	// One run gives both outputs: a runtime check takes a while.
	jsonReport := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	run(append([]string{"check", "--base", "main", "--format", "text", "--report-json", jsonReport}, args...), &stdout, &stderr)
	if pgtest.Problem() != "" && triedPostgres(stdout.String()+stderr.String()) {
		pgtest.Need(t) // the case runs the runtime check, which cannot run here
	}
	js, err := os.ReadFile(jsonReport)
	if err != nil {
		t.Fatalf("no JSON report: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	timing := regexp.MustCompile(`("(?:server_ready|previous_schema|new_schema|clones|lock_trace|duration_ms)": )\d+`)
	// The test image's version is the machine's (postgres:16, or CI's
	// local/postgres:15): the golden files are written without it.
	serverVersion := regexp.MustCompile(`(?m)^ *("server_version": \d+,|note: the runtime check ran on PostgreSQL \d+, and the static check judged for .*)\n`)
	for format, got := range map[string]string{"json": string(js), "text": stdout.String() + stderr.String()} {
		if img := os.Getenv("PHASEGATE_TEST_POSTGRES_IMAGE"); img != "" && slices.Contains(args, img) {
			got = strings.ReplaceAll(got, img, "$PHASEGATE_TEST_POSTGRES_IMAGE")
		}
		got = serverVersion.ReplaceAllString(got, "")
		compareGolden(t, dir, format, timing.ReplaceAllString(got, "${1}0"))
	}
}

// compareGolden compares the output in one format with the case's
// expected file (or, with -update, writes it).
func compareGolden(t *testing.T, dir, format, got string) {
	t.Helper()
	golden := filepath.Join(dir, "expected."+map[string]string{"json": "json", "text": "txt"}[format])
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/phasegate -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s output differs from %s (go test ./cmd/phasegate -run TestGolden -update rewrites it):\n%s", format, filepath.Base(golden), diffLines(string(want), got))
	}
}

// TestEveryRuleHasAGoldenCase keeps testdata/cases in step with the rules.
func TestEveryRuleHasAGoldenCase(t *testing.T) {
	for _, r := range checker.Rules() {
		if _, err := os.Stat(filepath.Join("../../testdata/cases", "rule-"+r.ID)); err != nil {
			t.Errorf("rule %s has no golden case testdata/cases/rule-%s", r.ID, r.ID)
		}
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			if shown++; shown == 5 {
				break
			}
		}
	}
	return b.String()
}
