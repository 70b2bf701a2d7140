package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tests.results or tests.rerun phasegate cannot use is an error before
// anything runs, naming the config file and what to write instead.
func TestCLIBadTestsResults(t *testing.T) {
	dir := exampleRepo(t)
	for yml, want := range map[string]string{
		"tests:\n  command: go test ./...\n  results: tap\n":                  `phasegate.yml: tests.results "tap" is not a format phasegate reads: write go-json`,
		"tests:\n  command: go test ./...\n  results: junit\n":                `tests.results "junit" names no file: write junit:PATH`,
		"tests:\n  command: go test ./...\n  results: go-json\n  rerun: -1\n": `tests.rerun -1: give how many times to rerun the failing tests, 0 or more`,
	} {
		cfg := filepath.Join(t.TempDir(), "phasegate.yml")
		os.WriteFile(cfg, []byte(yml), 0o644)
		r := phasegate(t, dir, nil, "check", "--base", "main", "--config", cfg)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr:\n%s", yml, r.code, r.stderr)
		}
	}
}
