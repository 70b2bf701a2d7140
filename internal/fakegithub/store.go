package fakegithub

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// This file holds the repository's git object store and refs. Methods whose
// name ends in Locked must be called with the server's mutex held.

// put stores an object and returns its id.
func (r *Repo) put(typ string, data []byte) string {
	sha := hashObject(typ, data)
	if _, ok := r.objects[sha]; !ok {
		r.objects[sha] = object{typ: typ, data: append([]byte(nil), data...)}
	}
	return sha
}

// get returns the object with the id, which must be a full id.
func (r *Repo) get(sha string) (object, bool) {
	o, ok := r.objects[strings.ToLower(sha)]
	return o, ok
}

// getType returns the object if it exists and has the type.
func (r *Repo) getType(sha, typ string) (object, bool) {
	o, ok := r.get(sha)
	return o, ok && o.typ == typ
}

// commitObj returns the parsed commit with the id.
func (r *Repo) commitObj(sha string) (commit, bool) {
	o, ok := r.getType(sha, typeCommit)
	if !ok {
		return commit{}, false
	}
	c, err := parseCommit(o.data)
	return c, err == nil
}

// treeEntries returns the entries of the tree with the id.
func (r *Repo) treeEntries(sha string) ([]treeEntry, bool) {
	o, ok := r.getType(sha, typeTree)
	if !ok {
		return nil, false
	}
	es, err := decodeTree(o.data)
	return es, err == nil
}

// peel follows annotated tags to the object they point at.
func (r *Repo) peel(sha string) string {
	for range 10 {
		o, ok := r.get(sha)
		if !ok || o.typ != typeTag {
			return sha
		}
		t, err := parseTag(o.data)
		if err != nil {
			return sha
		}
		sha = t.object
	}
	return sha
}

// fullRef turns "heads/x" or "refs/heads/x" into "refs/heads/x".
func fullRef(name string) string {
	return "refs/" + strings.TrimPrefix(name, "refs/")
}

// resolveCommitish resolves a branch name, tag name, "heads/x", "tags/x",
// "refs/…" name or (possibly abbreviated) commit id to a commit id, the way
// GitHub resolves the ref parameter of its endpoints.
func (r *Repo) resolveCommitish(rev string) (string, bool) {
	if rev == "" {
		rev = r.defaultBranch
	}
	for _, name := range []string{"refs/heads/" + rev, "refs/tags/" + rev, fullRef(rev)} {
		if sha, ok := r.refs[name]; ok {
			sha = r.peel(sha)
			_, isCommit := r.getType(sha, typeCommit)
			return sha, isCommit
		}
	}
	if sha, ok := r.resolveSHA(rev); ok {
		sha = r.peel(sha)
		_, isCommit := r.getType(sha, typeCommit)
		return sha, isCommit
	}
	return "", false
}

// resolveSHA resolves a full or abbreviated (at least 7 digits) object id.
func (r *Repo) resolveSHA(prefix string) (string, bool) {
	prefix = strings.ToLower(prefix)
	if isSHA(prefix) {
		_, ok := r.objects[prefix]
		return prefix, ok
	}
	if len(prefix) < 7 || len(prefix) > 40 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return "", false
	}
	found := ""
	for sha := range r.objects {
		if strings.HasPrefix(sha, prefix) {
			if found != "" {
				return "", false // ambiguous
			}
			found = sha
		}
	}
	return found, found != ""
}

// resolveTreeish resolves a tree id, or a commit id or ref whose tree is
// meant, to a tree id.
func (r *Repo) resolveTreeish(rev string) (string, bool) {
	if sha, ok := r.resolveSHA(rev); ok {
		sha = r.peel(sha)
		if _, ok := r.getType(sha, typeTree); ok {
			return sha, true
		}
		if c, ok := r.commitObj(sha); ok {
			return c.tree, true
		}
		return "", false
	}
	sha, ok := r.resolveCommitish(rev)
	if !ok {
		return "", false
	}
	c, ok := r.commitObj(sha)
	return c.tree, ok
}

