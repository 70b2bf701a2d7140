package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The end-to-end tests of the command line itself: usage errors, help,
// rules, version, run against the built binary as a user types them.

// TestUsageErrorsSpeak: every invocation phasegate cannot run exits 2
// with a message saying what is wrong and where the help is; none exits
// without a message.
func TestUsageErrorsSpeak(t *testing.T) {
	dir := exampleRepo(t)
	os.WriteFile(filepath.Join(dir, "r.json"), []byte(`{"version": 1, "tool": "phasegate", "result": "pass"}`), 0o644)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"check"}, []string{"phasegate check: --base is required", "phasegate help check"}},
		{[]string{"check", "--base", "main", "--fail-on", "sometimes"}, []string{"--fail-on must be error, warning or never", "phasegate help check"}},
		{[]string{"check", "--base", "main", "--comment", "maybe"}, []string{"--comment must be on, off or on-failure"}},
		{[]string{"check", "--base", "main", "--format", "yaml"}, []string{"--format must be text or json"}},
		{[]string{"check", "--bse", "main"}, []string{"unknown flag --bse; did you mean --base?", "phasegate help check"}},
		{[]string{"check", "--base"}, []string{"--base needs a value (a git revision)"}},
		{[]string{"check", "--base", "main", "--jobs", "many"}, []string{`invalid value "many" for flag --jobs`}},
		{[]string{"check", "main"}, []string{"takes no arguments", "--base REF"}},
		{[]string{"classify", "--format", "yaml", "db/migrations"}, []string{"phasegate classify: --format must be text or json", "phasegate help classify"}},
		{[]string{"classify"}, []string{"give one or more migration files or directories"}},
		{[]string{"split"}, []string{"phasegate split: give the migration files to split", "phasegate help split"}},
		{[]string{"comment", "--report", "r.json"}, []string{"phasegate comment: --pr is required", "phasegate help comment"}},
		{[]string{"comment"}, []string{"--report is required"}},
		{[]string{"followup", "now"}, []string{"takes no arguments"}},
		{[]string{"--base", "main", "check"}, []string{"unknown flag --base: give the command first"}},
		{[]string{"chek", "--base", "main"}, []string{`unknown command "chek"; did you mean "check"?`, "phasegate --help"}},
		{[]string{"help", "clasify"}, []string{`unknown command "clasify"; did you mean "classify"?`}},
		{[]string{"rules", "lock-timeout"}, []string{`unknown rule "lock-timeout"; did you mean missing-lock-timeout?`}},
		{[]string{"version", "--short"}, []string{"unknown flag --short"}},
		{nil, []string{"give a command", "Commands:"}},
	} {
		r := phasegate(t, dir, nil, c.args...)
		if r.code != exitUsage {
			t.Errorf("phasegate %s: exit %d, want 2\n%s", strings.Join(c.args, " "), r.code, r.stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("phasegate %s: stderr lacks %q:\n%s", strings.Join(c.args, " "), w, r.stderr)
			}
		}
	}
}

