package fakegithub

import (
	"net/http"
)

// The Git data API (gitrefs.go, gittrees.go, gitcommits.go, gitblobs.go,
// gittags.go) and the endpoints built on it (contents.go) share these.

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
