package fakegithub_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// numbered is a file of n lines "line 1" ... "line n".
func numbered(n int, change map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		l := fmt.Sprintf("line %d", i)
		if c, ok := change[i]; ok {
			l = c
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// reviewSetup is a pull request that adds db/new.sql (5 lines) and changes
// line 10 of the 20 lines of db/old.sql.
func reviewSetup(t *testing.T) (*fakegithub.Server, *fakegithub.Repo, *github.Client, fakegithub.Pull) {
	t.Helper()
	s, repo, gh := setup(t)
	repo.Commit("main", "old", map[string]string{"db/old.sql": numbered(20, nil)})
	repo.Commit("feature", "change", map[string]string{"db/new.sql": numbered(5, nil), "db/old.sql": numbered(20, map[int]string{10: "changed"})})
	return s, repo, gh, repo.AddPull(fakegithub.Pull{Head: "feature", Title: "change"})
}

func draft(path string, start, line int, body string) *github.DraftReviewComment {
	d := &github.DraftReviewComment{Path: github.String(path), Line: github.Int(line), Side: github.String("RIGHT"), Body: github.String(body)}
	if start > 0 {
		d.StartLine, d.StartSide = github.Int(start), github.String("RIGHT")
	}
	return d
}

func TestReviewLifecycle(t *testing.T) {
	_, repo, gh, pr := reviewSetup(t)
	rv, _, err := gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{
		Body: github.String("two remarks"), Event: github.String("COMMENT"),
		Comments: []*github.DraftReviewComment{draft("db/new.sql", 2, 4, "```suggestion\nx\n```"), draft("db/old.sql", 0, 12, "near the change")}})
	if err != nil {
		t.Fatal(err)
	}
	if rv.GetState() != "COMMENTED" || rv.GetCommitID() != pr.HeadSHA || rv.GetUser().GetLogin() != fakegithub.DefaultLogin || rv.SubmittedAt == nil {
		t.Errorf("review %v", rv)
	}
	cs, _, err := gh.PullRequests.ListComments(ctx, "acme", "shop", pr.Number, nil)
	if err != nil || len(cs) != 2 {
		t.Fatalf("comments: %v %v", err, cs)
	}
	c := cs[0]
	if c.GetPullRequestReviewID() != rv.GetID() || c.GetPath() != "db/new.sql" || c.GetLine() != 4 || c.GetStartLine() != 2 ||
		c.GetOriginalLine() != 4 || c.GetCommitID() != pr.HeadSHA || c.GetSide() != "RIGHT" || !strings.Contains(c.GetDiffHunk(), "+line 4") {
		t.Errorf("comment %v", c)
	}
	if got, _, err := gh.PullRequests.ListReviewComments(ctx, "acme", "shop", pr.Number, rv.GetID(), nil); err != nil || len(got) != 2 {
		t.Errorf("the review's comments: %v %v", err, got)
	}
	if p, _, _ := gh.PullRequests.Get(ctx, "acme", "shop", pr.Number); p.GetReviewComments() != 2 {
		t.Errorf("review_comments = %d", p.GetReviewComments())
	}

	// Edit the review's body and a comment, delete the other.
	if rv, _, err = gh.PullRequests.UpdateReview(ctx, "acme", "shop", pr.Number, rv.GetID(), "one remark"); err != nil || rv.GetBody() != "one remark" {
		t.Fatalf("update review: %v %v", err, rv)
	}
	if c, _, err = gh.PullRequests.EditComment(ctx, "acme", "shop", c.GetID(), &github.PullRequestComment{Body: github.String("edited")}); err != nil || c.GetBody() != "edited" {
		t.Fatalf("edit comment: %v %v", err, c)
	}
	if _, err := gh.PullRequests.DeleteComment(ctx, "acme", "shop", cs[1].GetID()); err != nil {
		t.Fatal(err)
	}
	_, err = gh.PullRequests.DeleteComment(ctx, "acme", "shop", cs[1].GetID())
	errorResponse(t, err, 404)
	got := repo.ReviewComments(pr.Number)
	if len(got) != 1 || got[0].Body != "edited" || got[0].Outdated || len(repo.Reviews(pr.Number)) != 1 || repo.Reviews(pr.Number)[0].Body != "one remark" {
		t.Errorf("accessors: %+v %+v", got, repo.Reviews(pr.Number))
	}
	// A submitted review is not deleted.
	_, _, err = gh.PullRequests.DeletePendingReview(ctx, "acme", "shop", pr.Number, rv.GetID())
	errorResponse(t, err, 422)

	// A single comment is a review of its own; a reply too.
	single, _, err := gh.PullRequests.CreateComment(ctx, "acme", "shop", pr.Number, &github.PullRequestComment{
		Body: github.String("alone"), CommitID: github.String(pr.HeadSHA), Path: github.String("db/new.sql"), Line: github.Int(1), Side: github.String("RIGHT")})
	if err != nil || single.GetLine() != 1 {
		t.Fatalf("single comment: %v %v", err, single)
	}
	reply, _, err := gh.PullRequests.CreateCommentInReplyTo(ctx, "acme", "shop", pr.Number, "agreed", single.GetID())
	if err != nil || reply.GetInReplyTo() != single.GetID() || reply.GetLine() != 1 || reply.GetPath() != "db/new.sql" {
		t.Fatalf("reply: %v %v", err, reply)
	}
	if n := len(repo.Reviews(pr.Number)); n != 3 {
		t.Errorf("%d reviews, want 3", n)
	}
}

// TestReviewCommentsStayOnTheDiff: GitHub refuses a comment on a line the
// pull request's diff does not show, and the other malformed ones.
func TestReviewCommentsStayOnTheDiff(t *testing.T) {
	_, repo, gh, pr := reviewSetup(t)
	for _, tc := range []struct {
		name string
		c    *github.DraftReviewComment
		want string
	}{
		{"a line far from the change", draft("db/old.sql", 0, 2, "x"), "must be part of the diff"},
		{"the last context line after the change", draft("db/old.sql", 0, 13, "x"), ""},
		{"the first line past the context", draft("db/old.sql", 0, 14, "x"), "must be part of the diff"},
		{"the first context line before it", draft("db/old.sql", 0, 7, "x"), ""},
		{"the line before the context", draft("db/old.sql", 0, 6, "x"), "must be part of the diff"},
		{"a file the pull request does not change", draft("README.md", 0, 1, "x"), "Path could not be resolved"},
		{"past the end of the file", draft("db/new.sql", 0, 6, "x"), "must be part of the diff"},
		{"start after line", draft("db/new.sql", 4, 2, "x"), "must precede"},
		{"blank body", draft("db/new.sql", 0, 1, " "), "Body can't be blank"},
		{"the deprecated position", &github.DraftReviewComment{Path: github.String("db/new.sql"), Position: github.Int(1), Body: github.String("x")}, "not the deprecated position"},
	} {
		_, _, err := gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{
			Event: github.String("COMMENT"), Comments: []*github.DraftReviewComment{tc.c}})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		er := errorResponse(t, err, 422)
		if len(er.Errors) != 1 || !strings.Contains(er.Errors[0].Message, tc.want) {
			t.Errorf("%s: %+v", tc.name, er.Errors)
		}
	}
	// Events: a bot may not approve its own pull request; a review with
	// nothing to say is refused.
	own := repo.AddPull(fakegithub.Pull{Head: "feature", User: fakegithub.DefaultLogin})
	_, _, err := gh.PullRequests.CreateReview(ctx, "acme", "shop", own.Number, &github.PullRequestReviewRequest{Event: github.String("APPROVE")})
	if er := errorResponse(t, err, 422); !strings.Contains(er.Errors[0].Message, "Can not approve your own pull request") {
		t.Errorf("own approval: %+v", er.Errors)
	}
	_, _, err = gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{Event: github.String("COMMENT")})
	errorResponse(t, err, 422)
	_, _, err = gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{CommitID: github.String(strings.Repeat("f", 40)), Event: github.String("COMMENT"), Body: github.String("x")})
	errorResponse(t, err, 422)
	if n := len(repo.ReviewComments(pr.Number)); n != 2 {
		t.Errorf("%d comments made, want the two valid", n)
	}
}

