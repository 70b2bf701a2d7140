package fakegithub

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// The git trees API: read a tree, recursively or not, and create one.

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
