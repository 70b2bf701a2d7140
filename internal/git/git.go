// Package git reads a git repository through the git command: revisions,
// merge bases, what changed between two revisions, and the files of any
// commit as an fs.FS.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/phasegate/phasegate/internal/spell"
)

// Repo is a git work tree.
type Repo struct {
	// Root is the absolute path of the work tree's top directory.
	Root string
	// ahead is what OpenChange learnt beside finding Root, which Resolve
	// and MergeBaseOfNames answer without running git again: the commit
	// the head names, and the merge base of the base and the head.
	ahead struct {
		head, headCommit, base, mergeBase string
		mergeBaseErr                      error // when git found no merge base
	}
}

// NotRepoError is a directory that no git work tree contains. It does
// not say why the caller needed one: the command that failed says that.
type NotRepoError struct {
	Dir string
	Err error // git's answer
}

func (e *NotRepoError) Error() string { return e.Dir + " is not inside a git repository" }

func (e *NotRepoError) Unwrap() error { return e.Err }

// Open returns the repository that contains dir; a *NotRepoError when
// there is none.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	out, err := run(context.Background(), abs, "rev-parse", "--show-toplevel")
	switch {
	case err != nil && strings.Contains(err.Error(), "not a git repository"):
		return nil, &NotRepoError{Dir: abs, Err: err}
	case err != nil:
		// Another refusal (an unsafe owner, a directory that does not
		// exist): git's own words say what to do.
		return nil, fmt.Errorf("git cannot read the repository of %s: %w", abs, err)
	}
	return &Repo{Root: strings.TrimSpace(string(out))}, nil
}

// OpenChange is Open for a check of head against base (revision names;
// head "HEAD" for the work tree's commit). On this project's machine a git
// command costs 5 to 10 ms however little it does, so OpenChange asks in
// the same command that finds the work tree's top for the commit head
// names, and beside it for the merge base of the two names: the first
// things a check asks. It keeps the answers for Resolve and
// MergeBaseOfNames, a merge base git did not find included (the check
// then resolves the names one by one, which says why). A head git could
// not read is not kept: Resolve asks again and says why.
func OpenChange(ctx context.Context, dir, base, head string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var mergeBase string
	var mbErr error
	var asked sync.WaitGroup
	asked.Go(func() { mergeBase, mbErr = mergeBaseOfNames(ctx, abs, base, head) })
	defer asked.Wait()
	var r *Repo
	if !strings.HasPrefix(head, "-") {
		out, err := run(ctx, abs, "rev-parse", "--show-toplevel", "--verify", "--quiet", "--end-of-options", head+"^{commit}")
		if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); err == nil && len(lines) == 2 {
			r = &Repo{Root: lines[0]}
			r.ahead.head, r.ahead.headCommit = head, lines[1]
		}
	}
	if r == nil { // no commit by that name, or no repository: Open says which
		if r, err = Open(dir); err != nil {
			return nil, err
		}
	}
	asked.Wait()
	if ctx.Err() == nil { // an answer cut short by cancelling is no answer
		r.ahead.base, r.ahead.head = base, head
		r.ahead.mergeBase, r.ahead.mergeBaseErr = mergeBase, mbErr
	}
	return r, nil
}

// Git runs git in the repository and returns its standard output.
func (r *Repo) Git(ctx context.Context, args ...string) ([]byte, error) {
	return run(ctx, r.Root, args...)
}

func run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
		}
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return stdout.Bytes(), nil
}

// Shallow reports whether the repository is a shallow clone.
func (r *Repo) Shallow(ctx context.Context) bool {
	out, err := r.Git(ctx, "rev-parse", "--is-shallow-repository")
	return err == nil && strings.TrimSpace(string(out)) == "true"
}

