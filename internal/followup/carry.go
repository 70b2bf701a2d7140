package followup

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// marker identifies the bot's pull requests and the deferred migration
// each one carries.
func marker(deferredPath string) string {
	return "<!-- phasegate:followup " + deferredPath + " -->"
}

// carry makes sure one pull request moves deferred migration m into the
// active migrations, on top of the current base branch.
func (o Options) carry(ctx context.Context, oc *Outcome, m source.Migration, src []byte, added string, pr int) {
	fail := func(err error) {
		oc.Action, oc.Reason = "error", err.Error()
	}
	branch := o.BranchPrefix + branchName(m)
	oc.Branch = branch
	pulls, err := o.Client.PullsForBranch(ctx, branch)
	if err != nil {
		fail(err)
		return
	}
	var open *github.Pull
	for i := range pulls {
		p := &pulls[i]
		switch {
		case p.Merged:
			oc.Action, oc.PR = "done", p.URL
			oc.Reason = "merged in " + p.URL + "; the deferred migration is still on " + o.Base + ": remove it there"
			return
		case p.State == "open":
			open = p
		}
	}
	if open != nil {
		by, err := o.editedBy(ctx, *open)
		if err != nil {
			fail(err)
			return
		}
		if by != "" {
			oc.Action, oc.PR = "edited", open.URL
			oc.Reason = by + ": phasegate no longer rebases or rewrites it"
			return
		}
	}
	if open == nil && len(pulls) > 0 && !o.Force {
		cleanup, err := o.closedByCleanup(ctx, pulls[0], branch)
		if err != nil {
			fail(err)
			return
		}
		if !cleanup {
			oc.Action, oc.PR = "closed", pulls[0].URL
			oc.Reason = "its pull request was closed without merge; run with --force to open a new one"
			return
		}
		fmt.Fprintf(o.Log, "%s was closed when an earlier phasegate deleted its branch after an error, not by a user: opening a new one\n", pulls[0].URL)
	}

	// The base branch as it is now.
	baseSHA, err := o.Client.BranchHead(ctx, o.Base)
	if err != nil || baseSHA == "" {
		if err == nil {
			err = fmt.Errorf("branch %s not found", o.Base)
		}
		fail(err)
		return
	}
	baseCommit, err := o.Client.GetCommit(ctx, baseSHA)
	if err != nil {
		fail(err)
		return
	}
	files, err := o.Client.Files(ctx, baseCommit.Tree)
	if err != nil {
		fail(err)
		return
	}
	// What the branch proposes now: the open pull request's commit, or
	// the branch an earlier run left without a pull request.
	head := ""
	if open != nil {
		head = open.HeadSHA
	} else if head, err = o.Client.BranchHead(ctx, branch); err != nil {
		fail(err)
		return
	}
	var current *proposal
	if head != "" {
		if current, err = o.proposal(ctx, head, baseSHA, files); err != nil {
			fail(err)
			return
		}
	}
	// Where the migration goes: where the branch put it while that is
	// still after every migration on the base branch, else the next
	// version.
	moves, target, err := o.moves(ctx, files, m, current.targetPath())
	if err != nil {
		fail(err)
		return
	}
	oc.Target = target
	title := fmt.Sprintf("phasegate: apply deferred contract %s", path.Base(target))
	body := o.body(m, o.runs(ctx, m, src), target, oc.Reason, pr, added)
	upToDate, err := o.upToDate(ctx, current, moves, baseSHA, open)
	if err != nil {
		fail(err)
		return
	}

	switch {
	case upToDate && open != nil:
		oc.Action, oc.PR = "unchanged", open.URL
		if !o.DryRun {
			o.tidy(ctx, oc, *open, title, body)
		}
		return
	case o.DryRun:
		oc.Action = "planned"
		if open != nil {
			oc.Reason += "; would rebase " + open.URL + " onto " + o.Base
			oc.PR = open.URL
		} else if upToDate {
			oc.Reason += "; would open the pull request on the existing branch " + branch
		}
		return
	case !upToDate:
		commit, err := o.Client.CommitChanges(ctx, baseCommit, moves, title+"\n\n"+strings.TrimSpace(plainBody(m, target, oc.Reason, pr)))
		if err != nil {
			fail(err)
			return
		}
		if err := o.Client.SetBranch(ctx, branch, commit); err != nil {
			fail(err)
			return
		}
	}
	if open != nil {
		oc.Action, oc.PR = "updated", open.URL
		o.tidy(ctx, oc, *open, title, body)
		return
	}
	p, err := o.Client.OpenPull(ctx, branch, o.Base, title, body)
	if err != nil {
		// The branch stays: GitHub may have opened the pull request before
		// it answered the error, and deleting the branch would close it.
		// The next run finds the pull request by its branch, or opens it
		// on the branch.
		fail(err)
		return
	}
	oc.Action, oc.PR = "created", p.URL
	o.tidy(ctx, oc, p, title, body)
}

