package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file serves the Git data API (refs, trees, commits, blobs, tags) and
// the endpoints built on it (commits, contents, tags).

// emptyRepo writes GitHub's 409 for Git data requests on a repository
// without commits and reports whether it did.
func (c *call) emptyRepo() bool {
	if len(c.repo.refs) > 0 {
		return false
	}
	c.errorMessage(http.StatusConflict, "Git Repository is empty.")
	return true
}

// missingField writes the 422 GitHub sends when a required body parameter
// is absent.
func (c *call) missingField(name string) {
	c.unprocessable("Invalid request.\n\n\"" + name + "\" wasn't supplied.")
}

type gitObjectJSON struct {
	SHA  string `json:"sha"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

type refJSON struct {
	Ref    string        `json:"ref"`
	NodeID string        `json:"node_id"`
	URL    string        `json:"url"`
	Object gitObjectJSON `json:"object"`
}

// objectURL is the API URL of a git object.
func (c *call) objectURL(typ, sha string) string {
	return c.api(c.repo.path() + "/git/" + typ + "s/" + sha)
}

func (c *call) refJSON(name string) refJSON {
	sha := c.repo.refs[name]
	o, _ := c.repo.get(sha)
	return refJSON{
		Ref:    name,
		NodeID: nodeID("Ref", c.repo.id) + base64.RawStdEncoding.EncodeToString([]byte(name)),
		URL:    c.api(c.repo.path() + "/git/" + escapePath(name)),
		Object: gitObjectJSON{SHA: sha, Type: o.typ, URL: c.objectURL(o.typ, sha)},
	}
}

func handleGetRef(c *call) {
	if c.emptyRepo() {
		return
	}
	name := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[name]; !ok || c.params["ref"] == "" {
		c.notFound()
		return
	}
	c.json(http.StatusOK, c.refJSON(name))
}

func handleMatchingRefs(c *call) {
	if c.emptyRepo() {
		return
	}
	var out []refJSON
	for _, name := range c.repo.sortedRefs("refs/" + c.params["ref"]) {
		out = append(out, c.refJSON(name))
	}
	c.json(http.StatusOK, paginate(c, out))
}

// refConflict reports whether a new ref would clash with an existing one
// that is a prefix of it or has it as a prefix ("a" and "a/b").
func (r *Repo) refConflict(name string) bool {
	for existing := range r.refs {
		if strings.HasPrefix(existing, name+"/") || strings.HasPrefix(name, existing+"/") {
			return true
		}
	}
	return false
}

// badRef matches what git check-ref-format refuses.
var badRef = regexp.MustCompile(`\.\.|@\{|[\x00-\x20\x7f~^:?*\[\\]|//|/\.|\.lock(/|$)|^/|/$|\.$`)

func validRefName(name string) bool {
	return strings.HasPrefix(name, "refs/") && strings.Count(name, "/") >= 2 && !badRef.MatchString(name)
}

func handleCreateRef(c *call) {
	var req struct {
		Ref *string `json:"ref"`
		SHA *string `json:"sha"`
	}
	if !c.decode(&req) || c.emptyRepo() {
		return
	}
	switch {
	case req.Ref == nil:
		c.missingField("ref")
	case req.SHA == nil:
		c.missingField("sha")
	case !strings.HasPrefix(*req.Ref, "refs/") || strings.Count(*req.Ref, "/") < 2:
		c.unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
	case !validRefName(*req.Ref):
		c.unprocessable(*req.Ref + " is not a valid ref name.")
	case c.repo.refs[*req.Ref] != "":
		c.unprocessable("Reference already exists")
	case c.repo.refConflict(*req.Ref):
		// refs/heads/a and refs/heads/a/b cannot both exist in git.
		c.unprocessable("Reference update failed")
	default:
		sha, ok := c.repo.resolveSHA(*req.SHA)
		if !ok || !isSHA(strings.ToLower(*req.SHA)) {
			c.unprocessable("Object does not exist")
			return
		}
		c.repo.setRefLocked(*req.Ref, sha)
		ref := c.refJSON(*req.Ref)
		c.created(ref.URL, ref)
	}
}

func handleUpdateRef(c *call) {
	var req struct {
		SHA   *string `json:"sha"`
		Force bool    `json:"force"`
	}
	if !c.decode(&req) || c.emptyRepo() {
		return
	}
	name := "refs/" + c.params["ref"]
	old, exists := c.repo.refs[name]
	switch {
	case req.SHA == nil:
		c.missingField("sha")
	case !exists:
		c.unprocessable("Reference does not exist")
	default:
		sha := strings.ToLower(*req.SHA)
		if _, ok := c.repo.get(sha); !ok {
			c.unprocessable("Object does not exist")
			return
		}
		_, oldIsCommit := c.repo.getType(old, typeCommit)
		_, newIsCommit := c.repo.getType(sha, typeCommit)
		if !req.Force && oldIsCommit && newIsCommit && !c.repo.isAncestor(old, sha) {
			c.unprocessable("Update is not a fast forward")
			return
		}
		c.repo.setRefLocked(name, sha)
		c.json(http.StatusOK, c.refJSON(name))
	}
}

func handleDeleteRef(c *call) {
	if c.emptyRepo() {
		return
	}
	name := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[name]; !ok {
		c.unprocessable("Reference does not exist")
		return
	}
	c.repo.deleteRefLocked(name, c.tok.user)
	c.noContent()
}

type treeEntryJSON struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Type string `json:"type"`
	SHA  string `json:"sha"`
	Size *int   `json:"size,omitempty"`
	URL  string `json:"url,omitempty"`
}

type treeJSON struct {
	SHA       string          `json:"sha"`
	URL       string          `json:"url"`
	Tree      []treeEntryJSON `json:"tree"`
	Truncated bool            `json:"truncated"`
}

func (c *call) treeJSON(sha string, recursive bool) treeJSON {
	t := treeJSON{SHA: sha, URL: c.objectURL(typeTree, sha), Tree: []treeEntryJSON{}}
	c.repo.walkTree(sha, "", recursive, func(p string, e treeEntry) {
		j := treeEntryJSON{Path: p, Mode: apiMode(e.mode), Type: e.objectType(), SHA: e.sha}
		if j.Type != typeCommit {
			j.URL = c.objectURL(j.Type, e.sha)
		}
		if j.Type == typeBlob {
			o, _ := c.repo.get(e.sha)
			n := len(o.data)
			j.Size = &n
		}
		t.Tree = append(t.Tree, j)
	})
	return t
}

func handleGetTree(c *call) {
	if c.emptyRepo() {
		return
	}
	sha, ok := c.repo.resolveTreeish(c.params["sha"])
	if !ok {
		c.notFound()
		return
	}
	// GitHub recurses when the parameter is present, whatever its value.
	c.json(http.StatusOK, c.treeJSON(sha, c.query.Has("recursive")))
}

// nullableString records whether a JSON field was present and whether it
// was null.
type nullableString struct {
	set   bool
	value *string
}

func (n *nullableString) UnmarshalJSON(b []byte) error {
	n.set = true
	return json.Unmarshal(b, &n.value)
}

func handleCreateTree(c *call) {
	var req struct {
		BaseTree *string `json:"base_tree"`
		Tree     []struct {
			Path    *string        `json:"path"`
			Mode    *string        `json:"mode"`
			Type    *string        `json:"type"`
			SHA     nullableString `json:"sha"`
			Content *string        `json:"content"`
		} `json:"tree"`
	}
	if !c.decode(&req) || c.emptyRepo() {
		return
	}
	if req.Tree == nil {
		c.missingField("tree")
		return
	}
	base := ""
	if req.BaseTree != nil && *req.BaseTree != "" {
		sha, ok := c.repo.resolveSHA(*req.BaseTree)
		if _, isTree := c.repo.getType(sha, typeTree); !ok || !isTree {
			c.unprocessable("base_tree is not a valid tree oid")
			return
		}
		base = sha
	}
	var edits []treeEdit
	for i, e := range req.Tree {
		field := "tree[" + strconv.Itoa(i) + "]"
		if e.Path == nil || strings.Trim(*e.Path, "/") == "" {
			c.unprocessable("Invalid request.\n\n\"path\" wasn't supplied.")
			return
		}
		if e.Mode == nil {
			c.unprocessable("Invalid request.\n\n\"mode\" wasn't supplied.")
			return
		}
		mode, ok := storedMode(*e.Mode)
		if !ok {
			c.unprocessable("Invalid request.\n\nFor 'properties/mode', \"" + *e.Mode + "\" is not a possible value.")
			return
		}
		typ := treeEntry{mode: mode}.objectType()
		if e.Type != nil && *e.Type != typ {
			c.unprocessable("Invalid request.\n\n" + field + ": mode " + *e.Mode + " does not match type " + *e.Type + ".")
			return
		}
		path := strings.Trim(*e.Path, "/")
		if strings.Contains(path, "//") || strings.Contains("/"+path+"/", "/./") || strings.Contains("/"+path+"/", "/../") ||
			strings.Contains("/"+path+"/", "/.git/") {
			c.unprocessable("tree.path contains a malformed path component")
			return
		}
		hasSHA := e.SHA.set && e.SHA.value != nil
		switch {
		case hasSHA && e.Content != nil:
			c.unprocessable("Invalid request.\n\nOnly one of \"sha\" or \"content\" may be supplied.")
			return
		case e.Content != nil:
			if typ != typeBlob {
				c.unprocessable("Invalid request.\n\n" + field + ": content can only be given for blobs.")
				return
			}
			edits = append(edits, treeEdit{path: path, mode: mode, sha: c.repo.put(typeBlob, []byte(*e.Content))})
		case hasSHA:
			sha := strings.ToLower(*e.SHA.value)
			if _, ok := c.repo.getType(sha, typ); (!ok && typ != typeCommit) || !isSHA(sha) {
				c.unprocessable("GitRPC::BadObjectState")
				return
			}
			edits = append(edits, treeEdit{path: path, mode: mode, sha: sha})
		case e.SHA.set: // "sha": null deletes the path
			edits = append(edits, treeEdit{path: path})
		default:
			c.unprocessable("Invalid request.\n\nEither \"sha\" or \"content\" must be supplied.")
			return
		}
	}
	sha, err := c.repo.editTree(base, edits)
	if err != nil {
		c.unprocessable("GitRPC::BadObjectState")
		return
	}
	t := c.treeJSON(sha, false)
	c.created(t.URL, t)
}

type signatureJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

func sigJSON(s signature) signatureJSON {
	return signatureJSON{Name: s.Name, Email: s.Email, Date: s.When.UTC().Format(time.RFC3339)}
}

type shaURLJSON struct {
	SHA     string `json:"sha"`
	URL     string `json:"url"`
	HTMLURL string `json:"html_url,omitempty"`
}

type verificationJSON struct {
	Verified   bool    `json:"verified"`
	Reason     string  `json:"reason"`
	Signature  *string `json:"signature"`
	Payload    *string `json:"payload"`
	VerifiedAt *string `json:"verified_at"`
}

func verification(cm commit) verificationJSON {
	if cm.gpgsig == "" {
		return verificationJSON{Reason: "unsigned"}
	}
	sig := cm.gpgsig
	unsigned := cm
	unsigned.gpgsig = ""
	payload := string(encodeCommit(unsigned))
	return verificationJSON{Reason: "unknown_key", Signature: &sig, Payload: &payload}
}

type gitCommitJSON struct {
	SHA          string           `json:"sha,omitempty"`
	NodeID       string           `json:"node_id,omitempty"`
	URL          string           `json:"url"`
	HTMLURL      string           `json:"html_url,omitempty"`
	Author       signatureJSON    `json:"author"`
	Committer    signatureJSON    `json:"committer"`
	Tree         shaURLJSON       `json:"tree"`
	Message      string           `json:"message"`
	Parents      []shaURLJSON     `json:"parents,omitempty"`
	CommentCount *int             `json:"comment_count,omitempty"`
	Verification verificationJSON `json:"verification"`
}

func (c *call) commitHTML(sha string) string {
	return c.html(c.repo.htmlPath() + "/commit/" + sha)
}

func (c *call) gitCommitJSON(sha string) gitCommitJSON {
	o, _ := c.repo.get(sha)
	cm, _ := parseCommit(o.data)
	j := gitCommitJSON{
		SHA:          sha,
		NodeID:       nodeID("Commit", strconv.FormatInt(c.repo.id, 10)+":"+sha),
		URL:          c.objectURL(typeCommit, sha),
		HTMLURL:      c.commitHTML(sha),
		Author:       sigJSON(cm.author),
		Committer:    sigJSON(cm.committer),
		Tree:         shaURLJSON{SHA: cm.tree, URL: c.objectURL(typeTree, cm.tree)},
		Message:      cm.message,
		Parents:      []shaURLJSON{},
		Verification: verification(cm),
	}
	for _, p := range cm.parents {
		j.Parents = append(j.Parents, shaURLJSON{SHA: p, URL: c.objectURL(typeCommit, p), HTMLURL: c.commitHTML(p)})
	}
	return j
}

func handleGetGitCommit(c *call) {
	if c.emptyRepo() {
		return
	}
	sha, ok := c.repo.resolveSHA(c.params["sha"])
	if _, isCommit := c.repo.getType(sha, typeCommit); !ok || !isCommit {
		c.notFound()
		return
	}
	c.json(http.StatusOK, c.gitCommitJSON(sha))
}

type signatureInput struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
	Date  *string `json:"date"`
}

// signature turns an author or committer parameter into a signature; def is
// used when it is absent.
func (c *call) signature(in *signatureInput, def signature) (signature, bool) {
	if in == nil {
		return def, true
	}
	switch {
	case in.Name == nil:
		c.missingField("name")
		return signature{}, false
	case in.Email == nil:
		c.missingField("email")
		return signature{}, false
	}
	sig := signature{Name: *in.Name, Email: *in.Email, When: c.s.clock()}
	if in.Date != nil {
		t, err := time.Parse(time.RFC3339, *in.Date)
		if err != nil {
			c.unprocessable("Invalid request.\n\nFor 'properties/date', \"" + *in.Date + "\" is not a date-time.")
			return signature{}, false
		}
		sig.When = t
	}
	return sig, true
}

func handleCreateGitCommit(c *call) {
	var req struct {
		Message   *string         `json:"message"`
		Tree      *string         `json:"tree"`
		Parents   []string        `json:"parents"`
		Author    *signatureInput `json:"author"`
		Committer *signatureInput `json:"committer"`
		Signature *string         `json:"signature"`
	}
	if !c.decode(&req) || c.emptyRepo() {
		return
	}
	switch {
	case req.Message == nil:
		c.missingField("message")
		return
	case req.Tree == nil:
		c.missingField("tree")
		return
	}
	tree := strings.ToLower(*req.Tree)
	if _, ok := c.repo.getType(tree, typeTree); !ok {
		c.unprocessable("Tree SHA does not exist")
		return
	}
	parents := []string{}
	for _, p := range req.Parents {
		p = strings.ToLower(p)
		if _, ok := c.repo.getType(p, typeCommit); !ok {
			c.unprocessable("Parent SHA does not exist or is not a commit object")
			return
		}
		parents = append(parents, p)
	}
	u := c.tok.user
	def := signature{Name: u.login, Email: strconv.FormatInt(u.id, 10) + "+" + u.login + "@users.noreply.github.com",
		When: c.s.clock()}
	author, ok := c.signature(req.Author, def)
	if !ok {
		return
	}
	committer, ok := c.signature(req.Committer, author)
	if !ok {
		return
	}
	cm := commit{tree: tree, parents: parents, author: author, committer: committer, message: *req.Message}
	if req.Signature != nil {
		cm.gpgsig = *req.Signature
	}
	sha := c.repo.put(typeCommit, encodeCommit(cm))
	j := c.gitCommitJSON(sha)
	c.created(j.URL, j)
}

// wrapBase64 encodes data as GitHub does in blob and contents responses:
// base64 in lines of 60 characters, each ending in "\n".
func wrapBase64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	if enc != "" {
		b.WriteString(enc + "\n")
	}
	return b.String()
}