// lookupPath finds the entry at a slash-separated path under a tree. The
// empty path is the tree itself.
func (r *Repo) lookupPath(tree, p string) (treeEntry, bool) {
	cur := treeEntry{mode: modeTree, sha: tree}
	for _, name := range strings.Split(strings.Trim(p, "/"), "/") {
		if name == "" {
			continue
		}
		if cur.mode != modeTree {
			return treeEntry{}, false
		}
		es, ok := r.treeEntries(cur.sha)
		if !ok {
			return treeEntry{}, false
		}
		found := false
		for _, e := range es {
			if e.name == name {
				cur, found = e, true
				break
			}
		}
		if !found {
			return treeEntry{}, false
		}
	}
	cur.name = path.Base("/" + strings.Trim(p, "/"))
	return cur, true
}

// walkTree calls fn for every entry under a tree, in git's order, with its
// path; subtrees come before their contents. With recursive false only the
// top level is walked.
func (r *Repo) walkTree(tree, prefix string, recursive bool, fn func(p string, e treeEntry)) {
	es, _ := r.treeEntries(tree)
	sortTree(es)
	for _, e := range es {
		p := e.name
		if prefix != "" {
			p = prefix + "/" + e.name
		}
		fn(p, e)
		if recursive && e.mode == modeTree {
			r.walkTree(e.sha, p, true, fn)
		}
	}
}

// isAncestor reports whether commit anc is desc or one of its ancestors.
func (r *Repo) isAncestor(anc, desc string) bool {
	seen := map[string]bool{}
	queue := []string{desc}
	for len(queue) > 0 {
		sha := queue[0]
		queue = queue[1:]
		if sha == anc {
			return true
		}
		if seen[sha] {
			continue
		}
		seen[sha] = true
		if c, ok := r.commitObj(sha); ok {
			queue = append(queue, c.parents...)
		}
	}
	return false
}

// treeEdit sets (sha != "") or deletes (sha == "") the entry at a path.
type treeEdit struct {
	path string
	mode string // stored form
	sha  string
}

// dirNode is a tree being edited: entries whose dir is set were loaded (and
// maybe changed) and are written back by write.
type dirNode struct {
	entries map[string]*dirEntry
}

type dirEntry struct {
	mode string
	sha  string
	dir  *dirNode
}

func (r *Repo) loadDir(sha string) *dirNode {
	d := &dirNode{entries: map[string]*dirEntry{}}
	if sha == "" {
		return d
	}
	es, _ := r.treeEntries(sha)
	for _, e := range es {
		d.entries[e.name] = &dirEntry{mode: e.mode, sha: e.sha}
	}
	return d
}

// editTree applies edits to the tree base ("" for an empty tree), storing
// the new trees, and returns the id of the new root tree. Directories left
// empty by deletions disappear, as git cannot store them. Deleting a path
// that does not exist is an error, as on GitHub.
func (r *Repo) editTree(base string, edits []treeEdit) (string, error) {
	root := r.loadDir(base)
	for _, ed := range edits {
		names := strings.Split(strings.Trim(ed.path, "/"), "/")
		d := root
		for _, name := range names[:len(names)-1] {
			e := d.entries[name]
			if e == nil || e.mode != modeTree {
				if ed.sha == "" {
					return "", fmt.Errorf("path %q does not exist", ed.path)
				}
				e = &dirEntry{mode: modeTree, dir: &dirNode{entries: map[string]*dirEntry{}}}
				d.entries[name] = e
			}
			if e.dir == nil {
				e.dir = r.loadDir(e.sha)
			}
			d = e.dir
		}
		leaf := names[len(names)-1]
		if ed.sha == "" {
			if d.entries[leaf] == nil {
				return "", fmt.Errorf("path %q does not exist", ed.path)
			}
			delete(d.entries, leaf)
			continue
		}
		d.entries[leaf] = &dirEntry{mode: ed.mode, sha: ed.sha}
	}
	sha, _ := r.writeDir(root)
	return sha, nil
}