// upToDate reports whether the branch's commit already makes these moves
// on a commit of the base branch: then it stays as it is (no new commit,
// no force-push), even if the base branch moved on since.
func (o Options) upToDate(ctx context.Context, current *proposal, moves []github.Move, baseSHA string, open *github.Pull) (bool, error) {
	if !current.makes(moves) {
		return false, nil
	}
	if current.parent == baseSHA {
		return true, nil
	}
	if open == nil || open.HeadSHA != current.head {
		return false, nil // only a pull request says cheaply what the base branch lacks
	}
	// The branch's one commit is all the base branch lacks: its parent is
	// on the base branch.
	n, err := o.Client.PullCommits(ctx, open.Number)
	return n == 1, err
}

// tidy finishes a pull request: its title and body, and, when it lacks the
// labels, the reviewers and labels. The labels go last, so a pull request
// without them was not finished by the run that opened it.
func (o Options) tidy(ctx context.Context, oc *Outcome, p github.Pull, title, body string) {
	fail := func(err error) {
		oc.Action, oc.Reason = "error", err.Error()
	}
	if p.Body != body || oc.Action == "updated" {
		if err := o.Client.EditPull(ctx, p.Number, title, body); err != nil {
			fail(err)
			return
		}
	}
	if !missing(p.Labels, o.Labels) && oc.Action != "created" {
		return
	}
	if err := o.Client.RequestReviewers(ctx, p.Number, o.Reviewers, o.TeamReviewers); err != nil {
		fail(err)
		return
	}
	if err := o.Client.Label(ctx, p.Number, o.Labels); err != nil {
		fail(err)
	}
}

// missing reports whether some of want are not in have.
func missing(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || strings.EqualFold(h, w)
		}
		if !found {
			return true
		}
	}
	return false
}

// branchName is the deferred migration's file (or directory) name without
// extensions.
func branchName(m source.Migration) string {
	base := path.Base(m.Path)
	if base == "migration.sql" || base == "up.sql" {
		base = path.Base(path.Dir(m.Path))
	}
	if i := strings.Index(base, "."); i > 0 {
		base = base[:i]
	}
	return base
}

// moves computes the tree changes: the deferred migration (and its down
// companion) moved to keep, when it still comes after every active
// migration, else to the next version of the active migrations.
func (o Options) moves(ctx context.Context, files []github.TreeEntry, m source.Migration, keep string) ([]github.Move, string, error) {
	byPath := map[string]github.TreeEntry{}
	fsys := fstest.MapFS{}
	for _, f := range files {
		byPath[f.Path] = f
		fsys[f.Path] = &fstest.MapFile{Mode: 0o644}
	}
	entry, ok := byPath[m.Path]
	if !ok {
		return nil, "", fmt.Errorf("%s is not on %s any more", m.Path, o.Base)
	}
	if r, ok := o.Format.(source.Reviser); ok {
		switch m.Format {
		case source.Plain{}.Name():
			return o.revision(ctx, r, files, m, entry)
		case source.Alembic{}.Name():
			return o.moveRevision(ctx, files, m, entry)
		}
		return nil, "", fmt.Errorf("%s: the follow-up bot carries a deferred %s migration only as SQL: move it into the active migrations by hand", m.Path, m.Format)
	}
	active, err := o.Format.List(names{fsys}, o.Dir)
	if err != nil {
		return nil, "", err
	}
	name := m.Name
	if name == "" {
		name = branchName(m)
	}
	target := keep
	if !o.stillLast(fsys, keep) {
		target = o.Format.(source.Namer).NextPath(o.Dir, active, name, o.Now())
	}
	moves := []github.Move{{Path: target, SHA: entry.SHA, Mode: entry.Mode}, {Path: m.Path}}
	// The companions move along: the down file, and the files that
	// configure how the migration runs (Diesel's metadata.toml, Flyway's
	// .conf).
	for _, c := range companions(m.Path, target) {
		if e, ok := byPath[c[0]]; ok {
			moves = append(moves, github.Move{Path: c[1], SHA: e.SHA, Mode: e.Mode}, github.Move{Path: c[0]})
		}
	}
	return moves, target, nil
}

// companions pairs the files that may sit beside a migration with where
// they go when it moves to target.
func companions(p, target string) [][2]string {
	switch {
	case strings.HasSuffix(p, "/up.sql"):
		dir, tdir := strings.TrimSuffix(p, "up.sql"), strings.TrimSuffix(target, "up.sql")
		return [][2]string{{dir + "down.sql", tdir + "down.sql"}, {dir + "metadata.toml", tdir + "metadata.toml"}}
	case strings.Contains(p, ".up."):
		return [][2]string{{strings.Replace(p, ".up.", ".down.", 1), strings.Replace(target, ".up.", ".down.", 1)}}
	}
	return [][2]string{{p + ".conf", target + ".conf"}}
}

