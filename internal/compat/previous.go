package compat

import (
	"context"
	"fmt"

	"github.com/phasegate/phasegate/internal/git"
)

// ResolvePrevious picks the commit of the release production runs:
//
//	merge-base (or "")  the merge base of the change (what the static check compares with)
//	latest-tag          the newest tag matching tagPattern reachable from base
//	anything else       a revision
func ResolvePrevious(ctx context.Context, repo *git.Repo, mode, mergeBase, base, tagPattern string) (commit, label string, err error) {
	switch mode {
	case "", "merge-base":
		return mergeBase, "merge base " + short(mergeBase), nil
	case "latest-tag":
		if tagPattern == "" {
			tagPattern = "v*"
		}
		tag, err := repo.LatestTag(ctx, base, tagPattern)
		if err != nil {
			return "", "", fmt.Errorf("previous: latest-tag: %w", err)
		}
		c, err := repo.Resolve(ctx, tag)
		if err != nil {
			return "", "", err
		}
		return c, tag, nil
	}
	c, err := repo.Resolve(ctx, mode)
	if err != nil {
		return "", "", fmt.Errorf("previous: %w", err)
	}
	return c, mode, nil
}
