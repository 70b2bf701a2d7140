package fakegithub

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// This file moves git objects between the fake and local repositories with
// the git command.

// runGit runs git in dir with stdin and returns its standard output.
func runGit(dir string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// ImportGit loads every object, branch and tag of the local git repository
// in dir into the repository, as a push of all branches and tags would.
// Existing refs of the same names are overwritten; other refs are kept.
// Object ids are checked: the repository must use SHA-1.
func (r *Repo) ImportGit(dir string) error {
	out, err := runGit(dir, nil, "cat-file", "--batch-all-objects", "--batch")
	if err != nil {
		return err
	}
	objects := map[string]object{}
	br := bufio.NewReader(bytes.NewReader(out))
	for {
		header, err := br.ReadString('\n')
		if err == io.EOF && header == "" {
			break
		}
		if err != nil {
			return fmt.Errorf("ImportGit: reading objects: %v", err)
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			return fmt.Errorf("ImportGit: unexpected line %q", header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return fmt.Errorf("ImportGit: unexpected line %q", header)
		}
		data := make([]byte, size+1) // content and "\n"
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("ImportGit: reading object %s: %v", f[0], err)
		}
		data = data[:size]
		if got := hashObject(f[1], data); got != f[0] {
			return fmt.Errorf("ImportGit: object %s hashes to %s (is the repository SHA-1?)", f[0], got)
		}
		objects[f[0]] = object{typ: f[1], data: data}
	}
	out, err = runGit(dir, nil, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags")
	if err != nil {
		return err
	}
	refs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if sha, name, ok := strings.Cut(line, " "); ok {
			if _, ok := objects[sha]; !ok {
				return fmt.Errorf("ImportGit: ref %s points at missing object %s", name, sha)
			}
			refs[name] = sha
		}
	}

	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	for sha, o := range objects {
		if _, ok := r.objects[sha]; !ok {
			r.objects[sha] = o
		}
	}
	for _, name := range sortedKeys(refs) {
		r.setRefLocked(name, refs[name])
	}
	return nil
}

// ExportRef writes the object a ref of the fake points at ("heads/x",
// "refs/heads/x", "tags/v1"), and every object reachable from it, into the
// local git repository in dir, and sets the same ref there. It returns the
// ref's object id. Objects are written with git hash-object, which checks
// their format, and their ids are checked to be the fake's.
func (r *Repo) ExportRef(dir, ref string) (string, error) {
	name := fullRef(ref)
	r.s.mu.Lock()
	sha, ok := r.refs[name]
	var ids []string
	var err error
	if ok {
		ids, err = r.reachable(sha)
	}
	objects := make(map[string]object, len(ids))
	for _, id := range ids {
		objects[id], _ = r.get(id)
	}
	r.s.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("ExportRef: %s has no ref %s", r.FullName(), name)
	}
	if err != nil {
		return "", fmt.Errorf("ExportRef: %v", err)
	}

	// Find which objects the local repository lacks.
	out, err := runGit(dir, []byte(strings.Join(ids, "\n")+"\n"), "cat-file", "--batch-check")
	if err != nil {
		return "", err
	}
	missing := map[string][]string{} // type → ids
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if id, ok := strings.CutSuffix(line, " missing"); ok {
			missing[objects[id].typ] = append(missing[objects[id].typ], id)
		}
	}

	// Write them, one git hash-object per type.
	tmp, err := os.MkdirTemp("", "fakegithub-export-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	for _, typ := range sortedKeys(missing) {
		var paths []string
		for _, id := range missing[typ] {
			p := filepath.Join(tmp, id)
			if err := os.WriteFile(p, objects[id].data, 0o600); err != nil {
				return "", err
			}
			paths = append(paths, p)
		}
		out, err := runGit(dir, []byte(strings.Join(paths, "\n")+"\n"), "hash-object", "-w", "-t", typ, "--stdin-paths")
		if err != nil {
			return "", err
		}
		got := strings.Fields(string(out))
		for i, id := range missing[typ] {
			if i >= len(got) || got[i] != id {
				return "", fmt.Errorf("ExportRef: git stored %s object %s under another id", typ, id)
			}
		}
	}
	if _, err := runGit(dir, nil, "update-ref", name, sha); err != nil {
		return "", err
	}
	return sha, nil
}
