package fakegithub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Permission is what a token may do.
type Permission int

const (
	// Read allows GET requests only; writes get 403 "Resource not
	// accessible by integration", like the GITHUB_TOKEN of a workflow run
	// for a pull request from a fork.
	Read Permission = iota + 1
	// Write allows every request.
	Write
)

func (p Permission) String() string {
	switch p {
	case Read:
		return "read"
	case Write:
		return "write"
	}
	return fmt.Sprintf("Permission(%d)", int(p))
}

// DefaultLogin is the user that tokens registered by AddToken act as: the
// user GitHub Actions' GITHUB_TOKEN acts as.
const DefaultLogin = "github-actions[bot]"

// defaultRateLimit is the hourly budget of a token: an installation
// token's.
const defaultRateLimit = 5000

// Server is a fake GitHub API server. Create one with New and stop it with
// Close.
type Server struct {
	// URL is the base URL of the API, without a trailing slash, for
	// example "http://127.0.0.1:41233". Use URL+"/" as go-github's BaseURL
	// or pass it to WithEnterpriseURLs.
	URL string

	srv    *httptest.Server
	routes []route

	mu        sync.Mutex
	now       func() time.Time
	repos     map[string]*Repo // by lower-case "owner/name"
	repoOrder []*Repo
	tokens    map[string]*token
	users     map[string]*user // by lower-case login
	faults    []*fault
	log       []Request
	ids       map[string]int64 // next id by kind of resource
	rateLimit int
	requestID int
}

type token struct {
	perm Permission
	user *user
	// The hourly rate limit window.
	windowEnd time.Time
	used      int
}

type user struct {
	id    int64
	login string
	typ   string // "User", "Bot" or "Organization"
}

