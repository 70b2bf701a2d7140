package fakegithub

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// pull holds what a pull request has beyond its issue.
type pull struct {
	head, base          string // branch names, in this repository
	headSHA             string // the head branch's tip; kept when it is deleted
	baseSHA             string // the base branch's tip when last seen
	draft               bool
	maintainerCanModify bool
	merged              bool
	mergedAt            time.Time
	mergedBy            *user
	mergeCommitSHA      string
	reviewers           []*user
	teams               []string
}

// Pull is a pull request, as returned by accessors and taken by AddPull.
type Pull struct {
	Number         int
	Title          string
	Body           string
	State          string // "open" or "closed"
	Draft          bool
	Head           string // head branch name
	Base           string // base branch name
	HeadSHA        string
	User           string // login of the author
	Merged         bool
	MergeCommitSHA string
	ClosedBy       string   // login of who closed it ("" while open)
	Labels         []string // sorted by name
	Reviewers      []string // logins of requested reviewers
	TeamReviewers  []string // slugs of requested teams
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       time.Time
	MergedAt       time.Time
}

func (r *Repo) exportPull(is *issue) Pull {
	p := is.pr
	out := Pull{Number: is.number, Title: is.title, Body: is.body, State: is.state, Draft: p.draft,
		Head: p.head, Base: p.base, HeadSHA: p.headSHA, User: is.user.login, Merged: p.merged,
		MergeCommitSHA: p.mergeCommitSHA, TeamReviewers: append([]string(nil), p.teams...),
		ClosedBy:  loginOf(is.closedBy),
		CreatedAt: is.createdAt, UpdatedAt: is.updatedAt, ClosedAt: is.closedAt, MergedAt: p.mergedAt}
	for _, l := range sortLabels(is.labels) {
		out.Labels = append(out.Labels, l.name)
	}
	for _, u := range p.reviewers {
		out.Reviewers = append(out.Reviewers, u.login)
	}
	return out
}

// AddPull opens a pull request from p.Head (a branch that must exist) into
// p.Base (default: the default branch), titled p.Title (default: the head
// branch), by p.User (default: DefaultAuthor), with p.Body, p.Draft and
// p.Labels (created if new). Other fields are ignored. Unlike the API, it
// does not refuse a duplicate or a head without new commits.
func (r *Repo) AddPull(p Pull) Pull {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	headSHA, ok := r.refs["refs/heads/"+p.Head]
	if !ok {
		panic(fmt.Sprintf("fakegithub: AddPull: %s has no branch %q", r.FullName(), p.Head))
	}
	base := orDefault(p.Base, r.defaultBranch)
	if _, ok := r.refs["refs/heads/"+base]; !ok {
		panic(fmt.Sprintf("fakegithub: AddPull: %s has no branch %q", r.FullName(), base))
	}
	is := r.newIssueLocked(orDefault(p.Title, p.Head), p.Body, r.s.userLocked(orDefault(p.User, DefaultAuthor)))
	is.pr = &pull{head: p.Head, base: base, headSHA: headSHA, baseSHA: r.refs["refs/heads/"+base],
		draft: p.Draft, maintainerCanModify: true}
	for _, name := range p.Labels {
		l := r.findLabel(name)
		if l == nil {
			l = r.addLabelLocked(name, "", "")
		}
		is.labels = append(is.labels, l)
	}
	return r.exportPull(is)
}

// Pull returns the pull request with the number.
func (r *Repo) Pull(number int) (Pull, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil || is.pr == nil {
		return Pull{}, false
	}
	return r.exportPull(is), true
}

// Pulls returns every pull request, by number.
func (r *Repo) Pulls() []Pull {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Pull
	for _, is := range r.sortedIssues() {
		if is.pr != nil {
			out = append(out, r.exportPull(is))
		}
	}
	return out
}

func (r *Repo) sortedIssues() []*issue {
	out := make([]*issue, 0, len(r.issues))
	for _, is := range r.issues {
		out = append(out, is)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].number < out[j].number })
	return out
}

func (r *Repo) pullOrPanic(number int) *issue {
	is := r.issueOrPanic(number)
	if is.pr == nil {
		panic(fmt.Sprintf("fakegithub: #%d of %s is an issue, not a pull request", number, r.FullName()))
	}
	return is
}

