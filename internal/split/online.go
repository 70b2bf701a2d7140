package split

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/source"
)

// online is the migrations split adds right after the one it splits, for
// the steps of its recipes that must run outside a transaction.
type online struct {
	paths   []string
	changes []FileChange
}

// onlineMigrations writes the online steps of the rewrites (in statement
// order) as new migrations that the tool applies right after m: one
// migration run without a transaction where the format has a marker for
// it, else one migration per step (a single statement is not wrapped in a
// transaction by the tools that send a file as one query). The order is
// checked with the format's own List.
func onlineMigrations(fsys fs.FS, m source.Migration, src []byte, rewrites map[int]*rewrite, opts Options) (online, error) {
	var steps []onlineStep
	for _, i := range inOrder(rewrites) {
		steps = append(steps, rewrites[i].online...)
	}
	var out online
	if len(steps) == 0 {
		return out, nil
	}
	ins, ok := opts.Format.(source.Inserter)
	tx, sepOK := source.Separation(opts.Format)
	if !ok || !sepOK {
		return out, fmt.Errorf("%s: the rewrite needs migrations that run right after it without a transaction (%s), which split cannot write for %s: cut it by hand",
			m.Path, stepNames(steps), opts.Format.Name())
	}
	// The files: all steps in one when the tool runs it statement by
	// statement, one per step when it sends a file as one query.
	var files [][]onlineStep
	changelog := source.IsChangelog(opts.Format) // a changeset per step
	if tx == source.TxNone && !changelog {
		files = [][]onlineStep{steps}
	} else {
		for _, s := range steps {
			files = append(files, []onlineStep{s})
		}
	}
	dir := opts.Dir
	if dir == "" {
		dir = path.Dir(m.Path)
	}
	for k, f := range files {
		what := f[0].name
		if len(f) > 1 {
			what = "online"
		}
		name := m.Name + "_" + what
		p := ins.PathAfter(dir, m, k+1, name)
		if _, err := fs.Stat(fsys, p); err == nil {
			return out, fmt.Errorf("%s: split would write %s for the steps that run outside a transaction, and it exists", m.Path, p)
		}
		var up, down []string
		for _, s := range f {
			up = append(up, statementText(opts.Format, s.sql))
			if s.down != "" {
				down = append([]string{statementText(opts.Format, s.down)}, down...)
			}
		}
		header := fmt.Sprintf("-- Written by phasegate split from %s: %s.\n-- It runs outside a transaction, right after that migration and before the deploy.\n", m.Path, stepNames(f))
		downText := strings.Join(down, "")
		if downText == "" && hasDownFiles(opts.Format) {
			downText = "-- Nothing to undo: the backfill only copied values.\n"
		}
		out.paths = append(out.paths, p)
		out.changes = append(out.changes, FileChange{Path: p, New: wrap(opts.Format, header, strings.Join(up, "\n"), inlineDown(opts.Format, downText), tx, string(src), what)})
		if hasDownFiles(opts.Format) {
			out.changes = append(out.changes, FileChange{Path: downPathOf(opts.Format, p), New: downText})
		}
		for cp, content := range txCompanions(opts.Format, p, tx, "") {
			out.changes = append(out.changes, FileChange{Path: cp, New: content})
		}
	}
	if err := checkOrder(fsys, dir, m, out, opts.Format); err != nil {
		return out, err
	}
	return out, nil
}

// inOrder returns the statements rewritten, in the migration's order.
func inOrder(rewrites map[int]*rewrite) []int {
	idx := make([]int, 0, len(rewrites))
	for i := range rewrites {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return idx
}

func stepNames(steps []onlineStep) string {
	var names []string
	for _, s := range steps {
		names = append(names, strings.ReplaceAll(s.name, "_", " "))
	}
	return strings.Join(names, ", ")
}

// hasDownFiles reports formats whose new migrations keep their down SQL
// in a file of their own: those of a format with down files whose deferred
// directory is its own format (not sqitch's, of plain SQL files).
func hasDownFiles(f source.Format) bool {
	_, ok := source.DeferredFormat(f).(source.DownFiler)
	return ok
}

// inlineDown is the down SQL a format keeps inside the migration file.
func inlineDown(f source.Format, down string) string {
	if source.HasInlineDown(f) {
		return down
	}
	return ""
}

// checkOrder lists the migrations directory as it will be after the split
// and checks that the tool applies the new migrations right after m, in
// order, before any migration that followed m.
func checkOrder(fsys fs.FS, dir string, m source.Migration, o online, f source.Format) error {
	after := fstest.MapFS{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		after[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, c := range o.changes {
		after[c.Path] = &fstest.MapFile{Data: []byte(c.New)}
	}
	list, err := f.List(after, dir)
	if err != nil {
		return fmt.Errorf("list %s with the new migrations: %w", dir, err)
	}
	at := -1
	for i, x := range list {
		if x.Path == m.Path {
			at = i
		}
	}
	for k, p := range o.paths {
		if at < 0 || at+1+k >= len(list) || list[at+1+k].Path != p {
			next := "the migration after it"
			if at >= 0 && at+1 < len(list) {
				next = list[at+1].Path
			}
			return fmt.Errorf("%s: split needs a version between it and %s for %s, which must run right after it outside a transaction, and there is none: renumber the migrations after it (they are new too, or it would be out of order), then run phasegate split again",
				m.Path, next, p)
		}
	}
	return nil
}
