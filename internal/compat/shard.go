package compat

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// Shard is the slice of the test suite a sharded check runs: the
// Index-th (from 1) of Total. The zero value runs the whole suite.
type Shard struct{ Index, Total int }

// env is the test command's view of its shard.
func (s Shard) env() []string {
	if s.Total == 0 {
		return nil
	}
	return []string{fmt.Sprintf("PHASEGATE_SHARD_INDEX=%d", s.Index), fmt.Sprintf("PHASEGATE_SHARD_TOTAL=%d", s.Total)}
}

// command returns the test command for this shard, run in dir. A go test
// command over ./... gets this shard's packages in place of ./... (the
// packages sorted by import path, every Total-th from the Index-th); other
// commands are left to slice themselves with PHASEGATE_SHARD_INDEX and
// PHASEGATE_SHARD_TOTAL (pytest --splits/--group, jest --shard). empty is
// set when the shard has no Go package to test.
func (s Shard) command(ctx context.Context, script, dir string) (cmd string, empty bool, err error) {
	if s.Total < 2 {
		return script, false, nil
	}
	words := strings.Fields(script)
	all := -1
	for i, w := range words {
		if w == "./..." {
			all = i
		}
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "test" || all < 0 || strings.ContainsAny(script, ";&|`$()<>\n") {
		return script, false, nil
	}
	list := exec.CommandContext(ctx, "go", "list", "./...")
	list.Dir = dir
	out, err := list.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return "", false, fmt.Errorf("list the Go packages to shard (go list ./... in the checkout): %s", msg)
	}
	pkgs := strings.Fields(string(out))
	sort.Strings(pkgs)
	var mine []string
	for i, p := range pkgs {
		if i%s.Total == s.Index-1 {
			mine = append(mine, p)
		}
	}
	if len(mine) == 0 {
		return "", true, nil
	}
	words = append(append(append([]string{}, words[:all]...), mine...), words[all+1:]...)
	return strings.Join(words, " "), false, nil
}
