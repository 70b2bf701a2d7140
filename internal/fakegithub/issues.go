package fakegithub

import (
	"fmt"
	"net/http"
	"time"
)

// DefaultAuthor is the user who opens issues and pull requests added by
// accessors unless told otherwise.
const DefaultAuthor = "octocat"

// issue is an issue or a pull request: they share numbers, comments and
// labels, as on GitHub.
type issue struct {
	number    int
	id        int64
	title     string
	body      string
	user      *user
	state     string // "open" or "closed"
	createdAt time.Time
	updatedAt time.Time
	closedAt  time.Time
	closedBy  *user    // who closed it; nil while open
	labels    []*label // in the order they were added
	pr        *pull    // set for pull requests
}

// AddIssue opens an issue by DefaultAuthor and returns its number.
func (r *Repo) AddIssue(title string) int {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.newIssueLocked(title, "", r.s.userLocked(DefaultAuthor)).number
}

func (r *Repo) newIssueLocked(title, body string, u *user) *issue {
	r.nextNumber++
	now := r.s.clock()
	is := &issue{number: r.nextNumber, id: r.s.nextID("issue"), title: title, body: body, user: u,
		state: "open", createdAt: now, updatedAt: now}
	r.issues[is.number] = is
	return is
}

// issueOrPanic returns the issue or pull request with the number.
func (r *Repo) issueOrPanic(number int) *issue {
	is := r.issues[number]
	if is == nil {
		panic(fmt.Sprintf("fakegithub: %s has no issue or pull request #%d", r.FullName(), number))
	}
	return is
}

// issueParam finds the issue or pull request of the {number} parameter; on
// failure it writes a 404.
func (c *call) issueParam() (*issue, bool) {
	n, ok := c.pathInt("number")
	if !ok {
		return nil, false
	}
	is := c.repo.issues[int(n)]
	if is == nil {
		c.notFound()
		return nil, false
	}
	return is, true
}

// issueHTMLPath is the web path of an issue or pull request.
func (r *Repo) issueHTMLPath(is *issue) string {
	if is.pr != nil {
		return fmt.Sprintf("%s/pull/%d", r.htmlPath(), is.number)
	}
	return fmt.Sprintf("%s/issues/%d", r.htmlPath(), is.number)
}

// authorAssociation is the author_association of a user in the repository.
func (r *Repo) authorAssociation(u *user) string {
	if u == r.owner {
		return "OWNER"
	}
	if u.typ == "Bot" {
		return "NONE"
	}
	return "CONTRIBUTOR"
}

type issueJSON struct {
	URL               string         `json:"url"`
	RepositoryURL     string         `json:"repository_url"`
	LabelsURL         string         `json:"labels_url"`
	CommentsURL       string         `json:"comments_url"`
	EventsURL         string         `json:"events_url"`
	HTMLURL           string         `json:"html_url"`
	ID                int64          `json:"id"`
	NodeID            string         `json:"node_id"`
	Number            int            `json:"number"`
	Title             string         `json:"title"`
	User              *userJSON      `json:"user"`
	Labels            []labelJSON    `json:"labels"`
	State             string         `json:"state"`
	Locked            bool           `json:"locked"`
	Assignee          *userJSON      `json:"assignee"`
	Assignees         []*userJSON    `json:"assignees"`
	Comments          int            `json:"comments"`
	CreatedAt         ts             `json:"created_at"`
	UpdatedAt         ts             `json:"updated_at"`
	ClosedAt          ts             `json:"closed_at"`
	AuthorAssociation string         `json:"author_association"`
	PullRequest       *issuePullJSON `json:"pull_request,omitempty"`
	Body              *string        `json:"body"`
	Reactions         reactionsJSON  `json:"reactions"`
	StateReason       *string        `json:"state_reason"`
	Draft             *bool          `json:"draft,omitempty"`
	ClosedBy          *userJSON      `json:"closed_by,omitempty"`
	Milestone         *json0         `json:"milestone"`
	PerformedViaApp   *json0         `json:"performed_via_github_app"`
	TimelineURL       string         `json:"timeline_url"`
	ActiveLockReason  *string        `json:"active_lock_reason"`
}

// json0 is an always-null object.
type json0 struct{}

type issuePullJSON struct {
	URL      string `json:"url"`
	HTMLURL  string `json:"html_url"`
	DiffURL  string `json:"diff_url"`
	PatchURL string `json:"patch_url"`
	MergedAt ts     `json:"merged_at"`
}

type reactionsJSON struct {
	URL        string `json:"url"`
	TotalCount int    `json:"total_count"`
	PlusOne    int    `json:"+1"`
	MinusOne   int    `json:"-1"`
	Laugh      int    `json:"laugh"`
	Hooray     int    `json:"hooray"`
	Confused   int    `json:"confused"`
	Heart      int    `json:"heart"`
	Rocket     int    `json:"rocket"`
	Eyes       int    `json:"eyes"`
}

// loginOf is a user's login, "" for none.
func loginOf(u *user) string {
	if u == nil {
		return ""
	}
	return u.login
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c *call) issueJSON(is *issue) issueJSON {
	r := c.repo
	api := c.api(fmt.Sprintf("%s/issues/%d", r.path(), is.number))
	j := issueJSON{
		URL:               api,
		RepositoryURL:     c.api(r.path()),
		LabelsURL:         api + "/labels{/name}",
		CommentsURL:       api + "/comments",
		EventsURL:         api + "/events",
		TimelineURL:       api + "/timeline",
		HTMLURL:           c.html(r.issueHTMLPath(is)),
		ID:                is.id,
		NodeID:            nodeID("Issue", is.id),
		Number:            is.number,
		Title:             is.title,
		User:              c.userJSON(is.user),
		Labels:            c.labelsJSON(is.labels),
		State:             is.state,
		Assignees:         []*userJSON{},
		Comments:          r.commentCount(is.number),
		CreatedAt:         timestamp(is.createdAt),
		UpdatedAt:         timestamp(is.updatedAt),
		ClosedAt:          timestamp(is.closedAt),
		AuthorAssociation: r.authorAssociation(is.user),
		Body:              nullable(is.body),
		Reactions:         reactionsJSON{URL: api + "/reactions"},
	}
	if is.state == "closed" {
		reason := "completed"
		j.StateReason = &reason
		j.ClosedBy = c.userJSON(is.closedBy)
	}
	if is.pr != nil {
		pulls := c.api(fmt.Sprintf("%s/pulls/%d", r.path(), is.number))
		html := c.html(r.issueHTMLPath(is))
		j.PullRequest = &issuePullJSON{URL: pulls, HTMLURL: html, DiffURL: html + ".diff", PatchURL: html + ".patch",
			MergedAt: timestamp(is.pr.mergedAt)}
		j.Draft = &is.pr.draft
	}
	return j
}

func handleGetIssue(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	c.json(http.StatusOK, c.issueJSON(is))
}
