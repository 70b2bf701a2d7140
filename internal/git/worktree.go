package git

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Worktree is a checkout of one commit in a temporary directory.
type Worktree struct {
	repo *Repo
	Dir  string
}

// AddWorktree checks commit out (detached) into a new temporary directory
// with git worktree. Remove it when done, also on failure.
func (r *Repo) AddWorktree(ctx context.Context, commit, prefix string) (*Worktree, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	// A previous run killed before its cleanup leaves stale entries.
	r.Git(ctx, "worktree", "prune")
	if _, err := r.Git(ctx, "worktree", "add", "--detach", "--force", dir, commit); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("check out %s: %w", short(commit), err)
	}
	return &Worktree{repo: r, Dir: dir}, nil
}

// Remove deletes the checkout and its git bookkeeping. It uses a fresh
// context so that it also works after the run was cancelled.
func (w *Worktree) Remove() error {
	ctx := context.Background()
	_, err := w.repo.Git(ctx, "worktree", "remove", "--force", w.Dir)
	if err != nil && !strings.Contains(err.Error(), "is not a working tree") {
		os.RemoveAll(w.Dir)
		w.repo.Git(ctx, "worktree", "prune")
		return nil
	}
	os.RemoveAll(w.Dir)
	return nil
}

// LatestTag returns the newest tag matching pattern (a glob) that is
// reachable from rev, or an error naming the pattern.
func (r *Repo) LatestTag(ctx context.Context, rev, pattern string) (string, error) {
	out, err := r.Git(ctx, "describe", "--tags", "--abbrev=0", "--match", pattern, rev)
	if err != nil {
		hint := ""
		if r.Shallow(ctx) {
			hint = " (the clone is shallow: check out with fetch-depth: 0 to get the tags)"
		}
		return "", fmt.Errorf("no tag matching %q is reachable from %s%s", pattern, rev, hint)
	}
	return strings.TrimSpace(string(out)), nil
}