// Resolve returns the commit a revision names. A branch name that exists
// only as a remote-tracking branch (origin/NAME), as in a CI checkout, is
// found too.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	if r.ahead.headCommit != "" && rev == r.ahead.head {
		return r.ahead.headCommit, nil // rev^{commit}, the first candidate
	}
	cands := []string{rev}
	if !strings.HasPrefix(rev, "origin/") {
		cands = append(cands, "origin/"+rev)
	}
	for _, cand := range cands {
		out, err := r.Git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", cand+"^{commit}")
		if err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	if rev == "HEAD" {
		return "", fmt.Errorf("HEAD names no commit in %s: the current branch has no commits yet; commit first (phasegate check compares commits)", r.Root)
	}
	if r.Shallow(ctx) {
		return "", fmt.Errorf("revision %q not found in %s: the clone is shallow; in GitHub Actions check out with actions/checkout and fetch-depth: 0", rev, r.Root)
	}
	hint := "check the name (git branch -a and git tag list what there is), or fetch it first: " + r.fetchHint(ctx, rev)
	if near := spell.Nearest(rev, r.refNames(ctx)); len(near) > 0 {
		hint = "did you mean " + strings.Join(near, " or ") + "? Or " + hint
	}
	return "", fmt.Errorf("revision %q not found in %s: %s", rev, r.Root, hint)
}

