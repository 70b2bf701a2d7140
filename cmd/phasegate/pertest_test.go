package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A tests.results or tests.rerun phasegate cannot use is an error before
// anything runs, naming the config file and what to write instead, then
// where every key is documented.
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
		if r.code != 2 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "\nEvery key of the config file, with its default: docs/configuration.md.\n") {
			t.Errorf("%s: exit %d, stderr:\n%s", yml, r.code, r.stderr)
		}
	}
}

// TestCLIPerTestVerdicts runs the example with a test in the previous
// release that fails whatever the schema: without tests.results the
// verdict is baseline broken; with go-json the migration is blamed for the
// one test that reads the dropped column, in the text and the JSON
// reports, and the broken test is listed as failing on the baseline too.
func TestCLIPerTestVerdicts(t *testing.T) {
	img := testImage(t)
	dir := exampleRepo(t)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("checkout", "-q", "main")
	os.WriteFile(filepath.Join(dir, "clock_test.go"), []byte("package exampleshop\n\nimport \"testing\"\n\nfunc TestReportsInLocalTime(t *testing.T) {\n\tt.Fatal(\"expects the machine's time zone to be Europe/Paris\")\n}\n"), 0o644)
	git("add", "clock_test.go")
	git("commit", "-qm", "a test that depends on the machine's time zone")
	git("checkout", "-q", "feature")
	git("rebase", "-q", "main")

	config := func(results string) string {
		cfg := filepath.Join(t.TempDir(), "phasegate.yml")
		os.WriteFile(cfg, []byte("migrations:\n  dir: db/migrations\n  deferred_dir: db/deferred\ntests:\n  command: go test -count=1 -json ./...\n"+results), 0o644)
		return cfg
	}
	args := []string{"check", "--base", "main", "--postgres-image", img, "--no-pull"}
	r := phasegate(t, dir, nil, append(args, "--config", config(""))...)
	if r.code != 1 || !strings.Contains(r.stdout, "verdict: baseline broken") {
		t.Fatalf("without tests.results: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	reportPath := filepath.Join(t.TempDir(), "report.json")
	r = phasegate(t, dir, nil, append(args, "--config", config("  results: go-json\n"), "--report-json", reportPath)...)
	if r.code != 1 || !strings.Contains(r.stdout, "verdict: fail") {
		t.Fatalf("with tests.results: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"blamed (pass on the baseline, fail here): example.com/exampleshop.TestUsers",
		"failing on the previous schema too, not blamed: example.com/exampleshop.TestReportsInLocalTime",
		"failing on the previous release's own schema: example.com/exampleshop.TestReportsInLocalTime",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the text lacks %q:\n%s", want, r.stdout)
		}
	}
	var rep struct {
		Scenarios []struct {
			Name, Status string
			Tests        *struct {
				Passed, Failed, Runs int
				Blamed               []string
				NotBlamed            []string `json:"not_blamed"`
			}
		}
	}
	if err := json.Unmarshal([]byte(read(t, reportPath)), &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Scenarios[1]
	if c.Name != "compat" || c.Status != "fail" || c.Tests == nil || c.Tests.Runs != 2 ||
		!reflect.DeepEqual(c.Tests.Blamed, []string{"example.com/exampleshop.TestUsers"}) ||
		!reflect.DeepEqual(c.Tests.NotBlamed, []string{"example.com/exampleshop.TestReportsInLocalTime"}) {
		t.Errorf("compat in the JSON report: %+v %+v", c, c.Tests)
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}
