package fakegithub

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The git commits API: read and create commit objects.

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
