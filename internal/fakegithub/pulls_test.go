package fakegithub_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

func TestPullRequests(t *testing.T) {
	s, repo, gh := setup(t)
	clock := newClock(s)
	repo.Commit("feature", "f", map[string]string{"db/001.sql": "select 1;\n"})
	repo.Commit("other", "o", map[string]string{"o.txt": "o\n"})
	main, _ := repo.Ref("heads/main")
	repo.SetRef("heads/same", main) // no commits ahead of main

	newPR := func(head, base string) (*github.PullRequest, error) {
		pr, _, err := gh.PullRequests.Create(ctx, "acme", "shop", &github.NewPullRequest{
			Title: github.String("Title " + head), Head: github.String(head), Base: github.String(base), Body: github.String("body")})
		return pr, err
	}
	pr, err := newPR("feature", "main")
	if err != nil {
		t.Fatal(err)
	}
	feature, _ := repo.Ref("heads/feature")
	if pr.GetState() != "open" || pr.GetHead().GetRef() != "feature" || pr.GetHead().GetSHA() != feature ||
		pr.GetHead().GetLabel() != "acme:feature" || pr.GetBase().GetRef() != "main" || pr.GetBase().GetSHA() != main ||
		pr.GetBase().GetRepo().GetFullName() != "acme/shop" || pr.GetUser().GetLogin() != fakegithub.DefaultLogin ||
		pr.GetHTMLURL() != fmt.Sprintf("%s/acme/shop/pull/%d", s.URL, pr.GetNumber()) || pr.GetMerged() ||
		pr.GetCommits() != 1 || pr.GetChangedFiles() != 1 || !pr.GetMergeable() {
		t.Errorf("created %v", pr)
	}

	// Duplicates and empty pull requests are refused as on GitHub.
	_, err = newPR("acme:feature", "main")
	er := errorResponse(t, err, 422)
	if er.Message != "Validation Failed" || len(er.Errors) != 1 || er.Errors[0].Resource != "PullRequest" ||
		er.Errors[0].Code != "custom" || er.Errors[0].Message != "A pull request already exists for acme:feature." {
		t.Errorf("duplicate: %+v", er.Errors)
	}
	_, err = newPR("same", "main")
	if er := errorResponse(t, err, 422); er.Errors[0].Message != "No commits between main and same" {
		t.Errorf("no commits: %+v", er.Errors)
	}
	_, err = newPR("nope", "main")
	if er := errorResponse(t, err, 422); er.Errors[0].Field != "head" || er.Errors[0].Code != "invalid" {
		t.Errorf("missing head: %+v", er.Errors)
	}
	_, _, err = gh.PullRequests.Create(ctx, "acme", "shop", &github.NewPullRequest{Head: github.String("other"), Base: github.String("main")})
	if er := errorResponse(t, err, 422); er.Errors[0].Field != "title" || er.Errors[0].Code != "missing_field" {
		t.Errorf("missing title: %+v", er.Errors)
	}
	clock.advance(time.Minute)
	other, err := newPR("other", "main")
	if err != nil {
		t.Fatal(err)
	}

	list := func(opts *github.PullRequestListOptions) string {
		t.Helper()
		prs, _, err := gh.PullRequests.List(ctx, "acme", "shop", opts)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, p := range prs {
			ns = append(ns, fmt.Sprint(p.GetNumber()))
		}
		return strings.Join(ns, ",")
	}
	a, b := pr.GetNumber(), other.GetNumber()
	for _, c := range []struct {
		opts *github.PullRequestListOptions
		want string
	}{
		{nil, fmt.Sprintf("%d,%d", b, a)}, // newest first
		{&github.PullRequestListOptions{Direction: "asc"}, fmt.Sprintf("%d,%d", a, b)},
		{&github.PullRequestListOptions{Head: "acme:feature"}, fmt.Sprint(a)},
		{&github.PullRequestListOptions{Head: "acme:nope"}, ""},
		{&github.PullRequestListOptions{Head: "feature"}, fmt.Sprintf("%d,%d", b, a)}, // no owner: ignored
		{&github.PullRequestListOptions{Head: "someone:feature"}, ""},
		{&github.PullRequestListOptions{Base: "main"}, fmt.Sprintf("%d,%d", b, a)},
		{&github.PullRequestListOptions{Base: "other"}, ""},
		{&github.PullRequestListOptions{State: "closed"}, ""},
	} {
		if got := list(c.opts); got != c.want {
			t.Errorf("list %+v: %s, want %s", c.opts, got, c.want)
		}
	}

	// Edit title, body, state; reopening works while no other PR exists.
	edited, _, err := gh.PullRequests.Edit(ctx, "acme", "shop", a, &github.PullRequest{Title: github.String("New title"),
		Body: github.String("new body"), State: github.String("closed")})
	if err != nil || edited.GetTitle() != "New title" || edited.GetBody() != "new body" || edited.GetState() != "closed" || edited.ClosedAt == nil {
		t.Fatalf("edit: %v %v", err, edited)
	}
	if got := list(&github.PullRequestListOptions{State: "closed"}); got != fmt.Sprint(a) {
		t.Errorf("closed: %s", got)
	}
	if _, err := newPR("feature", "main"); err != nil { // the closed one does not block a new one
		t.Fatal(err)
	}
	_, _, err = gh.PullRequests.Edit(ctx, "acme", "shop", a, &github.PullRequest{State: github.String("open")})
	if er := errorResponse(t, err, 422); er.Errors[0].Message != "A pull request already exists for acme:feature." {
		t.Errorf("reopen duplicate: %+v", er.Errors)
	}
	_, _, err = gh.PullRequests.Edit(ctx, "acme", "shop", a, &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("nope")}})
	errorResponse(t, err, 422)

	// The head follows its branch; deleting the branch closes the PR.
	next := repo.Commit("other", "more", map[string]string{"o.txt": "o2\n"})
	got, _, err := gh.PullRequests.Get(ctx, "acme", "shop", b)
	if err != nil || got.GetHead().GetSHA() != next || got.GetCommits() != 2 {
		t.Errorf("head after push: %v %v", err, got.GetHead())
	}
	if _, err := gh.Git.DeleteRef(ctx, "acme", "shop", "heads/other"); err != nil {
		t.Fatal(err)
	}
	if p, _ := repo.Pull(b); p.State != "closed" || p.HeadSHA != next {
		t.Errorf("after deleting the head branch: %+v", p)
	}

	// An issue number is not a pull request.
	n := repo.AddIssue("just an issue")
	_, _, err = gh.PullRequests.Get(ctx, "acme", "shop", n)
	errorResponse(t, err, 404)
}

