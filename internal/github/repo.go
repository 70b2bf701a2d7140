package github

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// The follow-up bot's calls: refs, trees and commits of the Git Data API,
// pull requests, labels, reviewers, releases and deployments. They return
// phasegate's own small types, so go-github stays inside this package.

// TreeEntry is a file of a commit's tree.
type TreeEntry struct {
	Path string
	Mode string
	SHA  string // blob id
}

// BranchHead returns the commit a branch points at ("" if none).
func (c *Client) BranchHead(ctx context.Context, branch string) (string, error) {
	ref, resp, err := c.gh.Git.GetRef(ctx, c.Owner, c.Repo, "heads/"+branch)
	if resp != nil && resp.StatusCode == 404 {
		return "", nil
	}
	if err != nil {
		return "", Explain(err, "read branch "+branch, "contents: read")
	}
	return ref.GetObject().GetSHA(), nil
}

// Commit is a commit's tree, parents and author.
type Commit struct {
	SHA, Tree string
	Parents   []string
	// AuthorName and AuthorEmail say who made it: BotEmail for the
	// follow-up bot's commits.
	AuthorName, AuthorEmail string
}

// BotEmail is the author email of the commits phasegate makes.
const BotEmail = "phasegate@users.noreply.github.com"

// GetCommit reads a commit.
func (c *Client) GetCommit(ctx context.Context, sha string) (Commit, error) {
	cm, _, err := c.gh.Git.GetCommit(ctx, c.Owner, c.Repo, sha)
	if err != nil {
		return Commit{}, Explain(err, "read commit "+short(sha), "contents: read")
	}
	out := Commit{SHA: cm.GetSHA(), Tree: cm.GetTree().GetSHA(), AuthorName: cm.GetAuthor().GetName(), AuthorEmail: cm.GetAuthor().GetEmail()}
	for _, p := range cm.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	return out, nil
}

// Files lists the files (blobs) of a tree, recursively.
func (c *Client) Files(ctx context.Context, tree string) ([]TreeEntry, error) {
	t, _, err := c.gh.Git.GetTree(ctx, c.Owner, c.Repo, tree, true)
	if err != nil {
		return nil, Explain(err, "read tree "+short(tree), "contents: read")
	}
	if t.GetTruncated() {
		return nil, fmt.Errorf("the repository's tree is too large for one API call (GitHub truncated it)")
	}
	var out []TreeEntry
	for _, e := range t.Entries {
		if e.GetType() == "blob" {
			out = append(out, TreeEntry{Path: e.GetPath(), Mode: e.GetMode(), SHA: e.GetSHA()})
		}
	}
	return out, nil
}

// Blob reads a blob's content.
func (c *Client) Blob(ctx context.Context, sha string) ([]byte, error) {
	b, _, err := c.gh.Git.GetBlobRaw(ctx, c.Owner, c.Repo, sha)
	if err != nil {
		return nil, Explain(err, "read blob "+short(sha), "contents: read")
	}
	return b, nil
}

// Move is a tree change: a file at Path with blob SHA, or deleted when
// SHA is "". A file written anew carries its Content too (SHA is then its
// git blob name, BlobSHA): it is sent as content, and compared by SHA.
type Move struct {
	Path, SHA, Mode string
	Content         []byte
}

// BlobSHA is the name git gives a blob of content.
func BlobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// CommitChanges creates a commit on top of parent with the changes applied
// to parent's tree; it returns the new commit. Both requests are
// repeatable: git objects are named by their content.
func (c *Client) CommitChanges(ctx context.Context, parent Commit, changes []Move, message string) (string, error) {
	ctx = repeatable(ctx)
	var entries []*gh.TreeEntry
	for _, m := range changes {
		e := &gh.TreeEntry{Path: gh.String(m.Path), Mode: gh.String(orDefault(m.Mode, "100644")), Type: gh.String("blob")}
		switch {
		case m.Content != nil:
			e.Content = gh.String(string(m.Content))
		case m.SHA != "":
			e.SHA = gh.String(m.SHA)
		}
		entries = append(entries, e)
	}
	tree, _, err := c.gh.Git.CreateTree(ctx, c.Owner, c.Repo, parent.Tree, entries)
	if err != nil {
		return "", Explain(err, "create a tree", "contents: write")
	}
	now := time.Now()
	commit, _, err := c.gh.Git.CreateCommit(ctx, c.Owner, c.Repo, &gh.Commit{
		Message: gh.String(message),
		Tree:    &gh.Tree{SHA: tree.SHA},
		Parents: []*gh.Commit{{SHA: gh.String(parent.SHA)}},
		Author:  &gh.CommitAuthor{Name: gh.String("phasegate"), Email: gh.String(BotEmail), Date: &gh.Timestamp{Time: now}},
	}, nil)
	if err != nil {
		return "", Explain(err, "create a commit", "contents: write")
	}
	return commit.GetSHA(), nil
}

