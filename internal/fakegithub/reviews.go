package fakegithub

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Pull request reviews and their comments on lines of the diff.
//
// A review is pending (only its author sees it) until it is submitted as
// COMMENTED, APPROVED or CHANGES_REQUESTED; a submitted review cannot be
// deleted, only its body edited, and its comments edited or deleted one by
// one. A review comment sits on lines of the new side of a file at a
// commit, lines the pull request's diff shows (see diff.go).
//
// When the pull request's head moves on, a comment stays current while its
// lines read the same, at the same line numbers, and the diff still shows
// them; otherwise it is outdated: line and start_line are null (as
// position is), original_line keeps where it was. GitHub maps comments
// through the changes in between (a line inserted above moves a comment
// down); the fake does not, so a comment below an insertion is outdated
// here where GitHub would keep it current.

type review struct {
	id          int64
	pr          int
	user        *user
	body        string
	state       string // PENDING, COMMENTED, APPROVED, CHANGES_REQUESTED
	commitID    string
	submittedAt time.Time
}

type reviewComment struct {
	id, reviewID         int64
	pr                   int
	user                 *user
	body                 string
	path                 string
	commitID             string // the commit the comment was made on
	line, startLine      int    // on the new side; startLine 0 for one line
	inReplyTo            int64
	createdAt, updatedAt time.Time
}

// Review is a pull request review, as returned by accessors.
type Review struct {
	ID          int64
	Pull        int
	User        string
	Body        string
	State       string // PENDING, COMMENTED, APPROVED or CHANGES_REQUESTED
	CommitID    string
	SubmittedAt time.Time
}

// ReviewComment is a comment on lines of a pull request's diff, as
// returned by accessors.
type ReviewComment struct {
	ID, ReviewID int64
	Pull         int
	User         string
	Body         string
	Path         string
	CommitID     string // the commit it was made on
	// Line and StartLine are where it was made (StartLine 0 for a
	// one-line comment).
	Line, StartLine int
	// Outdated is set once the pull request's head changed its lines.
	Outdated  bool
	InReplyTo int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Reviews returns the reviews of a pull request, oldest first.
func (r *Repo) Reviews(pr int) []Review {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Review
	for _, rv := range r.reviews {
		if rv.pr == pr {
			out = append(out, Review{ID: rv.id, Pull: rv.pr, User: rv.user.login, Body: rv.body, State: rv.state,
				CommitID: rv.commitID, SubmittedAt: rv.submittedAt})
		}
	}
	return out
}

// ReviewComments returns the review comments of a pull request, oldest
// first.
func (r *Repo) ReviewComments(pr int) []ReviewComment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []ReviewComment
	for _, cm := range r.reviewComments {
		if cm.pr == pr {
			out = append(out, ReviewComment{ID: cm.id, ReviewID: cm.reviewID, Pull: cm.pr, User: cm.user.login, Body: cm.body,
				Path: cm.path, CommitID: cm.commitID, Line: cm.line, StartLine: cm.startLine, Outdated: !r.currentLocked(cm),
				InReplyTo: cm.inReplyTo, CreatedAt: cm.createdAt, UpdatedAt: cm.updatedAt})
		}
	}
	return out
}

// fileAtLocked returns the content of a file at a commit.
func (r *Repo) fileAtLocked(commitSHA, p string) (string, bool) {
	cm, ok := r.commitObj(commitSHA)
	if !ok {
		return "", false
	}
	e, ok := r.lookupPath(cm.tree, p)
	if !ok || e.objectType() != typeBlob {
		return "", false
	}
	o, _ := r.get(e.sha)
	return string(o.data), true
}

// diffHunks returns the hunks of a file in the pull request's diff at a
// commit (see hunks), or nil when the diff does not touch the file.
func (r *Repo) diffHunks(is *issue, commitSHA, p string) []int {
	baseTip := r.refs["refs/heads/"+is.pr.base]
	if baseTip == "" {
		baseTip = is.pr.baseSHA
	}
	newer, ok := r.fileAtLocked(commitSHA, p)
	if !ok {
		return nil
	}
	older, _ := r.fileAtLocked(r.mergeBase(baseTip, commitSHA), p)
	if older == newer {
		return nil
	}
	return hunks(older, newer)
}

