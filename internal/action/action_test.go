package action

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/report"
)

// env builds a GitHub Actions environment in a temporary directory: the
// files GitHub provides (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the event).
func env(t *testing.T, event string) (func(string) string, string) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"GITHUB_EVENT_PATH":   filepath.Join(dir, "event.json"),
		"GITHUB_EVENT_NAME":   "pull_request",
		"GITHUB_REPOSITORY":   "acme/shop",
		"GITHUB_API_URL":      "https://ghe.example.com/api/v3",
		"GITHUB_SERVER_URL":   "https://ghe.example.com",
		"GITHUB_RUN_ID":       "1234",
		"GITHUB_RUN_ATTEMPT":  "2",
		"INPUT_COMMENT":       "on-failure",
	}
	for _, f := range []string{"output", "summary"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	os.WriteFile(vars["GITHUB_EVENT_PATH"], []byte(event), 0o644)
	return func(k string) string { return vars[k] }, dir
}

const prEvent = `{"pull_request": {"number": 42,
  "base": {"sha": "b4se", "ref": "main", "repo": {"full_name": "acme/shop"}},
  "head": {"sha": "he4d", "ref": "feature", "repo": {"full_name": "someone/shop"}}}}`

func TestOutsideActionsIsNil(t *testing.T) {
	e, err := Detect(func(string) string { return "" }, nil)
	if e != nil || err != nil {
		t.Fatalf("Detect = %v, %v", e, err)
	}
}

func TestEventInputsAndRun(t *testing.T) {
	getenv, _ := env(t, prEvent)
	var out bytes.Buffer
	e, err := Detect(getenv, &out)
	if err != nil {
		t.Fatal(err)
	}
	pr := e.PullRequest()
	if pr == nil || pr.Number != 42 || pr.BaseSHA != "b4se" || pr.HeadSHA != "he4d" || !pr.Fork {
		t.Fatalf("pull request = %+v", pr)
	}
	if e.Input("comment") != "on-failure" || e.Ctx.APIURL != "https://ghe.example.com/api/v3" {
		t.Errorf("input %q, api %q", e.Input("comment"), e.Ctx.APIURL)
	}
	if r := e.Run(); r.ID != 1234 || r.Attempt != 2 {
		t.Errorf("run = %+v", r)
	}
	e.Mask("s3cret")
	if !strings.Contains(out.String(), "::add-mask::s3cret") {
		t.Errorf("mask not written: %q", out.String())
	}
}

func TestOutputsSummaryAnnotations(t *testing.T) {
	getenv, dir := env(t, `{}`)
	var out bytes.Buffer
	e, err := Detect(getenv, &out)
	if err != nil {
		t.Fatal(err)
	}
	if e.PullRequest() != nil {
		t.Error("a push event has no pull request")
	}
	r := &report.Report{
		Files: []report.File{{Path: "db/migrations/3_x.up.sql", Statements: []report.Statement{{
			Line: 4, Column: 1, EndLine: 5, Phase: "contract",
			Findings: []report.Finding{
				{Rule: "drop-column", Severity: "error", Message: "drops column users.name", Fix: "defer it"},
				{Rule: "missing-lock-timeout", Severity: "warning", Message: "no lock_timeout"},
				{Rule: "prefer-text", Severity: "info", Message: "varchar", Line: 5, Column: 9},
			},
		}}}},
		Errors: []report.Error{{Path: "db/migrations/4_y.up.sql", Line: 2, Column: 7, Message: "syntax error"}},
	}
	r.Finish()
	e.Annotate(r)
	e.SetOutputs(r, "fail", "/tmp/report.json")
	e.Summary("## phasegate\nsummary text\n")
	log := out.String()
	for _, want := range []string{
		"::error col=7,file=db/migrations/4_y.up.sql,line=2,title=phasegate parse-error::syntax error",
		"::error col=1,endLine=5,file=db/migrations/3_x.up.sql,line=4,title=phasegate drop-column::drops column users.name%0AFix: defer it",
		"::warning col=1,endLine=5,file=db/migrations/3_x.up.sql,line=4,title=phasegate missing-lock-timeout::no lock_timeout",
		"::notice col=9,file=db/migrations/3_x.up.sql,line=5,title=phasegate prefer-text::varchar",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	outputs, _ := os.ReadFile(filepath.Join(dir, "output"))
	for _, want := range []string{"result<<", "\nfail\n", "contract<<", "\n1\n", "report<<", "/tmp/report.json"} {
		if !strings.Contains(string(outputs), want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, outputs)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "summary"))
	if !strings.Contains(string(summary), "summary text") {
		t.Errorf("GITHUB_STEP_SUMMARY = %q", summary)
	}
}

// TestMissingOrUnwritableFilesWarn: GITHUB_ACTIONS=true without
// GITHUB_OUTPUT or GITHUB_STEP_SUMMARY, or with paths that cannot be
// written (tests run as root here, so a directory stands for an unwritable
// file), gives a warning naming the variable, not a panic.
func TestMissingOrUnwritableFilesWarn(t *testing.T) {
	dir := t.TempDir()
	for name, vars := range map[string]map[string]string{
		"unset":  {},
		"no dir": {"GITHUB_OUTPUT": filepath.Join(dir, "missing", "output"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "missing", "summary")},
		"a dir":  {"GITHUB_OUTPUT": dir, "GITHUB_STEP_SUMMARY": dir},
	} {
		t.Run(name, func(t *testing.T) {
			vars["GITHUB_ACTIONS"] = "true"
			var out bytes.Buffer
			e, err := Detect(func(k string) string { return vars[k] }, &out)
			if err != nil {
				t.Fatal(err)
			}
			r := &report.Report{}
			r.Finish()
			e.SetOutputs(r, "pass", "/tmp/report.json")
			e.Summary("## phasegate\n")
			log := out.String()
			for _, want := range []string{"::warning::phasegate: the step outputs", "GITHUB_OUTPUT", "::warning::phasegate: the job summary is not written", "GITHUB_STEP_SUMMARY"} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
		})
	}
}
