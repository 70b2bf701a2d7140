package fakegithub_test

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// writeCase is one write endpoint: a request, and a probe of the state it
// changes.
type writeCase struct {
	method, pattern string
	// setup prepares the repository and returns the write and a probe
	// that reports whether the write took effect.
	setup func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (write func() error, done func() bool)
}

// writeCases lists every write endpoint of the fake that phasegate uses,
// and the ones beside them.
var writeCases = []writeCase{
	{"POST", "/repos/acme/shop/git/blobs", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		const id = "8ab686eafeb1f44702738c8b0f24f2567c36da6d" // git hash-object of "Hello, World!\n"
		return func() error {
				_, _, err := gh.Git.CreateBlob(ctx, "acme", "shop", &github.Blob{Content: github.String("Hello, World!\n"), Encoding: github.String("utf-8")})
				return err
			}, func() bool {
				_, _, ok := repo.Object(id)
				return ok
			}
	}},
	{"POST", "/repos/acme/shop/git/trees", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		blob := objectID("blob", []byte("a\n"))
		raw, _ := hex.DecodeString(blob)
		tree := objectID("tree", append([]byte("100644 a.txt\x00"), raw...))
		return func() error {
				_, _, err := gh.Git.CreateTree(ctx, "acme", "shop", "", []*github.TreeEntry{{Path: github.String("a.txt"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("a\n")}})
				return err
			}, func() bool {
				_, _, ok := repo.Object(tree)
				return ok
			}
	}},
	{"POST", "/repos/acme/shop/git/commits", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		main, _ := repo.Ref("heads/main")
		info, _ := repo.CommitInfo(main)
		when := time.Unix(1_700_000_000, 0).UTC()
		id := objectID("commit", []byte(fmt.Sprintf("tree %s\nparent %s\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\nmsg\n", info.Tree, main)))
		return func() error {
				sig := &github.CommitAuthor{Name: github.String("A"), Email: github.String("a@example.com"), Date: &github.Timestamp{Time: when}}
				_, _, err := gh.Git.CreateCommit(ctx, "acme", "shop", &github.Commit{Message: github.String("msg\n"), Tree: &github.Tree{SHA: &info.Tree},
					Parents: []*github.Commit{{SHA: &main}}, Author: sig, Committer: sig}, nil)
				return err
			}, func() bool {
				_, _, ok := repo.Object(id)
				return ok
			}
	}},
	{"POST", "/repos/acme/shop/git/refs", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		main, _ := repo.Ref("heads/main")
		return func() error {
				_, _, err := gh.Git.CreateRef(ctx, "acme", "shop", &github.Reference{Ref: github.String("refs/heads/new"), Object: &github.GitObject{SHA: &main}})
				return err
			}, func() bool {
				_, ok := repo.Ref("heads/new")
				return ok
			}
	}},
	{"PATCH", "/repos/acme/shop/git/refs/heads/*", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		main, _ := repo.Ref("heads/main")
		repo.Commit("feature", "f", map[string]string{"f.txt": "f\n"})
		return func() error {
				_, _, err := gh.Git.UpdateRef(ctx, "acme", "shop", &github.Reference{Ref: github.String("refs/heads/feature"), Object: &github.GitObject{SHA: &main}}, true)
				return err
			}, func() bool {
				sha, _ := repo.Ref("heads/feature")
				return sha == main
			}
	}},
	{"DELETE", "/repos/acme/shop/git/refs/heads/*", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		repo.Commit("feature", "f", map[string]string{"f.txt": "f\n"})
		return func() error {
				_, err := gh.Git.DeleteRef(ctx, "acme", "shop", "heads/feature")
				return err
			}, func() bool {
				_, ok := repo.Ref("heads/feature")
				return !ok
			}
	}},
	{"POST", "/repos/acme/shop/pulls", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		repo.Commit("feature", "f", map[string]string{"f.txt": "f\n"})
		return func() error {
			_, _, err := gh.PullRequests.Create(ctx, "acme", "shop", &github.NewPullRequest{Title: github.String("f"), Head: github.String("feature"), Base: github.String("main")})
			return err
		}, func() bool { return len(repo.Pulls()) == 1 }
	}},
	{"PATCH", "/repos/acme/shop/pulls/*", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		repo.Commit("feature", "f", map[string]string{"f.txt": "f\n"})
		n := repo.AddPull(fakegithub.Pull{Head: "feature"}).Number
		return func() error {
				_, _, err := gh.PullRequests.Edit(ctx, "acme", "shop", n, &github.PullRequest{Body: github.String("edited")})
				return err
			}, func() bool {
				p, _ := repo.Pull(n)
				return p.Body == "edited"
			}
	}},
	{"POST", "/repos/acme/shop/pulls/*/requested_reviewers", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		repo.Commit("feature", "f", map[string]string{"f.txt": "f\n"})
		n := repo.AddPull(fakegithub.Pull{Head: "feature"}).Number
		return func() error {
				_, _, err := gh.PullRequests.RequestReviewers(ctx, "acme", "shop", n, github.ReviewersRequest{Reviewers: []string{"dba"}})
				return err
			}, func() bool {
				p, _ := repo.Pull(n)
				return len(p.Reviewers) == 1
			}
	}},
	{"POST", "/repos/acme/shop/issues/*/comments", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		n := repo.AddIssue("i")
		return func() error {
			_, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String("hi")})
			return err
		}, func() bool { return len(repo.Comments(n)) == 1 }
	}},
	{"PATCH", "/repos/acme/shop/issues/comments/*", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		n := repo.AddIssue("i")
		id := repo.AddComment(n, "alice", "hi").ID
		return func() error {
			_, _, err := gh.Issues.EditComment(ctx, "acme", "shop", id, &github.IssueComment{Body: github.String("edited")})
			return err
		}, func() bool { return repo.Comments(n)[0].Body == "edited" }
	}},
	{"DELETE", "/repos/acme/shop/issues/comments/*", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		n := repo.AddIssue("i")
		id := repo.AddComment(n, "alice", "hi").ID
		return func() error {
			_, err := gh.Issues.DeleteComment(ctx, "acme", "shop", id)
			return err
		}, func() bool { return len(repo.Comments(n)) == 0 }
	}},
	{"POST", "/repos/acme/shop/issues/*/labels", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		n := repo.AddIssue("i")
		return func() error {
			_, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "shop", n, []string{"phasegate:contract"})
			return err
		}, func() bool { return len(repo.IssueLabels(n)) == 1 }
	}},
	{"DELETE", "/repos/acme/shop/issues/*/labels/*", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		n := repo.AddIssue("i")
		if _, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "shop", n, []string{"x"}); err != nil {
			t.Fatal(err)
		}
		return func() error {
			_, err := gh.Issues.RemoveLabelForIssue(ctx, "acme", "shop", n, "x")
			return err
		}, func() bool { return len(repo.IssueLabels(n)) == 0 }
	}},
	{"POST", "/repos/acme/shop/labels", func(t *testing.T, repo *fakegithub.Repo, gh *github.Client) (func() error, func() bool) {
		return func() error {
			_, _, err := gh.Issues.CreateLabel(ctx, "acme", "shop", &github.Label{Name: github.String("x"), Color: github.String("ffffff")})
			return err
		}, func() bool { return len(repo.Labels()) == 1 }
	}},
}

