package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// newRepo makes a temporary repository with one commit per map of files;
// it returns the repository and the commits.
func newRepo(t *testing.T, commits ...map[string]string) (*Repo, []string) {
	t.Helper()
	dir := t.TempDir()
	gitT(t, dir, "init", "-q", "-b", "main")
	var shas []string
	for i, files := range commits {
		for p, content := range files {
			full := filepath.Join(dir, p)
			if content == "" {
				os.Remove(full)
				continue
			}
			os.MkdirAll(filepath.Dir(full), 0o755)
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		gitT(t, dir, "add", "-A")
		gitT(t, dir, "commit", "-q", "-m", "commit "+string(rune('a'+i)))
		shas = append(shas, strings.TrimSpace(gitT(t, dir, "rev-parse", "HEAD")))
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r, shas
}

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestTreeFS(t *testing.T) {
	r, shas := newRepo(t,
		map[string]string{"db/migrations/1_a.up.sql": "CREATE TABLE a ();\n", "README.md": "x"},
		map[string]string{"db/migrations/2_b.up.sql": "DROP TABLE a;\n", "db/migrations/sub/deep.sql": "SELECT 1;"},
	)
	ctx := context.Background()
	tfs, err := r.FS(ctx, shas[1])
	if err != nil {
		t.Fatal(err)
	}
	defer tfs.Close()
	if err := fstest.TestFS(tfs, "db/migrations/1_a.up.sql", "db/migrations/2_b.up.sql", "db/migrations/sub/deep.sql", "README.md"); err != nil {
		t.Fatal(err)
	}
	old, err := r.FS(ctx, shas[0])
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.ReadFile("db/migrations/2_b.up.sql"); err == nil {
		t.Error("file of a later commit is visible in the earlier one")
	}
	b, err := old.ReadFile("db/migrations/1_a.up.sql")
	if err != nil || string(b) != "CREATE TABLE a ();\n" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
}

func TestChangesAndMergeBase(t *testing.T) {
	r, shas := newRepo(t,
		map[string]string{"m/1.sql": "one", "m/2.sql": "two"},
		map[string]string{"m/2.sql": "", "m/1.sql": "uno", "m/3.sql": "three"},
	)
	ctx := context.Background()
	mb, err := r.MergeBase(ctx, shas[0], shas[1])
	if err != nil || mb != shas[0] {
		t.Fatalf("MergeBase = %s, %v", mb, err)
	}
	os.WriteFile(filepath.Join(r.Root, "m/4.sql"), []byte("four"), 0o644)
	got := map[string]Status{}
	changes, err := r.Changes(ctx, shas[0], "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		got[c.Path] = c.Status
	}
	want := map[string]Status{"m/1.sql": Modified, "m/2.sql": Deleted, "m/3.sql": Added, "m/4.sql": Added}
	for p, s := range want {
		if got[p] != s {
			t.Errorf("%s: %c, want %c (all: %v)", p, got[p], s, got)
		}
	}
	changes, _ = r.Changes(ctx, shas[0], shas[1])
	if len(changes) != 3 {
		t.Errorf("commit to commit: %v", changes)
	}
}

// Changes under given directories sees their changes, untracked files
// included, and nothing else; the directories are names, not patterns,
// and relative to the root wherever git runs.
func TestChangesUnderPaths(t *testing.T) {
	r, shas := newRepo(t,
		map[string]string{"db/m/1.sql": "one", "db/post/x.sql": "x", "app/main.go": "package main", "db/m*/odd.sql": "odd"},
		map[string]string{"db/m/1.sql": "uno", "app/main.go": "package main // changed", "db/m*/odd.sql": "odder"},
	)
	ctx := context.Background()
	os.WriteFile(filepath.Join(r.Root, "db/m/2.sql"), []byte("two"), 0o644)
	os.WriteFile(filepath.Join(r.Root, "db/post/y.sql"), []byte("y"), 0o644)
	os.WriteFile(filepath.Join(r.Root, "app/new.go"), []byte("package main"), 0o644)
	for _, c := range []struct {
		head  string
		paths []string
		want  []string
	}{
		{"", []string{"db/m", "db/post"}, []string{"A db/m/2.sql", "A db/post/y.sql", "M db/m/1.sql"}},
		{shas[1], []string{"db/m", "db/post"}, []string{"M db/m/1.sql"}},
		{"", []string{"db/m*"}, []string{"M db/m*/odd.sql"}}, // as a pattern (git's default) it would take db/m too
	} {
		head, want := c.head, c.want
		changes, err := r.Changes(ctx, shas[0], head, c.paths...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range changes {
			got = append(got, fmt.Sprintf("%c %s", c.Status, c.Path))
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("head %q: %q, want %q", head, got, want)
		}
	}
}

// TestFetchHint: the command a missing revision's error suggests fetches
// it: a remote-tracking name from its remote by its branch name (the remote
// has no branch "origin/main"), a tag as a tag.
func TestFetchHint(t *testing.T) {
	r, _ := newRepo(t, map[string]string{"a": "a"})
	gitT(t, r.Root, "remote", "add", "upstream", "https://example.invalid/upstream.git")
	sha := strings.Repeat("ab", 20)
	for rev, want := range map[string]string{
		"origin/main":                "git fetch origin main",
		"origin/feature/x":           "git fetch origin feature/x",
		"upstream/release-1":         "git fetch upstream release-1",
		"refs/remotes/origin/main":   "git fetch origin main",
		"refs/remotes/upstream/main": "git fetch upstream main",
		"refs/heads/gone":            "git fetch origin gone",
		"refs/tags/v1.0.0":           "git fetch origin tag v1.0.0",
		"feature/x":                  "git fetch origin feature/x (a branch) or git fetch origin tag feature/x (a tag)",
		"v9.9.9":                     "git fetch origin v9.9.9 (a branch) or git fetch origin tag v9.9.9 (a tag)",
		sha:                          "git fetch origin " + sha,
	} {
		_, err := r.Resolve(context.Background(), rev)
		if err == nil || !strings.HasSuffix(err.Error(), "fetch it first: "+want) {
			t.Errorf("Resolve(%q) = %v, want the hint %q", rev, err, want)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	r, _ := newRepo(t, map[string]string{"a": "a"})
	_, err := r.Resolve(context.Background(), "no-such-branch")
	if err == nil || !strings.Contains(err.Error(), `revision "no-such-branch" not found`) || !strings.Contains(err.Error(), "git fetch origin") {
		t.Errorf("err = %v", err)
	}
	// A misspelt branch is named.
	if _, err := r.Resolve(context.Background(), "mian"); err == nil || !strings.Contains(err.Error(), "did you mean main? Or check the name") {
		t.Errorf("a misspelt branch: %v", err)
	}
	outside := t.TempDir()
	var notRepo *NotRepoError
	if _, err := Open(outside); !errors.As(err, &notRepo) || err.Error() != outside+" is not inside a git repository" {
		t.Errorf("Open outside git: %v", err)
	}
	// A directory git cannot enter is not said to be outside a repository.
	missing := filepath.Join(outside, "missing")
	if _, err := Open(missing); err == nil || errors.As(err, &notRepo) || !strings.HasPrefix(err.Error(), "git cannot read the repository of "+missing+": ") {
		t.Errorf("Open of a missing directory: %v", err)
	}
	// A repository without a commit yet says so, not "fetch HEAD".
	empty := t.TempDir()
	gitT(t, empty, "init", "-q")
	er, err := OpenChange(context.Background(), empty, "main", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := er.Resolve(context.Background(), "HEAD"); err == nil || !strings.Contains(err.Error(), "no commits yet") {
		t.Errorf("HEAD of an empty repository: %v", err)
	}
}

func TestWorkTreeFiles(t *testing.T) {
	r, _ := newRepo(t, map[string]string{"m/1.sql": "one", "a b.sql": "spaced", ".gitignore": "*.log\n"})
	for p, content := range map[string]string{"m/2.sql": "two", "new dir/3 x.sql": "three", "debug.log": "ignored"} {
		os.MkdirAll(filepath.Join(r.Root, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(r.Root, p), []byte(content), 0o644)
	}
	files, untracked, err := r.WorkTreeFiles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	sort.Strings(untracked)
	if want := []string{".gitignore", "a b.sql", "m/1.sql", "m/2.sql", "new dir/3 x.sql"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	want, err := r.Untracked(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	if !reflect.DeepEqual(untracked, want) || len(want) != 2 {
		t.Errorf("untracked = %q; Untracked says %q", untracked, want)
	}
}

func TestOpenChangeKeepsTheMergeBase(t *testing.T) {
	r, shas := newRepo(t, map[string]string{"m/1.sql": "one"}, map[string]string{"m/2.sql": "two"})
	gitT(t, r.Root, "branch", "old", shas[0])
	ahead, err := OpenChange(context.Background(), filepath.Join(r.Root, "m"), "old", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if ahead.ahead.mergeBase != shas[0] || ahead.ahead.base != "old" || ahead.ahead.head != "HEAD" || ahead.ahead.headCommit != shas[1] {
		t.Errorf("OpenChange kept %+v, want HEAD's commit %s and the merge base %s of old and HEAD", ahead.ahead, shas[1], shas[0])
	}
	if c, err := ahead.Resolve(context.Background(), "HEAD"); err != nil || c != shas[1] {
		t.Errorf("Resolve(HEAD) = %s, %v; want %s", c, err, shas[1])
	}
	if c, err := ahead.Resolve(context.Background(), "old"); err != nil || c != shas[0] {
		t.Errorf("Resolve(old) = %s, %v; want %s", c, err, shas[0])
	}
	missing, err := OpenChange(context.Background(), r.Root, "nosuch", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if missing.ahead.mergeBase != "" || missing.ahead.mergeBaseErr == nil {
		t.Errorf("OpenChange kept %+v for a base that does not exist, want the failure", missing.ahead)
	}
	if _, err := missing.MergeBaseOfNames(context.Background(), "nosuch", "HEAD"); err == nil {
		t.Error("MergeBaseOfNames found a merge base with a base that does not exist")
	}
}

func TestOpenChangeWithAHeadThatDoesNotExist(t *testing.T) {
	r, _ := newRepo(t, map[string]string{"m/1.sql": "one"})
	sub := filepath.Join(r.Root, "m")
	got, err := OpenChange(context.Background(), sub, "main", "nosuch")
	if err != nil {
		t.Fatal(err)
	}
	if got.Root != r.Root || got.ahead.headCommit != "" || got.ahead.mergeBase != "" {
		t.Errorf("OpenChange(%s, main, nosuch) = %+v", sub, got)
	}
	if _, err := got.Resolve(context.Background(), "nosuch"); err == nil || !strings.Contains(err.Error(), `revision "nosuch" not found`) {
		t.Errorf("Resolve(nosuch): %v", err)
	}
	if got, err := OpenChange(context.Background(), sub, "main", "-x"); err != nil || got.Root != r.Root {
		t.Errorf("OpenChange with a head that looks like an option: %+v, %v", got, err)
	}
}