// currentLocked reports whether a comment is still current on its pull
// request's head (see the comment at the top of the file).
func (r *Repo) currentLocked(cm *reviewComment) bool {
	is := r.issues[cm.pr]
	if is == nil || is.pr == nil {
		return false
	}
	head := is.pr.headSHA
	if head == cm.commitID {
		return true
	}
	was, _ := r.fileAtLocked(cm.commitID, cm.path)
	now, ok := r.fileAtLocked(head, cm.path)
	if !ok {
		return false
	}
	a, b := fileLines(was), fileLines(now)
	first := cm.line
	if cm.startLine > 0 {
		first = cm.startLine
	}
	h := r.diffHunks(is, head, cm.path)
	for l := first; l <= cm.line; l++ {
		if l > len(a) || l > len(b) || a[l-1] != b[l-1] || l >= len(h) || h[l] == 0 {
			return false
		}
	}
	return true
}

// draftComment is a review comment in a request.
type draftComment struct {
	Path      string  `json:"path"`
	Position  *int    `json:"position"`
	Body      *string `json:"body"`
	Line      *int    `json:"line"`
	Side      string  `json:"side"`
	StartLine *int    `json:"start_line"`
	StartSide string  `json:"start_side"`
}

// checkDraft validates a review comment on the pull request's diff at
// commitSHA and returns the reason GitHub would refuse it ("" if none).
func (r *Repo) checkDraft(is *issue, commitSHA string, d draftComment) string {
	switch {
	case d.Body == nil || strings.TrimSpace(*d.Body) == "":
		return "Body can't be blank"
	case d.Path == "":
		return "Path can't be blank"
	case d.Position != nil:
		return "the fake takes line (and side, start_line), not the deprecated position"
	case d.Line == nil:
		return "Line can't be blank"
	case d.Side != "" && d.Side != "RIGHT", d.StartSide != "" && d.StartSide != "RIGHT":
		return "the fake takes comments on the RIGHT side only"
	}
	h := r.diffHunks(is, commitSHA, d.Path)
	if h == nil {
		return "Path could not be resolved"
	}
	line := *d.Line
	if line < 1 || line >= len(h) || h[line] == 0 {
		return "Pull request review thread line must be part of the diff"
	}
	if d.StartLine != nil {
		start := *d.StartLine
		switch {
		case start >= line:
			return "Pull request review thread start line must precede the end line"
		case start < 1 || h[start] != h[line]:
			return "Pull request review thread start line must be part of the same hunk as the line"
		}
	}
	return ""
}

// unprocessableList writes GitHub's 422 whose errors are plain strings,
// as the review endpoints send them.
func (c *call) unprocessableList(msgs ...string) {
	c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "errors": msgs,
		"documentation_url": c.doc, "status": "422"})
}

// newCommentLocked adds a review comment from a valid draft.
func (r *Repo) newCommentLocked(rv *review, commitSHA string, d draftComment, u *user) *reviewComment {
	now := r.s.clock()
	cm := &reviewComment{id: r.s.nextID("review_comment"), reviewID: rv.id, pr: rv.pr, user: u, body: *d.Body,
		path: d.Path, commitID: commitSHA, line: *d.Line, createdAt: now, updatedAt: now}
	if d.StartLine != nil {
		cm.startLine = *d.StartLine
	}
	r.reviewComments = append(r.reviewComments, cm)
	return cm
}

type reviewJSON struct {
	ID                int64             `json:"id"`
	NodeID            string            `json:"node_id"`
	User              *userJSON         `json:"user"`
	Body              string            `json:"body"`
	State             string            `json:"state"`
	HTMLURL           string            `json:"html_url"`
	PullRequestURL    string            `json:"pull_request_url"`
	AuthorAssociation string            `json:"author_association"`
	Links             map[string]hrefJS `json:"_links"`
	SubmittedAt       ts                `json:"submitted_at,omitempty"`
	CommitID          string            `json:"commit_id"`
}