// ClosePull closes a pull request without merging it, as a user
// (DefaultAuthor) would.
func (r *Repo) ClosePull(number int) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.pullOrPanic(number)
	if is.state == "open" {
		r.closeLocked(is, r.s.userLocked(DefaultAuthor))
	}
}

// closeLocked closes an issue or pull request; by is who closed it (the
// issue's closed_by).
func (r *Repo) closeLocked(is *issue, by *user) {
	now := r.s.clock()
	is.state, is.closedAt, is.updatedAt, is.closedBy = "closed", now, now, by
}

// MergePull merges an open pull request as GitHub's merge button does: a
// merge commit on the base branch, with the base's tip and the head as
// parents, "Merge pull request #N from owner/branch" as message. Files are
// merged path by path against the merge base; a path changed differently on
// both sides panics (a conflict). It returns the merge commit's id.
func (r *Repo) MergePull(number int) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.pullOrPanic(number)
	if is.state != "open" {
		panic(fmt.Sprintf("fakegithub: MergePull: #%d is closed", number))
	}
	p := is.pr
	baseTip := r.refs["refs/heads/"+p.base]
	tree, err := r.mergeTrees(baseTip, p.headSHA)
	if err != nil {
		panic(fmt.Sprintf("fakegithub: MergePull #%d: %v", number, err))
	}
	sig := signature{Name: "GitHub", Email: "noreply@github.com", When: r.s.clock()}
	msg := fmt.Sprintf("Merge pull request #%d from %s/%s\n\n%s", number, r.owner.login, p.head, is.title)
	sha := r.put(typeCommit, encodeCommit(commit{tree: tree, parents: []string{baseTip, p.headSHA},
		author: sig, committer: sig, message: msg}))
	r.setRefLocked("refs/heads/"+p.base, sha)
	p.mergedBy = r.s.userLocked(DefaultAuthor)
	r.closeLocked(is, p.mergedBy)
	p.merged, p.mergedAt, p.mergeCommitSHA = true, is.closedAt, sha
	return sha
}

// mergeBase returns a best common ancestor of two commits.
func (r *Repo) mergeBase(a, b string) string {
	ancestors := map[string]bool{}
	queue := []string{a}
	for len(queue) > 0 {
		sha := queue[0]
		queue = queue[1:]
		if ancestors[sha] {
			continue
		}
		ancestors[sha] = true
		if c, ok := r.commitObj(sha); ok {
			queue = append(queue, c.parents...)
		}
	}
	seen := map[string]bool{}
	queue = []string{b}
	for len(queue) > 0 {
		sha := queue[0]
		queue = queue[1:]
		if ancestors[sha] {
			return sha
		}
		if seen[sha] {
			continue
		}
		seen[sha] = true
		if c, ok := r.commitObj(sha); ok {
			queue = append(queue, c.parents...)
		}
	}
	return ""
}

// flatten lists the files under a commit's tree: path → entry.
func (r *Repo) flatten(commitSHA string) map[string]treeEntry {
	files := map[string]treeEntry{}
	if c, ok := r.commitObj(commitSHA); ok {
		r.walkTree(c.tree, "", true, func(p string, e treeEntry) {
			if e.mode != modeTree {
				files[p] = e
			}
		})
	}
	return files
}

// mergeTrees merges two commits file by file and returns the merged tree.
func (r *Repo) mergeTrees(ours, theirs string) (string, error) {
	base := r.flatten(r.mergeBase(ours, theirs))
	a, b := r.flatten(ours), r.flatten(theirs)
	paths := map[string]bool{}
	for _, m := range []map[string]treeEntry{base, a, b} {
		for p := range m {
			paths[p] = true
		}
	}
	var edits []treeEdit
	for _, p := range sortedKeys(paths) {
		o, x, y := base[p], a[p], b[p]
		var res treeEntry
		switch {
		case x == y:
			res = x
		case x == o:
			res = y
		case y == o:
			res = x
		default:
			return "", fmt.Errorf("conflict in %s", p)
		}
		if res.sha != "" {
			edits = append(edits, treeEdit{path: p, mode: res.mode, sha: res.sha})
		}
	}
	return r.editTree("", edits)
}