func TestMergeAndClose(t *testing.T) {
	_, repo, gh := setup(t)
	repo.Commit("feature", "f", map[string]string{"db/001.sql": "select 1;\n"})
	pr := repo.AddPull(fakegithub.Pull{Head: "feature", Title: "Feature", Labels: []string{"phasegate"}})
	base := repo.Commit("main", "meanwhile", map[string]string{"README.md": "changed\n"}) // main diverges
	head, _ := repo.Ref("heads/feature")

	sha := repo.MergePull(pr.Number)
	p, _ := repo.Pull(pr.Number)
	if !p.Merged || p.State != "closed" || p.MergeCommitSHA != sha || p.MergedAt.IsZero() || fmt.Sprint(p.Labels) != "[phasegate]" {
		t.Errorf("merged: %+v", p)
	}
	info, _ := repo.CommitInfo("main")
	if info.SHA != sha || fmt.Sprint(info.Parents) != fmt.Sprint([]string{base, head}) ||
		!strings.HasPrefix(info.Message, fmt.Sprintf("Merge pull request #%d from acme/feature", pr.Number)) {
		t.Errorf("merge commit %+v", info)
	}
	if files := repo.Files("main"); files["README.md"] != "changed\n" || files["db/001.sql"] != "select 1;\n" {
		t.Errorf("merged files %v", files)
	}
	got, _, err := gh.PullRequests.Get(ctx, "acme", "shop", pr.Number)
	if err != nil || !got.GetMerged() || got.GetMergeCommitSHA() != sha || got.GetState() != "closed" || got.MergedAt == nil {
		t.Errorf("API after merge: %v %v", err, got)
	}
	_, _, err = gh.PullRequests.Edit(ctx, "acme", "shop", pr.Number, &github.PullRequest{State: github.String("open")})
	errorResponse(t, err, 422)

	repo.Commit("second", "s", map[string]string{"s": "s\n"})
	pr2 := repo.AddPull(fakegithub.Pull{Head: "second", User: "alice", Draft: true})
	repo.ClosePull(pr2.Number)
	if p, _ := repo.Pull(pr2.Number); p.State != "closed" || p.Merged || p.User != "alice" || !p.Draft {
		t.Errorf("closed: %+v", p)
	}
	if ps := repo.Pulls(); len(ps) != 2 {
		t.Errorf("Pulls: %v", ps)
	}
}