// refNames lists the short names of the repository's branches, remote
// branches and tags, for a "did you mean" on a misspelt revision.
func (r *Repo) refNames(ctx context.Context) []string {
	out, err := r.Git(ctx, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes", "refs/tags")
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}

// fetchHint returns the git command that fetches a revision that is not
// here. A remote-tracking name (origin/main, refs/remotes/upstream/main) is
// fetched from its remote by its branch name (git fetch origin main: the
// remote has no branch "origin/main"); any other name from origin, where a
// branch and a tag are fetched differently (a plain fetch of a tag stores it
// in FETCH_HEAD only).
func (r *Repo) fetchHint(ctx context.Context, rev string) string {
	name := strings.TrimPrefix(rev, "refs/remotes/")
	remotes := []string{"origin"}
	if out, err := r.Git(ctx, "remote"); err == nil {
		remotes = append(remotes, strings.Fields(string(out))...)
	}
	for _, remote := range remotes {
		if branch, ok := strings.CutPrefix(name, remote+"/"); ok && branch != "" {
			return "git fetch " + remote + " " + branch
		}
	}
	if branch, ok := strings.CutPrefix(rev, "refs/heads/"); ok {
		return "git fetch origin " + branch
	}
	if tag, ok := strings.CutPrefix(rev, "refs/tags/"); ok {
		return "git fetch origin tag " + tag
	}
	if isFullSHA(rev) {
		return "git fetch origin " + rev
	}
	return "git fetch origin " + rev + " (a branch) or git fetch origin tag " + rev + " (a tag)"
}

// isFullSHA reports whether s is a whole commit id (SHA-1 or SHA-256), the
// only form of a commit a remote fetches by id.
func isFullSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// MergeBase returns the best common ancestor of two commits.
func (r *Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	out, err := r.Git(ctx, "merge-base", a, b)
	if err != nil {
		hint := "the two revisions share no history"
		if r.Shallow(ctx) {
			hint = "the clone is shallow, so their history is cut off; in GitHub Actions check out with actions/checkout and fetch-depth: 0"
		}
		return "", fmt.Errorf("no merge base of %s and %s: %s", short(a), short(b), hint)
	}
	return strings.TrimSpace(string(out)), nil
}

// MergeBaseOfNames returns the merge base of two revisions given by name,
// in one git command, without resolving them first: the names as git
// reads them, so "main" is a local branch (Resolve also tries
// origin/main). It is the fast path of a check, run beside Resolve: when
// it fails, Resolve's answers and MergeBase say why, or find what it did
// not. Names that look like options are refused.
func (r *Repo) MergeBaseOfNames(ctx context.Context, a, b string) (string, error) {
	if (r.ahead.mergeBase != "" || r.ahead.mergeBaseErr != nil) && r.ahead.base == a && r.ahead.head == b {
		return r.ahead.mergeBase, r.ahead.mergeBaseErr
	}
	return mergeBaseOfNames(ctx, r.Root, a, b)
}

// mergeBaseOfNames runs MergeBaseOfNames's git command in dir.
func mergeBaseOfNames(ctx context.Context, dir, a, b string) (string, error) {
	if strings.HasPrefix(a, "-") || strings.HasPrefix(b, "-") {
		return "", fmt.Errorf("revision %q or %q looks like an option", a, b)
	}
	out, err := run(ctx, dir, "merge-base", a+"^{commit}", b+"^{commit}")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// Status is how a file changed.
type Status byte

const (
	Added    Status = 'A'
	Modified Status = 'M'
	Deleted  Status = 'D'
)

// Change is one changed file.
type Change struct {
	Path   string // slash-separated, relative to the root
	Status Status
}

// Changes lists the files that differ between commit base and head, under
// the given paths (directories relative to the root; none: the whole
// tree). An empty head means the work tree, untracked files included
// (ignored ones excluded). Renames are reported as a deletion and an
// addition.
func (r *Repo) Changes(ctx context.Context, base, head string, paths ...string) ([]Change, error) {
	// The work tree's untracked files are listed while diff runs.
	var untracked []string
	var untrackedErr error
	var listed sync.WaitGroup
	if head == "" {
		listed.Go(func() { untracked, untrackedErr = r.Untracked(ctx, paths...) })
	}
	changes, err := r.Diff(ctx, base, head, paths...)
	listed.Wait()
	if err != nil {
		return nil, err
	}
	if untrackedErr != nil {
		return nil, untrackedErr
	}
	return append(changes, AddedFiles(untracked)...), nil
}

// Diff is Changes without the untracked files: what git diff reports
// between base and head (the work tree when head is empty).
func (r *Repo) Diff(ctx context.Context, base, head string, paths ...string) ([]Change, error) {
	args := []string{"diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", base}
	if head != "" {
		args = append(args, head)
	}
	args = append(args, "--")
	for _, p := range paths {
		args = append(args, ":(top,literal)"+p)
	}
	out, err := r.Git(ctx, args...)
	if err != nil {
		return nil, err
	}
	var changes []Change
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	for i := 0; i+1 < len(fields); i += 2 {
		st := Status(fields[i][0])
		if st != Added && st != Deleted {
			st = Modified // M, or T (a type change)
		}
		changes = append(changes, Change{Path: fields[i+1], Status: st})
	}
	return changes, nil
}

// AddedFiles reports each of paths (untracked files) as added.
func AddedFiles(paths []string) []Change {
	out := make([]Change, len(paths))
	for i, p := range paths {
		out[i] = Change{Path: p, Status: Added}
	}
	return out
}

// Untracked lists untracked files that are not ignored, under the given
// paths (none: the whole tree).
func (r *Repo) Untracked(ctx context.Context, paths ...string) ([]string, error) {
	args := []string{"ls-files", "-z", "--others", "--exclude-standard", "--full-name", "--"}
	for _, p := range paths {
		args = append(args, ":(top,literal)"+p)
	}
	out, err := r.Git(ctx, args...)
	if err != nil {
		return nil, err
	}
	return splitZ(out), nil
}

// WorkTreeFiles lists the files of the work tree that git tracks or would
// track (untracked, not ignored). untracked lists the latter again: what
// Untracked(ctx) would, from the same walk of the work tree.
func (r *Repo) WorkTreeFiles(ctx context.Context) (files, untracked []string, err error) {
	out, err := r.Git(ctx, "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, nil, err
	}
	files = splitZ(out)
	for i, f := range files {
		// Each name follows a status tag and a space: ? for an untracked
		// file, H (or S, M) for a tracked one.
		tag, name, ok := strings.Cut(f, " ")
		if !ok || len(tag) != 1 {
			return nil, nil, fmt.Errorf("git ls-files -t: unexpected entry %q", f)
		}
		files[i] = name
		if tag == "?" {
			untracked = append(untracked, name)
		}
	}
	return files, untracked, nil
}

func splitZ(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}
