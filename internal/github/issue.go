package github

import (
	"context"
	"fmt"
	"sort"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// Issue is an issue: the follow-up bot keeps one, its contract-debt
// dashboard.
type Issue struct {
	Number int
	Title  string
	Body   string
	State  string // open or closed
	URL    string
}

func issueOf(is *gh.Issue) Issue {
	return Issue{Number: is.GetNumber(), Title: is.GetTitle(), Body: is.GetBody(), State: is.GetState(), URL: is.GetHTMLURL()}
}

// MarkedIssues lists the issues (not pull requests), open and closed, that
// carry label and whose body starts with marker, oldest first.
func (c *Client) MarkedIssues(ctx context.Context, label, marker string) ([]Issue, error) {
	var out []Issue
	err := each(ctx, func(o gh.ListOptions) ([]*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.ListByRepo(ctx, c.Owner, c.Repo, &gh.IssueListByRepoOptions{State: "all", Labels: []string{label},
			Sort: "created", Direction: "asc", ListOptions: o})
	}, func(is *gh.Issue) bool {
		if !is.IsPullRequest() && strings.HasPrefix(is.GetBody(), marker) {
			out = append(out, issueOf(is))
		}
		return true
	})
	if err != nil {
		return nil, Explain(err, "list the issues labelled "+label, "issues: read")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// GetIssue reads an issue.
func (c *Client) GetIssue(ctx context.Context, number int) (Issue, error) {
	is, _, err := c.gh.Issues.Get(ctx, c.Owner, c.Repo, number)
	if err != nil {
		return Issue{}, Explain(err, fmt.Sprintf("read issue #%d", number), "issues: read")
	}
	return issueOf(is), nil
}

// CreateMarkedIssue opens an issue whose body starts with marker, with
// label (created if missing). It is never opened twice: after an error it
// looks for an issue with the label and marker (GitHub may have opened it
// before answering 502, or a concurrent run did) and returns that one.
func (c *Client) CreateMarkedIssue(ctx context.Context, title, body, label, marker string) (Issue, error) {
	if !strings.HasPrefix(body, marker) {
		return Issue{}, fmt.Errorf("the body of issue %q does not start with its marker %s", title, marker)
	}
	var out Issue
	err := c.writeOnce(ctx, func() error {
		is, _, err := c.gh.Issues.Create(ctx, c.Owner, c.Repo, &gh.IssueRequest{Title: &title, Body: &body, Labels: &[]string{label}})
		if err == nil {
			out = issueOf(is)
		}
		return err
	}, func() (bool, error) {
		found, err := c.MarkedIssues(ctx, label, marker)
		if len(found) > 0 {
			out = found[0]
		}
		return len(found) > 0, err
	})
	return out, Explain(err, "open the issue "+title, "issues: write")
}

// EditIssue sets an issue's body and, unless state is "", its state. The
// request is repeatable: sending it twice is the same as once.
func (c *Client) EditIssue(ctx context.Context, number int, body, state string) error {
	req := &gh.IssueRequest{Body: &body}
	if state != "" {
		req.State = &state
	}
	_, _, err := c.gh.Issues.Edit(ctx, c.Owner, c.Repo, number, req)
	return Explain(err, fmt.Sprintf("update issue #%d", number), "issues: write")
}