// branchMovedLocked updates the pull requests whose head or base is the
// branch after it moved.
func (r *Repo) branchMovedLocked(branch string) {
	sha := r.refs["refs/heads/"+branch]
	for _, is := range r.issues {
		p := is.pr
		if p == nil || is.state != "open" {
			continue
		}
		if p.head == branch && p.headSHA != sha {
			p.headSHA = sha
			is.updatedAt = r.s.clock()
		}
		if p.base == branch {
			p.baseSHA = sha
		}
	}
}

// branchDeletedLocked closes the open pull requests whose head or base was
// the deleted branch, as GitHub does; by deleted it, and so closed them.
func (r *Repo) branchDeletedLocked(branch string, by *user) {
	for _, is := range r.issues {
		if p := is.pr; p != nil && is.state == "open" && (p.head == branch || p.base == branch) {
			r.closeLocked(is, by)
		}
	}
}

type branchJSON struct {
	Label string    `json:"label"`
	Ref   string    `json:"ref"`
	SHA   string    `json:"sha"`
	User  *userJSON `json:"user"`
	Repo  repoJSON  `json:"repo"`
}

type teamJSON struct {
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	HTMLURL     string  `json:"html_url"`
	Name        string  `json:"name"`
	Slug        string  `json:"slug"`
	Description *string `json:"description"`
	Privacy     string  `json:"privacy"`
	Permission  string  `json:"permission"`
}

type pullJSON struct {
	URL                string            `json:"url"`
	ID                 int64             `json:"id"`
	NodeID             string            `json:"node_id"`
	HTMLURL            string            `json:"html_url"`
	DiffURL            string            `json:"diff_url"`
	PatchURL           string            `json:"patch_url"`
	IssueURL           string            `json:"issue_url"`
	CommitsURL         string            `json:"commits_url"`
	ReviewCommentsURL  string            `json:"review_comments_url"`
	ReviewCommentURL   string            `json:"review_comment_url"`
	CommentsURL        string            `json:"comments_url"`
	StatusesURL        string            `json:"statuses_url"`
	Number             int               `json:"number"`
	State              string            `json:"state"`
	Locked             bool              `json:"locked"`
	Title              string            `json:"title"`
	User               *userJSON         `json:"user"`
	Body               *string           `json:"body"`
	Labels             []labelJSON       `json:"labels"`
	Milestone          *json0            `json:"milestone"`
	ActiveLockReason   *string           `json:"active_lock_reason"`
	CreatedAt          ts                `json:"created_at"`
	UpdatedAt          ts                `json:"updated_at"`
	ClosedAt           ts                `json:"closed_at"`
	MergedAt           ts                `json:"merged_at"`
	MergeCommitSHA     *string           `json:"merge_commit_sha"`
	Assignee           *userJSON         `json:"assignee"`
	Assignees          []*userJSON       `json:"assignees"`
	RequestedReviewers []*userJSON       `json:"requested_reviewers"`
	RequestedTeams     []teamJSON        `json:"requested_teams"`
	Head               branchJSON        `json:"head"`
	Base               branchJSON        `json:"base"`
	Links              map[string]hrefJS `json:"_links"`
	AuthorAssociation  string            `json:"author_association"`
	AutoMerge          *json0            `json:"auto_merge"`
	Draft              bool              `json:"draft"`

	// Only in the response for a single pull request.
	Merged              *bool     `json:"merged,omitempty"`
	Mergeable           *bool     `json:"mergeable,omitempty"`
	Rebaseable          *bool     `json:"rebaseable,omitempty"`
	MergeableState      string    `json:"mergeable_state,omitempty"`
	MergedBy            *userJSON `json:"merged_by,omitempty"`
	Comments            *int      `json:"comments,omitempty"`
	ReviewComments      *int      `json:"review_comments,omitempty"`
	MaintainerCanModify *bool     `json:"maintainer_can_modify,omitempty"`
	Commits             *int      `json:"commits,omitempty"`
	Additions           *int      `json:"additions,omitempty"`
	Deletions           *int      `json:"deletions,omitempty"`
	ChangedFiles        *int      `json:"changed_files,omitempty"`
}

type hrefJS struct {
	Href string `json:"href"`
}

func (c *call) teamJSON(slug string) teamJSON {
	org := c.repo.owner.login
	return teamJSON{ID: int64(len(slug)) + 1, NodeID: nodeID("Team", slug),
		URL:     c.api("/orgs/" + org + "/teams/" + slug),
		HTMLURL: c.html("/orgs/" + org + "/teams/" + slug),
		Name:    slug, Slug: slug, Privacy: "closed", Permission: "pull"}
}