// wantsRaw reports whether the request asked for raw content.
func (c *call) wantsRaw() bool {
	a := c.r.Header.Get("Accept")
	return strings.Contains(a, "application/vnd.github.raw") || strings.Contains(a, "application/vnd.github.v3.raw")
}

func (c *call) raw(data []byte) {
	c.out.status = http.StatusOK
	c.out.header.Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
	c.out.body = append([]byte(nil), data...)
}

func handleGetBlob(c *call) {
	if c.emptyRepo() {
		return
	}
	sha, ok := c.repo.resolveSHA(c.params["sha"])
	o, isBlob := c.repo.getType(sha, typeBlob)
	if !ok || !isBlob {
		c.notFound()
		return
	}
	if c.wantsRaw() {
		c.raw(o.data)
		return
	}
	c.json(http.StatusOK, map[string]any{
		"sha":      sha,
		"node_id":  nodeID("Blob", strconv.FormatInt(c.repo.id, 10)+":"+sha),
		"size":     len(o.data),
		"url":      c.objectURL(typeBlob, sha),
		"content":  wrapBase64(o.data),
		"encoding": "base64",
	})
}

func handleCreateBlob(c *call) {
	var req struct {
		Content  *string `json:"content"`
		Encoding *string `json:"encoding"`
	}
	if !c.decode(&req) || c.emptyRepo() {
		return
	}
	if req.Content == nil {
		c.missingField("content")
		return
	}
	data := []byte(*req.Content)
	switch enc := orDefault(deref(req.Encoding), "utf-8"); enc {
	case "utf-8", "utf8":
		if !utf8.Valid(data) {
			c.unprocessable("Invalid request.\n\ncontent is not valid UTF-8.")
			return
		}
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, *req.Content))
		if err != nil {
			c.unprocessable("Invalid request.\n\ncontent is not valid Base64.")
			return
		}
		data = b
	default:
		c.unprocessable("Invalid request.\n\nFor 'properties/encoding', \"" + enc + "\" is not a possible value.")
		return
	}
	sha := c.repo.put(typeBlob, data)
	u := c.objectURL(typeBlob, sha)
	c.created(u, map[string]string{"url": u, "sha": sha})
}

