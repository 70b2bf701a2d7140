package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/lint"
)

// TestSummaryErrorsCountParseErrors: summary.errors counts the files that
// could not be parsed as well as the error findings, so the JSON report,
// the text summary and the comment give the same number.
func TestSummaryErrorsCountParseErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "schema.sql"), []byte(schemaSQL), 0o644)
	os.MkdirAll(filepath.Join(dir, "db/migrations"), 0o755)
	files := map[string]string{
		"db/migrations/0003_drop.up.sql": "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN legacy_flags;\n",
		"db/migrations/0004_bad.up.sql":  "ALTER TABLE users ADD COLUMN ;\n",
	}
	var paths []string
	for p, sql := range files {
		os.WriteFile(filepath.Join(dir, p), []byte(sql), 0o644)
		paths = append(paths, p)
	}
	t.Chdir(dir)
	res, err := lint.Files(paths, lint.FilesOptions{Schema: "schema.sql"})
	if err != nil {
		t.Fatal(err)
	}
	r := FromChange(res, Options{PostgresVersion: 16})
	if len(r.Errors) != 1 || r.Summary.Errors != 2 {
		t.Fatalf("errors[] %v, summary.errors %d: want one parse error and 2 (it and drop-column)", r.Errors, r.Summary.Errors)
	}

	var js bytes.Buffer
	if err := JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Summary struct{ Errors int }
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil || decoded.Summary.Errors != 2 {
		t.Errorf("JSON summary.errors = %d, %v; want 2", decoded.Summary.Errors, err)
	}
	var text bytes.Buffer
	if err := Text(&text, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "; 2 errors, ") {
		t.Errorf("text summary does not say 2 errors:\n%s", text.String())
	}
	var md bytes.Buffer
	if err := Markdown(&md, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), " · 2 errors, ") {
		t.Errorf("comment does not say 2 errors:\n%s", md.String())
	}
	if r.ExitCode() != 2 {
		t.Errorf("exit code %d, want 2 (a file could not be parsed)", r.ExitCode())
	}
}