// pullJSON renders a pull request; detail adds the fields GitHub only sends
// for a single pull request.
func (c *call) pullJSON(is *issue, detail bool) pullJSON {
	r, p := c.repo, is.pr
	api := c.api(fmt.Sprintf("%s/pulls/%d", r.path(), is.number))
	issueAPI := c.api(fmt.Sprintf("%s/issues/%d", r.path(), is.number))
	html := c.html(r.issueHTMLPath(is))
	repo := c.repoJSON(r)
	baseSHA := p.baseSHA
	if sha, ok := r.refs["refs/heads/"+p.base]; ok && is.state == "open" {
		baseSHA = sha
	}
	j := pullJSON{
		URL: api, ID: is.id, NodeID: nodeID("PullRequest", is.id), HTMLURL: html,
		DiffURL: html + ".diff", PatchURL: html + ".patch", IssueURL: issueAPI,
		CommitsURL: api + "/commits", ReviewCommentsURL: api + "/comments",
		ReviewCommentURL: c.api(r.path() + "/pulls/comments{/number}"), CommentsURL: issueAPI + "/comments",
		StatusesURL: c.api(r.path() + "/statuses/" + p.headSHA),
		Number:      is.number, State: is.state, Title: is.title, User: c.userJSON(is.user),
		Body: nullable(is.body), Labels: c.labelsJSON(is.labels),
		CreatedAt: timestamp(is.createdAt), UpdatedAt: timestamp(is.updatedAt),
		ClosedAt: timestamp(is.closedAt), MergedAt: timestamp(p.mergedAt),
		MergeCommitSHA: nullable(p.mergeCommitSHA), Assignees: []*userJSON{},
		RequestedReviewers: []*userJSON{}, RequestedTeams: []teamJSON{},
		Head: branchJSON{Label: r.owner.login + ":" + p.head, Ref: p.head, SHA: p.headSHA,
			User: c.userJSON(r.owner), Repo: repo},
		Base: branchJSON{Label: r.owner.login + ":" + p.base, Ref: p.base, SHA: baseSHA,
			User: c.userJSON(r.owner), Repo: repo},
		Links: map[string]hrefJS{
			"self": {api}, "html": {html}, "issue": {issueAPI}, "comments": {issueAPI + "/comments"},
			"review_comments": {api + "/comments"}, "review_comment": {c.api(r.path() + "/pulls/comments{/number}")},
			"commits": {api + "/commits"}, "statuses": {c.api(r.path() + "/statuses/" + p.headSHA)},
		},
		AuthorAssociation: r.authorAssociation(is.user),
		Draft:             p.draft,
	}
	for _, u := range p.reviewers {
		j.RequestedReviewers = append(j.RequestedReviewers, c.userJSON(u))
	}
	for _, t := range p.teams {
		j.RequestedTeams = append(j.RequestedTeams, c.teamJSON(t))
	}
	if detail {
		merged := p.merged
		comments := r.commentCount(is.number)
		zero := 0
		commits := r.countCommits(baseSHA, p.headSHA)
		changed := r.countChangedFiles(r.mergeBase(baseSHA, p.headSHA), p.headSHA)
		reviewComments := 0
		for _, cm := range r.reviewComments {
			if cm.pr == is.number {
				reviewComments++
			}
		}
		j.Merged, j.Comments, j.ReviewComments = &merged, &comments, &reviewComments
		j.MaintainerCanModify = &p.maintainerCanModify
		j.Commits, j.Additions, j.Deletions, j.ChangedFiles = &commits, &zero, &zero, &changed
		j.MergedBy = c.userJSON(p.mergedBy)
		if is.state == "open" {
			yes := true
			j.Mergeable, j.Rebaseable, j.MergeableState = &yes, &yes, "clean"
			if p.draft {
				j.MergeableState = "draft"
			}
		} else {
			j.MergeableState = "unknown"
		}
	}
	return j
}

// countCommits counts the commits reachable from head but not from base.
func (r *Repo) countCommits(base, head string) int {
	n := 0
	seen := map[string]bool{}
	queue := []string{head}
	for len(queue) > 0 {
		sha := queue[0]
		queue = queue[1:]
		if seen[sha] || r.isAncestor(sha, base) {
			continue
		}
		seen[sha] = true
		n++
		if c, ok := r.commitObj(sha); ok {
			queue = append(queue, c.parents...)
		}
	}
	return n
}