// TestPendingReview: a pending review is its author's alone until it is
// submitted; it may be deleted, with its comments.
func TestPendingReview(t *testing.T) {
	s, repo, gh, pr := reviewSetup(t)
	s.AddTokenAs("t-alice", "alice", fakegithub.Write)
	alice := newClient(t, s, "t-alice")
	rv, _, err := gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{
		Comments: []*github.DraftReviewComment{draft("db/new.sql", 0, 1, "draft")}})
	if err != nil || rv.GetState() != "PENDING" || rv.SubmittedAt != nil {
		t.Fatalf("%v %v", err, rv)
	}
	if rs, _, _ := alice.PullRequests.ListReviews(ctx, "acme", "shop", pr.Number, nil); len(rs) != 0 {
		t.Errorf("alice sees %v", rs)
	}
	if cs, _, _ := alice.PullRequests.ListComments(ctx, "acme", "shop", pr.Number, nil); len(cs) != 0 {
		t.Errorf("alice sees %v", cs)
	}
	_, _, err = gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{Body: github.String("again")})
	errorResponse(t, err, 422)
	if _, _, err := gh.PullRequests.DeletePendingReview(ctx, "acme", "shop", pr.Number, rv.GetID()); err != nil {
		t.Fatal(err)
	}
	if len(repo.Reviews(pr.Number))+len(repo.ReviewComments(pr.Number)) != 0 {
		t.Error("the pending review or its comment survived its deletion")
	}
	rv, _, _ = gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{
		Comments: []*github.DraftReviewComment{draft("db/new.sql", 0, 1, "draft")}})
	rv, _, err = gh.PullRequests.SubmitReview(ctx, "acme", "shop", pr.Number, rv.GetID(), &github.PullRequestReviewRequest{Event: github.String("COMMENT")})
	if err != nil || rv.GetState() != "COMMENTED" {
		t.Fatalf("submit: %v %v", err, rv)
	}
	if cs, _, _ := alice.PullRequests.ListComments(ctx, "acme", "shop", pr.Number, nil); len(cs) != 1 {
		t.Errorf("after submitting, alice sees %d comments", len(cs))
	}
}