// New starts a fake GitHub API server on a loopback address.
func New() *Server {
	s := &Server{
		now:       time.Now,
		repos:     map[string]*Repo{},
		tokens:    map[string]*token{},
		users:     map[string]*user{},
		ids:       map[string]int64{},
		rateLimit: defaultRateLimit,
	}
	s.routes = s.buildRoutes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, waiting for outstanding requests.
func (s *Server) Close() { s.srv.Close() }

// SetNow replaces the clock used for timestamps and rate limit windows
// (time.Now by default). Timestamps are truncated to seconds, as GitHub's.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetRateLimit sets the hourly request budget of every token (5000 by
// default). A token that has spent it gets GitHub's primary rate limit 403
// until its window ends.
func (s *Server) SetRateLimit(perHour int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit = perHour
}

// AddToken registers a token with a permission. Requests with it act as
// DefaultLogin.
func (s *Server) AddToken(tok string, perm Permission) {
	s.AddTokenAs(tok, DefaultLogin, perm)
}

// AddTokenAs registers a token that acts as the given user. Logins ending in
// "[bot]" are of type Bot.
func (s *Server) AddTokenAs(tok, login string, perm Permission) {
	if perm != Read && perm != Write {
		panic(fmt.Sprintf("fakegithub: invalid permission %d", int(perm)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = &token{perm: perm, user: s.userLocked(login)}
}

// userLocked returns the user with the login, creating it.
func (s *Server) userLocked(login string) *user {
	if u, ok := s.users[strings.ToLower(login)]; ok {
		return u
	}
	u := &user{login: login, typ: "User"}
	if strings.HasSuffix(login, "[bot]") {
		u.typ = "Bot"
	}
	if login == DefaultLogin {
		u.id = 41898282 // its id on github.com
	} else {
		u.id = s.nextID("user")
	}
	s.users[strings.ToLower(login)] = u
	return u
}

// nextID returns the next id of a kind of resource; each kind counts from 1.
func (s *Server) nextID(kind string) int64 {
	s.ids[kind]++
	return s.ids[kind]
}

// clock returns the current time truncated to seconds, in UTC.
func (s *Server) clock() time.Time {
	return s.now().UTC().Truncate(time.Second)
}

// AddRepo creates a repository with default branch "main" and returns it.
// The repository has no commits yet: use Repo.Commit, Repo.ImportGit or
// Repo.SetRef to give it some.
func (s *Server) AddRepo(owner, name string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(owner + "/" + name)
	if _, ok := s.repos[key]; ok {
		panic("fakegithub: repository " + owner + "/" + name + " already exists")
	}
	ownerUser := s.userLocked(owner)
	if ownerUser.typ == "User" {
		ownerUser.typ = "Organization"
	}
	r := newRepo(s, s.nextID("repo"), ownerUser, name)
	r.createdAt = s.clock()
	s.repos[key] = r
	s.repoOrder = append(s.repoOrder, r)
	return r
}

// Repo returns the repository owner/name, or nil.
func (s *Server) Repo(owner, name string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repos[strings.ToLower(owner+"/"+name)]
}

// Request is one entry of the request log.
type Request struct {
	Method string
	// Path is the request path without the "/api/v3" prefix, unescaped,
	// for example "/repos/acme/shop/git/refs/heads/feature/x".
	Path  string
	Query url.Values
	// Token is the token the request was authenticated with ("" if none).
	Token string
	// IfNoneMatch is whether the request sent an If-None-Match header.
	IfNoneMatch bool
	// Body is the request body.
	Body []byte
	// Status is the status code of the response.
	Status int
	// Fault is whether the response was injected by Fault.
	Fault bool
	// Applied is whether a faulted request was handled, successfully,
	// before its answer was replaced (see Response.Applied): its writes
	// took effect.
	Applied bool
}

// IsWrite reports whether the request was not a GET or HEAD.
func (r Request) IsWrite() bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// Requests returns a copy of the log of every request handled so far, in
// the order they were handled.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ClearRequests empties the request log.
func (s *Server) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// reply is a response being built.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// call is the context of one request being handled.
type call struct {
	s      *Server
	r      *http.Request
	body   []byte
	prefix string            // "/api/v3" when the request used it
	params map[string]string // path parameters, unescaped
	query  url.Values
	repo   *Repo
	tok    *token
	doc    string // documentation_url of the endpoint
	out    reply
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	escaped := r.URL.EscapedPath()
	prefix := ""
	if strings.HasPrefix(escaped, "/api/v3/") || escaped == "/api/v3" {
		prefix = "/api/v3"
		escaped = strings.TrimPrefix(escaped, prefix)
	}
	p, err := url.PathUnescape(escaped)
	if err != nil {
		p = escaped
	}
	c := &call{s: s, r: r, body: body, prefix: prefix, query: r.URL.Query(),
		out: reply{header: http.Header{}}}
	entry := Request{Method: r.Method, Path: p, Query: r.URL.Query(), Body: body,
		Token: bearer(r.Header.Get("Authorization")), IfNoneMatch: r.Header.Get("If-None-Match") != ""}

	s.mu.Lock()
	if f, ok := s.takeFaultLocked(r.Method, p); ok && f.Applied {
		// The request takes effect; its answer is lost.
		s.handleLocked(c, escaped)
		entry.Applied = c.out.status < 400
		c.out = reply{header: rateHeaders(c.out.header)}
		c.writeFault(f)
		entry.Fault = true
	} else if ok {
		// The token's rate limit headers, not counted, unless the fault
		// sets its own.
		if c.tok = s.tokens[entry.Token]; c.tok != nil {
			s.startWindowLocked(c.tok)
			s.setRateHeaders(c)
		}
		c.writeFault(f)
		entry.Fault = true
	} else if !s.serveDownloadLocked(c, p) {
		s.handleLocked(c, escaped)
	}
	entry.Status = c.out.status
	s.log = append(s.log, entry)
	s.mu.Unlock()

	for k, v := range c.out.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.out.status)
	if r.Method != http.MethodHead && c.out.status != http.StatusNotModified && c.out.status != http.StatusNoContent {
		_, _ = w.Write(c.out.body)
	}
}

// bearer returns the token of an "Authorization: token X" or "Bearer X"
// header.
func bearer(auth string) string {
	if f := strings.Fields(auth); len(f) == 2 && (strings.EqualFold(f[0], "token") || strings.EqualFold(f[0], "bearer")) {
		return f[1]
	}
	return ""
}

// handleLocked authenticates, routes and handles a request, and finishes the
// response (ETag, 304, rate limit headers).
func (s *Server) handleLocked(c *call, escapedPath string) {
	s.requestID++
	c.out.header.Set("X-GitHub-Request-Id", fmt.Sprintf("FAKE:%04X:%06X", s.requestID%0x10000, s.requestID))
	c.out.header.Set("X-GitHub-Media-Type", "github.v3; format=json")
	c.out.header.Set("X-GitHub-Api-Version-Selected", "2022-11-28")

	// Authentication.
	auth := c.r.Header.Get("Authorization")
	tok := s.tokens[bearer(auth)]
	if tok == nil {
		c.doc = docBase
		msg := "Bad credentials"
		if auth == "" {
			msg = "Requires authentication"
		}
		c.errorMessage(http.StatusUnauthorized, msg)
		s.setAnonymousRateHeaders(c)
		return
	}
	c.tok = tok

	// Rate limit.
	s.startWindowLocked(tok)
	if tok.used >= s.rateLimit {
		c.doc = docPrimaryRateLimit
		c.errorMessage(http.StatusForbidden, fmt.Sprintf("API rate limit exceeded for user ID %d.", tok.user.id))
		s.setRateHeaders(c)
		return
	}

	s.route(c, escapedPath)

	// Conditional GET.
	if (c.r.Method == http.MethodGet || c.r.Method == http.MethodHead) && c.out.status == http.StatusOK {
		etag := c.out.header.Get("ETag")
		if etag == "" {
			sum := sha256.Sum256(c.out.body)
			etag = `W/"` + hex.EncodeToString(sum[:]) + `"`
			c.out.header.Set("ETag", etag)
		}
		if inm := c.r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
			c.out.status = http.StatusNotModified
			c.out.body = nil
			c.out.header.Del("Content-Type")
			c.out.header.Del("Link")
			s.setRateHeaders(c) // not counted
			return
		}
	}
	tok.used++
	s.setRateHeaders(c)
}

// rateHeaders keeps the rate limit and request id headers of a response.
func rateHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "X-Ratelimit-") || k == "X-Github-Request-Id" {
			out[k] = v
		}
	}
	return out
}

