package fakegithub_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/gittest"
)

// gitEnv runs git in dir with extra environment variables.
func gitEnv(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// importRepo mirrors a gittest repository into a new fake as acme/shop.
func importRepo(t *testing.T, g *gittest.Repo) (*fakegithub.Server, *fakegithub.Repo, *github.Client) {
	t.Helper()
	s := fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken("t-write", fakegithub.Write)
	repo := s.AddRepo("acme", "shop")
	if err := repo.ImportGit(g.Dir); err != nil {
		t.Fatal(err)
	}
	return s, repo, newClient(t, s, "t-write")
}

// TestGitDataFlow creates a follow-up commit the way a bot does (blobs, a
// tree on a base tree, a commit, a ref) and checks every id against git.
func TestGitDataFlow(t *testing.T) {
	g := gittest.New(t)
	base := g.Commit("init", map[string]string{
		"README.md":                  "shop\n",
		"db/migrations/001_init.sql": "create table t (id int);\n",
		"docs/old.md":                "old\n",
	})
	_, repo, gh := importRepo(t, g)

	ref, _, err := gh.Git.GetRef(ctx, "acme", "shop", "heads/main")
	if err != nil {
		t.Fatal(err)
	}
	if ref.GetRef() != "refs/heads/main" || ref.GetObject().GetSHA() != base || ref.GetObject().GetType() != "commit" {
		t.Fatalf("ref %v", ref)
	}
	baseCommit, _, err := gh.Git.GetCommit(ctx, "acme", "shop", base)
	if err != nil {
		t.Fatal(err)
	}
	if baseCommit.GetTree().GetSHA() != g.Git("rev-parse", "HEAD^{tree}") || baseCommit.GetMessage() != "init\n" ||
		baseCommit.GetAuthor().GetName() != "phasegate test" || len(baseCommit.Parents) != 0 {
		t.Fatalf("base commit %v", baseCommit)
	}

	// Blobs: UTF-8 and base64 content.
	sql := "alter table t add column name text;\n"
	blob, resp, err := gh.Git.CreateBlob(ctx, "acme", "shop", &github.Blob{Content: github.String(sql), Encoding: github.String("utf-8")})
	if err != nil {
		t.Fatal(err)
	}
	binary := []byte{0, 1, 2, 0xff, '\n'}
	blob64, _, err := gh.Git.CreateBlob(ctx, "acme", "shop", &github.Blob{
		Content: github.String(base64.StdEncoding.EncodeToString(binary)), Encoding: github.String("base64")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || blob.GetSHA() != hashObject(t, g, []byte(sql)) || blob64.GetSHA() != hashObject(t, g, binary) {
		t.Fatalf("blob ids %s %s", blob.GetSHA(), blob64.GetSHA())
	}
	gotBlob, _, err := gh.Git.GetBlob(ctx, "acme", "shop", blob64.GetSHA())
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := base64.StdEncoding.DecodeString(gotBlob.GetContent()); string(dec) != string(binary) ||
		gotBlob.GetEncoding() != "base64" || gotBlob.GetSize() != len(binary) {
		t.Errorf("blob %v", gotBlob)
	}

	// A tree on the base tree: add by blob id and by content, make a file
	// executable, delete a file (sha null), add a binary file.
	tree, _, err := gh.Git.CreateTree(ctx, "acme", "shop", baseCommit.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("db/migrations/002_add_name.sql"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String("bin/run"), Mode: github.String("100755"), Type: github.String("blob"), Content: github.String("#!/bin/sh\necho run\n")},
		{Path: github.String("docs/old.md"), Mode: github.String("100644"), Type: github.String("blob")},
		{Path: github.String("data.bin"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob64.SHA},
	})
	if err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, e := range tree.Entries {
		top = append(top, e.GetPath()+":"+e.GetType())
	}
	// docs/ disappeared with its only file.
	if got := strings.Join(top, " "); got != "README.md:blob bin:tree data.bin:blob db:tree" {
		t.Errorf("new tree's entries: %s", got)
	}

	// A commit with an explicit author in another time zone.
	when := time.Date(2024, 5, 1, 14, 0, 0, 0, time.FixedZone("", 2*3600))
	author := &github.CommitAuthor{Name: github.String("Phasegate Bot"), Email: github.String("bot@phasegate.invalid"),
		Date: &github.Timestamp{Time: when}}
	cm, _, err := gh.Git.CreateCommit(ctx, "acme", "shop", &github.Commit{
		Message: github.String("Add name column\n"), Tree: &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.String(base)}}, Author: author,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cm.GetCommitter().GetName() != "Phasegate Bot" || len(cm.Parents) != 1 || cm.Parents[0].GetSHA() != base ||
		cm.GetVerification().GetReason() != "unsigned" {
		t.Errorf("commit %v", cm)
	}
	newRef, resp, err := gh.Git.CreateRef(ctx, "acme", "shop", &github.Reference{
		Ref: github.String("refs/heads/phasegate/follow-up"), Object: &github.GitObject{SHA: cm.SHA}})
	if err != nil || resp.StatusCode != 201 || newRef.GetObject().GetSHA() != cm.GetSHA() {
		t.Fatalf("create ref: %v %v", err, newRef)
	}

	// Read the tree back recursively.
	full, _, err := gh.Git.GetTree(ctx, "acme", "shop", cm.GetSHA(), true)
	if err != nil {
		t.Fatal(err)
	}

	// Export into the local repository and compare with git.
	sha, err := repo.ExportRef(g.Dir, "heads/phasegate/follow-up")
	if err != nil {
		t.Fatal(err)
	}
	if sha != cm.GetSHA() {
		t.Fatalf("exported %s, want %s", sha, cm.GetSHA())
	}
	g.Git("fsck", "--strict", "--no-dangling")
	if got := g.Git("rev-parse", "phasegate/follow-up^{tree}"); got != tree.GetSHA() || full.GetSHA() != got {
		t.Errorf("tree %s, git says %s (recursive read %s)", tree.GetSHA(), got, full.GetSHA())
	}
	var fromAPI []string
	for _, e := range full.Entries {
		fromAPI = append(fromAPI, fmt.Sprintf("%s %s %s\t%s", e.GetMode(), e.GetType(), e.GetSHA(), e.GetPath()))
		if e.GetType() == "blob" && e.Size == nil {
			t.Errorf("blob entry %s has no size", e.GetPath())
		}
	}
	if want := g.Git("ls-tree", "-r", "-t", "phasegate/follow-up"); strings.Join(fromAPI, "\n") != want {
		t.Errorf("recursive tree\n%s\ngit ls-tree -r -t:\n%s", strings.Join(fromAPI, "\n"), want)
	}

	// git computes the same commit id from the same tree, parent, author and
	// message.
	env := []string{"GIT_AUTHOR_NAME=Phasegate Bot", "GIT_AUTHOR_EMAIL=bot@phasegate.invalid",
		"GIT_AUTHOR_DATE=1714564800 +0200", "GIT_COMMITTER_NAME=Phasegate Bot",
		"GIT_COMMITTER_EMAIL=bot@phasegate.invalid", "GIT_COMMITTER_DATE=1714564800 +0200"}
	if got := gitEnv(t, g.Dir, env, "commit-tree", tree.GetSHA(), "-p", base, "-m", "Add name column"); got != cm.GetSHA() {
		t.Errorf("git commit-tree gives %s, the fake %s", got, cm.GetSHA())
	}

	// What the bot created checks out.
	g.Git("checkout", "-q", "phasegate/follow-up")
	for p, want := range map[string]string{"db/migrations/002_add_name.sql": sql, "bin/run": "#!/bin/sh\necho run\n", "data.bin": string(binary)} {
		b, err := os.ReadFile(filepath.Join(g.Dir, p))
		if err != nil || string(b) != want {
			t.Errorf("%s: %v %q", p, err, b)
		}
	}
	if fi, err := os.Stat(filepath.Join(g.Dir, "bin/run")); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("bin/run is not executable: %v", err)
	}
	if _, err := os.Stat(filepath.Join(g.Dir, "docs/old.md")); !os.IsNotExist(err) {
		t.Errorf("docs/old.md was not deleted: %v", err)
	}
	if files := repo.Files("phasegate/follow-up"); len(files) != 5 || files["bin/run"] != "#!/bin/sh\necho run\n" {
		t.Errorf("Files: %v", files)
	}
}

func hashObject(t *testing.T, g *gittest.Repo, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return g.Git("hash-object", p)
}

// TestTreeOrder checks git's ordering rule (a tree sorts as if its name
// ended in "/") against git write-tree.
func TestTreeOrder(t *testing.T) {
	files := map[string]string{"a-b": "1", "a.b": "2", "a/x": "3", "a0": "4", "a/b/c": "5", "b": "6"}
	g := gittest.New(t)
	g.Commit("files", files)
	_, _, gh := importRepo(t, g)
	var entries []*github.TreeEntry
	for _, p := range []string{"a0", "a/x", "b", "a.b", "a/b/c", "a-b"} {
		entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"),
			Type: github.String("blob"), Content: github.String(files[p])})
	}
	tree, _, err := gh.Git.CreateTree(ctx, "acme", "shop", "", entries)
	if err != nil {
		t.Fatal(err)
	}
	if want := g.Git("rev-parse", "HEAD^{tree}"); tree.GetSHA() != want {
		t.Errorf("tree %s, git %s", tree.GetSHA(), want)
	}
}

