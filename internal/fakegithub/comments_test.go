package fakegithub_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

func TestCommentPagination(t *testing.T) {
	s, repo, gh := setup(t)
	n := repo.AddIssue("many comments")
	const total = 75
	for i := 0; i < total; i++ {
		repo.AddComment(n, "alice", fmt.Sprint("comment ", i))
	}

	// The client follows NextPage through the default page size of 30.
	var all []*github.IssueComment
	opts := &github.IssueListCommentsOptions{}
	var pages []string
	for {
		cs, resp, err := gh.Issues.ListComments(ctx, "acme", "shop", n, opts)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
		pages = append(pages, fmt.Sprintf("%d:%d/%d/%d/%d/%d", len(cs), resp.PrevPage, resp.NextPage, resp.FirstPage, resp.LastPage, opts.Page))
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	// len:prev/next/first/last/page requested
	if got := strings.Join(pages, " "); got != "30:0/2/0/3/0 30:1/3/1/3/2 15:2/0/1/0/3" {
		t.Errorf("pages %s", got)
	}
	if len(all) != total {
		t.Fatalf("%d comments, want %d", len(all), total)
	}
	for i, c := range all {
		if c.GetBody() != fmt.Sprint("comment ", i) || (i > 0 && c.GetID() <= all[i-1].GetID()) {
			t.Fatalf("comment %d: %v", i, c)
		}
	}

	// The Link header is in GitHub's format.
	_, resp, err := gh.Issues.ListComments(ctx, "acme", "shop", n, &github.IssueListCommentsOptions{
		ListOptions: github.ListOptions{Page: 2, PerPage: 20}})
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("%s/repos/acme/shop/issues/%d/comments", s.URL, n)
	want := fmt.Sprintf(`<%[1]s?per_page=20&page=1>; rel="prev", <%[1]s?per_page=20&page=3>; rel="next", `+
		`<%[1]s?per_page=20&page=4>; rel="last", <%[1]s?per_page=20&page=1>; rel="first"`, u)
	if got := resp.Header.Get("Link"); got != want {
		t.Errorf("Link\n got %s\nwant %s", got, want)
	}

	// per_page is capped at 100; a page past the end is empty.
	cs, resp, err := gh.Issues.ListComments(ctx, "acme", "shop", n, &github.IssueListCommentsOptions{
		ListOptions: github.ListOptions{PerPage: 500}})
	if err != nil || len(cs) != total || resp.Header.Get("Link") != "" {
		t.Errorf("per_page=500: %v, %d comments, Link %q", err, len(cs), resp.Header.Get("Link"))
	}
	cs, _, err = gh.Issues.ListComments(ctx, "acme", "shop", n, &github.IssueListCommentsOptions{
		ListOptions: github.ListOptions{Page: 9}})
	if err != nil || cs == nil || len(cs) != 0 {
		t.Errorf("page 9: %v %v", err, cs)
	}
}

func TestCommentLifecycle(t *testing.T) {
	s, repo, gh := setup(t)
	clock := newClock(s)
	repo.Commit("feature", "f", map[string]string{"f.sql": "select 1;\n"})
	pr := repo.AddPull(fakegithub.Pull{Head: "feature"})

	c, resp, err := gh.Issues.CreateComment(ctx, "acme", "shop", pr.Number, &github.IssueComment{Body: github.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || resp.Header.Get("Location") != c.GetURL() {
		t.Errorf("create: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	wantHTML := fmt.Sprintf("%s/acme/shop/pull/%d#issuecomment-%d", s.URL, pr.Number, c.GetID())
	if c.GetUser().GetLogin() != fakegithub.DefaultLogin || c.GetUser().GetType() != "Bot" || c.GetHTMLURL() != wantHTML ||
		c.GetIssueURL() != fmt.Sprintf("%s/repos/acme/shop/issues/%d", s.URL, pr.Number) ||
		!c.GetCreatedAt().Time.Equal(clock.now()) || c.GetNodeID() == "" {
		t.Errorf("created comment %v", c)
	}

	clock.advance(time.Minute)
	edited, _, err := gh.Issues.EditComment(ctx, "acme", "shop", c.GetID(), &github.IssueComment{Body: github.String("edited")})
	if err != nil {
		t.Fatal(err)
	}
	if edited.GetBody() != "edited" || !edited.GetUpdatedAt().Time.Equal(clock.now()) || !edited.GetCreatedAt().Equal(c.GetCreatedAt()) {
		t.Errorf("edited comment %v", edited)
	}
	got, _, err := gh.Issues.GetComment(ctx, "acme", "shop", c.GetID())
	if err != nil || got.GetBody() != "edited" {
		t.Errorf("get: %v %v", err, got)
	}
	if cs := repo.Comments(pr.Number); len(cs) != 1 || cs[0].Body != "edited" || cs[0].ID != c.GetID() {
		t.Errorf("accessor: %v", cs)
	}

	// A comment of another repository is not found through this one.
	other := s.AddRepo("acme", "other")
	other.Commit("main", "init", map[string]string{"x": "x"})
	on := other.AddIssue("x")
	oc := other.AddComment(on, "bob", "elsewhere")
	_, _, err = gh.Issues.GetComment(ctx, "acme", "shop", oc.ID)
	errorResponse(t, err, 404)

	// since filters by update time.
	clock.advance(time.Minute)
	repo.AddComment(pr.Number, "alice", "later")
	since := clock.now()
	cs, _, err := gh.Issues.ListComments(ctx, "acme", "shop", pr.Number, &github.IssueListCommentsOptions{Since: &since})
	if err != nil || len(cs) != 1 || cs[0].GetBody() != "later" {
		t.Errorf("since: %v %v", err, cs)
	}

	if resp, err := gh.Issues.DeleteComment(ctx, "acme", "shop", c.GetID()); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete: %v", err)
	}
	_, err = gh.Issues.DeleteComment(ctx, "acme", "shop", c.GetID())
	errorResponse(t, err, 404)
	if cs := repo.Comments(pr.Number); len(cs) != 1 || cs[0].Body != "later" {
		t.Errorf("after delete: %v", cs)
	}

	// The repository-wide list.
	all, _, err := gh.Issues.ListComments(ctx, "acme", "shop", 0, &github.IssueListCommentsOptions{
		Direction: github.String("desc"), Sort: github.String("created")})
	if err != nil || len(all) != 1 || all[0].GetBody() != "later" {
		t.Errorf("repository comments: %v %v", err, all)
	}

	// The issue itself.
	is, _, err := gh.Issues.Get(ctx, "acme", "shop", pr.Number)
	if err != nil || !is.IsPullRequest() || is.GetComments() != 1 || is.GetState() != "open" {
		t.Errorf("issue: %v %v", err, is)
	}
}

func TestCommentValidation(t *testing.T) {
	_, repo, gh := setup(t)
	n := repo.AddIssue("bug")
	_, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String("")})
	er := errorResponse(t, err, 422)
	if er.Message != "Validation Failed" || len(er.Errors) != 1 || er.Errors[0].Resource != "IssueComment" ||
		er.Errors[0].Code != "unprocessable" || er.Errors[0].Field != "data" || er.Errors[0].Message != "Body cannot be blank" {
		t.Errorf("blank body: %+v", er)
	}
	_, _, err = gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String(strings.Repeat("é", 65537))})
	if er := errorResponse(t, err, 422); !strings.Contains(er.Errors[0].Message, "too long") {
		t.Errorf("long body: %+v", er)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String(strings.Repeat("é", 65536))}); err != nil {
		t.Errorf("body at the limit: %v", err)
	}
	_, _, err = gh.Issues.CreateComment(ctx, "acme", "shop", 999, &github.IssueComment{Body: github.String("x")})
	errorResponse(t, err, 404)
}