func (c *call) reviewJSON(rv *review) reviewJSON {
	r := c.repo
	pull := c.api(fmt.Sprintf("%s/pulls/%d", r.path(), rv.pr))
	html := c.html(fmt.Sprintf("%s/pull/%d#pullrequestreview-%d", r.htmlPath(), rv.pr, rv.id))
	return reviewJSON{ID: rv.id, NodeID: nodeID("PullRequestReview", rv.id), User: c.userJSON(rv.user), Body: rv.body,
		State: rv.state, HTMLURL: html, PullRequestURL: pull, AuthorAssociation: r.authorAssociation(rv.user),
		Links: map[string]hrefJS{"html": {html}, "pull_request": {pull}}, SubmittedAt: timestamp(rv.submittedAt), CommitID: rv.commitID}
}

type reviewCommentJSON struct {
	URL                 string            `json:"url"`
	PullRequestReviewID int64             `json:"pull_request_review_id"`
	ID                  int64             `json:"id"`
	NodeID              string            `json:"node_id"`
	DiffHunk            string            `json:"diff_hunk"`
	Path                string            `json:"path"`
	Position            *int              `json:"position"`
	OriginalPosition    int               `json:"original_position"`
	CommitID            string            `json:"commit_id"`
	OriginalCommitID    string            `json:"original_commit_id"`
	InReplyToID         *int64            `json:"in_reply_to_id,omitempty"`
	User                *userJSON         `json:"user"`
	Body                string            `json:"body"`
	CreatedAt           ts                `json:"created_at"`
	UpdatedAt           ts                `json:"updated_at"`
	HTMLURL             string            `json:"html_url"`
	PullRequestURL      string            `json:"pull_request_url"`
	AuthorAssociation   string            `json:"author_association"`
	Links               map[string]hrefJS `json:"_links"`
	StartLine           *int              `json:"start_line"`
	OriginalStartLine   *int              `json:"original_start_line"`
	StartSide           *string           `json:"start_side"`
	Line                *int              `json:"line"`
	OriginalLine        int               `json:"original_line"`
	Side                string            `json:"side"`
	SubjectType         string            `json:"subject_type"`
}

// reviewCommentJSON renders a comment as GitHub does, with line and
// position null once it is outdated. Its diff_hunk holds the lines of the
// file up to the comment's line, a stand-in for GitHub's hunk.
func (c *call) reviewCommentJSON(cm *reviewComment) reviewCommentJSON {
	r := c.repo
	api := c.api(fmt.Sprintf("%s/pulls/comments/%d", r.path(), cm.id))
	pull := c.api(fmt.Sprintf("%s/pulls/%d", r.path(), cm.pr))
	html := c.html(fmt.Sprintf("%s/pull/%d#discussion_r%d", r.htmlPath(), cm.pr, cm.id))
	content, _ := r.fileAtLocked(cm.commitID, cm.path)
	lines := fileLines(content)
	from := max(cm.line-diffContext, 1)
	if cm.startLine > 0 {
		from = max(cm.startLine-diffContext, 1)
	}
	hunk := fmt.Sprintf("@@ -0,0 +%d,%d @@", from, cm.line-from+1)
	for l := from; l <= cm.line && l <= len(lines); l++ {
		hunk += "\n+" + lines[l-1]
	}
	j := reviewCommentJSON{URL: api, PullRequestReviewID: cm.reviewID, ID: cm.id, NodeID: nodeID("PullRequestReviewComment", cm.id),
		DiffHunk: hunk, Path: cm.path, OriginalPosition: cm.line, CommitID: cm.commitID, OriginalCommitID: cm.commitID,
		User: c.userJSON(cm.user), Body: cm.body, CreatedAt: timestamp(cm.createdAt), UpdatedAt: timestamp(cm.updatedAt),
		HTMLURL: html, PullRequestURL: pull, AuthorAssociation: r.authorAssociation(cm.user),
		Links:        map[string]hrefJS{"self": {api}, "html": {html}, "pull_request": {pull}},
		OriginalLine: cm.line, Side: "RIGHT", SubjectType: "line"}
	if cm.inReplyTo != 0 {
		j.InReplyToID = &cm.inReplyTo
	}
	if cm.startLine > 0 {
		start, side := cm.startLine, "RIGHT"
		j.OriginalStartLine = &start
		j.StartSide = &side
	}
	if r.currentLocked(cm) {
		line, start := cm.line, cm.startLine
		j.Line, j.Position = &line, &line
		if start > 0 {
			j.StartLine = &start
		}
		if is := r.issues[cm.pr]; is != nil {
			j.CommitID = is.pr.headSHA
		}
	}
	return j
}