// TestReviewCommentsGoOutdated: a push that changes a comment's lines
// makes it outdated (line null); one on lines the push left alone stays
// current, on the new head.
func TestReviewCommentsGoOutdated(t *testing.T) {
	_, repo, gh, pr := reviewSetup(t)
	_, _, err := gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{
		Event:    github.String("COMMENT"),
		Comments: []*github.DraftReviewComment{draft("db/new.sql", 1, 2, "top"), draft("db/new.sql", 0, 5, "bottom")}})
	if err != nil {
		t.Fatal(err)
	}
	head := repo.Commit("feature", "apply", map[string]string{"db/new.sql": numbered(5, map[int]string{2: "line two"})})
	cs, _, err := gh.PullRequests.ListComments(ctx, "acme", "shop", pr.Number, nil)
	if err != nil || len(cs) != 2 {
		t.Fatal(err)
	}
	if cs[0].Line != nil || cs[0].StartLine != nil || cs[0].Position != nil || cs[0].GetOriginalLine() != 2 || cs[0].GetOriginalStartLine() != 1 {
		t.Errorf("the changed comment is not outdated: %v", cs[0])
	}
	if cs[1].GetLine() != 5 || cs[1].GetCommitID() != head || cs[1].GetOriginalCommitID() != pr.HeadSHA {
		t.Errorf("the unchanged comment: %v", cs[1])
	}
	got := repo.ReviewComments(pr.Number)
	if !got[0].Outdated || got[1].Outdated {
		t.Errorf("accessor: %+v", got)
	}
}

// TestReviewAppliedBehindA502: GitHub can file the review and answer 502.
func TestReviewAppliedBehindA502(t *testing.T) {
	s, repo, gh, pr := reviewSetup(t)
	s.Fault("POST", "/repos/acme/shop/pulls/{n}/reviews", fakegithub.AppliedButFailed(502))
	_, _, err := gh.PullRequests.CreateReview(ctx, "acme", "shop", pr.Number, &github.PullRequestReviewRequest{
		Event: github.String("COMMENT"), Comments: []*github.DraftReviewComment{draft("db/new.sql", 0, 1, "x")}})
	if er, ok := err.(*github.ErrorResponse); !ok || er.Response.StatusCode != 502 {
		t.Errorf("err = %v", err)
	}
	if len(repo.Reviews(pr.Number)) != 1 || len(repo.ReviewComments(pr.Number)) != 1 {
		t.Error("the review was not filed")
	}
}