// TestMissingRefSaysWhatToDo: a base or head that does not exist is named,
// with how to get it.
func TestMissingRefSaysWhatToDo(t *testing.T) {
	dir := exampleRepo(t)
	for _, args := range [][]string{
		{"check", "--base", "nosuchref", "--static-only"},
		{"check", "--base", "main", "--head", "nosuchref", "--static-only"},
	} {
		r := phasegate(t, dir, nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, `revision "nosuchref" not found`) || !strings.Contains(r.stderr, "git branch -a") || !strings.Contains(r.stderr, "git fetch origin nosuchref") {
			t.Errorf("phasegate %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// TestHelp: phasegate --help lists each command with one line; help CMD,
// CMD --help and CMD -h print the command's help on stdout and exit 0.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := phasegate(t, dir, nil, args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("phasegate %s: exit %d\n%s", args[0], r.code, r.stderr)
		}
		for _, cmd := range commands {
			if !strings.Contains(r.stdout, "\n  "+cmd.name+strings.Repeat(" ", len("classify")-len(cmd.name))+"  "+cmd.summary+"\n") {
				t.Errorf("phasegate %s does not list %s with its line:\n%s", args[0], cmd.name, r.stdout)
			}
		}
	}
	for _, cmd := range commands {
		var outs []string
		for _, args := range [][]string{{"help", cmd.name}, {cmd.name, "--help"}, {cmd.name, "-h"}} {
			r := phasegate(t, dir, nil, args...)
			if r.code != 0 || r.stderr != "" {
				t.Errorf("phasegate %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
			}
			outs = append(outs, r.stdout)
		}
		if outs[0] != outs[1] || outs[1] != outs[2] {
			t.Errorf("help %s, %s --help and %s -h differ", cmd.name, cmd.name, cmd.name)
		}
		for _, want := range []string{"Usage:\n  phasegate " + cmd.name, "Examples:\n  # ", "Exit status:"} {
			if !strings.Contains(outs[0], want) {
				t.Errorf("phasegate help %s lacks %q:\n%s", cmd.name, want, outs[0])
			}
		}
	}
	r := phasegate(t, dir, nil, "help", "check")
	for _, want := range []string{"Change:\n  --base REF", "Runtime check:\n  --database-url URL", "  --fail-on error|warning|never\n", "$ phasegate check --base main --static-only"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("phasegate help check lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\n  -base") {
		t.Errorf("flags are written --flag:\n%s", r.stdout)
	}
}

// TestRuleDoc: phasegate rules ID prints the rule's whole documentation.
func TestRuleDoc(t *testing.T) {
	r := phasegate(t, t.TempDir(), nil, "rules", "add-foreign-key-validated")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"add-foreign-key-validated\n=====", "Category: locking. Default severity: error.",
		"Why: Validating the key scans the whole table", "Safe alternative:\n  1. ", "Notes:\n  squawk",
		"Flagged:\n  ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);",
		"Not flagged:\n", "phasegate:ignore add-foreign-key-validated",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("rules add-foreign-key-validated lacks %q:\n%s", want, r.stdout)
		}
	}
	list := phasegate(t, t.TempDir(), nil, "rules")
	if list.code != 0 || !strings.Contains(list.stdout, "missing-lock-timeout ") {
		t.Errorf("phasegate rules: exit %d\n%s", list.code, list.stdout)
	}
}

// TestVersion: the version stamped with -ldflags -X main.version is
// printed; an unstamped build never prints a bare "devel". (What a build
// in a git clone prints, its commit and date, is TestVersionText's: go
// build does not stamp the commit in a git worktree, where this test may
// run.)
func TestVersion(t *testing.T) {
	dir := t.TempDir()
	build := func(name string, flags ...string) string {
		bin := filepath.Join(dir, name)
		out, err := exec.Command("go", append(append([]string{"build"}, flags...), "-o", bin, ".")...).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
		}
		return bin
	}
	version := func(bin string) string {
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("%s version: %v", bin, err)
		}
		return string(out)
	}
	if got := version(build("stamped", "-ldflags", "-X main.version=v1.2.3-e2e")); !strings.HasPrefix(got, "phasegate v1.2.3-e2e\n") {
		t.Errorf("stamped build: %q", got)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := phasegate(t, dir, nil, args...)
		if r.code != 0 || strings.TrimSpace(r.stdout) == "phasegate devel" || !strings.HasPrefix(r.stdout, "phasegate ") || !strings.Contains(r.stdout, "go1.") {
			t.Errorf("phasegate %s: exit %d %q", args[0], r.code, r.stdout)
		}
	}
}

// TestActionsWithoutOutputFile: GITHUB_ACTIONS=true without GITHUB_OUTPUT,
// or with one that cannot be written, warns and still reports.
func TestActionsWithoutOutputFile(t *testing.T) {
	dir := exampleRepo(t)
	tmp := t.TempDir()
	for name, env := range map[string][]string{
		"unset":      {"GITHUB_OUTPUT=", "GITHUB_STEP_SUMMARY="},
		"unwritable": {"GITHUB_OUTPUT=" + tmp, "GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "no", "summary")},
	} {
		env = append(env, "GITHUB_ACTIONS=true", "GITHUB_EVENT_PATH=", "GITHUB_EVENT_NAME=push", "RUNNER_TEMP="+tmp, "GITHUB_TOKEN=", "INPUT_TOKEN=")
		r := phasegate(t, dir, env, "check", "--base", "main", "--static-only")
		if r.code != 1 || strings.Contains(r.stderr, "panic") || !strings.Contains(r.stdout, "contract/drop-column") {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", name, r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{"::warning::phasegate: the step outputs", "GITHUB_OUTPUT", "::warning::phasegate: the job summary is not written"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s: stdout lacks %q:\n%s", name, want, r.stdout)
			}
		}
	}
}

// TestClassifyDirectoryIsAHistory: a rename in the last migration of a
// directory is a contract (it was an expand when the directory was judged
// as one change); --one-change keeps that meaning.
func TestClassifyDirectoryIsAHistory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "migrations")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "1_users.up.sql"), []byte("CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2_rename.up.sql"), []byte("SET lock_timeout = '5s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n"), 0o644)
	r := phasegate(t, filepath.Dir(dir), nil, "classify", "migrations")
	if r.code != 1 || !strings.Contains(r.stdout, "migrations/2_rename.up.sql:2:1: contract/rename-column: error") {
		t.Errorf("classify DIR: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = phasegate(t, filepath.Dir(dir), nil, "classify", "--one-change", "migrations")
	if r.code != 0 || strings.Contains(r.stdout, "contract/") {
		t.Errorf("classify --one-change DIR: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
