package fakegithub

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Repo is a repository of the fake server. Its methods are accessors for
// tests: they set up state (Commit, AddPull, AddRelease, ...) and read it
// back (Comments, Pull, Ref, File, ...), and are safe to call while requests
// are being served.
type Repo struct {
	s             *Server
	id            int64
	owner         *user
	name          string
	defaultBranch string
	createdAt     time.Time
	pushedAt      time.Time

	objects map[string]object // git objects by id
	refs    map[string]string // full ref name ("refs/heads/main") → id

	nextNumber int            // the number of the last issue or pull request
	issues     map[int]*issue // issues and pull requests by number
	comments   []*comment     // in id order
	// reviews and reviewComments of pull requests, in id order.
	reviews        []*review
	reviewComments []*reviewComment
	labels         []*label // in creation order
	releases       []*release
	deployments    []*deployment
}

func newRepo(s *Server, id int64, owner *user, name string) *Repo {
	return &Repo{
		s: s, id: id, owner: owner, name: name, defaultBranch: "main",
		objects: map[string]object{},
		refs:    map[string]string{},
		issues:  map[int]*issue{},
	}
}

// Owner returns the login of the repository's owner.
func (r *Repo) Owner() string { return r.owner.login }

// Name returns the repository's name.
func (r *Repo) Name() string { return r.name }

// FullName returns "owner/name".
func (r *Repo) FullName() string { return r.owner.login + "/" + r.name }

// DefaultBranch returns the default branch ("main" unless changed).
func (r *Repo) DefaultBranch() string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.defaultBranch
}

// SetDefaultBranch changes the default branch.
func (r *Repo) SetDefaultBranch(branch string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.defaultBranch = branch
}

// path is the repository's path in URLs, "/repos/owner/name".
func (r *Repo) path() string { return "/repos/" + r.owner.login + "/" + r.name }

// htmlPath is the path of its web page, "/owner/name".
func (r *Repo) htmlPath() string { return "/" + r.owner.login + "/" + r.name }

// repoJSON is GitHub's full repository object (the fields a client is
// likely to read).
type repoJSON struct {
	ID               int64           `json:"id"`
	NodeID           string          `json:"node_id"`
	Name             string          `json:"name"`
	FullName         string          `json:"full_name"`
	Private          bool            `json:"private"`
	Owner            *userJSON       `json:"owner"`
	HTMLURL          string          `json:"html_url"`
	Description      *string         `json:"description"`
	Fork             bool            `json:"fork"`
	URL              string          `json:"url"`
	BranchesURL      string          `json:"branches_url"`
	CommentsURL      string          `json:"comments_url"`
	CommitsURL       string          `json:"commits_url"`
	ContentsURL      string          `json:"contents_url"`
	DeploymentsURL   string          `json:"deployments_url"`
	GitCommitsURL    string          `json:"git_commits_url"`
	GitRefsURL       string          `json:"git_refs_url"`
	GitTagsURL       string          `json:"git_tags_url"`
	IssueCommentURL  string          `json:"issue_comment_url"`
	IssuesURL        string          `json:"issues_url"`
	LabelsURL        string          `json:"labels_url"`
	PullsURL         string          `json:"pulls_url"`
	ReleasesURL      string          `json:"releases_url"`
	TagsURL          string          `json:"tags_url"`
	TreesURL         string          `json:"trees_url"`
	CreatedAt        ts              `json:"created_at"`
	UpdatedAt        ts              `json:"updated_at"`
	PushedAt         ts              `json:"pushed_at"`
	GitURL           string          `json:"git_url"`
	SSHURL           string          `json:"ssh_url"`
	CloneURL         string          `json:"clone_url"`
	Size             int             `json:"size"`
	Archived         bool            `json:"archived"`
	Disabled         bool            `json:"disabled"`
	OpenIssuesCount  int             `json:"open_issues_count"`
	OpenIssues       int             `json:"open_issues"`
	Visibility       string          `json:"visibility"`
	DefaultBranch    string          `json:"default_branch"`
	AllowMergeCommit bool            `json:"allow_merge_commit"`
	AllowSquashMerge bool            `json:"allow_squash_merge"`
	AllowRebaseMerge bool            `json:"allow_rebase_merge"`
	Permissions      map[string]bool `json:"permissions"`
}

func handleGetRepo(c *call) { c.json(http.StatusOK, c.repoJSON(c.repo)) }

func (c *call) repoJSON(r *Repo) repoJSON {
	api := c.api(r.path())
	open := 0
	for _, is := range r.issues {
		if is.state == "open" {
			open++
		}
	}
	push := c.tok.perm >= Write
	pushed := r.pushedAt
	if pushed.IsZero() {
		pushed = r.createdAt
	}
	return repoJSON{
		ID:               r.id,
		NodeID:           nodeID("Repository", r.id),
		Name:             r.name,
		FullName:         r.FullName(),
		Private:          true,
		Owner:            c.userJSON(r.owner),
		HTMLURL:          c.html(r.htmlPath()),
		Fork:             false,
		URL:              api,
		BranchesURL:      api + "/branches{/branch}",
		CommentsURL:      api + "/comments{/number}",
		CommitsURL:       api + "/commits{/sha}",
		ContentsURL:      api + "/contents/{+path}",
		DeploymentsURL:   api + "/deployments",
		GitCommitsURL:    api + "/git/commits{/sha}",
		GitRefsURL:       api + "/git/refs{/sha}",
		GitTagsURL:       api + "/git/tags{/sha}",
		IssueCommentURL:  api + "/issues/comments{/number}",
		IssuesURL:        api + "/issues{/number}",
		LabelsURL:        api + "/labels{/name}",
		PullsURL:         api + "/pulls{/number}",
		ReleasesURL:      api + "/releases{/id}",
		TagsURL:          api + "/tags",
		TreesURL:         api + "/git/trees{/sha}",
		CreatedAt:        timestamp(r.createdAt),
		UpdatedAt:        timestamp(pushed),
		PushedAt:         timestamp(pushed),
		GitURL:           "git://" + strings.TrimPrefix(strings.TrimPrefix(c.s.URL, "http://"), "https://") + r.htmlPath() + ".git",
		SSHURL:           fmt.Sprintf("git@%s:%s.git", strings.TrimPrefix(strings.TrimPrefix(c.s.URL, "http://"), "https://"), r.FullName()),
		CloneURL:         c.html(r.htmlPath() + ".git"),
		OpenIssuesCount:  open,
		OpenIssues:       open,
		Visibility:       "private",
		DefaultBranch:    r.defaultBranch,
		AllowMergeCommit: true,
		AllowSquashMerge: true,
		AllowRebaseMerge: true,
		Permissions: map[string]bool{
			"admin": false, "maintain": false, "push": push, "triage": push, "pull": true,
		},
	}
}