// TestAppliedAndRefusedFaults injects, on each write endpoint, a 5xx that
// GitHub answered after doing the write, and one it answered without doing
// it: the client sees the same error; only the state tells them apart.
func TestAppliedAndRefusedFaults(t *testing.T) {
	for _, wc := range writeCases {
		for _, applied := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s %s applied=%v", wc.method, wc.pattern, applied), func(t *testing.T) {
				s, repo, gh := setup(t)
				write, done := wc.setup(t, repo, gh)
				fault := fakegithub.Refused(502)
				if applied {
					fault = fakegithub.AppliedButFailed(502)
				}
				s.Fault(wc.method, wc.pattern, fault)
				s.ClearRequests()
				err := write()
				errorResponse2(t, err, 502)
				if s.PendingFaults() != 0 {
					t.Fatal("the fault did not match the write")
				}
				if done() != applied {
					t.Errorf("took effect = %v, want %v", !applied, applied)
				}
				reqs := s.Requests()
				if last := reqs[0]; !last.Fault || last.Applied != applied || last.Status != 502 {
					t.Errorf("logged %+v", last)
				}
			})
		}
	}
}

func TestAppliedFaultKeepsRateLimitHeadersOnly(t *testing.T) {
	s, repo, gh := setup(t)
	n := repo.AddIssue("i")
	s.Fault("POST", "/repos/acme/shop/issues/*/comments", fakegithub.AppliedButFailed(500))
	_, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String("hi")})
	er := errorResponse2(t, err, 500)
	if h := er.Response.Header; h.Get("Location") != "" || h.Get("X-RateLimit-Remaining") == "" || er.Message != "Internal Server Error" {
		t.Errorf("answer %q, headers %v", er.Message, h)
	}
	// A write refused by the handler (a duplicate pull request, ...) is
	// not applied even under an applied fault.
	s.Fault("POST", "/repos/acme/shop/pulls", fakegithub.AppliedButFailed(502))
	_, _, err = gh.PullRequests.Create(ctx, "acme", "shop", &github.NewPullRequest{Title: github.String("x"), Head: github.String("nope"), Base: github.String("main")})
	errorResponse2(t, err, 502)
	if r := s.Requests(); r[len(r)-1].Applied || len(repo.Pulls()) != 0 {
		t.Errorf("a refused write counts as applied: %+v", r[len(r)-1])
	}
}

