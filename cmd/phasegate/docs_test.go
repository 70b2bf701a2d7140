package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/report"
)

// TestDocsMatchRules keeps docs/rules.md, the rule reference with its
// table, in step with the rule data (-update regenerates it), and the
// number of rules README.md states.
func TestDocsMatchRules(t *testing.T) {
	var doc bytes.Buffer
	if err := report.RulesMarkdown(&doc, checker.Rules()); err != nil {
		t.Fatal(err)
	}
	const docPath = "../../docs/rules.md"
	if *update {
		os.MkdirAll("../../docs", 0o755)
		if err := os.WriteFile(docPath, doc.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if got, err := os.ReadFile(docPath); err != nil || !bytes.Equal(got, doc.Bytes()) {
		t.Errorf("docs/rules.md is out of date with the rule data: run go test ./cmd/phasegate -update (%v)", err)
	}
	for _, path := range []string{"../../README.md", "../../docs/check.md"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(checker.Rules()); !strings.Contains(string(b), strconv.Itoa(n)+" rules") {
			t.Errorf("%s should say there are %d rules", path, n)
		}
	}
}

// TestActionDocumented keeps docs/github-action.md in step with action.yml:
// every input and output has a row in its tables, and every row names one.
func TestActionDocumented(t *testing.T) {
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs  map[string]any `yaml:"inputs"`
		Outputs map[string]any `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatal(err)
	}
	if len(action.Inputs) == 0 || len(action.Outputs) == 0 {
		t.Fatal("action.yml: no inputs or outputs read")
	}
	const path = "../../docs/github-action.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| `") {
			for _, name := range strings.Split(strings.SplitN(line, "|", 3)[1], ",") {
				documented[strings.Trim(strings.TrimSpace(name), "`")] = true
			}
		}
	}
	declared := map[string]bool{}
	for _, names := range []map[string]any{action.Inputs, action.Outputs} {
		for name := range names {
			declared[name] = true
			if !documented[name] {
				t.Errorf("action.yml declares %s, which has no row in %s", name, path)
			}
		}
	}
	var extra []string
	for name := range documented {
		if !declared[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("%s documents %v, which action.yml does not declare", path, extra)
	}
}

// TestEveryDocListedInReadme: each page of docs/ has a row in README's
// documentation table, where a newcomer looks for it.
func TestEveryDocListedInReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) < 10 {
		t.Fatalf("docs pages: %v %v", pages, err)
	}
	for _, p := range pages {
		name := filepath.Base(p)
		if !strings.Contains(string(readme), "](docs/"+name+")") {
			t.Errorf("docs/%s is not in README.md's documentation table", name)
		}
	}
}
