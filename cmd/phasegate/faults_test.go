package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/pgtest"
)

// refusedURL is a --database-url whose server refuses every connection:
// nothing listens on port 1 of the loopback.
const refusedURL = "postgres://postgres:secret@127.0.0.1:1/postgres?sslmode=disable"

// jsonReport is the part of the JSON report these tests read.
type jsonReport struct {
	Result  string `json:"result"`
	Files   []any  `json:"files"`
	Runtime *struct {
		Verdict string `json:"verdict"`
		Error   string `json:"error"`
	} `json:"runtime"`
	Scenarios []struct {
		Name, Status, Reason string
	} `json:"scenarios"`
}

func decodeReport(t *testing.T, what, s string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("%s is not a JSON report: %v\n%s", what, err, s)
	}
	return r
}

// staticFiles is what the static check says of the example's files: every
// statement with its phase and findings.
func staticFiles(t *testing.T, dir string) []any {
	t.Helper()
	r := phasegate(t, dir, nil, "check", "--base", "main", "--static-only", "--format", "json")
	if r.code != 1 {
		t.Fatalf("static check: exit %d\n%s", r.code, r.stderr)
	}
	rep := decodeReport(t, "the static report", r.stdout)
	if len(rep.Files) == 0 {
		t.Fatal("the static report has no file")
	}
	return rep.Files
}

// TestRefusedDatabaseURLStillReportsTheStaticResults: the runtime check
// cannot start (the server of --database-url refuses the connection); the
// JSON on stdout, the --report-json file and the SARIF file still hold
// every statement and finding, with the runtime error, and the exit status
// is not 0.
func TestRefusedDatabaseURLStillReportsTheStaticResults(t *testing.T) {
	dir := exampleRepo(t)
	want := staticFiles(t, dir)
	out := t.TempDir()
	reportPath, sarifPath := filepath.Join(out, "report.json"), filepath.Join(out, "phasegate.sarif")
	r := phasegate(t, dir, nil, "check", "--base", "main", "--database-url", refusedURL, "--format", "json",
		"--report-json", reportPath, "--sarif", sarifPath)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	for what, s := range map[string]string{"stdout": r.stdout, "--report-json": read(t, reportPath)} {
		rep := decodeReport(t, what, s)
		if !reflect.DeepEqual(rep.Files, want) {
			t.Errorf("%s: the files differ from the static check's", what)
		}
		if rep.Result != "fail" || rep.Runtime == nil || rep.Runtime.Verdict != "error" ||
			!strings.Contains(rep.Runtime.Error, "connection refused") || !strings.Contains(rep.Runtime.Error, "--database-url") {
			t.Errorf("%s: result %s, runtime %+v", what, rep.Result, rep.Runtime)
		}
		if len(rep.Scenarios) != 4 || rep.Scenarios[1].Name != "compat" || rep.Scenarios[1].Status != "error" {
			t.Errorf("%s: scenarios %+v", what, rep.Scenarios)
		}
	}
	if sarif := read(t, sarifPath); !strings.Contains(sarif, `"ruleId": "drop-column"`) || !strings.Contains(sarif, `"executionSuccessful": false`) {
		t.Errorf("SARIF:\n%s", sarif)
	}
	if !strings.Contains(r.stderr, "the runtime check did not finish: connect to PostgreSQL at 127.0.0.1:1") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr+read(t, reportPath), "secret") {
		t.Error("the password of --database-url appears in the output")
	}

	// The text report, too.
	r = phasegate(t, dir, nil, "check", "--base", "main", "--database-url", refusedURL)
	for _, want := range []string{"contract/drop-column: error:", "expand/create-index-non-concurrently: error:",
		"error: the runtime check did not finish: connect to PostgreSQL", "--static-only", "verdict: error", "phasegate: FAIL: 1 file, 4 statements"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the text report lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 2 {
		t.Errorf("text: exit %d", r.code)
	}
}

// TestActionCommentsTheRuntimeError: in GitHub Actions, a runtime check
// that cannot start still leaves the pull request comment (with the static
// results and the error), the job summary, the annotations and the
// outputs.
func TestActionCommentsTheRuntimeError(t *testing.T) {
	dir, s, repo, pr := examplePR(t, "t-write", fakegithub.Write)
	e := newActionEnv(t, s, dir, pr, "t-write", "acme/shop", 1)
	r := phasegate(t, dir, e.vars, "check", "--database-url", refusedURL)
	if r.code != 2 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	comments := repo.Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1\n%s", len(comments), r.stderr)
	}
	for where, body := range map[string]string{"comment": comments[0].Body, "job summary": read(t, e.summary)} {
		for _, want := range []string{"The runtime check did not finish", "connection refused", "--database-url", "--static-only", "`drop-column`", "`create-index-non-concurrently`", "ALTER TABLE users DROP COLUMN legacy_flags"} {
			if !strings.Contains(body, want) {
				t.Errorf("the %s lacks %q:\n%s", where, want, body)
			}
		}
	}
	for _, want := range []string{"::error title=phasegate runtime check::the runtime check did not finish: connect to PostgreSQL",
		"::error col=1,file=db/migrations/0003_display_name.up.sql,line=9,title=phasegate drop-column::"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no annotation %q in:\n%s", want, r.stdout)
		}
	}
	if out := read(t, e.output); !strings.Contains(out, "result<<_GitHubActionsFileCommandDelimeter_\nfail\n") {
		t.Errorf("outputs:\n%s", out)
	}
	if rep := decodeReport(t, "the JSON report", read(t, filepath.Join(e.temp, "phasegate-report.json"))); rep.Runtime == nil || rep.Runtime.Verdict != "error" || len(rep.Files) != 1 {
		t.Errorf("JSON report: %+v", rep)
	}
}