func dropSpace(r rune) rune {
	if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
		return -1
	}
	return r
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func handleGetGitTag(c *call) {
	if c.emptyRepo() {
		return
	}
	sha, ok := c.repo.resolveSHA(c.params["sha"])
	o, isTag := c.repo.getType(sha, typeTag)
	if !ok || !isTag {
		c.notFound()
		return
	}
	t, err := parseTag(o.data)
	if err != nil {
		c.notFound()
		return
	}
	c.json(http.StatusOK, map[string]any{
		"node_id": nodeID("Tag", strconv.FormatInt(c.repo.id, 10)+":"+sha),
		"tag":     t.name,
		"sha":     sha,
		"url":     c.objectURL(typeTag, sha),
		"message": t.message,
		"tagger":  sigJSON(t.tagger),
		"object":  gitObjectJSON{SHA: t.object, Type: t.typ, URL: c.objectURL(t.typ, t.object)},
		"verification": verificationJSON{
			Reason: "unsigned",
		},
	})
}

type repoCommitJSON struct {
	SHA         string        `json:"sha"`
	NodeID      string        `json:"node_id"`
	Commit      gitCommitJSON `json:"commit"`
	URL         string        `json:"url"`
	HTMLURL     string        `json:"html_url"`
	CommentsURL string        `json:"comments_url"`
	Author      *userJSON     `json:"author"`
	Committer   *userJSON     `json:"committer"`
	Parents     []shaURLJSON  `json:"parents"`
	Files       []any         `json:"files"`
}