func TestRequestReviewers(t *testing.T) {
	_, repo, gh := setup(t)
	repo.Commit("feature", "f", map[string]string{"f": "f\n"})
	pr := repo.AddPull(fakegithub.Pull{Head: "feature", User: "alice"})
	got, resp, err := gh.PullRequests.RequestReviewers(ctx, "acme", "shop", pr.Number, github.ReviewersRequest{
		Reviewers: []string{"bob", "carol"}, TeamReviewers: []string{"dba"}})
	if err != nil || resp.StatusCode != 201 || len(got.RequestedReviewers) != 2 || got.RequestedTeams[0].GetSlug() != "dba" {
		t.Fatalf("request: %v %v", err, got)
	}
	// Idempotent.
	if _, _, err := gh.PullRequests.RequestReviewers(ctx, "acme", "shop", pr.Number, github.ReviewersRequest{Reviewers: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := repo.Pull(pr.Number); fmt.Sprint(p.Reviewers, p.TeamReviewers) != "[bob carol] [dba]" {
		t.Errorf("reviewers %v %v", p.Reviewers, p.TeamReviewers)
	}
	rv, _, err := gh.PullRequests.ListReviewers(ctx, "acme", "shop", pr.Number, nil)
	if err != nil || len(rv.Users) != 2 || len(rv.Teams) != 1 {
		t.Errorf("list: %v %v", err, rv)
	}
	_, _, err = gh.PullRequests.RequestReviewers(ctx, "acme", "shop", pr.Number, github.ReviewersRequest{Reviewers: []string{"alice"}})
	if er := errorResponse(t, err, 422); er.Errors[0].Message != "Review cannot be requested from pull request author." {
		t.Errorf("author: %+v", er.Errors)
	}
}

func TestLabels(t *testing.T) {
	_, repo, gh := setup(t)
	repo.AddLabel("bug", "d73a4a", "Something is wrong")
	l, resp, err := gh.Issues.CreateLabel(ctx, "acme", "shop", &github.Label{Name: github.String("migration"), Color: github.String("0E8A16")})
	if err != nil || resp.StatusCode != 201 || l.GetColor() != "0e8a16" || l.GetID() == 0 {
		t.Fatalf("create: %v %v", err, l)
	}
	_, _, err = gh.Issues.CreateLabel(ctx, "acme", "shop", &github.Label{Name: github.String("Migration"), Color: github.String("000000")})
	er := errorResponse(t, err, 422)
	if er.Message != "Validation Failed" || er.Errors[0].Resource != "Label" || er.Errors[0].Code != "already_exists" || er.Errors[0].Field != "name" {
		t.Errorf("duplicate label: %+v", er)
	}
	_, _, err = gh.Issues.CreateLabel(ctx, "acme", "shop", &github.Label{Name: github.String("x"), Color: github.String("#fff")})
	if er := errorResponse(t, err, 422); er.Errors[0].Field != "color" {
		t.Errorf("bad color: %+v", er.Errors)
	}
	labels, _, err := gh.Issues.ListLabels(ctx, "acme", "shop", nil)
	if err != nil || len(labels) != 2 || labels[0].GetName() != "bug" || labels[0].GetDescription() != "Something is wrong" {
		t.Errorf("list: %v %v", err, labels)
	}

	n := repo.AddIssue("x")
	added, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "shop", n, []string{"migration", "needs-review"})
	if err != nil || len(added) != 2 {
		t.Fatalf("add: %v %v", err, added)
	}
	if _, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "shop", n, []string{"MIGRATION"}); err != nil { // idempotent
		t.Fatal(err)
	}
	onIssue, _, err := gh.Issues.ListLabelsByIssue(ctx, "acme", "shop", n, nil)
	if err != nil || len(onIssue) != 2 || onIssue[1].GetColor() != "ededed" {
		t.Errorf("issue labels: %v %v", err, onIssue)
	}
	if got := repo.IssueLabels(n); fmt.Sprint(got) != "[migration needs-review]" {
		t.Errorf("IssueLabels %v", got)
	}
	if got := repo.Labels(); len(got) != 3 {
		t.Errorf("Labels %v (needs-review was created)", got)
	}
	if _, err := gh.Issues.RemoveLabelForIssue(ctx, "acme", "shop", n, "migration"); err != nil {
		t.Fatal(err)
	}
	_, err = gh.Issues.RemoveLabelForIssue(ctx, "acme", "shop", n, "migration")
	errorResponse(t, err, 404)
}
