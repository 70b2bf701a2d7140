package followup

import (
	"context"
	"strings"
	"testing/fstest"
	"time"

	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/source"
)

// A follow-up branch holds one commit on top of a commit of the base
// branch: the move of the deferred migration. A later run keeps it as it
// is while that move is still the right one, so an open pull request is
// not force-pushed (which re-runs its checks and dismisses its reviews)
// only because time passed or the base branch moved on.

// proposal is what a follow-up branch changes.
type proposal struct {
	head, parent string
	// changes maps each path the commit changes to its new entry (SHA ""
	// for a deleted file).
	changes map[string]github.Move
	// target is the active migration the commit adds ("" if none).
	target string
}

// proposal reads what the branch's head commit changes. It returns nil
// when the head is not one commit on one parent (someone else's work, or
// a merge): the branch is then rebuilt.
func (o Options) proposal(ctx context.Context, head, baseSHA string, baseFiles []github.TreeEntry) (*proposal, error) {
	hc, err := o.Client.GetCommit(ctx, head)
	if err != nil || len(hc.Parents) != 1 {
		return nil, err
	}
	parentFiles := baseFiles
	if hc.Parents[0] != baseSHA {
		pc, err := o.Client.GetCommit(ctx, hc.Parents[0])
		if err != nil {
			return nil, err
		}
		if parentFiles, err = o.Client.Files(ctx, pc.Tree); err != nil {
			return nil, err
		}
	}
	headFiles, err := o.Client.Files(ctx, hc.Tree)
	if err != nil {
		return nil, err
	}
	p := &proposal{head: head, parent: hc.Parents[0], changes: diff(parentFiles, headFiles)}
	// The target: a migration of the active directory that the commit
	// adds.
	fsys := fstest.MapFS{}
	for _, f := range headFiles {
		fsys[f.Path] = &fstest.MapFile{Mode: 0o644}
	}
	if active, err := o.Format.List(names{fsys}, o.Dir); err == nil {
		for _, m := range active {
			if _, added := p.changes[m.Path]; added && m.Kind == source.Versioned && !has(parentFiles, m.Path) {
				p.target = m.Path
			}
		}
	}
	return p, nil
}

// makes reports whether the proposal makes exactly these moves.
func (p *proposal) makes(moves []github.Move) bool {
	if p == nil || len(moves) != len(p.changes) {
		return false
	}
	for _, m := range moves {
		c, ok := p.changes[m.Path]
		if !ok || c.SHA != m.SHA || (m.SHA != "" && mode(c.Mode) != mode(m.Mode)) {
			return false
		}
	}
	return true
}

// targetPath is the proposal's target, "" for none.
func (p *proposal) targetPath() string {
	if p == nil {
		return ""
	}
	return p.target
}

// diff lists what changes from one file list to another.
func diff(from, to []github.TreeEntry) map[string]github.Move {
	before := map[string]github.TreeEntry{}
	for _, f := range from {
		before[f.Path] = f
	}
	out := map[string]github.Move{}
	for _, f := range to {
		if b, ok := before[f.Path]; !ok || b.SHA != f.SHA || mode(b.Mode) != mode(f.Mode) {
			out[f.Path] = github.Move{Path: f.Path, SHA: f.SHA, Mode: f.Mode}
		}
		delete(before, f.Path)
	}
	for p := range before {
		out[p] = github.Move{Path: p}
	}
	return out
}

func mode(m string) string {
	if m == "" {
		return "100644"
	}
	return m
}

func has(files []github.TreeEntry, p string) bool {
	for _, f := range files {
		if f.Path == p {
			return true
		}
	}
	return false
}

// stillLast reports whether target, added to the files, is a new migration
// that the tool applies after every other one, with a version no other
// has: where a migration added now belongs. A timestamp taken by an
// earlier run stays right until a migration that sorts after it reaches
// the base branch.
func (o Options) stillLast(files fstest.MapFS, target string) bool {
	if _, taken := files[target]; taken || target == "" {
		return false
	}
	with := fstest.MapFS{target: &fstest.MapFile{Mode: 0o644}}
	for p, f := range files {
		with[p] = f
	}
	list, err := o.Format.List(names{with}, o.Dir)
	if err != nil {
		return false
	}
	at, version := -1, ""
	for i, m := range list {
		if m.Path == target {
			at, version = i, m.Version
		}
	}
	if at < 0 || version == "" {
		return false
	}
	for i, m := range list {
		if m.Kind == source.Versioned && m.Path != target && (i > at || m.Version == version) {
			return false
		}
	}
	return true
}

// cleanupWindow bounds how soon after it was opened a pull request closed
// by phasegate's own cleanup was closed: the cleanup ran in the same run,
// seconds after the failed request.
const cleanupWindow = 5 * time.Minute

// closedByCleanup reports whether a pull request closed without merge was
// closed by phasegate itself rather than by a user. Before phasegate kept
// its branches, a run that got an error when opening the pull request
// deleted the branch it had just made, and when GitHub had opened the pull
// request anyway (a 502 after the work was done), deleting the branch
// closed it. Such a pull request: its branch is gone, it was closed by the
// identity that opened it (phasegate's token), within cleanupWindow of
// opening. A user who closes the bot's pull request is another identity,
// or takes longer.
func (o Options) closedByCleanup(ctx context.Context, p github.Pull, branch string) (bool, error) {
	if p.Merged || p.State != "closed" || p.Closed.IsZero() || p.Closed.Sub(p.Opened) > cleanupWindow {
		return false, nil
	}
	if head, err := o.Client.BranchHead(ctx, branch); err != nil || head != "" {
		return false, err
	}
	by, err := o.Client.ClosedBy(ctx, p.Number)
	return err == nil && by != "" && strings.EqualFold(by, p.Author), err
}