// handleGetCommit serves GET /repos/{o}/{r}/commits/{ref}: the commit, or
// only its id with the "sha" media type (with the id as a strong ETag, as
// go-github's GetCommitSHA1 expects).
func handleGetCommit(c *call) {
	if c.emptyRepo() {
		return
	}
	ref := c.params["ref"]
	sha, ok := c.repo.resolveCommitish(ref)
	if !ok || ref == "" {
		c.unprocessable("No commit found for SHA: " + ref)
		return
	}
	if a := c.r.Header.Get("Accept"); strings.Contains(a, "application/vnd.github.sha") ||
		strings.Contains(a, "application/vnd.github.v3.sha") {
		c.out.status = http.StatusOK
		c.out.header.Set("Content-Type", "application/vnd.github.sha; charset=utf-8")
		c.out.header.Set("ETag", `"`+sha+`"`)
		c.out.body = []byte(sha)
		return
	}
	cj := c.gitCommitJSON(sha)
	api := c.api(c.repo.path() + "/commits/" + sha)
	j := repoCommitJSON{
		SHA: sha, NodeID: cj.NodeID, URL: api, HTMLURL: cj.HTMLURL, CommentsURL: api + "/comments",
		Parents: []shaURLJSON{}, Files: []any{},
	}
	for _, p := range cj.Parents {
		j.Parents = append(j.Parents, shaURLJSON{SHA: p.SHA, URL: c.api(c.repo.path() + "/commits/" + p.SHA), HTMLURL: p.HTMLURL})
	}
	cj.SHA, cj.NodeID, cj.HTMLURL, cj.Parents = "", "", "", nil
	zero := 0
	cj.CommentCount = &zero
	j.Commit = cj
	c.json(http.StatusOK, j)
}

