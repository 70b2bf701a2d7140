package fakegithub

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

// Issues opened, listed and edited through the API, and the accessors
// tests use to read them back or to edit one as a person would (ticking a
// checkbox of an issue body).

// Issue is an issue (not a pull request), as returned by accessors.
type Issue struct {
	Number    int
	Title     string
	Body      string
	State     string // "open" or "closed"
	User      string // login of the author
	Labels    []string
	ClosedBy  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func exportIssue(is *issue) Issue {
	out := Issue{Number: is.number, Title: is.title, Body: is.body, State: is.state, User: is.user.login,
		ClosedBy: loginOf(is.closedBy), CreatedAt: is.createdAt, UpdatedAt: is.updatedAt}
	for _, l := range sortLabels(is.labels) {
		out.Labels = append(out.Labels, l.name)
	}
	return out
}

// Issue returns the issue with the number (false for a pull request or
// no such issue).
func (r *Repo) Issue(number int) (Issue, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil || is.pr != nil {
		return Issue{}, false
	}
	return exportIssue(is), true
}

// Issues returns every issue (not pull request), by number.
func (r *Repo) Issues() []Issue {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Issue
	for _, is := range r.sortedIssues() {
		if is.pr == nil {
			out = append(out, exportIssue(is))
		}
	}
	return out
}

// EditIssue replaces the body of an issue or pull request as user login
// would in the web interface (ticking a checkbox, say).
func (r *Repo) EditIssue(number int, login, body string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issueOrPanic(number)
	r.s.userLocked(login)
	is.body, is.updatedAt = body, r.s.clock()
}

// CloseIssue closes an issue as DefaultAuthor would.
func (r *Repo) CloseIssue(number int) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if is := r.issueOrPanic(number); is.state == "open" {
		r.closeLocked(is, r.s.userLocked(DefaultAuthor))
	}
}

// handleListIssues lists issues and pull requests (GitHub lists both, a
// pull request with a "pull_request" key): state (open, closed, all),
// labels (all of them, comma separated), creator, sort (created, updated)
// and direction (desc by default).
func handleListIssues(c *call) {
	state := orDefault(c.query.Get("state"), "open")
	if state != "open" && state != "closed" && state != "all" {
		c.validationFailed(fieldError{Resource: "Issue", Code: "invalid", Field: "state"})
		return
	}
	since, ok := c.since()
	if !ok {
		return
	}
	var want []string
	for _, l := range strings.Split(c.query.Get("labels"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			want = append(want, l)
		}
	}
	creator := c.query.Get("creator")
	var list []*issue
	for _, is := range c.repo.issues {
		have := map[string]bool{}
		for _, l := range is.labels {
			have[strings.ToLower(l.name)] = true
		}
		keep := (state == "all" || is.state == state) && !is.updatedAt.Before(since) &&
			(creator == "" || strings.EqualFold(creator, is.user.login))
		for _, l := range want {
			keep = keep && have[strings.ToLower(l)]
		}
		if keep {
			list = append(list, is)
		}
	}
	key := func(is *issue) time.Time { return is.createdAt }
	if c.query.Get("sort") == "updated" {
		key = func(is *issue) time.Time { return is.updatedAt }
	}
	desc := c.query.Get("direction") != "asc"
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !key(a).Equal(key(b)) {
			return key(a).Before(key(b)) != desc
		}
		return (a.number < b.number) != desc
	})
	out := []issueJSON{}
	for _, is := range list {
		out = append(out, c.issueJSON(is))
	}
	c.json(http.StatusOK, paginate(c, out))
}

// labelsOf finds or creates the labels of a request, in order.
func (r *Repo) labelsOf(names []string) []*label {
	var out []*label
	for _, name := range names {
		l := r.findLabel(name)
		if l == nil {
			l = r.addLabelLocked(name, defaultLabelColor, "")
		}
		dup := false
		for _, x := range out {
			dup = dup || x == l
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

func handleCreateIssue(c *call) {
	var req struct {
		Title  *string  `json:"title"`
		Body   *string  `json:"body"`
		Labels []string `json:"labels"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		c.missingField("title")
		return
	}
	if req.Body != nil && *req.Body != "" && !c.checkCommentBody(req.Body) {
		return
	}
	is := c.repo.newIssueLocked(*req.Title, deref(req.Body), c.tok.user)
	is.labels = c.repo.labelsOf(req.Labels)
	j := c.issueJSON(is)
	c.created(j.URL, j)
}

func handleUpdateIssue(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	var req struct {
		Title  *string   `json:"title"`
		Body   *string   `json:"body"`
		State  *string   `json:"state"`
		Labels *[]string `json:"labels"`
	}
	if !c.decode(&req) {
		return
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		c.validationFailed(fieldError{Resource: "Issue", Code: "invalid", Field: "state"})
		return
	}
	if req.Title != nil && strings.TrimSpace(*req.Title) == "" {
		c.missingField("title")
		return
	}
	if req.Body != nil && *req.Body != "" && !c.checkCommentBody(req.Body) {
		return
	}
	if req.Title != nil {
		is.title = *req.Title
	}
	if req.Body != nil {
		is.body = *req.Body
	}
	if req.Labels != nil {
		is.labels = c.repo.labelsOf(*req.Labels)
	}
	if req.State != nil && *req.State != is.state {
		if *req.State == "closed" {
			c.repo.closeLocked(is, c.tok.user)
		} else {
			is.state, is.closedAt, is.closedBy = "open", time.Time{}, nil
		}
	}
	is.updatedAt = c.s.clock()
	c.json(http.StatusOK, c.issueJSON(is))
}
