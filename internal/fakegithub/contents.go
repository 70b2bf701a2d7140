package fakegithub

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// The repository's commits, contents and tags endpoints (not the git
// database ones): what a client reads of a branch.

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