type contentJSON struct {
	Type        string            `json:"type"`
	Encoding    string            `json:"encoding,omitempty"`
	Size        int               `json:"size"`
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	Content     *string           `json:"content,omitempty"`
	Target      string            `json:"target,omitempty"`
	SHA         string            `json:"sha"`
	URL         string            `json:"url"`
	GitURL      *string           `json:"git_url"`
	HTMLURL     *string           `json:"html_url"`
	DownloadURL *string           `json:"download_url"`
	Links       map[string]string `json:"_links"`
}

// contentJSON describes a tree entry for the contents API; withContent adds
// the content of files (up to 1 MB, as GitHub).
func (c *call) contentJSON(p string, e treeEntry, ref, commitSHA string, withContent bool) contentJSON {
	str := func(s string) *string { return &s }
	refQ := "?ref=" + url.QueryEscape(ref)
	j := contentJSON{Name: e.name, Path: p, SHA: e.sha,
		URL: c.api(c.repo.path() + "/contents/" + escapePath(p) + refQ)}
	kind := "blob"
	switch e.mode {
	case modeTree:
		j.Type, kind = "dir", "tree"
		j.GitURL = str(c.objectURL(typeTree, e.sha))
	case modeGitlink:
		j.Type = "submodule"
	case modeSymlink:
		j.Type = "symlink"
	default:
		j.Type = "file"
	}
	if e.objectType() == typeBlob {
		o, _ := c.repo.get(e.sha)
		j.Size = len(o.data)
		j.GitURL = str(c.objectURL(typeBlob, e.sha))
		j.DownloadURL = str(c.html("/raw" + c.repo.htmlPath() + "/" + commitSHA + "/" + escapePath(p)))
		if j.Type == "symlink" {
			j.Target = string(o.data)
		}
		if withContent && j.Type == "file" {
			if len(o.data) > 1<<20 {
				j.Encoding, j.Content = "none", str("")
			} else {
				j.Encoding, j.Content = "base64", str(wrapBase64(o.data))
			}
		}
	}
	if e.mode != modeGitlink {
		j.HTMLURL = str(c.html(c.repo.htmlPath() + "/" + kind + "/" + escapePath(ref) + "/" + escapePath(p)))
	}
	j.Links = map[string]string{"self": j.URL}
	if j.GitURL != nil {
		j.Links["git"] = *j.GitURL
	}
	if j.HTMLURL != nil {
		j.Links["html"] = *j.HTMLURL
	}
	return j
}

