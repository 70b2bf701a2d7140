package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/checker"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/cases")

// TestGolden runs phasegate classify on every case of testdata/cases and
// compares its JSON and text output with the case's expected.json and
// expected.txt. A case is a directory: base.sql (optional) is the
// production schema, config.yml (optional) the config, and every other .sql
// file a migration, judged in name order. go test ./cmd/phasegate -update
// rewrites the expected files; review the diff.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/cases/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range cases {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
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
				got := stdout.String() + stderr.String()
				golden := "expected." + map[string]string{"json": "json", "text": "txt"}[format]
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./cmd/phasegate -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s output differs from %s (go test ./cmd/phasegate -run TestGolden -update rewrites it):\n%s", format, golden, diffLines(string(want), got))
				}
			}
		})
	}
}

// TestEveryRuleHasAGoldenCase keeps testdata/cases in step with the rules.
func TestEveryRuleHasAGoldenCase(t *testing.T) {
	for _, r := range checker.Rules() {
		if r.Check == nil {
			continue // reported by the change package, covered by its tests
		}
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