// countChangedFiles counts the paths whose entry differs between commits.
func (r *Repo) countChangedFiles(from, to string) int {
	a, b := r.flatten(from), r.flatten(to)
	n := 0
	for p, e := range b {
		if a[p] != e {
			n++
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			n++
		}
	}
	return n
}

// pullParam finds the pull request of the {number} parameter; on failure
// it writes a 404 (also for an issue number).
func (c *call) pullParam() (*issue, bool) {
	n, ok := c.pathInt("number")
	if !ok {
		return nil, false
	}
	is := c.repo.issues[int(n)]
	if is == nil || is.pr == nil {
		c.notFound()
		return nil, false
	}
	return is, true
}

func handleGetPull(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	c.json(http.StatusOK, c.pullJSON(is, true))
}

// handleListPulls lists pull requests. As on GitHub, a head filter without
// "owner:" is ignored.
func handleListPulls(c *call) {
	state := orDefault(c.query.Get("state"), "open")
	if state != "open" && state != "closed" && state != "all" {
		c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "state"})
		return
	}
	headOwner, headBranch, headFilter := strings.Cut(c.query.Get("head"), ":")
	base := c.query.Get("base")
	var list []*issue
	for _, is := range c.repo.issues {
		p := is.pr
		switch {
		case p == nil:
		case state != "all" && is.state != state:
		case headFilter && (!strings.EqualFold(headOwner, c.repo.owner.login) || (headBranch != "" && p.head != headBranch)):
		case base != "" && p.base != base:
		default:
			list = append(list, is)
		}
	}
	key := func(is *issue) time.Time { return is.createdAt }
	if c.query.Get("sort") == "updated" {
		key = func(is *issue) time.Time { return is.updatedAt }
	}
	// GitHub: "Default: desc when sort is created or sort is not
	// specified, otherwise asc."
	desc := c.query.Get("sort") == "" || c.query.Get("sort") == "created"
	if d := c.query.Get("direction"); d != "" {
		desc = d == "desc"
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !key(a).Equal(key(b)) {
			return key(a).Before(key(b)) != desc
		}
		return (a.number < b.number) != desc
	})
	out := []pullJSON{}
	for _, is := range list {
		out = append(out, c.pullJSON(is, false))
	}
	c.json(http.StatusOK, paginate(c, out))
}

// findOpenPull returns the open pull request from head into base, if any.
func (r *Repo) findOpenPull(head, base string, except *issue) *issue {
	for _, is := range r.issues {
		if is != except && is.pr != nil && is.state == "open" && is.pr.head == head && is.pr.base == base {
			return is
		}
	}
	return nil
}

func handleCreatePull(c *call) {
	var req struct {
		Title               *string `json:"title"`
		Head                *string `json:"head"`
		HeadRepo            *string `json:"head_repo"`
		Base                *string `json:"base"`
		Body                *string `json:"body"`
		Draft               bool    `json:"draft"`
		MaintainerCanModify *bool   `json:"maintainer_can_modify"`
		Issue               *int    `json:"issue"`
	}
	if !c.decode(&req) {
		return
	}
	r := c.repo
	var errs []fieldError
	if req.Issue == nil && (req.Title == nil || *req.Title == "") {
		errs = append(errs, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "title"})
	}
	if req.Head == nil || *req.Head == "" {
		errs = append(errs, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "head"})
	}
	if req.Base == nil || *req.Base == "" {
		errs = append(errs, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "base"})
	}
	if len(errs) > 0 {
		c.validationFailed(errs...)
		return
	}
	head := *req.Head
	if owner, branch, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, r.owner.login) {
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "head"})
			return
		}
		head = branch
	}
	base := *req.Base
	headSHA, headOK := r.refs["refs/heads/"+head]
	baseSHA, baseOK := r.refs["refs/heads/"+base]
	switch {
	case !baseOK:
		c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "base"})
		return
	case !headOK:
		c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "head"})
		return
	case r.findOpenPull(head, base, nil) != nil:
		c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom",
			Message: fmt.Sprintf("A pull request already exists for %s:%s.", r.owner.login, head)})
		return
	case r.isAncestor(headSHA, baseSHA):
		c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom",
			Message: fmt.Sprintf("No commits between %s and %s", base, head)})
		return
	}
	var is *issue
	if req.Issue != nil {
		is = r.issues[*req.Issue]
		if is == nil || is.pr != nil {
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "issue"})
			return
		}
	} else {
		is = r.newIssueLocked(*req.Title, deref(req.Body), c.tok.user)
	}
	is.pr = &pull{head: head, base: base, headSHA: headSHA, baseSHA: baseSHA, draft: req.Draft,
		maintainerCanModify: req.MaintainerCanModify == nil || *req.MaintainerCanModify}
	j := c.pullJSON(is, true)
	c.created(j.URL, j)
}