func handleGetContents(c *call) {
	if len(c.repo.refs) == 0 {
		c.errorMessage(http.StatusNotFound, "This repository is empty.")
		return
	}
	ref := orDefault(c.query.Get("ref"), c.repo.defaultBranch)
	commitSHA, ok := c.repo.resolveCommitish(ref)
	if !ok {
		c.errorMessage(http.StatusNotFound, "No commit found for the ref "+ref)
		return
	}
	cm, _ := c.repo.commitObj(commitSHA)
	p := strings.Trim(c.params["path"], "/")
	if p == "." {
		p = "" // go-github's DownloadContents asks for "." for the root
	}
	e, ok := c.repo.lookupPath(cm.tree, p)
	if !ok {
		c.notFound()
		return
	}
	if e.mode != modeTree {
		if c.wantsRaw() && e.objectType() == typeBlob {
			o, _ := c.repo.get(e.sha)
			c.raw(o.data)
			return
		}
		c.json(http.StatusOK, c.contentJSON(p, e, ref, commitSHA, true))
		return
	}
	out := []contentJSON{}
	c.repo.walkTree(e.sha, p, false, func(ep string, child treeEntry) {
		out = append(out, c.contentJSON(ep, child, ref, commitSHA, false))
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	c.json(http.StatusOK, out)
}

// handleRaw serves the download_url of the contents API:
// /raw/{owner}/{repo}/{commit}/{path}, the file's bytes. (GitHub serves
// these from raw.githubusercontent.com, by ref name.)
func handleRaw(c *call) {
	cm, ok := c.repo.commitObj(c.params["sha"])
	if !ok {
		c.notFound()
		return
	}
	e, ok := c.repo.lookupPath(cm.tree, c.params["path"])
	if !ok || e.objectType() != typeBlob || c.params["path"] == "" {
		c.notFound()
		return
	}
	o, _ := c.repo.get(e.sha)
	c.raw(o.data)
	c.out.header.Set("Content-Type", "text/plain; charset=utf-8")
}

type tagJSON struct {
	Name       string     `json:"name"`
	ZipballURL string     `json:"zipball_url"`
	TarballURL string     `json:"tarball_url"`
	Commit     shaURLJSON `json:"commit"`
	NodeID     string     `json:"node_id"`
}

// handleListTags lists tags newest version first (GitHub sorts them in
// reverse version order).
func handleListTags(c *call) {
	names := c.repo.sortedRefs("refs/tags/")
	sort.SliceStable(names, func(i, j int) bool { return versionLess(names[j], names[i]) })
	out := []tagJSON{}
	for _, name := range names {
		tagName := strings.TrimPrefix(name, "refs/tags/")
		sha := c.repo.peel(c.repo.refs[name])
		out = append(out, tagJSON{
			Name:       tagName,
			ZipballURL: c.api(c.repo.path() + "/zipball/refs/tags/" + escapePath(tagName)),
			TarballURL: c.api(c.repo.path() + "/tarball/refs/tags/" + escapePath(tagName)),
			Commit:     shaURLJSON{SHA: sha, URL: c.api(c.repo.path() + "/commits/" + sha)},
			NodeID:     nodeID("Ref", strconv.FormatInt(c.repo.id, 10)+":"+name),
		})
	}
	c.json(http.StatusOK, paginate(c, out))
}

// versionLess compares strings with runs of digits compared as numbers, so
// that v1.10.0 sorts after v1.9.0.
func versionLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.ParseUint(da, 10, 64)
			nb, _ := strconv.ParseUint(db, 10, 64)
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i]
}
