package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"
	"unicode/utf8"
)

// maxCommentLength is GitHub's limit on the body of a comment, in
// characters.
const maxCommentLength = 65536

type comment struct {
	id        int64
	issue     int
	user      *user
	body      string
	createdAt time.Time
	updatedAt time.Time
}

// Comment is an issue or pull request comment, as returned by accessors.
type Comment struct {
	ID        int64
	Issue     int    // number of the issue or pull request
	User      string // login of the author
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (cm *comment) export() Comment {
	return Comment{ID: cm.id, Issue: cm.issue, User: cm.user.login, Body: cm.body,
		CreatedAt: cm.createdAt, UpdatedAt: cm.updatedAt}
}

// Comments returns the comments on an issue or pull request, oldest first.
func (r *Repo) Comments(issue int) []Comment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Comment
	for _, cm := range r.comments {
		if cm.issue == issue {
			out = append(out, cm.export())
		}
	}
	return out
}

// AddComment adds a comment by a user (created if new, of type Bot if the
// login ends in "[bot]") to an issue or pull request, as if that user had
// posted it, and returns it.
func (r *Repo) AddComment(issue int, login, body string) Comment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.issueOrPanic(issue)
	return r.addCommentLocked(issue, r.s.userLocked(login), body).export()
}

func (r *Repo) addCommentLocked(issue int, u *user, body string) *comment {
	now := r.s.clock()
	cm := &comment{id: r.s.nextID("comment"), issue: issue, user: u, body: body, createdAt: now, updatedAt: now}
	r.comments = append(r.comments, cm)
	if is := r.issues[issue]; is != nil {
		is.updatedAt = now
	}
	return cm
}

func (r *Repo) commentCount(issue int) int {
	n := 0
	for _, cm := range r.comments {
		if cm.issue == issue {
			n++
		}
	}
	return n
}

type commentJSON struct {
	URL                   string        `json:"url"`
	HTMLURL               string        `json:"html_url"`
	IssueURL              string        `json:"issue_url"`
	ID                    int64         `json:"id"`
	NodeID                string        `json:"node_id"`
	User                  *userJSON     `json:"user"`
	CreatedAt             ts            `json:"created_at"`
	UpdatedAt             ts            `json:"updated_at"`
	AuthorAssociation     string        `json:"author_association"`
	Body                  string        `json:"body"`
	Reactions             reactionsJSON `json:"reactions"`
	PerformedViaGithubApp *json0        `json:"performed_via_github_app"`
}

func (c *call) commentJSON(cm *comment) commentJSON {
	r := c.repo
	api := c.api(fmt.Sprintf("%s/issues/comments/%d", r.path(), cm.id))
	html := c.html(fmt.Sprintf("%s/issues/%d#issuecomment-%d", r.htmlPath(), cm.issue, cm.id))
	if is := r.issues[cm.issue]; is != nil {
		html = c.html(fmt.Sprintf("%s#issuecomment-%d", r.issueHTMLPath(is), cm.id))
	}
	return commentJSON{
		URL:               api,
		HTMLURL:           html,
		IssueURL:          c.api(fmt.Sprintf("%s/issues/%d", r.path(), cm.issue)),
		ID:                cm.id,
		NodeID:            nodeID("IssueComment", cm.id),
		User:              c.userJSON(cm.user),
		CreatedAt:         timestamp(cm.createdAt),
		UpdatedAt:         timestamp(cm.updatedAt),
		AuthorAssociation: r.authorAssociation(cm.user),
		Body:              cm.body,
		Reactions:         reactionsJSON{URL: api + "/reactions"},
	}
}

// checkCommentBody writes GitHub's 422 for a blank or too long body and
// reports whether the body is acceptable.
func (c *call) checkCommentBody(body *string) bool {
	switch {
	case body == nil:
		c.missingField("body")
		return false
	case *body == "":
		c.validationFailed(fieldError{Resource: "IssueComment", Code: "unprocessable", Field: "data",
			Message: "Body cannot be blank"})
		return false
	case utf8.RuneCountInString(*body) > maxCommentLength:
		c.validationFailed(fieldError{Resource: "IssueComment", Code: "unprocessable", Field: "data",
			Message: fmt.Sprintf("Body is too long (maximum is %d characters)", maxCommentLength)})
		return false
	}
	return true
}

// since parses the "since" parameter; on failure it writes a 422.
func (c *call) since() (time.Time, bool) {
	v := c.query.Get("since")
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		c.unprocessable("Invalid request.\n\nFor 'properties/since', \"" + v + "\" is not a date-time.")
		return time.Time{}, false
	}
	return t, true
}

func handleListComments(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	since, ok := c.since()
	if !ok {
		return
	}
	out := []commentJSON{}
	for _, cm := range c.repo.comments {
		if cm.issue == is.number && !cm.updatedAt.Before(since) {
			out = append(out, c.commentJSON(cm))
		}
	}
	c.json(http.StatusOK, paginate(c, out))
}

// handleListRepoComments serves GET /repos/{o}/{r}/issues/comments: every
// comment of the repository, by creation (sort=created, the default) or
// update time, ascending unless direction=desc.
func handleListRepoComments(c *call) {
	since, ok := c.since()
	if !ok {
		return
	}
	var cms []*comment
	for _, cm := range c.repo.comments {
		if !cm.updatedAt.Before(since) {
			cms = append(cms, cm)
		}
	}
	orderComments(c, cms, func(cm *comment) time.Time { return cm.updatedAt })
	out := []commentJSON{}
	for _, cm := range cms {
		out = append(out, c.commentJSON(cm))
	}
	c.json(http.StatusOK, paginate(c, out))
}

func handleCreateComment(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) || !c.checkCommentBody(req.Body) {
		return
	}
	cm := c.repo.addCommentLocked(is.number, c.tok.user, *req.Body)
	j := c.commentJSON(cm)
	c.created(j.URL, j)
}

// commentParam finds the comment of the {id} parameter in the repository;
// on failure it writes a 404.
func (c *call) commentParam() (*comment, int, bool) {
	id, ok := c.pathInt("id")
	if !ok {
		return nil, 0, false
	}
	for i, cm := range c.repo.comments {
		if cm.id == id {
			return cm, i, true
		}
	}
	c.notFound()
	return nil, 0, false
}

func handleGetComment(c *call) {
	cm, _, ok := c.commentParam()
	if !ok {
		return
	}
	c.json(http.StatusOK, c.commentJSON(cm))
}

func handleUpdateComment(c *call) {
	cm, _, ok := c.commentParam()
	if !ok {
		return
	}
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) || !c.checkCommentBody(req.Body) {
		return
	}
	cm.body = *req.Body
	cm.updatedAt = c.s.clock()
	c.json(http.StatusOK, c.commentJSON(cm))
}

func handleDeleteComment(c *call) {
	_, i, ok := c.commentParam()
	if !ok {
		return
	}
	c.repo.comments = append(c.repo.comments[:i:i], c.repo.comments[i+1:]...)
	c.noContent()
}

// orderComments orders a listing of comments as GitHub does for issue and
// review comments: by creation (the order they are kept in), or by update
// with sort=updated; ascending unless direction=desc.
func orderComments[T any](c *call, cms []T, updated func(T) time.Time) {
	if c.query.Get("sort") == "updated" {
		sort.SliceStable(cms, func(i, j int) bool { return updated(cms[i]).Before(updated(cms[j])) })
	}
	if c.query.Get("direction") == "desc" {
		slices.Reverse(cms)
	}
}
