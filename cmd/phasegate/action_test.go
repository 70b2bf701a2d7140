package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// actionEnv is the environment GitHub Actions gives a step, for a
// pull_request event on the example repository, against a fake GitHub.
type actionEnv struct {
	dir, output, summary, temp string
	vars                       []string
}

func newActionEnv(t *testing.T, s *fakegithub.Server, repoDir string, pr int, token, headRepo string, run int) actionEnv {
	t.Helper()
	tmp := t.TempDir()
	e := actionEnv{dir: repoDir, output: filepath.Join(tmp, "output"), summary: filepath.Join(tmp, "summary"), temp: filepath.Join(tmp, "runner")}
	os.MkdirAll(e.temp, 0o755)
	os.WriteFile(e.output, nil, 0o644)
	os.WriteFile(e.summary, nil, 0o644)
	sha := func(rev string) string {
		out, err := exec.Command("git", "-C", repoDir, "rev-parse", rev).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	event := map[string]any{"pull_request": map[string]any{
		"number": pr,
		"base":   map[string]any{"sha": sha("main"), "ref": "main", "repo": map[string]any{"full_name": "acme/shop"}},
		"head":   map[string]any{"sha": sha("feature"), "ref": "feature", "repo": map[string]any{"full_name": headRepo}},
	}}
	b, _ := json.Marshal(event)
	eventPath := filepath.Join(tmp, "event.json")
	os.WriteFile(eventPath, b, 0o644)
	e.vars = []string{
		"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH=" + eventPath,
		"GITHUB_REPOSITORY=acme/shop", "GITHUB_API_URL=" + s.URL, "GITHUB_SERVER_URL=https://github.com",
		"GITHUB_OUTPUT=" + e.output, "GITHUB_STEP_SUMMARY=" + e.summary, "RUNNER_TEMP=" + e.temp,
		fmt.Sprintf("GITHUB_RUN_ID=%d", run), "GITHUB_RUN_ATTEMPT=1", "INPUT_TOKEN=" + token, "GITHUB_TOKEN=",
	}
	return e
}

// examplePR builds the example repository, imports it into a new fake
// GitHub (closed when the test ends) that knows one token with perm, and
// opens the pull request of its feature branch.
func examplePR(t *testing.T, token string, perm fakegithub.Permission) (dir string, s *fakegithub.Server, repo *fakegithub.Repo, pr int) {
	t.Helper()
	dir = exampleRepo(t)
	s = fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken(token, perm)
	repo = s.AddRepo("acme", "shop")
	if err := repo.ImportGit(dir); err != nil {
		t.Fatal(err)
	}
	pr = repo.AddPull(fakegithub.Pull{Head: "feature", Base: "main", Title: "Show display names"}).Number
	return dir, s, repo, pr
}

func read(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestActionEndToEnd runs the built binary as action.yml runs it: in the
// example repository, with a real database, the files GitHub Actions
// provides, and a fake GitHub for the comment.
func TestActionEndToEnd(t *testing.T) {
	img := testImage(t)
	dir, s, repo, pr := examplePR(t, "t-write", fakegithub.Write)
	e := newActionEnv(t, s, dir, pr, "t-write", "acme/shop", 1)

	r := phasegate(t, dir, e.vars, "check", "--postgres-image", img, "--no-pull", "--sarif", filepath.Join(e.temp, "phasegate.sarif"))
	if r.code != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"::error col=1,file=db/migrations/0003_display_name.up.sql,line=9,title=phasegate drop-column::drops column users.legacy_flags",
		"::error col=1,file=db/migrations/0003_display_name.up.sql,line=5,title=phasegate create-index-non-concurrently::",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no annotation %q in:\n%s", want, r.stdout)
		}
	}
	outputs := read(t, e.output)
	for _, want := range []string{"result<<", "fail", "contract<<", "report<<", filepath.Join(e.temp, "phasegate-report.json")} {
		if !strings.Contains(outputs, want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, outputs)
		}
	}
	if sum := read(t, e.summary); !strings.Contains(sum, "the previous release breaks against the new schema") || strings.Contains(sum, "<!-- phasegate:comment -->") {
		t.Errorf("job summary:\n%s", sum)
	}
	if rep := read(t, filepath.Join(e.temp, "phasegate-report.json")); !strings.Contains(rep, `"object": "users.legacy_flags"`) || strings.Contains(rep, "t-write") {
		t.Errorf("JSON report lacks the implicated column or holds the token")
	}
	if _, err := os.Stat(filepath.Join(e.temp, "phasegate.sarif")); err != nil {
		t.Error(err)
	}
	comments := repo.Comments(pr)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "it still uses") || !strings.Contains(comments[0].Body, "users.legacy_flags") {
		t.Fatalf("comments: %+v", comments)
	}
	// The only place the token may appear is the command that masks it.
	if strings.Contains(strings.Replace(r.stdout, "::add-mask::t-write", "", 1)+r.stderr, "t-write") {
		t.Error("the token appears in the output")
	}

	// A second run (the next push) updates the comment in place.
	e2 := newActionEnv(t, s, dir, pr, "t-write", "acme/shop", 2)
	r = phasegate(t, dir, e2.vars, "check", "--static-only")
	if n := len(repo.Comments(pr)); n != 1 || r.code != 1 {
		t.Fatalf("after a rerun: %d comments, exit %d\n%s", n, r.code, r.stderr)
	}
	if body := repo.Comments(pr)[0].Body; strings.Contains(body, "Runtime check") {
		t.Error("the comment was not updated by the static-only rerun")
	}
}

