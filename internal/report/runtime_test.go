package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
)

// refused is what compat.Run returns when the server of --database-url
// refuses the connection: no scenario ran.
func refused() *compat.Result {
	notRun := "not run: the runtime check stopped before it"
	return &compat.Result{
		Previous: "0b8261f824abe7cc4193197749cd536739f44c3f", Verdict: compat.StatusError,
		Error: "connect to PostgreSQL at 127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused; check that the server of --database-url (config postgres.url) is running and accepts connections from here, or run only the static check with --static-only",
		Scenarios: []compat.Scenario{
			{Name: compat.ScenarioBaseline, Status: compat.StatusError, Reason: notRun},
			{Name: compat.ScenarioCompat, Status: compat.StatusError, Reason: notRun},
			{Name: compat.ScenarioDeploy, Status: compat.StatusError, Reason: notRun},
			{Name: compat.ScenarioContractReady, Status: compat.StatusError, Reason: notRun},
		},
	}
}

// TestRuntimeErrorKeepsTheStaticResults: a runtime check that did not
// finish is reported beside the static results, in every output, and the
// exit status says phasegate could not judge everything.
func TestRuntimeErrorKeepsTheStaticResults(t *testing.T) {
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	before, _ := json.Marshal(r.Files)
	r.AddRuntime(refused(), "merge base 0b8261f824ab", checker.Options{})
	if after, _ := json.Marshal(r.Files); !bytes.Equal(before, after) {
		t.Errorf("the static results changed:\n%s\n%s", before, after)
	}
	if r.ExitCode() != 2 || r.Result != "fail" || r.Runtime.Verdict != "error" || !strings.Contains(r.Runtime.Error, "connection refused") {
		t.Fatalf("exit %d, result %s, runtime %+v", r.ExitCode(), r.Result, r.Runtime)
	}

	var md bytes.Buffer
	Markdown(&md, r, mdOpts)
	golden(t, "runtime-error.md", md.String())
	for _, want := range []string{"The runtime check did not finish", "connection refused", "--database-url", "--static-only", "drop-column", "create-index-non-concurrently"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	if strings.Contains(md.String(), "fail even on its own schema") {
		t.Error("the comment blames the baseline for a check that did not run")
	}

	var text bytes.Buffer
	Text(&text, r, TextOptions{})
	for _, want := range []string{
		"db/migrations/0003_display_name.up.sql:4:1: contract/drop-column: error:",
		"error: the runtime check did not finish: connect to PostgreSQL at 127.0.0.1:1",
		"--static-only", "compat          ERROR    not run", "verdict: error",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text lacks %q:\n%s", want, text.String())
		}
	}

	rep, sarifText := validSARIF(t, r)
	run := rep.Runs[0]
	if len(run.Results) != 2 {
		t.Errorf("%d SARIF results, want the 2 findings", len(run.Results))
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful == nil || *run.Invocations[0].ExecutionSuccessful ||
		len(run.Invocations[0].ToolExecutionNotifications) != 1 || !strings.Contains(*run.Invocations[0].ToolExecutionNotifications[0].Message.Text, "connection refused") {
		t.Errorf("SARIF invocations: %s", sarifText)
	}
}

// TestRuntimeErrorBeforeAnyScenario: the check could not even start (the
// previous release could not be resolved): no scenario table, the error.
func TestRuntimeErrorBeforeAnyScenario(t *testing.T) {
	r := static(t, "0003_nick.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\n")
	r.AddRuntime(&compat.Result{Verdict: compat.StatusError, Error: "previous: latest-tag: no tag matches v* before the base"}, "", checker.Options{})
	var md bytes.Buffer
	Markdown(&md, r, mdOpts)
	s := md.String()
	if !strings.Contains(s, "the runtime check did not finish: only the static results are in") || !strings.Contains(s, "no tag matches") ||
		strings.Contains(s, "| scenario |") || strings.Contains(s, "against the previous release") {
		t.Errorf("comment:\n%s", s)
	}
	var text bytes.Buffer
	Text(&text, r, TextOptions{})
	if !strings.Contains(text.String(), "\nruntime check:\n  error: the runtime check did not finish: previous: latest-tag") {
		t.Errorf("text:\n%s", text.String())
	}
}

// TestRuntimePassWithoutTests: a runtime check whose scenarios all
// skipped their tests (no tests.command) passes, but the text and the
// comment say that nothing beyond applying the migrations was shown.
func TestRuntimePassWithoutTests(t *testing.T) {
	noTests := compat.ReasonNoTestCommand
	res := &compat.Result{Previous: "0b8261f824abe7cc4193197749cd536739f44c3f", Verdict: compat.StatusPass}
	for _, n := range []string{compat.ScenarioBaseline, compat.ScenarioCompat, compat.ScenarioDeploy, compat.ScenarioContractReady} {
		res.Scenarios = append(res.Scenarios, compat.Scenario{Name: n, Status: compat.StatusSkipped, Reason: noTests})
	}
	r := static(t, "0003_display_name.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN bio text;\n")
	r.AddRuntime(res, "merge base 0b8261f824ab", checker.Options{})
	if r.ExitCode() != 0 || r.Runtime.Verdict != "pass" {
		t.Fatalf("exit %d, verdict %s: want 0 and pass (the JSON's verdict is unchanged)", r.ExitCode(), r.Runtime.Verdict)
	}
	const want = "no test suite ran: nothing shows either release works on them; set tests.command"
	var text, md bytes.Buffer
	Text(&text, r, TextOptions{})
	Markdown(&md, r, mdOpts)
	for name, out := range map[string]string{"text": text.String(), "comment": md.String()} {
		if !strings.Contains(out, want) {
			t.Errorf("the %s does not say no tests ran:\n%s", name, out)
		}
	}

	// One scenario that ran its tests: a plain pass.
	res.Scenarios[1].Status, res.Scenarios[1].Reason = compat.StatusPass, ""
	r = static(t, "0003_display_name.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN bio text;\n")
	r.AddRuntime(res, "merge base 0b8261f824ab", checker.Options{})
	text.Reset()
	Text(&text, r, TextOptions{})
	if !strings.Contains(text.String(), "verdict: pass\n") {
		t.Errorf("a pass with tests:\n%s", text.String())
	}
}

// TestDescribeChange: a change's detail is not said twice.
func TestDescribeChange(t *testing.T) {
	for _, c := range []struct {
		change compat.Change
		want   string
	}{
		{compat.Change{Change: "renamed", Detail: "renamed to customers"}, "renamed to customers"},
		{compat.Change{Change: "narrowed", Detail: "varchar(255) → varchar(50)"}, "narrowed (varchar(255) → varchar(50))"},
		{compat.Change{Change: "removed"}, "removed"},
	} {
		if got := describe(c.change); got != c.want {
			t.Errorf("describe(%+v) = %q, want %q", c.change, got, c.want)
		}
	}
}

// TestRuntimeOnAnotherVersion: a runtime check on a server of another
// major version than the static check's says so, in the text and the
// comment; on the same version it says nothing.
func TestRuntimeOnAnotherVersion(t *testing.T) {
	for _, server := range []int{15, 16} {
		res := &compat.Result{Previous: "0b8261f824abe7cc4193197749cd536739f44c3f", Verdict: compat.StatusPass, Server: "local/postgres:15", ServerVersion: server,
			Scenarios: []compat.Scenario{{Name: compat.ScenarioCompat, Status: compat.StatusPass}}}
		r := static(t, "0003_display_name.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN bio text;\n")
		r.PostgresVersion = 16
		r.AddRuntime(res, "merge base 0b8261f824ab", checker.Options{})
		var text, md bytes.Buffer
		Text(&text, r, TextOptions{})
		Markdown(&md, r, mdOpts)
		const want = "the runtime check ran on PostgreSQL 15, and the static check judged for 16"
		for name, out := range map[string]string{"text": text.String(), "comment": md.String()} {
			if got := strings.Contains(out, want); got != (server == 15) {
				t.Errorf("server %d, %s: note shown %v:\n%s", server, name, got, out)
			}
		}
	}
}
