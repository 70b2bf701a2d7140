package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/gittest"
)

// suggestionPR is a golang-migrate repository whose feature branch adds
// an index in a file of its own and a column without a lock_timeout, and
// a fake GitHub with its pull request.
func suggestionPR(t *testing.T, files map[string]string) (*gittest.Repo, *fakegithub.Server, *fakegithub.Repo, int) {
	t.Helper()
	r := gittest.New(t)
	r.Commit("users", map[string]string{"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"})
	r.Git("checkout", "-q", "-b", "feature")
	all := map[string]string{
		"db/migrations/0002_name_index.up.sql": "CREATE INDEX users_name_idx ON users (name);\n",
		"db/migrations/0003_nick.up.sql":       "-- a nickname, shown beside the name\nALTER TABLE users ADD COLUMN nick text;\n",
	}
	for k, v := range files {
		all[k] = v
	}
	r.Commit("index and nick", all)
	s := fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken("t-write", fakegithub.Write)
	repo := s.AddRepo("acme", "shop")
	if err := repo.ImportGit(r.Dir); err != nil {
		t.Fatal(err)
	}
	return r, s, repo, repo.AddPull(fakegithub.Pull{Head: "feature", Base: "main", Title: "index and nick"}).Number
}

var suggestionBlock = regexp.MustCompile("(?s)```suggestion\n(.*?)\n```")

// TestSuggestionsEndToEnd runs the built binary as the action does on a
// pull request: the fixes that rewrite lines are posted as one review of
// suggestions; a rerun changes nothing; applying the suggestions, as the
// author's click does, fixes the findings, and the next check posts no
// new review.
func TestSuggestionsEndToEnd(t *testing.T) {
	local, s, repo, pr := suggestionPR(t, nil)
	e := newActionEnv(t, s, local.Dir, pr, "t-write", "acme/shop", 1)
	res := phasegate(t, local.Dir, e.vars, "check", "--static-only")
	if res.code != 1 || !strings.Contains(res.stderr, "one-click fixes: 2 posted") {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	reviews, comments := repo.Reviews(pr), repo.ReviewComments(pr)
	if len(reviews) != 1 || !strings.HasPrefix(reviews[0].Body, github.ReviewMarker) || len(comments) != 2 {
		t.Fatalf("reviews %+v\ncomments %+v", reviews, comments)
	}
	got := map[string]string{}
	for _, c := range comments {
		m := suggestionBlock.FindStringSubmatch(c.Body)
		if m == nil {
			t.Fatalf("no suggestion block in %q", c.Body)
		}
		got[c.Path] = m[1]
		if c.CommitID != reviews[0].CommitID || c.StartLine != 0 {
			t.Errorf("comment %+v", c)
		}
	}
	want := map[string]string{
		"db/migrations/0002_name_index.up.sql": "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);",
		"db/migrations/0003_nick.up.sql":       "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: suggestion %q, want %q", p, got[p], w)
		}
	}
	if c := comments[1]; c.Path != "db/migrations/0003_nick.up.sql" || c.Line != 2 {
		t.Errorf("the lock_timeout suggestion is on %s:%d, want line 2 (after the comment)", c.Path, c.Line)
	}

	// A rerun of the same commit writes nothing to the review.
	s.ClearRequests()
	e2 := newActionEnv(t, s, local.Dir, pr, "t-write", "acme/shop", 2)
	if res := phasegate(t, local.Dir, e2.vars, "check", "--static-only"); res.code != 1 {
		t.Fatalf("rerun: exit %d\n%s", res.code, res.stderr)
	}
	for _, r := range s.Requests() {
		if r.IsWrite() && strings.Contains(r.Path, "/pulls/") {
			t.Errorf("the rerun wrote %s %s", r.Method, r.Path)
		}
	}

	// The author applies both suggestions: the lines of each comment
	// replaced by its block, one commit, pushed.
	files := map[string]string{}
	for _, c := range comments {
		content, _ := repo.File("feature", c.Path)
		lines := strings.Split(content, "\n")
		lines[c.Line-1] = suggestionBlock.FindStringSubmatch(c.Body)[1]
		files[c.Path] = strings.Join(lines, "\n")
	}
	local.Commit("Apply suggestions from code review", files)
	if err := repo.ImportGit(local.Dir); err != nil {
		t.Fatal(err)
	}
	e3 := newActionEnv(t, s, local.Dir, pr, "t-write", "acme/shop", 3)
	res = phasegate(t, local.Dir, e3.vars, "check", "--static-only", "--format", "json")
	if res.code != 0 || strings.Contains(res.stdout, `"edit"`) {
		t.Fatalf("after applying the suggestions: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if n := len(repo.Reviews(pr)); n != 1 {
		t.Errorf("%d reviews after the fixes were applied", n)
	}
	for _, c := range repo.ReviewComments(pr) {
		if !c.Outdated {
			t.Errorf("the applied suggestion is still current: %+v", c)
		}
	}
}

