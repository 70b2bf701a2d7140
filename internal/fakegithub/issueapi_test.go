package fakegithub_test

import (
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

func TestIssueLifecycle(t *testing.T) {
	_, repo, gh := setup(t)
	repo.Commit("feature", "f", map[string]string{"f.sql": "select 1;\n"})
	pr := repo.AddPull(fakegithub.Pull{Head: "feature"})
	is, resp, err := gh.Issues.Create(ctx, "acme", "shop", &github.IssueRequest{Title: github.String("Dashboard"),
		Body: github.String("- [ ] a"), Labels: &[]string{"dashboard", "dashboard"}})
	if err != nil || resp.StatusCode != 201 {
		t.Fatal(err)
	}
	if is.GetUser().GetLogin() != fakegithub.DefaultLogin || is.GetBody() != "- [ ] a" || len(is.Labels) != 1 || is.IsPullRequest() {
		t.Errorf("created %v", is)
	}
	// A person ticks the box.
	repo.EditIssue(is.GetNumber(), "alice", "- [x] a")
	got, _, err := gh.Issues.Get(ctx, "acme", "shop", is.GetNumber())
	if err != nil || got.GetBody() != "- [x] a" {
		t.Fatalf("%v %v", err, got)
	}
	// Listing: by label, and pull requests too when not filtered.
	list, _, err := gh.Issues.ListByRepo(ctx, "acme", "shop", &github.IssueListByRepoOptions{Labels: []string{"dashboard"}})
	if err != nil || len(list) != 1 || list[0].GetNumber() != is.GetNumber() {
		t.Errorf("by label: %v %v", err, list)
	}
	list, _, _ = gh.Issues.ListByRepo(ctx, "acme", "shop", &github.IssueListByRepoOptions{Direction: "asc"})
	if len(list) != 2 || list[0].GetNumber() != pr.Number || !list[0].IsPullRequest() {
		t.Errorf("all: %v", list)
	}
	// Edit the body, close it: the open list no longer has it.
	if _, _, err := gh.Issues.Edit(ctx, "acme", "shop", is.GetNumber(), &github.IssueRequest{Body: github.String("- [ ] a"), State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := gh.Issues.ListByRepo(ctx, "acme", "shop", &github.IssueListByRepoOptions{Labels: []string{"dashboard"}}); len(list) != 0 {
		t.Errorf("open: %v", list)
	}
	if list, _, _ := gh.Issues.ListByRepo(ctx, "acme", "shop", &github.IssueListByRepoOptions{Labels: []string{"dashboard"}, State: "all"}); len(list) != 1 {
		t.Errorf("all states: %v", list)
	}
	if got, ok := repo.Issue(is.GetNumber()); !ok || got.State != "closed" || got.Body != "- [ ] a" || got.ClosedBy != fakegithub.DefaultLogin {
		t.Errorf("accessor: %+v", got)
	}
	_, _, err = gh.Issues.Create(ctx, "acme", "shop", &github.IssueRequest{Title: github.String(" ")})
	errorResponse(t, err, 422)
	_, _, err = gh.Issues.Edit(ctx, "acme", "shop", is.GetNumber(), &github.IssueRequest{State: github.String("gone")})
	errorResponse(t, err, 422)
}