// seesReview reports whether the caller may see a review: pending reviews
// are their author's only.
func (c *call) seesReview(rv *review) bool { return rv.state != "PENDING" || rv.user == c.tok.user }

// reviewOf returns the review a comment belongs to.
func (r *Repo) reviewOf(cm *reviewComment) *review {
	for _, rv := range r.reviews {
		if rv.id == cm.reviewID {
			return rv
		}
	}
	return nil
}

func handleListReviews(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	out := []reviewJSON{}
	for _, rv := range c.repo.reviews {
		if rv.pr == is.number && c.seesReview(rv) {
			out = append(out, c.reviewJSON(rv))
		}
	}
	c.json(http.StatusOK, paginate(c, out))
}

// reviewStates maps a review event to the state it gives.
var reviewStates = map[string]string{"": "PENDING", "COMMENT": "COMMENTED", "APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}

// checkEvent returns why a review by u of pull request is may not take
// event with body ("" if it may).
func checkEvent(is *issue, u *user, event, body string, comments int) string {
	switch {
	case (event == "APPROVE" || event == "REQUEST_CHANGES") && is.user == u:
		return fmt.Sprintf("Can not %s your own pull request", map[string]string{"APPROVE": "approve", "REQUEST_CHANGES": "request changes on"}[event])
	case event == "REQUEST_CHANGES" && strings.TrimSpace(body) == "":
		return "Review body is required when requesting changes"
	case event == "COMMENT" && strings.TrimSpace(body) == "" && comments == 0:
		return "Review body or a comment is required"
	}
	return ""
}

func handleCreateReview(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	var req struct {
		CommitID *string        `json:"commit_id"`
		Body     *string        `json:"body"`
		Event    *string        `json:"event"`
		Comments []draftComment `json:"comments"`
	}
	if !c.decode(&req) {
		return
	}
	r := c.repo
	commitSHA := is.pr.headSHA
	if req.CommitID != nil && *req.CommitID != "" {
		sha, found := r.resolveSHA(*req.CommitID)
		if _, isCommit := r.commitObj(sha); !found || !isCommit {
			c.unprocessableList("No commit found for SHA: " + *req.CommitID)
			return
		}
		commitSHA = sha
	}
	event, body := deref(req.Event), deref(req.Body)
	state, known := reviewStates[event]
	if !known {
		c.unprocessableList("Event is not one of APPROVE, REQUEST_CHANGES, COMMENT")
		return
	}
	if msg := checkEvent(is, c.tok.user, event, body, len(req.Comments)); msg != "" {
		c.unprocessableList(msg)
		return
	}
	if state == "PENDING" {
		for _, rv := range r.reviews {
			if rv.pr == is.number && rv.state == "PENDING" && rv.user == c.tok.user {
				c.unprocessableList("User can only have one pending review per pull request")
				return
			}
		}
	}
	var problems []string
	for _, d := range req.Comments {
		if msg := r.checkDraft(is, commitSHA, d); msg != "" {
			problems = append(problems, msg)
		}
	}
	if len(problems) > 0 {
		c.unprocessableList(problems...)
		return
	}
	rv := &review{id: c.s.nextID("review"), pr: is.number, user: c.tok.user, body: body, state: state, commitID: commitSHA}
	if state != "PENDING" {
		rv.submittedAt = c.s.clock()
	}
	r.reviews = append(r.reviews, rv)
	for _, d := range req.Comments {
		r.newCommentLocked(rv, commitSHA, d, c.tok.user)
	}
	is.updatedAt = c.s.clock()
	c.json(http.StatusOK, c.reviewJSON(rv))
}

// reviewParam finds the review of the {id} parameter on the pull request
// of {number}; on failure it writes a 404.
func (c *call) reviewParam() (*issue, *review, bool) {
	is, ok := c.pullParam()
	if !ok {
		return nil, nil, false
	}
	id, ok := c.pathInt("id")
	if !ok {
		return nil, nil, false
	}
	for _, rv := range c.repo.reviews {
		if rv.id == id && rv.pr == is.number && c.seesReview(rv) {
			return is, rv, true
		}
	}
	c.notFound()
	return nil, nil, false
}

func handleGetReview(c *call) {
	if _, rv, ok := c.reviewParam(); ok {
		c.json(http.StatusOK, c.reviewJSON(rv))
	}
}

func handleUpdateReview(c *call) {
	_, rv, ok := c.reviewParam()
	if !ok {
		return
	}
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Body == nil {
		c.missingField("body")
		return
	}
	if rv.user != c.tok.user {
		c.errorMessage(http.StatusForbidden, "You can only update your own reviews")
		return
	}
	rv.body = *req.Body
	c.json(http.StatusOK, c.reviewJSON(rv))
}

func handleDeleteReview(c *call) {
	_, rv, ok := c.reviewParam()
	if !ok {
		return
	}
	if rv.state != "PENDING" {
		c.unprocessableList("Can not delete a non-pending pull request review")
		return
	}
	r := c.repo
	keep := r.reviewComments[:0]
	for _, cm := range r.reviewComments {
		if cm.reviewID != rv.id {
			keep = append(keep, cm)
		}
	}
	r.reviewComments = keep
	for i, x := range r.reviews {
		if x == rv {
			r.reviews = append(r.reviews[:i:i], r.reviews[i+1:]...)
			break
		}
	}
	c.json(http.StatusOK, c.reviewJSON(rv))
}

func handleSubmitReview(c *call) {
	is, rv, ok := c.reviewParam()
	if !ok {
		return
	}
	var req struct {
		Body  *string `json:"body"`
		Event string  `json:"event"`
	}
	if !c.decode(&req) {
		return
	}
	body := rv.body
	if req.Body != nil {
		body = *req.Body
	}
	state, known := reviewStates[req.Event]
	switch {
	case rv.state != "PENDING":
		c.unprocessableList("Can not submit a non-pending pull request review")
		return
	case !known || req.Event == "":
		c.unprocessableList("Event is not one of APPROVE, REQUEST_CHANGES, COMMENT")
		return
	}
	comments := 0
	for _, cm := range c.repo.reviewComments {
		if cm.reviewID == rv.id {
			comments++
		}
	}
	if msg := checkEvent(is, rv.user, req.Event, body, comments); msg != "" {
		c.unprocessableList(msg)
		return
	}
	rv.body, rv.state, rv.submittedAt = body, state, c.s.clock()
	c.json(http.StatusOK, c.reviewJSON(rv))
}

func handleListReviewCommentsOfReview(c *call) {
	_, rv, ok := c.reviewParam()
	if !ok {
		return
	}
	out := []reviewCommentJSON{}
	for _, cm := range c.repo.reviewComments {
		if cm.reviewID == rv.id {
			out = append(out, c.reviewCommentJSON(cm))
		}
	}
	c.json(http.StatusOK, paginate(c, out))
}

// handleListPullComments lists the review comments of a pull request, by
// creation (sort=created, the default) or update time, ascending unless
// direction=desc; comments of others' pending reviews are left out.
func handleListPullComments(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	since, ok := c.since()
	if !ok {
		return
	}
	var cms []*reviewComment
	for _, cm := range c.repo.reviewComments {
		if rv := c.repo.reviewOf(cm); cm.pr == is.number && rv != nil && c.seesReview(rv) && !cm.updatedAt.Before(since) {
			cms = append(cms, cm)
		}
	}
	orderComments(c, cms, func(cm *reviewComment) time.Time { return cm.updatedAt })
	out := []reviewCommentJSON{}
	for _, cm := range cms {
		out = append(out, c.reviewCommentJSON(cm))
	}
	c.json(http.StatusOK, paginate(c, out))
}

// handleCreatePullComment adds one review comment, which GitHub files as a
// review of its own (COMMENTED), or a reply to a comment (in_reply_to).
func handleCreatePullComment(c *call) {
	is, ok := c.pullParam()
	if !ok {
		return
	}
	var req struct {
		draftComment
		CommitID  string `json:"commit_id"`
		InReplyTo int64  `json:"in_reply_to"`
	}
	if !c.decode(&req) {
		return
	}
	r := c.repo
	d := req.draftComment
	commitSHA := is.pr.headSHA
	if req.InReplyTo != 0 {
		var parent *reviewComment
		for _, cm := range r.reviewComments {
			if cm.id == req.InReplyTo && cm.pr == is.number {
				parent = cm
			}
		}
		if parent == nil {
			c.notFound()
			return
		}
		if d.Body == nil || strings.TrimSpace(*d.Body) == "" {
			c.unprocessableList("Body can't be blank")
			return
		}
		line := parent.line
		d = draftComment{Path: parent.path, Body: d.Body, Line: &line}
		if parent.startLine > 0 {
			start := parent.startLine
			d.StartLine = &start
		}
		commitSHA = parent.commitID
	} else {
		if req.CommitID == "" {
			c.missingField("commit_id")
			return
		}
		sha, found := r.resolveSHA(req.CommitID)
		if _, isCommit := r.commitObj(sha); !found || !isCommit {
			c.unprocessableList("No commit found for SHA: " + req.CommitID)
			return
		}
		commitSHA = sha
		if msg := r.checkDraft(is, commitSHA, d); msg != "" {
			c.unprocessableList(msg)
			return
		}
	}
	rv := &review{id: c.s.nextID("review"), pr: is.number, user: c.tok.user, state: "COMMENTED", commitID: commitSHA, submittedAt: c.s.clock()}
	r.reviews = append(r.reviews, rv)
	cm := r.newCommentLocked(rv, commitSHA, d, c.tok.user)
	cm.inReplyTo = req.InReplyTo
	j := c.reviewCommentJSON(cm)
	c.created(j.URL, j)
}

// reviewCommentParam finds the review comment of the {id} parameter; on
// failure it writes a 404.
func (c *call) reviewCommentParam() (*reviewComment, int, bool) {
	id, ok := c.pathInt("id")
	if !ok {
		return nil, 0, false
	}
	for i, cm := range c.repo.reviewComments {
		if rv := c.repo.reviewOf(cm); cm.id == id && rv != nil && c.seesReview(rv) {
			return cm, i, true
		}
	}
	c.notFound()
	return nil, 0, false
}

func handleGetPullComment(c *call) {
	if cm, _, ok := c.reviewCommentParam(); ok {
		c.json(http.StatusOK, c.reviewCommentJSON(cm))
	}
}

func handleUpdatePullComment(c *call) {
	cm, _, ok := c.reviewCommentParam()
	if !ok {
		return
	}
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Body == nil || strings.TrimSpace(*req.Body) == "" {
		c.unprocessableList("Body can't be blank")
		return
	}
	cm.body, cm.updatedAt = *req.Body, c.s.clock()
	c.json(http.StatusOK, c.reviewCommentJSON(cm))
}

func handleDeletePullComment(c *call) {
	_, i, ok := c.reviewCommentParam()
	if !ok {
		return
	}
	c.repo.reviewComments = append(c.repo.reviewComments[:i:i], c.repo.reviewComments[i+1:]...)
	c.noContent()
}