// startWindowLocked starts a new rate limit window for the token if the
// last one has ended.
func (s *Server) startWindowLocked(tok *token) {
	if now := s.clock(); !now.Before(tok.windowEnd) {
		tok.windowEnd = now.Add(time.Hour)
		tok.used = 0
	}
}

// etagMatches implements the weak comparison of If-None-Match.
func etagMatches(header, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

func (s *Server) setRateHeaders(c *call) {
	tok := c.tok
	remaining := s.rateLimit - tok.used
	if remaining < 0 {
		remaining = 0
	}
	h := c.out.header
	h.Set("X-RateLimit-Limit", fmt.Sprint(s.rateLimit))
	h.Set("X-RateLimit-Remaining", fmt.Sprint(remaining))
	h.Set("X-RateLimit-Reset", fmt.Sprint(tok.windowEnd.Unix()))
	h.Set("X-RateLimit-Used", fmt.Sprint(tok.used))
	h.Set("X-RateLimit-Resource", "core")
}

// setAnonymousRateHeaders sets the headers GitHub sends with a 401: the
// unauthenticated budget.
func (s *Server) setAnonymousRateHeaders(c *call) {
	h := c.out.header
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "59")
	h.Set("X-RateLimit-Reset", fmt.Sprint(s.clock().Add(time.Hour).Unix()))
	h.Set("X-RateLimit-Used", "1")
	h.Set("X-RateLimit-Resource", "core")
}