// upsertComment is the pattern a bot uses to keep one comment per pull
// request: find its own comment by a marker, update it, or create it.
func upsertComment(gh *github.Client, number int, body string) error {
	const marker = "<!-- phasegate -->"
	opts := &github.IssueListCommentsOptions{}
	for {
		cs, resp, err := gh.Issues.ListComments(ctx, "acme", "shop", number, opts)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if strings.HasPrefix(c.GetBody(), marker) {
				_, _, err := gh.Issues.EditComment(ctx, "acme", "shop", c.GetID(), &github.IssueComment{Body: github.String(marker + body)})
				return err
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	_, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", number, &github.IssueComment{Body: github.String(marker + body)})
	return err
}

func TestUpdateNotDuplicate(t *testing.T) {
	_, repo, gh := setup(t)
	n := repo.AddIssue("pr")
	for i := 0; i < 40; i++ { // push the bot's comment past the first page
		repo.AddComment(n, "alice", "noise")
	}
	for _, body := range []string{"run 1", "run 2", "run 2"} {
		if err := upsertComment(gh, n, body); err != nil {
			t.Fatal(err)
		}
	}
	var mine []fakegithub.Comment
	for _, c := range repo.Comments(n) {
		if c.User == fakegithub.DefaultLogin {
			mine = append(mine, c)
		}
	}
	if len(mine) != 1 || mine[0].Body != "<!-- phasegate -->run 2" {
		t.Errorf("bot comments: %v", mine)
	}
}
