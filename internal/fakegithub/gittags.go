package fakegithub

import (
	"net/http"
	"strconv"
)

// The git tags API: annotated tag objects.

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
