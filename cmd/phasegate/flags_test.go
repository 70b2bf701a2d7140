package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// A flag that takes a value, followed by another flag, is refused: the
// flag package would take "--static-only" as the base revision, and check
// would then look for a revision of that name.
func TestFlagNeedsAValue(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--base", "--static-only"}, "phasegate check: --base needs a value (a git revision), got the flag --static-only\n"},
		{[]string{"check", "--static-only", "--base"}, "phasegate check: --base needs a value (a git revision)\n"},
		{[]string{"check", "--base", "main", "--head", "-static-only"}, "phasegate check: --head needs a value (a git revision), got the flag -static-only\n"},
		{[]string{"check", "--base", "--statc-only"}, "phasegate check: --base needs a value (a git revision), got the flag --statc-only\n"},
		{[]string{"check", "--base", "-weird"}, "phasegate check: --base needs a value (a git revision), got the flag -weird; if -weird is the value, write --base=-weird\n"},
		{[]string{"check", "--base", "main", "--jobs", "--verbose"}, "phasegate check: --jobs needs a value (a number), got the flag --verbose\n"},
		{[]string{"check", "--base", "main", "--fail-on", "--sarif", "x"}, "phasegate check: --fail-on needs a value (error, warning or never), got the flag --sarif\n"},
		{[]string{"classify", "--migrations-format", "--one-change", "db"}, "phasegate classify: --migrations-format needs a value (a migration format), got the flag --one-change\n"},
		{[]string{"classify", "db", "--schema", "--format", "json"}, "phasegate classify: --schema needs a value (a file), got the flag --format\n"},
		{[]string{"split", "--after", "--dry-run", "x.sql"}, `phasegate split: --after needs a value (release, "deployment ENV" or a date), got the flag --dry-run` + "\n"},
		{[]string{"comment", "--suggestions", "--pr", "3"}, "phasegate comment: --suggestions needs a value (on or off), got the flag --pr\n"},
		{[]string{"stats", "--database-url", "--output", "s.yml"}, "phasegate stats: --database-url needs a value (a PostgreSQL URL), got the flag --output\n"},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		hint := "Run 'phasegate help " + c.args[0] + "' for its flags and examples.\n"
		if code != exitUsage || errb.String() != c.want+hint {
			t.Errorf("phasegate %s: exit %d, stderr:\n%s\nwant:\n%s%s", strings.Join(c.args, " "), code, errb.String(), c.want, hint)
		}
	}
}

// What flagAsValue lets through: values, values after "=", negative
// numbers, flags that take none, and anything after "--".
func TestFlagAsValueAccepts(t *testing.T) {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.String("base", "", "")
	fs.Int("jobs", 1, "")
	fs.Bool("static-only", false, "")
	for _, args := range [][]string{
		{"--base", "main", "--static-only"},
		{"--static-only", "--base", "origin/main"},
		{"--base=-x", "--static-only"},
		{"-base", "main", "-jobs", "-1"},
		{"--base", "-", "--jobs", "2"},
		{"--base", ""},
		{"--static-only=true", "x", "--", "--base"},
		{"--unknown", "--base", "main"},
	} {
		if err := flagAsValue(fs, args); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
}

// Every flag that takes a value says what it takes.
func TestEveryValueIsNamed(t *testing.T) {
	for _, cmd := range commands {
		commandFlags(t, cmd).VisitAll(func(f *flag.Flag) {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				return
			}
			if v := valueOf(cmd.name, f.Name); v == "a value" {
				t.Errorf("%s --%s: no word for its value in the help groups of commands.go", cmd.name, f.Name)
			}
		})
	}
}

// A value the flag package cannot read says what the flag wants, not only
// "parse error"; --jobs below 1 is refused.
func TestFlagValueErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--base", "main", "--jobs", "abc"}, `phasegate check: invalid value "abc" for flag --jobs: not a whole number` + "\n"},
		{[]string{"check", "--base", "main", "--jobs", "0"}, "phasegate check: --jobs must be 1 or more, not 0: it is how many scenarios run at once\n"},
		{[]string{"check", "--base", "main", "--jobs=-3"}, "phasegate check: --jobs must be 1 or more, not -3: it is how many scenarios run at once\n"},
		{[]string{"check", "--base", "main", "--static-only=maybe"}, `phasegate check: invalid boolean value "maybe" for --static-only: give true or false` + "\n"},
		{[]string{"classify", "--pg-version", "x", "a.sql"}, `phasegate classify: invalid value "x" for flag --pg-version: not a whole number` + "\n"},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		hint := "Run 'phasegate help " + c.args[0] + "' for its flags and examples.\n"
		if code != exitUsage || errb.String() != c.want+hint {
			t.Errorf("phasegate %s: exit %d, stderr:\n%s\nwant:\n%s%s", strings.Join(c.args, " "), code, errb.String(), c.want, hint)
		}
	}
}