// names is an fs.FS of file names only: listing migrations needs names,
// not contents (a read gets an empty file).
type names struct{ fstest.MapFS }

func (n names) ReadFile(name string) ([]byte, error) {
	if _, err := fs.Stat(n.MapFS, name); err != nil {
		return nil, err
	}
	return nil, nil
}

// body is the pull request's description; stmts are what the migration
// runs.
func (o Options) body(m source.Migration, stmts []string, target, why string, pr int, added string) string {
	var b strings.Builder
	b.WriteString(marker(m.Path) + "\n")
	b.WriteString(plainBody(m, target, why, pr))
	if len(stmts) > 0 {
		b.WriteString("\n**What it runs**\n\n```sql\n")
		for _, s := range stmts {
			b.WriteString(s + ";\n")
		}
		b.WriteString("```\n")
	}
	if _, ok := o.Format.(source.Atlas); ok {
		fmt.Fprintf(&b, "\n**Before merging:** run `atlas migrate hash` in `%s` and push the new `atlas.sum` to this branch; Atlas refuses a directory whose files do not match it (phasegate's check on this pull request reports it until then).\n", o.Dir)
	}
	fmt.Fprintf(&b, "\nphasegate checks this pull request like any other: its previous release is the one that stopped using what this removes, so the compat scenario passes once that release runs everywhere.\n\n<sub>Opened by `phasegate followup` · deferred in commit `%s`</sub>\n", short(added))
	return b.String()
}

func plainBody(m source.Migration, target, why string, pr int) string {
	var b strings.Builder
	b.WriteString("This pull request applies a deferred contract migration: it moves\n")
	fmt.Fprintf(&b, "`%s` to `%s`.\n\n", m.Path, target)
	fmt.Fprintf(&b, "**Why now:** %s.\n", why)
	if pr > 0 {
		fmt.Fprintf(&b, "**Deferred in:** #%d.\n", pr)
	}
	return b.String()
}

// revision carries a deferred SQL migration into a format whose
// migrations are code (Alembic): a new migration that runs its statements
// after every one on the base branch, which the tool writes from the
// active directory's files as they are there now.
func (o Options) revision(ctx context.Context, r source.Reviser, files []github.TreeEntry, m source.Migration, entry github.TreeEntry) ([]github.Move, string, error) {
	src, err := o.Client.Blob(ctx, entry.SHA)
	if err != nil {
		return nil, "", err
	}
	h, ok, err := deferred.Parse(src)
	if err != nil || !ok {
		return nil, "", fmt.Errorf("%s: no deferral header to carry: %v", m.Path, err)
	}
	dir := r.RevisionDir(o.Dir, h.From)
	fsys, err := o.filesOf(ctx, files, dir)
	if err != nil {
		return nil, "", err
	}
	file, err := sqltext.Parse(deferred.Strip(src), sqltext.Options{})
	if err != nil {
		return nil, "", fmt.Errorf("%s:%w", m.Path, err)
	}
	var stmts []string
	for _, s := range file.Statements {
		stmts = append(stmts, s.Text)
	}
	target, content, err := r.Revision(fsys, dir, revisionName(m), h.Comment("#"), stmts)
	if err != nil {
		return nil, "", err
	}
	return []github.Move{{Path: target, SHA: github.BlobSHA(content), Mode: "100644", Content: content}, {Path: m.Path}}, target, nil
}

// revisionName is the name of the migration the follow-up writes for m:
// its own without the number (the tool numbers the new migration itself).
func revisionName(m source.Migration) string {
	name := m.Name
	if name == "" {
		name = branchName(m)
	}
	if trimmed := strings.TrimLeft(name, "0123456789_"); trimmed != "" {
		name = trimmed
	}
	return name
}

// filesOf reads the files of dir (not its subdirectories) among files, the
// base branch's tree.
func (o Options) filesOf(ctx context.Context, files []github.TreeEntry, dir string) (fstest.MapFS, error) {
	fsys := fstest.MapFS{}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for _, f := range files {
		if strings.HasPrefix(f.Path, prefix) && !strings.Contains(strings.TrimPrefix(f.Path, prefix), "/") {
			b, err := o.Client.Blob(ctx, f.SHA)
			if err != nil {
				return nil, err
			}
			fsys[f.Path] = &fstest.MapFile{Data: b, Mode: 0o644}
		}
	}
	return fsys, nil
}