// writeDir stores a directory being edited and returns its id and number of
// entries.
func (r *Repo) writeDir(d *dirNode) (string, int) {
	var es []treeEntry
	for name, e := range d.entries {
		if e.dir != nil {
			sha, n := r.writeDir(e.dir)
			if n == 0 {
				continue
			}
			e.sha = sha
		}
		es = append(es, treeEntry{mode: e.mode, name: name, sha: e.sha})
	}
	return r.put(typeTree, encodeTree(es)), len(es)
}

// setRefLocked points a ref at an object and keeps the pull requests using
// the branch in step.
func (r *Repo) setRefLocked(name, sha string) {
	r.refs[name] = sha
	r.pushedAt = r.s.clock()
	if branch, ok := strings.CutPrefix(name, "refs/heads/"); ok {
		r.branchMovedLocked(branch)
	}
}

// deleteRefLocked deletes a ref; deleting the head branch of an open pull
// request closes it, as on GitHub, in the name of by.
func (r *Repo) deleteRefLocked(name string, by *user) {
	delete(r.refs, name)
	if branch, ok := strings.CutPrefix(name, "refs/heads/"); ok {
		r.branchDeletedLocked(branch, by)
	}
}

// Ref returns the object id a ref points at. name may be "heads/main",
// "refs/heads/main" or "tags/v1.0.0".
func (r *Repo) Ref(name string) (string, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	sha, ok := r.refs[fullRef(name)]
	return sha, ok
}

// Refs returns every ref ("refs/heads/main" → id).
func (r *Repo) Refs() map[string]string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	m := make(map[string]string, len(r.refs))
	for k, v := range r.refs {
		m[k] = v
	}
	return m
}

// SetRef points a ref ("heads/x", "tags/v1", "refs/heads/x") at an object
// the repository holds, creating the ref if needed; SetRef(name, "")
// deletes it (as DefaultAuthor: the pull requests it closes say so).
func (r *Repo) SetRef(name, sha string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if sha == "" {
		r.deleteRefLocked(fullRef(name), r.s.userLocked(DefaultAuthor))
		return
	}
	if _, ok := r.get(sha); !ok {
		panic("fakegithub: SetRef: no object " + sha + " in " + r.FullName())
	}
	r.setRefLocked(fullRef(name), strings.ToLower(sha))
}

// Commit makes a commit on a branch, as a push would, and returns its id.
// files maps paths to contents; an empty content deletes the path. The new
// commit's parent is the branch's tip; when the branch does not exist it
// starts from the default branch's tip (or is a root commit in an empty
// repository). Author and committer are "phasegate test
// <test@phasegate.invalid>" at the server's clock.
func (r *Repo) Commit(branch, message string, files map[string]string) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	parent, ok := r.refs["refs/heads/"+branch]
	if !ok {
		parent = r.refs["refs/heads/"+r.defaultBranch]
	}
	var parents []string
	base := ""
	if parent != "" {
		parents = []string{parent}
		c, _ := r.commitObj(parent)
		base = c.tree
	}
	var edits []treeEdit
	for _, p := range sortedKeys(files) {
		ed := treeEdit{path: p, mode: modeFile}
		if files[p] != "" {
			ed.sha = r.put(typeBlob, []byte(files[p]))
		} else if _, ok := r.lookupPath(base, p); !ok || base == "" {
			continue // deleting what is not there
		}
		edits = append(edits, ed)
	}
	tree, err := r.editTree(base, edits)
	if err != nil {
		panic("fakegithub: Commit: deleting " + err.Error())
	}
	sig := signature{Name: "phasegate test", Email: "test@phasegate.invalid", When: r.s.clock()}
	sha := r.put(typeCommit, encodeCommit(commit{tree: tree, parents: parents,
		author: sig, committer: sig, message: message + "\n"}))
	r.setRefLocked("refs/heads/"+branch, sha)
	return sha
}