// TestSuggestionsOff: suggestions: false in the config posts none; the
// comment still goes.
func TestSuggestionsOff(t *testing.T) {
	local, s, repo, pr := suggestionPR(t, map[string]string{".github/phasegate.yml": "suggestions: false\n"})
	e := newActionEnv(t, s, local.Dir, pr, "t-write", "acme/shop", 1)
	res := phasegate(t, local.Dir, e.vars, "check", "--static-only")
	if res.code != 1 || len(repo.Comments(pr)) != 1 {
		t.Fatalf("exit %d, %d comments\n%s", res.code, len(repo.Comments(pr)), res.stderr)
	}
	if n := len(repo.Reviews(pr)) + len(repo.ReviewComments(pr)); n != 0 {
		t.Errorf("suggestions posted while off: %+v", repo.ReviewComments(pr))
	}
}

// TestSuggestionsBehindA502: GitHub files the review and answers 502, on
// every attempt: the check posts it once, and the rerun keeps it.
func TestSuggestionsBehindA502(t *testing.T) {
	local, s, repo, pr := suggestionPR(t, nil)
	r := fakegithub.AppliedButFailed(502)
	s.Fault("POST", "/repos/acme/shop/pulls/{n}/reviews", r, r, r, r, r)
	s.Fault("POST", "/repos/acme/shop/pulls/{n}/reviews/{id}/events", r, r, r, r, r)
	for run := 1; run <= 2; run++ {
		e := newActionEnv(t, s, local.Dir, pr, "t-write", "acme/shop", run)
		if res := phasegate(t, local.Dir, e.vars, "check", "--static-only"); res.code != 1 || strings.Contains(res.stdout, "::warning::phasegate: the one-click fixes") {
			t.Fatalf("run %d: exit %d\n%s\n%s", run, res.code, res.stdout, res.stderr)
		}
	}
	if n, m := len(repo.Reviews(pr)), len(repo.ReviewComments(pr)); n != 1 || m != 2 || repo.Reviews(pr)[0].State != "COMMENTED" {
		t.Fatalf("%d reviews, %d comments: %+v", n, m, repo.Reviews(pr))
	}
}

// TestSuggestionsFromAFork: the pull_request run of a fork cannot write;
// the workflow_run side posts the report's suggestions with the comment,
// and a second post changes nothing.
func TestSuggestionsFromAFork(t *testing.T) {
	local, s, repo, pr := suggestionPR(t, nil)
	s.AddToken("t-read", fakegithub.Read)
	e := newActionEnv(t, s, local.Dir, pr, "t-read", "someone/shop", 1)
	if res := phasegate(t, local.Dir, e.vars, "check", "--static-only"); res.code != 1 || len(repo.ReviewComments(pr)) != 0 {
		t.Fatalf("fork run: exit %d\n%s", res.code, res.stderr)
	}
	report := e.temp + "/phasegate-report.json"
	env := []string{"GITHUB_API_URL=" + s.URL, "GITHUB_TOKEN=t-write", "GITHUB_ACTIONS=", "INPUT_TOKEN="}
	for i := 1; i <= 2; i++ {
		if res := phasegate(t, local.Dir, env, "comment", "--report", report); res.code != 0 {
			t.Fatalf("comment %d: exit %d\n%s", i, res.code, res.stderr)
		}
	}
	if n, m := len(repo.Reviews(pr)), len(repo.ReviewComments(pr)); n != 1 || m != 2 || len(repo.Comments(pr)) != 1 {
		t.Fatalf("%d reviews, %d suggestions, %d comments", n, m, len(repo.Comments(pr)))
	}
	if res := phasegate(t, local.Dir, env, "comment", "--report", report, "--suggestions", "maybe"); res.code != exitUsage {
		t.Errorf("--suggestions maybe: exit %d", res.code)
	}
}
