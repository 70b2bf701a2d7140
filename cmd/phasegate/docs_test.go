package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/checker"
	"github.com/phasegate/phasegate/report"
)

// TestDocsMatchRules keeps docs/rules.md and the rule table of README.md in
// step with the rule data; -update regenerates both.
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

	var table bytes.Buffer
	if err := report.RulesTable(&table, checker.Rules(), "docs/rules.md"); err != nil {
		t.Fatal(err)
	}
	const readmePath = "../../README.md"
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	begin := bytes.Index(readme, []byte("<!-- rules:begin"))
	end := bytes.Index(readme, []byte("<!-- rules:end -->"))
	if begin < 0 || end < begin {
		t.Fatal("README.md lacks the <!-- rules:begin --> / <!-- rules:end --> markers")
	}
	begin += bytes.IndexByte(readme[begin:], '\n') + 1
	want := append(append(append([]byte{}, readme[:begin]...), table.Bytes()...), readme[end:]...)
	if *update {
		if err := os.WriteFile(readmePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !bytes.Equal(readme, want) {
		t.Errorf("the rule table in README.md is out of date: run go test ./cmd/phasegate -update")
	}
	if n := len(checker.Rules()); !strings.Contains(string(readme), strconv.Itoa(n)+" rules") {
		t.Errorf("README.md should say there are %d rules", n)
	}
}