// SetBranch points branch at commit, creating it or moving it (forced: the
// bot owns its branches). A branch already there is left alone. Creating
// a branch is not repeatable (the second answer is "Reference already
// exists"), so after a failure it looks whether the branch points at
// commit.
func (c *Client) SetBranch(ctx context.Context, branch, commit string) error {
	head, err := c.BranchHead(ctx, branch)
	if err != nil || head == commit {
		return err
	}
	ref := &gh.Reference{Ref: gh.String("refs/heads/" + branch), Object: &gh.GitObject{SHA: gh.String(commit)}}
	if head == "" {
		err := c.writeOnce(ctx, func() error {
			_, _, err := c.gh.Git.CreateRef(ctx, c.Owner, c.Repo, ref)
			return err
		}, func() (bool, error) {
			head, err := c.BranchHead(ctx, branch)
			return head == commit, err
		})
		return Explain(err, "create branch "+branch, "contents: write")
	}
	_, _, err = c.gh.Git.UpdateRef(ctx, c.Owner, c.Repo, ref, true)
	return Explain(err, "update branch "+branch, "contents: write")
}

// Pull is a pull request.
type Pull struct {
	Number  int
	State   string // open or closed
	Merged  bool
	URL     string
	HeadSHA string
	Body    string
	Author  string // login of who opened it
	Labels  []string
	// Opened and Closed are when it was opened and closed (zero while
	// open).
	Opened, Closed time.Time
}

func pullOf(p *gh.PullRequest) Pull {
	out := Pull{Number: p.GetNumber(), State: p.GetState(), Merged: p.GetMerged() || p.MergedAt != nil,
		URL: p.GetHTMLURL(), HeadSHA: p.GetHead().GetSHA(), Body: p.GetBody(), Author: p.GetUser().GetLogin(),
		Opened: p.GetCreatedAt().Time, Closed: p.GetClosedAt().Time}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out
}

// PullsForBranch lists the pull requests (open and closed) whose head is
// branch of this repository, newest first.
func (c *Client) PullsForBranch(ctx context.Context, branch string) ([]Pull, error) {
	var out []Pull
	err := each(ctx, func(o gh.ListOptions) ([]*gh.PullRequest, *gh.Response, error) {
		return c.gh.PullRequests.List(ctx, c.Owner, c.Repo, &gh.PullRequestListOptions{State: "all", Head: c.Owner + ":" + branch, ListOptions: o})
	}, func(p *gh.PullRequest) bool {
		out = append(out, pullOf(p))
		return true
	})
	return out, Explain(err, "list pull requests of "+branch, "pull-requests: read")
}

// PullCommits returns how many commits a pull request has: those of its
// head that its base branch does not have.
func (c *Client) PullCommits(ctx context.Context, number int) (int, error) {
	p, _, err := c.gh.PullRequests.Get(ctx, c.Owner, c.Repo, number)
	if err != nil {
		return 0, Explain(err, fmt.Sprintf("read pull request #%d", number), "pull-requests: read")
	}
	return p.GetCommits(), nil
}

// ClosedBy returns the login of who closed an issue or pull request ("" if
// GitHub does not say). For a pull request closed because its head branch
// was deleted, it is who deleted the branch.
func (c *Client) ClosedBy(ctx context.Context, number int) (string, error) {
	is, _, err := c.gh.Issues.Get(ctx, c.Owner, c.Repo, number)
	if err != nil {
		return "", Explain(err, fmt.Sprintf("read pull request #%d", number), "pull-requests: read")
	}
	return is.GetClosedBy().GetLogin(), nil
}

