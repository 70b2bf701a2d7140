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
	for _, c := range []struct {
		args      []string
		msg, hint string
	}{
		{[]string{"classify", "--format", "yaml", mig}, "--format must be text or json", "Run 'phasegate help classify' for its flags and examples."},
		{[]string{"classify", "--config", write("bad-severity.yml", "rules:\n  drop-column: loud\n"), mig}, "bad-severity.yml:2:3: unknown severity \"loud\"", "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--config", write("typo.yml", "postgres:\n  versoin: 15\n"), mig}, "typo.yml:2:3: unknown key \"versoin\"", "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--config", write("rule-typo.yml", "rules:\n  drop-colum: warning\n"), mig}, `rule-typo.yml:2:3: unknown rule "drop-colum" in rules; did you mean "drop-column"? (phasegate rules lists them)`, "Every key of the config file, with its default: docs/configuration.md."},
		{[]string{"classify", "--pg-version", "155", mig}, "unsupported PostgreSQL version 155: give the major version, e.g. 16", ""},
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