func TestRefs(t *testing.T) {
	_, repo, gh := setup(t)
	main, _ := repo.Ref("heads/main")
	second := repo.Commit("main", "second", map[string]string{"b": "b\n"})
	side := repo.Commit("side", "side", map[string]string{"c": "c\n"}) // branches from main's tip

	create := func(name, sha string) error {
		_, _, err := gh.Git.CreateRef(ctx, "acme", "shop", &github.Reference{Ref: github.String(name), Object: &github.GitObject{SHA: github.String(sha)}})
		return err
	}
	if err := create("refs/heads/feature", main); err != nil {
		t.Fatal(err)
	}
	if er := errorResponse(t, create("refs/heads/feature", main), 422); er.Message != "Reference already exists" {
		t.Errorf("duplicate: %q", er.Message)
	}
	if er := errorResponse(t, create("refs/heads/other", strings.Repeat("1", 40)), 422); er.Message != "Object does not exist" {
		t.Errorf("missing object: %q", er.Message)
	}
	if er := errorResponse(t, create("refs/heads/bad..name", main), 422); er.Message != "refs/heads/bad..name is not a valid ref name." {
		t.Errorf("bad name: %q", er.Message)
	}
	if er := errorResponse(t, create("refs/heads/feature/x", main), 422); er.Message != "Reference update failed" {
		t.Errorf("clash with refs/heads/feature: %q", er.Message)
	}
	if err := create("refs/tags/v1.0.0", main); err != nil {
		t.Fatal(err)
	}

	update := func(sha string, force bool) (*github.Reference, error) {
		r, _, err := gh.Git.UpdateRef(ctx, "acme", "shop", &github.Reference{Ref: github.String("refs/heads/feature"),
			Object: &github.GitObject{SHA: github.String(sha)}}, force)
		return r, err
	}
	if r, err := update(second, false); err != nil || r.GetObject().GetSHA() != second { // fast-forward
		t.Fatalf("fast-forward: %v %v", err, r)
	}
	_, err := update(main, false)
	if er := errorResponse(t, err, 422); er.Message != "Update is not a fast forward" {
		t.Errorf("non-fast-forward: %q", er.Message)
	}
	if r, err := update(main, true); err != nil || r.GetObject().GetSHA() != main {
		t.Fatalf("forced: %v %v", err, r)
	}
	_, _, err = gh.Git.UpdateRef(ctx, "acme", "shop", &github.Reference{Ref: github.String("refs/heads/nope"),
		Object: &github.GitObject{SHA: github.String(main)}}, false)
	if er := errorResponse(t, err, 422); er.Message != "Reference does not exist" {
		t.Errorf("update missing: %q", er.Message)
	}

	refs, _, err := gh.Git.ListMatchingRefs(ctx, "acme", "shop", &github.ReferenceListOptions{Ref: "heads"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.GetRef()+"="+r.GetObject().GetSHA()[:7])
	}
	if got, want := strings.Join(names, " "), fmt.Sprintf("refs/heads/feature=%.7s refs/heads/main=%.7s refs/heads/side=%.7s", main, second, side); got != want {
		t.Errorf("matching refs %s, want %s", got, want)
	}
	refs, _, err = gh.Git.ListMatchingRefs(ctx, "acme", "shop", &github.ReferenceListOptions{Ref: "heads/fea"})
	if err != nil || len(refs) != 1 {
		t.Errorf("prefix match: %v %v", err, refs)
	}
	refs, _, err = gh.Git.ListMatchingRefs(ctx, "acme", "shop", &github.ReferenceListOptions{Ref: "heads/zzz"})
	if err != nil || refs == nil || len(refs) != 0 {
		t.Errorf("no match: %v %v", err, refs)
	}
	tag, _, err := gh.Git.GetRef(ctx, "acme", "shop", "tags/v1.0.0")
	if err != nil || tag.GetObject().GetSHA() != main {
		t.Errorf("tag ref: %v %v", err, tag)
	}
	_, _, err = gh.Git.GetRef(ctx, "acme", "shop", "heads") // not a full ref name
	errorResponse(t, err, 404)

	if resp, err := gh.Git.DeleteRef(ctx, "acme", "shop", "heads/feature"); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete: %v", err)
	}
	_, err = gh.Git.DeleteRef(ctx, "acme", "shop", "heads/feature")
	if er := errorResponse(t, err, 422); er.Message != "Reference does not exist" {
		t.Errorf("delete again: %q", er.Message)
	}
	if _, ok := repo.Ref("heads/feature"); ok {
		t.Error("deleted ref is still there")
	}
}