// TestActionFromAFork: the token is read-only; the check still reports
// through the summary and the JSON report, and does not fail for the
// comment it cannot write.
func TestActionFromAFork(t *testing.T) {
	dir := exampleRepo(t)
	s := fakegithub.New()
	defer s.Close()
	s.AddToken("t-read", fakegithub.Read)
	repo := s.AddRepo("acme", "shop")
	if err := repo.ImportGit(dir); err != nil {
		t.Fatal(err)
	}
	pr := repo.AddPull(fakegithub.Pull{Head: "feature", Base: "main", Title: "From a fork"}).Number
	e := newActionEnv(t, s, dir, pr, "t-read", "someone/shop", 1)
	r := phasegate(t, dir, e.vars, "check", "--static-only")
	if r.code != 1 || !strings.Contains(r.stdout, "::notice::phasegate: pull request #1 comes from a fork") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if len(repo.Comments(pr)) != 0 {
		t.Error("commented from a fork")
	}
	if !strings.Contains(read(t, e.summary), "statements must wait") && !strings.Contains(read(t, e.summary), "statement must wait") {
		t.Errorf("summary:\n%s", read(t, e.summary))
	}
	// The workflow_run side posts the report with a write token.
	s.AddToken("t-write", fakegithub.Write)
	r = phasegate(t, dir, []string{"GITHUB_API_URL=" + s.URL, "GITHUB_TOKEN=t-write", "GITHUB_ACTIONS=", "INPUT_TOKEN="}, "comment", "--report", filepath.Join(e.temp, "phasegate-report.json"))
	if r.code != 0 || len(repo.Comments(pr)) != 1 {
		t.Fatalf("comment: exit %d, %d comments\n%s", r.code, len(repo.Comments(pr)), r.stderr)
	}
}

// TestActionReadOnlyTokenDoesNotFail: a token without pull-requests:
// write on a same-repository pull request gives a warning, not a failure.
func TestActionReadOnlyTokenDoesNotFail(t *testing.T) {
	dir := exampleRepo(t)
	s := fakegithub.New()
	defer s.Close()
	s.AddToken("t-read", fakegithub.Read)
	repo := s.AddRepo("acme", "shop")
	repo.ImportGit(dir)
	pr := repo.AddPull(fakegithub.Pull{Head: "feature", Base: "main", Title: "x"}).Number
	e := newActionEnv(t, s, dir, pr, "t-read", "acme/shop", 1)
	r := phasegate(t, dir, e.vars, "check", "--static-only", "--fail-on", "never")
	if r.code != 0 || !strings.Contains(r.stdout, "::warning::phasegate:") || !strings.Contains(r.stdout, "pull-requests: write") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
