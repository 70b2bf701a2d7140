package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/pgtest"
)

// binary is phasegate built once for the end-to-end tests, which run it
// as users and the GitHub Action do.
var binary string

func TestMain(m *testing.M) {
	// Most of the end-to-end tests run the runtime check; the others (the
	// static check, help, docs, scripts) run without Docker.
	pgtest.Announce("github.com/phasegate/phasegate/cmd/phasegate")
	dir, err := os.MkdirTemp("", "phasegate-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "phasegate")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// exampleRepo builds testdata/example as a repository (main = release,
// feature = the change) and returns its directory.
func exampleRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "example")
	if out, err := exec.Command("sh", "../../testdata/example/make-repo.sh", dir).CombinedOutput(); err != nil {
		t.Fatalf("make-repo.sh: %v\n%s", err, out)
	}
	return dir
}

type result struct {
	code           int
	stdout, stderr string
}

// phasegate runs the binary in dir with extra environment.
func phasegate(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return phasegateEnv(t, dir, append(os.Environ(), env...), args...)
}

// phasegateEnv runs the binary in dir with exactly the environment env.
func phasegateEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(env, "PHASEGATE_CONTAINER_LABELS="+leakLabel)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if pgtest.Problem() != "" && triedPostgres(stdout.String()+stderr.String()) && !otherDocker(env) {
		// The run needed PostgreSQL in Docker, which this machine cannot
		// start: say so, rather than what phasegate made of it.
		pgtest.Need(t)
	}
	return result{code, stdout.String(), stderr.String()}
}

// outputBuffer holds what a running child writes. os/exec copies the
// child's output into it from a goroutine of its own, so reads take the
// lock too; waitFor waits for a text to arrive.
type outputBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // closed at the next write, while someone waits
}

func (o *outputBuffer) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.wrote != nil {
		close(o.wrote)
		o.wrote = nil
	}
	return o.b.Write(p)
}

func (o *outputBuffer) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// waitFor reports whether the output holds text within timeout, and
// before exited is closed (the child ended).
func (o *outputBuffer) waitFor(text string, timeout time.Duration, exited <-chan struct{}) bool {
	deadline := time.After(timeout)
	for {
		o.mu.Lock()
		if strings.Contains(o.b.String(), text) {
			o.mu.Unlock()
			return true
		}
		if o.wrote == nil {
			o.wrote = make(chan struct{})
		}
		wrote := o.wrote
		o.mu.Unlock()
		select {
		case <-wrote:
		case <-exited:
			return strings.Contains(o.String(), text)
		case <-deadline:
			return false
		}
	}
}

// testImage is the image the runtime tests start; a test that calls it
// needs PostgreSQL in Docker (pgtest.Need).
func testImage(t *testing.T) string { return pgtest.Need(t) }

// otherDocker reports an environment that points phasegate at another
// Docker engine than the tests' own (a test of an unreachable one).
func otherDocker(env []string) bool {
	host := os.Getenv("DOCKER_HOST")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "DOCKER_HOST="); ok {
			host = v
		}
	}
	return host != os.Getenv("DOCKER_HOST")
}

// triedPostgres reports output of a run that started, or tried to start,
// PostgreSQL in Docker.
func triedPostgres(out string) bool {
	return strings.Contains(out, "phasegate: starting PostgreSQL") || strings.Contains(out, "the runtime check did not finish")
}

// leftovers lists containers of phasegate runs, except those of other
// packages' tests (label dev.phasegate.test), which may run meanwhile.
// leakLabel marks the containers of the phasegate runs of this test
// process, so that other runs on the same engine (another checkout's
// tests) are not counted.
var leakLabel = fmt.Sprintf("dev.phasegate.leakcheck=cmd-%d", os.Getpid())

func leftovers(t *testing.T) string {
	out, err := exec.Command("docker", "ps", "-a", "--filter", "label=dev.phasegate.run", "--filter", "label="+leakLabel, "--format", "{{.ID}} {{.Status}} {{.Labels}}").CombinedOutput()
	if err != nil {
		t.Fatalf("docker ps: %v\n%s", err, out)
	}
	var left []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" && !strings.Contains(l, "dev.phasegate.test=") {
			left = append(left, l)
		}
	}
	return strings.Join(left, "\n")
}