func TestGitValidation(t *testing.T) {
	_, repo, gh := setup(t)
	main, _ := repo.Ref("heads/main")
	info, _ := repo.CommitInfo("main")
	entry := func(path string, sha *string) []*github.TreeEntry {
		return []*github.TreeEntry{{Path: github.String(path), Mode: github.String("100644"), Type: github.String("blob"), SHA: sha}}
	}
	_, _, err := gh.Git.CreateTree(ctx, "acme", "shop", main, entry("x", github.String(info.Tree))) // base_tree is a commit
	if er := errorResponse(t, err, 422); er.Message != "base_tree is not a valid tree oid" {
		t.Errorf("commit as base_tree: %q", er.Message)
	}
	_, _, err = gh.Git.CreateTree(ctx, "acme", "shop", info.Tree, entry("x", github.String(strings.Repeat("a", 40))))
	errorResponse(t, err, 422)
	_, _, err = gh.Git.CreateTree(ctx, "acme", "shop", info.Tree, entry("missing.txt", nil)) // delete what is not there
	errorResponse(t, err, 422)
	_, _, err = gh.Git.CreateTree(ctx, "acme", "shop", info.Tree, []*github.TreeEntry{{Path: github.String("x"),
		Mode: github.String("100644"), Type: github.String("blob"), SHA: github.String(main), Content: github.String("x")}})
	errorResponse(t, err, 422)

	_, _, err = gh.Git.CreateCommit(ctx, "acme", "shop", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String(main)}}, nil)
	if er := errorResponse(t, err, 422); er.Message != "Tree SHA does not exist" {
		t.Errorf("bad tree: %q", er.Message)
	}
	_, _, err = gh.Git.CreateCommit(ctx, "acme", "shop", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String(info.Tree)},
		Parents: []*github.Commit{{SHA: github.String(info.Tree)}}}, nil)
	if er := errorResponse(t, err, 422); er.Message != "Parent SHA does not exist or is not a commit object" {
		t.Errorf("bad parent: %q", er.Message)
	}

	// Without author, the commit is the token's user's, now.
	cm, _, err := gh.Git.CreateCommit(ctx, "acme", "shop", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String(info.Tree)},
		Parents: []*github.Commit{{SHA: github.String(main)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cm.GetAuthor().GetName() != fakegithub.DefaultLogin || !strings.HasSuffix(cm.GetAuthor().GetEmail(), "@users.noreply.github.com") ||
		cm.GetCommitter().GetEmail() != cm.GetAuthor().GetEmail() {
		t.Errorf("default author: %v", cm)
	}
	_, _, err = gh.Git.GetCommit(ctx, "acme", "shop", info.Tree) // a tree, not a commit
	errorResponse(t, err, 404)
	_, _, err = gh.Git.GetTree(ctx, "acme", "shop", strings.Repeat("0", 40), false)
	errorResponse(t, err, 404)
}

func TestImportExportRoundTrip(t *testing.T) {
	g := gittest.New(t)
	g.Commit("init", map[string]string{"README.md": "shop\n", "db/001.sql": "create table a ();\n"})
	g.Git("tag", "v0.9")
	g.Git("checkout", "-q", "-b", "feature/x")
	g.Commit("feature", map[string]string{"db/002.sql": "create table b ();\n", "bin/tool": "#!/bin/sh\n"})
	if err := os.Chmod(filepath.Join(g.Dir, "bin/tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	g.Commit("executable", nil)
	g.Git("checkout", "-q", "main")
	g.Commit("main change", map[string]string{"README.md": "shop!\n"})
	g.Git("merge", "-q", "--no-ff", "-m", "merge feature", "feature/x")
	if err := os.Symlink("README.md", filepath.Join(g.Dir, "link")); err != nil {
		t.Fatal(err)
	}
	g.Commit("symlink", nil)
	g.Git("tag", "-a", "-m", "Release 1.0.0", "v1.0.0")
	g.Git("tag", "-a", "-m", "Release 1.10.0", "v1.10.0", "HEAD~1")

	_, repo, gh := importRepo(t, g)

	// Every ref and object is there, with git's ids.
	want := map[string]string{}
	for _, line := range strings.Split(g.Git("for-each-ref", "--format=%(objectname) %(refname)"), "\n") {
		sha, name, _ := strings.Cut(line, " ")
		want[name] = sha
	}
	if got := repo.Refs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refs\n got %v\nwant %v", got, want)
	}
	for _, line := range strings.Split(g.Git("rev-list", "--objects", "--all"), "\n") {
		sha, _, _ := strings.Cut(line, " ")
		typ, _, ok := repo.Object(sha)
		if !ok || typ != g.Git("cat-file", "-t", sha) {
			t.Errorf("object %s: %q %v", sha, typ, ok)
		}
	}

	// Annotated tags through the API.
	ref, _, err := gh.Git.GetRef(ctx, "acme", "shop", "tags/v1.0.0")
	if err != nil || ref.GetObject().GetType() != "tag" {
		t.Fatalf("tag ref: %v %v", err, ref)
	}
	tag, _, err := gh.Git.GetTag(ctx, "acme", "shop", ref.GetObject().GetSHA())
	if err != nil || tag.GetTag() != "v1.0.0" || tag.GetMessage() != "Release 1.0.0\n" || tag.GetObject().GetSHA() != g.Git("rev-parse", "HEAD") {
		t.Errorf("tag: %v %v", err, tag)
	}
	tags, _, err := gh.Repositories.ListTags(ctx, "acme", "shop", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, tg.GetName()+"@"+tg.GetCommit().GetSHA()[:7])
	}
	wantTags := fmt.Sprintf("v1.10.0@%.7s v1.0.0@%.7s v0.9@%.7s", g.Git("rev-parse", "HEAD~1"), g.Git("rev-parse", "HEAD"), g.Git("rev-parse", "v0.9"))
	if got := strings.Join(names, " "); got != wantTags {
		t.Errorf("tags %s, want %s", got, wantTags)
	}

	// A commit made in the fake (with Repo.Commit) has the tree git builds.
	feature := repo.Commit("feature/x", "more", map[string]string{"db/003.sql": "create table c ();\n", "db/001.sql": ""})
	g.Git("checkout", "-q", "feature/x")
	g.Write(map[string]string{"db/003.sql": "create table c ();\n", "db/001.sql": ""})
	g.Git("add", "-A")
	info, _ := repo.CommitInfo(feature)
	if got := g.Git("write-tree"); got != info.Tree {
		t.Errorf("Repo.Commit tree %s, git write-tree %s", info.Tree, got)
	}
	g.Git("reset", "-q", "--hard")
	g.Git("checkout", "-q", "main")

	// Export everything into an empty repository.
	g2 := gittest.New(t)
	for name, sha := range repo.Refs() {
		got, err := repo.ExportRef(g2.Dir, name)
		if err != nil {
			t.Fatal(err)
		}
		if got != sha || g2.Git("rev-parse", name) != sha {
			t.Errorf("%s: exported %s, want %s", name, got, sha)
		}
	}
	g2.Git("fsck", "--strict", "--no-dangling")
	objs := func(r *gittest.Repo) []string {
		l := strings.Split(r.Git("rev-list", "--objects", "--all"), "\n")
		sort.Strings(l)
		return l
	}
	// The fake's commit on feature/x is only in g2 so far.
	g.Git("fetch", "-q", g2.Dir, "refs/heads/feature/x:refs/heads/feature/x")
	wantObjs := objs(g)
	if got := objs(g2); strings.Join(got, "\n") != strings.Join(wantObjs, "\n") {
		t.Errorf("exported objects differ: %d vs %d", len(got), len(wantObjs))
	}
	if g2.Git("show", "feature/x:db/003.sql") != "create table c ();" || g2.Git("cat-file", "-p", "main:link") != "README.md" {
		t.Error("exported content differs")
	}
}

func TestContents(t *testing.T) {
	s, repo, gh := setup(t)
	repo.Commit("feature/x", "f", map[string]string{"db/001.sql": "select 1;\n", "db/002.sql": "select 2;\n"})

	file, dir, _, err := gh.Repositories.GetContents(ctx, "acme", "shop", "db/001.sql", &github.RepositoryContentGetOptions{Ref: "feature/x"})
	if err != nil || dir != nil {
		t.Fatal(err, dir)
	}
	if content, err := file.GetContent(); err != nil || content != "select 1;\n" || file.GetType() != "file" ||
		file.GetSize() != 10 || file.GetPath() != "db/001.sql" || file.GetName() != "001.sql" {
		t.Errorf("file %v: %q %v", file, content, err)
	}
	_, dir, _, err = gh.Repositories.GetContents(ctx, "acme", "shop", "db", &github.RepositoryContentGetOptions{Ref: "feature/x"})
	if err != nil || len(dir) != 2 || dir[0].GetName() != "001.sql" || dir[0].Content != nil || dir[1].GetType() != "file" {
		t.Errorf("dir: %v %v", err, dir)
	}
	_, dir, _, err = gh.Repositories.GetContents(ctx, "acme", "shop", "", nil)
	if err != nil || len(dir) != 1 || dir[0].GetName() != "README.md" {
		t.Errorf("root of main: %v %v", err, dir)
	}
	_, _, _, err = gh.Repositories.GetContents(ctx, "acme", "shop", "db", nil) // not on main
	errorResponse(t, err, 404)
	_, _, _, err = gh.Repositories.GetContents(ctx, "acme", "shop", "README.md", &github.RepositoryContentGetOptions{Ref: "nope"})
	if er := errorResponse(t, err, 404); er.Message != "No commit found for the ref nope" {
		t.Errorf("unknown ref: %q", er.Message)
	}

	rc, _, err := gh.Repositories.DownloadContents(ctx, "acme", "shop", "README.md", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "shop\n" {
		t.Errorf("download: %q", b)
	}

	// The commits endpoint, and its sha media type with a strong ETag.
	main, _ := repo.Ref("heads/main")
	rcm, _, err := gh.Repositories.GetCommit(ctx, "acme", "shop", "main", nil)
	if err != nil || rcm.GetSHA() != main || rcm.GetCommit().GetMessage() != "init\n" || rcm.GetHTMLURL() != s.URL+"/acme/shop/commit/"+main {
		t.Errorf("commit: %v %v", err, rcm)
	}
	_, _, err = gh.Repositories.GetCommit(ctx, "acme", "shop", "nope", nil)
	if er := errorResponse(t, err, 422); er.Message != "No commit found for SHA: nope" {
		t.Errorf("unknown commit: %q", er.Message)
	}
	sha, _, err := gh.Repositories.GetCommitSHA1(ctx, "acme", "shop", "main", "")
	if err != nil || sha != main {
		t.Errorf("GetCommitSHA1: %v %q", err, sha)
	}
	_, _, err = gh.Repositories.GetCommitSHA1(ctx, "acme", "shop", "main", main)
	errorResponse2(t, err, 304)
}

func TestEmptyRepository(t *testing.T) {
	s, _, _ := setup(t)
	s.AddRepo("acme", "empty")
	gh := newClient(t, s, "t-write")
	_, _, err := gh.Git.GetRef(ctx, "acme", "empty", "heads/main")
	if er := errorResponse(t, err, 409); er.Message != "Git Repository is empty." {
		t.Errorf("get ref: %q", er.Message)
	}
	_, _, err = gh.Git.CreateBlob(ctx, "acme", "empty", &github.Blob{Content: github.String("x")})
	errorResponse(t, err, 409)
	_, _, _, err = gh.Repositories.GetContents(ctx, "acme", "empty", "README.md", nil)
	if er := errorResponse(t, err, 404); er.Message != "This repository is empty." {
		t.Errorf("contents: %q", er.Message)
	}
}
