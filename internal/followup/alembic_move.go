package followup

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/source"
)

// moveRevision carries a deferred Alembic revision (phasegate split wrote
// it) into the versions directory as it is, but for what it follows: its
// down_revision becomes the heads of the base branch now (a merge revision
// only when there are several), and so does the "Revises:" line of its
// docstring. Python's ast module says where they are. It is named
// REVISION_NAME.py, as the revisions the bot writes from deferred SQL.
func (o Options) moveRevision(ctx context.Context, files []github.TreeEntry, m source.Migration, entry github.TreeEntry) ([]github.Move, string, error) {
	src, err := o.Client.Blob(ctx, entry.SHA)
	if err != nil {
		return nil, "", err
	}
	fsys, err := o.filesOf(ctx, files, o.Dir)
	if err != nil {
		return nil, "", err
	}
	heads, err := source.Alembic{}.Heads(fsys, o.Dir)
	if err != nil {
		return nil, "", fmt.Errorf("the revisions of %s on %s: %w", o.Dir, o.Base, err)
	}
	mod, err := ormsql.ReadPython(ctx, o.Python, m.Path, src)
	if err != nil {
		return nil, "", err
	}
	rev, ok := mod.Assign("revision")
	if !ok || rev.Text == nil || *rev.Text == "" {
		return nil, "", fmt.Errorf("%s: no revision = \"ID\" at the top level: Alembic needs it; write it, then run phasegate followup again", m.Path)
	}
	down, ok := mod.Assign("down_revision")
	if !ok {
		return nil, "", fmt.Errorf("%s: no down_revision at the top level: Alembic needs it; write it, then run phasegate followup again", m.Path)
	}
	for _, h := range heads {
		if h == *rev.Text {
			return nil, "", fmt.Errorf("%s: revision %s is already a revision of %s on %s: remove the deferred one", m.Path, h, o.Dir, o.Base)
		}
	}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	start, end, err := down.Value.Offsets(src)
	if err != nil {
		return nil, "", fmt.Errorf("%s: down_revision: %w", m.Path, err)
	}
	edits = append(edits, edit{start, end, source.AlembicDown(heads)})
	if d := mod.Docstring; d != nil {
		start, end, err := d.Offsets(src)
		if err != nil {
			return nil, "", fmt.Errorf("%s: its docstring: %w", m.Path, err)
		}
		if doc, changed := revises(string(src[start:end]), heads); changed {
			edits = append(edits, edit{start, end, doc})
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := string(src)
	for _, e := range edits {
		out = out[:e.start] + e.text + out[e.end:]
	}
	content := []byte(out)
	target := path.Join(o.Dir, *rev.Text+"_"+source.Slug(revisionName(m))+".py")
	return []github.Move{{Path: target, SHA: github.BlobSHA(content), Mode: entry.Mode, Content: content}, {Path: m.Path}}, target, nil
}

// revises sets the "Revises:" line of a revision's docstring (the literal,
// quotes included), as Alembic's template writes it, to heads.
func revises(doc string, heads []string) (string, bool) {
	lines := strings.SplitAfter(doc, "\n")
	for i, l := range lines {
		rest, ok := strings.CutPrefix(strings.TrimLeft(l, " \t"), "Revises:")
		if !ok {
			continue
		}
		// The line's end: its newline, or the closing quotes when the
		// docstring ends on it.
		tail := ""
		if j := strings.IndexAny(rest, "\n\"'"); j >= 0 {
			tail = rest[j:]
		}
		lines[i] = l[:len(l)-len(rest)] + " " + strings.Join(heads, ", ") + tail
		return strings.Join(lines, ""), true
	}
	return doc, false
}

// runs lists what a deferred migration runs, for the pull request's body:
// its statements, or for a deferred Alembic revision the SQL its upgrade()
// gives op.execute, read with Python's ast module (none when it cannot be
// read: moveRevision says why).
func (o Options) runs(ctx context.Context, m source.Migration, src []byte) []string {
	if m.Format != (source.Alembic{}).Name() {
		return statementsOf(src, deferred.Format(o.Format), m)
	}
	mod, err := ormsql.ReadPython(ctx, o.Python, m.Path, src)
	if err != nil {
		return nil
	}
	up, _ := mod.Function("upgrade")
	var sql strings.Builder
	for _, s := range up.Executes {
		// op.execute's text() reads \: as a colon.
		sql.WriteString(strings.ReplaceAll(s, `\:`, ":") + ";\n")
	}
	return statementsOf([]byte(sql.String()), source.Plain{}, m)
}