func TestStaticExampleFromREADME(t *testing.T) {
	r := phasegate(t, exampleRepo(t), nil, "check", "--base", "main", "--static-only")
	if r.code != 1 || !strings.Contains(r.stdout, "contract/drop-column") || !strings.Contains(r.stdout, "1 contract") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestRuntimeExampleNamesTheColumn runs the runtime example of
// docs/runtime.md as a user would, from the repository's root, adding the
// local image flags the page gives for a machine without a registry (this
// one).
func TestRuntimeExampleNamesTheColumn(t *testing.T) {
	img := testImage(t)
	doc, err := os.ReadFile("../../docs/runtime.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(doc), "Try it on the example")
	command := ""
	for _, l := range strings.Split(after, "\n") {
		if strings.HasPrefix(l, "    ") {
			command = strings.TrimSpace(l)
			break
		}
	}
	if !strings.Contains(command, "go run ./cmd/phasegate check") || strings.Contains(command, "..") || strings.Contains(command, "/tmp") {
		t.Fatalf("docs/runtime.md: the command after \"Try it on the example\" should run the example from the repository, with no path outside it: %q", command)
	}
	cmd := exec.Command("sh", "-c", command+" --postgres-image "+img+" --no-pull")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("%s: %v\n%s\n%s", command, err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"baseline        pass", "compat          FAIL", "the previous release still uses users.legacy_flags, removed in db/migrations/0003_display_name.up.sql:9", "verdict: fail"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

// TestDockerNotRunningSaysWhatToDo runs phasegate in a mount namespace
// where /run (and so Docker's socket) is an empty tmpfs: without
// DOCKER_HOST, the default socket phasegate looks for is not there.
// (TestUnreachableDockerHostFailsFast covers an engine named by
// DOCKER_HOST.)
func TestDockerNotRunningSaysWhatToDo(t *testing.T) {
	dir := exampleRepo(t)
	args := []string{"unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs tmpfs /run && exec "$0" "$@"`, binary, "check", "--base", "main", "--postgres-image", "local/postgres:15", "--no-pull"}
	if os.Geteuid() != 0 { // GitHub's runners: passwordless sudo
		args = append([]string{"sudo", "-n", "--preserve-env=PATH,HOME,GOPATH,GOCACHE,GOMODCACHE"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if strings.Contains(stderr.String(), "unshare:") || strings.Contains(stderr.String(), "sudo:") {
		t.Fatalf("cannot hide Docker's socket here (the test needs root, or passwordless sudo, and unshare): %s", stderr.String())
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "--database-url") || !strings.Contains(stderr.String(), "--static-only") {
		t.Fatalf("err %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
}

func TestSIGTERMCleansUp(t *testing.T) {
	img := pgtest.Need(t)
	dir := exampleRepo(t)
	cfg := filepath.Join(t.TempDir(), "slow.yml")
	os.WriteFile(cfg, []byte("migrations:\n  dir: db/migrations\ntests:\n  command: echo started; sleep 300\n"), 0o644)
	// --verbose streams the suites' output: "[baseline] started" says a
	// suite runs, which is when SIGTERM must stop it.
	cmd := exec.Command(binary, "check", "--base", "main", "--config", cfg, "--postgres-image", img, "--no-pull", "--verbose")
	cmd.Dir = dir
	var stdout syncBuffer
	stderr := &outputBuffer{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if !stderr.waitFor("] started", 2*time.Minute, exited) {
		cmd.Process.Kill()
		<-exited
		t.Fatalf("no test suite started within 2 minutes:\n%s", stderr)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatal("phasegate did not stop within 60s of SIGTERM")
	}
	if cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("exit 0 after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "cancelled") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	// The report still comes out: the static results, and why the runtime
	// check stopped.
	for _, want := range []string{"contract/drop-column: error:", "the runtime check did not finish: runtime check cancelled", "verdict: error"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left after SIGTERM:\n%s", l)
	}
	out, _ := exec.Command("git", "-C", dir, "worktree", "list").Output()
	if strings.Count(string(out), "\n") != 1 {
		t.Errorf("worktrees left:\n%s", out)
	}
}