// File returns the content of a file at a ref or commit ("" for the default
// branch).
func (r *Repo) File(rev, p string) (string, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	tree, ok := r.resolveTreeish(orDefault(rev, r.defaultBranch))
	if !ok {
		return "", false
	}
	e, ok := r.lookupPath(tree, p)
	if !ok || e.objectType() != typeBlob {
		return "", false
	}
	o, _ := r.get(e.sha)
	return string(o.data), true
}

// Files returns every file at a ref or commit ("" for the default branch):
// path → content.
func (r *Repo) Files(rev string) map[string]string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	tree, ok := r.resolveTreeish(orDefault(rev, r.defaultBranch))
	if !ok {
		panic("fakegithub: Files: unknown revision " + rev)
	}
	files := map[string]string{}
	r.walkTree(tree, "", true, func(p string, e treeEntry) {
		if e.objectType() == typeBlob {
			o, _ := r.get(e.sha)
			files[p] = string(o.data)
		}
	})
	return files
}

// CommitInfo describes a commit, for assertions.
type CommitInfo struct {
	SHA            string
	Tree           string
	Parents        []string
	Message        string
	AuthorName     string
	AuthorEmail    string
	AuthorDate     time.Time
	CommitterName  string
	CommitterEmail string
	CommitterDate  time.Time
}

// CommitInfo returns the commit a ref or (abbreviated) id names.
func (r *Repo) CommitInfo(rev string) (CommitInfo, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	sha, ok := r.resolveCommitish(rev)
	if !ok {
		return CommitInfo{}, false
	}
	c, _ := r.commitObj(sha)
	return CommitInfo{SHA: sha, Tree: c.tree, Parents: append([]string(nil), c.parents...), Message: c.message,
		AuthorName: c.author.Name, AuthorEmail: c.author.Email, AuthorDate: c.author.When,
		CommitterName: c.committer.Name, CommitterEmail: c.committer.Email, CommitterDate: c.committer.When}, true
}

// Object returns the type ("blob", "tree", "commit" or "tag") and content
// of a git object.
func (r *Repo) Object(sha string) (typ string, data []byte, ok bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	o, ok := r.get(sha)
	return o.typ, append([]byte(nil), o.data...), ok
}

// reachable returns the ids of every object reachable from the ids, in an
// order where each object comes after those it points at.
func (r *Repo) reachable(roots ...string) ([]string, error) {
	seen := map[string]bool{}
	var order []string
	var visit func(sha string) error
	visit = func(sha string) error {
		if seen[sha] {
			return nil
		}
		seen[sha] = true
		o, ok := r.get(sha)
		if !ok {
			return fmt.Errorf("object %s is missing", sha)
		}
		switch o.typ {
		case typeCommit:
			c, err := parseCommit(o.data)
			if err != nil {
				return err
			}
			if err := visit(c.tree); err != nil {
				return err
			}
			for _, p := range c.parents {
				if err := visit(p); err != nil {
					return err
				}
			}
		case typeTree:
			es, err := decodeTree(o.data)
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.mode == modeGitlink {
					continue // submodule commits live elsewhere
				}
				if err := visit(e.sha); err != nil {
					return err
				}
			}
		case typeTag:
			t, err := parseTag(o.data)
			if err != nil {
				return err
			}
			if err := visit(t.object); err != nil {
				return err
			}
		}
		order = append(order, sha)
		return nil
	}
	for _, sha := range roots {
		if err := visit(sha); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// sortedRefs returns the names of the refs with a prefix, sorted.
func (r *Repo) sortedRefs(prefix string) []string {
	var names []string
	for name := range r.refs {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
