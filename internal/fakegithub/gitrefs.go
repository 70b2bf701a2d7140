package fakegithub

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
)

// The git references API: get, match, create, update and delete refs.

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