// OpenPull opens a pull request from branch into base. If GitHub answers
// an error but the pull request is there (it opened it before answering
// 502, or a concurrent run did: "A pull request already exists"), that
// pull request is returned: it is never opened twice.
func (c *Client) OpenPull(ctx context.Context, branch, base, title, body string) (Pull, error) {
	var out Pull
	err := c.writeOnce(ctx, func() error {
		p, _, err := c.gh.PullRequests.Create(ctx, c.Owner, c.Repo, &gh.NewPullRequest{Title: &title, Head: &branch, Base: &base, Body: &body})
		if err == nil {
			out = pullOf(p)
		}
		return err
	}, func() (bool, error) {
		pulls, err := c.PullsForBranch(ctx, branch)
		for _, p := range pulls {
			if p.State == "open" {
				out = p
				return true, nil
			}
		}
		return false, err
	})
	if err != nil {
		return Pull{}, Explain(err, "open the pull request for "+branch, "pull-requests: write")
	}
	return out, nil
}

// EditPull updates a pull request's title and body.
func (c *Client) EditPull(ctx context.Context, number int, title, body string) error {
	_, _, err := c.gh.PullRequests.Edit(ctx, c.Owner, c.Repo, number, &gh.PullRequest{Title: &title, Body: &body})
	return Explain(err, fmt.Sprintf("update pull request #%d", number), "pull-requests: write")
}

// Label adds labels to an issue or pull request, creating missing labels.
func (c *Client) Label(ctx context.Context, number int, labels []string) error {
	if len(labels) == 0 {
		return nil
	}
	_, _, err := c.gh.Issues.AddLabelsToIssue(repeatable(ctx), c.Owner, c.Repo, number, labels)
	return Explain(err, fmt.Sprintf("label pull request #%d", number), "pull-requests: write (and issues: write to create labels)")
}

// RequestReviewers asks users and teams to review a pull request.
func (c *Client) RequestReviewers(ctx context.Context, number int, users, teams []string) error {
	if len(users)+len(teams) == 0 {
		return nil
	}
	_, _, err := c.gh.PullRequests.RequestReviewers(repeatable(ctx), c.Owner, c.Repo, number, gh.ReviewersRequest{Reviewers: users, TeamReviewers: teams})
	return Explain(err, fmt.Sprintf("request reviewers on pull request #%d", number), "pull-requests: write")
}

// Release is a published GitHub release.
type Release struct {
	Tag       string
	Published time.Time
}

// Releases lists the published (not draft) releases.
func (c *Client) Releases(ctx context.Context) ([]Release, error) {
	var out []Release
	err := each(ctx, func(o gh.ListOptions) ([]*gh.RepositoryRelease, *gh.Response, error) {
		return c.gh.Repositories.ListReleases(ctx, c.Owner, c.Repo, &o)
	}, func(r *gh.RepositoryRelease) bool {
		if !r.GetDraft() && r.PublishedAt != nil {
			out = append(out, Release{Tag: r.GetTagName(), Published: r.GetPublishedAt().Time})
		}
		return true
	})
	return out, Explain(err, "list releases", "contents: read")
}

// Deployment is a successful deployment of a commit to an environment.
type Deployment struct {
	SHA       string
	Succeeded time.Time
}

// SuccessfulDeployments lists the deployments to env whose latest status
// is success.
func (c *Client) SuccessfulDeployments(ctx context.Context, env string) ([]Deployment, error) {
	var deps []*gh.Deployment
	err := each(ctx, func(o gh.ListOptions) ([]*gh.Deployment, *gh.Response, error) {
		return c.gh.Repositories.ListDeployments(ctx, c.Owner, c.Repo, &gh.DeploymentsListOptions{Environment: env, ListOptions: o})
	}, func(d *gh.Deployment) bool { deps = append(deps, d); return true })
	if err != nil {
		return nil, Explain(err, "list deployments to "+env, "deployments: read")
	}
	var out []Deployment
	for _, d := range deps {
		statuses, _, err := c.gh.Repositories.ListDeploymentStatuses(ctx, c.Owner, c.Repo, d.GetID(), &gh.ListOptions{PerPage: 1})
		if err != nil {
			return nil, Explain(err, "read deployment statuses", "deployments: read")
		}
		if len(statuses) > 0 && statuses[0].GetState() == "success" {
			out = append(out, Deployment{SHA: d.GetSHA(), Succeeded: statuses[0].GetCreatedAt().Time})
		}
	}
	return out, nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}
