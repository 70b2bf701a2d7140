package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every kind of failure exits 2 with its message, then the hint that says
// where to look.
func TestFailureHints(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mig := write("0001_x.up.sql", "ALTER TABLE t DROP COLUMN c;\n")
	empty := filepath.Join(dir, "nomig")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args      []string
		msg, hint string
	}{
		{[]string{"classify", "--format", "yaml", mig}, "--format must be text or json", "Run 'phasegate help classify' for its flags and examples."},
		{[]string{"classify", "--config", write("bad-severity.yml", "rules:\n  drop-column: loud\n"), mig}, "bad-severity.yml:2:3: unknown severity \"loud\"", "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--config", write("typo.yml", "postgres:\n  versoin: 15\n"), mig}, "typo.yml:2:3: unknown key \"versoin\"", "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--config", write("rule-typo.yml", "rules:\n  drop-colum: warning\n"), mig}, `rule-typo.yml:2:3: unknown rule "drop-colum" in rules; did you mean "drop-column"? (phasegate rules lists them)`, "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--config", write("format-typo.yml", "migrations:\n  format: flywya\n"), mig}, `format-typo.yml:2:11: migrations.format: unknown migration format "flywya"; did you mean "flyway"? The formats are`, "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--migrations-format", "flywya", mig}, `--migrations-format: unknown migration format "flywya"; did you mean "flyway"? The formats are`, "Run 'phasegate help classify' for its flags and examples."},
		{[]string{"classify", "--pg-version", "155", mig}, "unsupported PostgreSQL version 155: give the major version, e.g. 16", ""},
		// classify reads no config file unless told: the format is its flag's.
		{[]string{"classify", "--migrations-format", "flyway", dir}, dir + " holds no flyway migration: its files are named as golang-migrate names migrations (such as " + mig + "); give --migrations-format golang-migrate, or leave it out: phasegate detects the format", ""},
		{[]string{"classify", "--config", write("flyway.yml", "migrations:\n  format: flyway\n"), dir}, "holds no flyway migration: its files are named as golang-migrate names migrations (such as " + mig + "); set migrations.format (" + filepath.Join(dir, "flyway.yml") + ":2:11) to golang-migrate, or remove it", ""},
		{[]string{"classify", empty}, "no migrations found in " + empty + ": no .sql files of a known format; if migrations are there, give their tool: --migrations-format NAME, or --config FILE whose migrations.format names it (docs/formats.md)", ""},
		{[]string{"classify", filepath.Join(dir, "missing.sql")}, "missing.sql", ""},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		if code != exitUsage || !strings.Contains(lines[0], c.msg) {
			t.Errorf("%v: exit %d, stderr:\n%s", c.args, code, errb.String())
			continue
		}
		hint := ""
		if len(lines) > 1 {
			hint = lines[1]
		}
		if hint != c.hint || len(lines) > 2 {
			t.Errorf("%v: hint %q, want %q (stderr:\n%s)", c.args, hint, c.hint, errb.String())
		}
	}
}

// A command that needs git, run outside any repository, says so, then
// names itself, why it needs one and what to do: not another command's
// reason.
func TestOutsideGit(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	t.Chdir(dir)
	if err := os.WriteFile("0003_display_name.up.sql", []byte("ALTER TABLE users DROP COLUMN legacy;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	for _, c := range []struct {
		args []string
		hint string
	}{
		{[]string{"split", "0003_display_name.up.sql"}, "phasegate split needs the git repository of the migrations: it compares them with --base"},
		{[]string{"check", "--base", "main", "--static-only"}, "phasegate check compares the migrations of two git revisions"},
		{[]string{"followup", "--dry-run"}, "phasegate followup reads the deferred migrations, and the commits that added them, from git"},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		msg := "phasegate " + c.args[0] + ": " + real + " is not inside a git repository"
		if code != exitUsage || len(lines) != 2 || lines[0] != msg && lines[0] != strings.Replace(msg, real, dir, 1) || !strings.HasPrefix(lines[1], c.hint) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant %q, then %q...", c.args, code, errb.String(), msg, c.hint)
		}
	}
}