// TestActionInterruptedStillComments: the job is cancelled (SIGTERM) while
// phasegate waits for a database server that never answers: the report is
// still delivered, comment included, saying the check was cancelled.
func TestActionInterruptedStillComments(t *testing.T) {
	// A server that accepts connections and never says a word.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	connected := make(chan struct{}, 1) // phasegate is in its connection attempt
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	}()
	dir, s, repo, pr := examplePR(t, "t-write", fakegithub.Write)
	e := newActionEnv(t, s, dir, pr, "t-write", "acme/shop", 1)

	cmd := exec.Command(binary, "check", "--database-url", "postgres://postgres:pw@"+l.Addr().String()+"/postgres?sslmode=disable")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), e.vars...)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-connected:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("phasegate never connected to the server\n%s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a sanity bound: it takes well under a second
		cmd.Process.Kill()
		t.Fatalf("phasegate did not stop after SIGTERM\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Errorf("exit %d after SIGTERM, want 2\n%s", code, stderr.String())
	}
	comments := repo.Comments(pr)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "cancelled") || !strings.Contains(comments[0].Body, "`drop-column`") {
		t.Fatalf("comments after SIGTERM: %+v\nstderr:\n%s", comments, stderr.String())
	}
	if !strings.Contains(stdout.String(), "contract/drop-column") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

// TestUnreachableDockerHostFailsFast: DOCKER_HOST names an engine that
// does not answer: phasegate uses no other, gives up within seconds with
// what to do, and reports the static results.
func TestUnreachableDockerHostFailsFast(t *testing.T) {
	dir := exampleRepo(t)
	for _, host := range []string{"tcp://127.0.0.1:1", "unix://" + filepath.Join(t.TempDir(), "no-docker.sock")} {
		begin := time.Now()
		r := phasegate(t, dir, []string{"DOCKER_HOST=" + host}, "check", "--base", "main", "--postgres-image", pgtest.Image(), "--no-pull")
		if d := time.Since(begin); d > 20*time.Second { // a sanity bound, far above the expected
			t.Errorf("%s: it took %s", host, d)
		}
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2", host, r.code)
		}
		for _, want := range []string{"cannot reach Docker at DOCKER_HOST=" + host, "--database-url", "--static-only"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", host, want, r.stderr)
			}
		}
		if !strings.Contains(r.stdout, "contract/drop-column") || !strings.Contains(r.stdout, "verdict: error") {
			t.Errorf("%s: stdout:\n%s", host, r.stdout)
		}
	}
}

// TestNoPullStartsNothingButPostgreSQL runs the runtime check with
// --no-pull, and with TESTCONTAINERS_RYUK_DISABLED=false (which asked
// testcontainers, which phasegate used to run containers with, for its
// reaper, an image from Docker Hub): the only container of the run is
// PostgreSQL's, nothing is pulled, and the test suite sees the
// environment as the user left it.
func TestNoPullStartsNothingButPostgreSQL(t *testing.T) {
	img := testImage(t)
	dir := exampleRepo(t)
	seen := filepath.Join(t.TempDir(), "seen")
	cfg := filepath.Join(t.TempDir(), "phasegate.yml")
	os.WriteFile(cfg, []byte(`migrations:
  dir: db/migrations
tests:
  scenarios: {compat: false, deploy: false, contract-ready: false}
  command: |
    echo "ryuk=${TESTCONTAINERS_RYUK_DISABLED-unset}" >> `+seen+`
    id=$(docker ps -q --filter "publish=$PGPORT")
    run=$(docker inspect --format '{{index .Config.Labels "dev.phasegate.run"}}' $id)
    docker ps -a --filter "label=dev.phasegate.run=$run" --format '{{.Image}}' >> `+seen+`
`), 0o644)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TESTCONTAINERS_RYUK_DISABLED=") {
			env = append(env, kv)
		}
	}
	env = append(env, "TESTCONTAINERS_RYUK_DISABLED=false")
	r := phasegateEnv(t, dir, env, "check", "--base", "main", "--config", cfg, "--postgres-image", img, "--no-pull", "--format", "json")
	rep := decodeReport(t, "stdout", r.stdout)
	if rep.Runtime == nil || rep.Runtime.Verdict != "pass" || rep.Scenarios[0].Status != "pass" {
		t.Fatalf("exit %d, runtime %+v, scenarios %+v\n%s", r.code, rep.Runtime, rep.Scenarios, r.stderr)
	}
	if got := read(t, seen); got != "ryuk=false\n"+img+"\n" {
		t.Errorf("the test suite saw:\n%s\nwant its own environment and the PostgreSQL container alone", got)
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

// syncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