// TestDeletingTheHeadBranchClosesInTheDeletersName: GitHub closes a pull
// request whose head branch is deleted; closed_by is who deleted it.
func TestDeletingTheHeadBranchClosesInTheDeletersName(t *testing.T) {
	_, repo, gh := setup(t)
	repo.Commit("feature", "f", map[string]string{"f.txt": "f\n"})
	repo.Commit("other", "o", map[string]string{"o.txt": "o\n"})
	a := repo.AddPull(fakegithub.Pull{Head: "feature"}).Number
	b := repo.AddPull(fakegithub.Pull{Head: "other"}).Number
	if _, err := gh.Git.DeleteRef(ctx, "acme", "shop", "heads/feature"); err != nil {
		t.Fatal(err)
	}
	repo.ClosePull(b)
	is, _, err := gh.Issues.Get(ctx, "acme", "shop", a)
	if err != nil {
		t.Fatal(err)
	}
	if is.GetState() != "closed" || is.GetClosedBy().GetLogin() != fakegithub.DefaultLogin {
		t.Errorf("#%d: state %s, closed by %q", a, is.GetState(), is.GetClosedBy().GetLogin())
	}
	if p, _ := repo.Pull(b); p.ClosedBy != fakegithub.DefaultAuthor {
		t.Errorf("#%d closed by %q", b, p.ClosedBy)
	}
	// Reopening forgets who closed it.
	if _, _, err := gh.PullRequests.Edit(ctx, "acme", "shop", b, &github.PullRequest{State: github.String("open")}); err != nil {
		t.Fatal(err)
	}
	is, _, _ = gh.Issues.Get(ctx, "acme", "shop", b)
	if is.ClosedBy != nil {
		t.Errorf("reopened, still closed by %v", is.GetClosedBy().GetLogin())
	}
}

// objectID is git's id of an object.
func objectID(typ string, data []byte) string {
	sum := sha1.Sum(append([]byte(fmt.Sprintf("%s %d\x00", typ, len(data))), data...))
	return hex.EncodeToString(sum[:])
}

func TestClearFaults(t *testing.T) {
	s, repo, gh := setup(t)
	n := repo.AddIssue("i")
	s.Fault("POST", "/repos/acme/shop/issues/*/comments", fakegithub.Refused(502), fakegithub.Refused(502))
	s.ClearFaults()
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String("hi")}); err != nil || s.PendingFaults() != 0 {
		t.Fatalf("after ClearFaults: %v, %d pending", err, s.PendingFaults())
	}
}