// route finds the endpoint for the request and runs it.
func (s *Server) route(c *call, escapedPath string) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	method := c.r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	for _, rt := range s.routes {
		if rt.method != method {
			continue
		}
		params, ok := rt.match(segs)
		if !ok {
			continue
		}
		c.params = params
		c.doc = rt.doc
		if rt.repo {
			c.repo = s.repos[strings.ToLower(params["owner"]+"/"+params["repo"])]
			if c.repo == nil {
				c.notFound()
				return
			}
		}
		if method != http.MethodGet && c.tok.perm < Write {
			c.errorMessage(http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		rt.handler(c)
		return
	}
	c.doc = docBase
	c.notFound()
}

// route is one endpoint: a method and a path pattern whose segments are
// literals, "{name}" (one segment) or "{name...}" (the rest of the path,
// possibly empty).
type route struct {
	method  string
	segs    []string
	handler func(*call)
	doc     string
	repo    bool // the pattern has {owner}/{repo}
}

func (rt route) match(segs []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, p := range rt.segs {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "...}") {
			rest := make([]string, 0, len(segs))
			for _, s := range segs[min(i, len(segs)):] {
				u, err := url.PathUnescape(s)
				if err != nil {
					return nil, false
				}
				rest = append(rest, u)
			}
			params[p[1:len(p)-4]] = strings.Join(rest, "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(p, "{") {
			u, err := url.PathUnescape(segs[i])
			if err != nil || u == "" {
				return nil, false
			}
			params[p[1:len(p)-1]] = u
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, len(segs) == len(rt.segs)
}

// buildRoutes lists every endpoint. Routes are tried in order, so literal
// segments must come before parameters that would also match them.
func (s *Server) buildRoutes() []route {
	var rs []route
	add := func(method, pattern, doc string, h func(*call)) {
		segs := strings.Split(strings.Trim(pattern, "/"), "/")
		rs = append(rs, route{method: method, segs: segs, handler: h, doc: docBase + doc,
			repo: strings.Contains(pattern, "/{owner}/{repo}")})
	}
	const R = "/repos/{owner}/{repo}"
	get, post, patch, put, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete

	add(get, R, "/repos/repos#get-a-repository", handleGetRepo)

	// Issues and their comments (issues.go, comments.go).
	add(get, R+"/issues/comments", "/issues/comments#list-issue-comments-for-a-repository", handleListRepoComments)
	add(get, R+"/issues/comments/{id}", "/issues/comments#get-an-issue-comment", handleGetComment)
	add(patch, R+"/issues/comments/{id}", "/issues/comments#update-an-issue-comment", handleUpdateComment)
	add(del, R+"/issues/comments/{id}", "/issues/comments#delete-an-issue-comment", handleDeleteComment)
	add(get, R+"/issues/{number}/comments", "/issues/comments#list-issue-comments", handleListComments)
	add(post, R+"/issues/{number}/comments", "/issues/comments#create-an-issue-comment", handleCreateComment)
	add(get, R+"/issues/{number}", "/issues/issues#get-an-issue", handleGetIssue)
	add(patch, R+"/issues/{number}", "/issues/issues#update-an-issue", handleUpdateIssue)
	add(get, R+"/issues", "/issues/issues#list-repository-issues", handleListIssues)
	add(post, R+"/issues", "/issues/issues#create-an-issue", handleCreateIssue)

	// Labels (labels.go).
	add(get, R+"/labels", "/issues/labels#list-labels-for-a-repository", handleListLabels)
	add(post, R+"/labels", "/issues/labels#create-a-label", handleCreateLabel)
	add(get, R+"/labels/{name}", "/issues/labels#get-a-label", handleGetLabel)
	add(get, R+"/issues/{number}/labels", "/issues/labels#list-labels-for-an-issue", handleListIssueLabels)
	add(post, R+"/issues/{number}/labels", "/issues/labels#add-labels-to-an-issue", handleAddIssueLabels)
	add(del, R+"/issues/{number}/labels/{name}", "/issues/labels#remove-a-label-from-an-issue", handleRemoveIssueLabel)

	// Pull requests (pulls.go).
	add(get, R+"/pulls", "/pulls/pulls#list-pull-requests", handleListPulls)
	add(post, R+"/pulls", "/pulls/pulls#create-a-pull-request", handleCreatePull)
	add(get, R+"/pulls/{number}", "/pulls/pulls#get-a-pull-request", handleGetPull)
	add(patch, R+"/pulls/{number}", "/pulls/pulls#update-a-pull-request", handleUpdatePull)
	add(get, R+"/pulls/{number}/requested_reviewers", "/pulls/review-requests#get-all-requested-reviewers-for-a-pull-request", handleListReviewers)
	add(post, R+"/pulls/{number}/requested_reviewers", "/pulls/review-requests#request-reviewers-for-a-pull-request", handleRequestReviewers)

	// Reviews and review comments (reviews.go).
	add(get, R+"/pulls/comments/{id}", "/pulls/comments#get-a-review-comment-for-a-pull-request", handleGetPullComment)
	add(patch, R+"/pulls/comments/{id}", "/pulls/comments#update-a-review-comment-for-a-pull-request", handleUpdatePullComment)
	add(del, R+"/pulls/comments/{id}", "/pulls/comments#delete-a-review-comment-for-a-pull-request", handleDeletePullComment)
	add(get, R+"/pulls/{number}/comments", "/pulls/comments#list-review-comments-on-a-pull-request", handleListPullComments)
	add(post, R+"/pulls/{number}/comments", "/pulls/comments#create-a-review-comment-for-a-pull-request", handleCreatePullComment)
	add(get, R+"/pulls/{number}/reviews", "/pulls/reviews#list-reviews-for-a-pull-request", handleListReviews)
	add(post, R+"/pulls/{number}/reviews", "/pulls/reviews#create-a-review-for-a-pull-request", handleCreateReview)
	add(get, R+"/pulls/{number}/reviews/{id}", "/pulls/reviews#get-a-review-for-a-pull-request", handleGetReview)
	add(put, R+"/pulls/{number}/reviews/{id}", "/pulls/reviews#update-a-review-for-a-pull-request", handleUpdateReview)
	add(del, R+"/pulls/{number}/reviews/{id}", "/pulls/reviews#delete-a-pending-review-for-a-pull-request", handleDeleteReview)
	add(get, R+"/pulls/{number}/reviews/{id}/comments", "/pulls/reviews#list-comments-for-a-pull-request-review", handleListReviewCommentsOfReview)
	add(post, R+"/pulls/{number}/reviews/{id}/events", "/pulls/reviews#submit-a-review-for-a-pull-request", handleSubmitReview)

	// Git data (gitapi.go).
	add(get, R+"/git/ref/{ref...}", "/git/refs#get-a-reference", handleGetRef)
	add(get, R+"/git/matching-refs/{ref...}", "/git/refs#list-matching-references", handleMatchingRefs)
	add(post, R+"/git/refs", "/git/refs#create-a-reference", handleCreateRef)
	add(patch, R+"/git/refs/{ref...}", "/git/refs#update-a-reference", handleUpdateRef)
	add(del, R+"/git/refs/{ref...}", "/git/refs#delete-a-reference", handleDeleteRef)
	add(get, R+"/git/trees/{sha}", "/git/trees#get-a-tree", handleGetTree)
	add(post, R+"/git/trees", "/git/trees#create-a-tree", handleCreateTree)
	add(get, R+"/git/commits/{sha}", "/git/commits#get-a-commit-object", handleGetGitCommit)
	add(post, R+"/git/commits", "/git/commits#create-a-commit", handleCreateGitCommit)
	add(get, R+"/git/blobs/{sha}", "/git/blobs#get-a-blob", handleGetBlob)
	add(post, R+"/git/blobs", "/git/blobs#create-a-blob", handleCreateBlob)
	add(get, R+"/git/tags/{sha}", "/git/tags#get-a-tag", handleGetGitTag)
	add(get, R+"/commits/{ref...}", "/commits/commits#get-a-commit", handleGetCommit)
	add(get, R+"/contents/{path...}", "/repos/contents#get-repository-content", handleGetContents)
	add(get, R+"/tags", "/repos/repos#list-repository-tags", handleListTags)
	add(get, "/raw/{owner}/{repo}/{sha}/{path...}", "/repos/contents#get-repository-content", handleRaw)

	// Releases (releases.go).
	add(get, R+"/releases", "/releases/releases#list-releases", handleListReleases)
	add(get, R+"/releases/latest", "/releases/releases#get-the-latest-release", handleLatestRelease)
	add(get, R+"/releases/tags/{tag}", "/releases/releases#get-a-release-by-tag-name", handleReleaseByTag)
	add(get, R+"/releases/{id}", "/releases/releases#get-a-release", handleGetRelease)
	add(get, R+"/releases/{id}/assets", "/releases/assets#list-release-assets", handleListReleaseAssets)
	add(get, R+"/releases/assets/{id}", "/releases/assets#get-a-release-asset", handleGetReleaseAsset)

	// Deployments (deployments.go).
	add(get, R+"/deployments", "/deployments/deployments#list-deployments", handleListDeployments)
	add(get, R+"/deployments/{id}", "/deployments/deployments#get-a-deployment", handleGetDeployment)
	add(get, R+"/deployments/{id}/statuses", "/deployments/statuses#list-deployment-statuses", handleListDeploymentStatuses)
	return rs
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// trimBody is the request body without surrounding white space.
func (c *call) trimBody() []byte { return bytes.TrimSpace(c.body) }