func handleUpdatePull(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	var req struct {
		Title               *string `json:"title"`
		Body                *string `json:"body"`
		State               *string `json:"state"`
		Base                *string `json:"base"`
		MaintainerCanModify *bool   `json:"maintainer_can_modify"`
	}
	if !c.decode(&req) {
		return
	}
	r, p := c.repo, is.pr
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "state"})
		return
	}
	if req.Base != nil {
		if _, ok := r.refs["refs/heads/"+*req.Base]; !ok {
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "invalid", Field: "base"})
			return
		}
		if p.merged || is.state == "closed" {
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom", Field: "base",
				Message: "Cannot change the base branch of a closed pull request."})
			return
		}
	}
	if req.State != nil && *req.State == "open" && is.state == "closed" {
		newBase := orDefault(deref(req.Base), p.base)
		switch {
		case p.merged:
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom", Field: "state",
				Message: "Cannot reopen a merged pull request."})
			return
		case r.refs["refs/heads/"+p.head] == "":
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom", Field: "state",
				Message: "The head branch of this pull request has been deleted."})
			return
		case r.findOpenPull(p.head, newBase, is) != nil:
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom",
				Message: fmt.Sprintf("A pull request already exists for %s:%s.", r.owner.login, p.head)})
			return
		}
	}
	now := c.s.clock()
	if req.Title != nil {
		is.title = *req.Title
	}
	if req.Body != nil {
		is.body = *req.Body
	}
	if req.Base != nil {
		p.base = *req.Base
		p.baseSHA = r.refs["refs/heads/"+p.base]
	}
	if req.MaintainerCanModify != nil {
		p.maintainerCanModify = *req.MaintainerCanModify
	}
	if req.State != nil && *req.State != is.state {
		if *req.State == "closed" {
			r.closeLocked(is, c.tok.user)
		} else {
			is.state, is.closedAt, is.closedBy = "open", time.Time{}, nil
			p.headSHA = r.refs["refs/heads/"+p.head]
		}
	}
	is.updatedAt = now
	c.json(http.StatusOK, c.pullJSON(is, true))
}

func handleListReviewers(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	users, teams := []*userJSON{}, []teamJSON{}
	for _, u := range is.pr.reviewers {
		users = append(users, c.userJSON(u))
	}
	for _, t := range is.pr.teams {
		teams = append(teams, c.teamJSON(t))
	}
	c.json(http.StatusOK, map[string]any{"users": users, "teams": teams})
}

// handleRequestReviewers adds requested reviewers. Any login is accepted as
// a collaborator, except the pull request's author.
func handleRequestReviewers(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	var req struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Reviewers == nil && req.TeamReviewers == nil {
		c.missingField("reviewers")
		return
	}
	for _, login := range req.Reviewers {
		if strings.EqualFold(login, is.user.login) {
			c.validationFailed(fieldError{Resource: "PullRequest", Code: "custom",
				Message: "Review cannot be requested from pull request author."})
			return
		}
	}
	p := is.pr
	for _, login := range req.Reviewers {
		u := c.s.userLocked(login)
		has := false
		for _, x := range p.reviewers {
			has = has || x == u
		}
		if !has {
			p.reviewers = append(p.reviewers, u)
		}
	}
	for _, t := range req.TeamReviewers {
		has := false
		for _, x := range p.teams {
			has = has || strings.EqualFold(x, t)
		}
		if !has {
			p.teams = append(p.teams, strings.ToLower(t))
		}
	}
	is.updatedAt = c.s.clock()
	c.json(http.StatusCreated, c.pullJSON(is, false))
}
