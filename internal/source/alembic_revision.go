package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Reviser is implemented by formats whose migrations are code the tool
// writes (an Alembic revision names the revision it follows): the
// follow-up carries a deferred SQL migration into the active directory as
// a new migration of the tool's own kind, instead of moving the file.
type Reviser interface {
	// RevisionDir is the directory whose migrations the new one follows
	// and goes into, for a deferred migration split from the migration
	// at from: dir (Alembic's versions), or from's app (Django).
	RevisionDir(dir, from string) string
	// Revision returns the path and source of a migration of dir (a
	// RevisionDir) that runs statements, each committing on its own,
	// after every migration of dir (read from fsys). header is the
	// deferral header, kept as comments; name describes the migration.
	Revision(fsys fs.FS, dir, name, header string, statements []string) (path string, src []byte, err error)
}

// RevisionDir is dir: Alembic's revisions form one history.
func (Alembic) RevisionDir(dir, _ string) string { return dir }

// Heads returns the revisions of dir that no other revision follows,
// sorted: one for a linear history.
func (f Alembic) Heads(fsys fs.FS, dir string) ([]string, error) {
	ms, err := f.List(fsys, dir)
	if err != nil {
		return nil, err
	}
	return alembicHeads(ms, fsys)
}

// Revision writes the revision the follow-up adds: it follows the heads
// of dir (a merge revision when there are several), runs each statement
// in Alembic's autocommit block (the deferred SQL's statements commit one
// by one, as split wrote them), and its downgrade refuses: a contract is
// not undone. Its id is derived from what it runs and follows, so a rerun
// writes the same file.
func (f Alembic) Revision(fsys fs.FS, dir, name, header string, statements []string) (string, []byte, error) {
	return f.RevisionWithDowngrade(fsys, dir, name, header, statements, nil)
}

// RevisionWithDowngrade is Revision whose downgrade() runs down, in
// Alembic's transaction, when it is known (phasegate split knows it when it
// takes the reverts of what it defers out of the revision it cuts); it
// refuses without.
func (f Alembic) RevisionWithDowngrade(fsys fs.FS, dir, name, header string, statements, down []string) (string, []byte, error) {
	heads, err := f.Heads(fsys, dir)
	if err != nil {
		return "", nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", name, strings.Join(heads, ","), strings.Join(statements, "\x00"))
	if len(down) > 0 {
		fmt.Fprintf(h, "\x00down\x00%s", strings.Join(down, "\x00"))
	}
	rev := hex.EncodeToString(h.Sum(nil))[:12]
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "\"\"\"%s\n\nRevision ID: %s\nRevises: %s\n\"\"\"\nfrom alembic import op\n\n", pyDocLine(name), rev, strings.Join(heads, ", "))
	fmt.Fprintf(&b, "revision = %q\ndown_revision = %s\nbranch_labels = None\ndepends_on = None\n\n\n", rev, AlembicDown(heads))
	b.WriteString("def upgrade():\n    with op.get_context().autocommit_block():\n")
	for _, s := range statements {
		fmt.Fprintf(&b, "        op.execute(%s)\n", pyString(EscapeBinds(s)))
	}
	if len(statements) == 0 {
		b.WriteString("        pass\n")
	}
	b.WriteString("\n\ndef downgrade():\n")
	for _, s := range down {
		fmt.Fprintf(&b, "    op.execute(%s)\n", pyString(EscapeBinds(s)))
	}
	if len(down) == 0 {
		b.WriteString("    raise NotImplementedError(\"a deferred contract is not undone: restore what it removed in a new revision\")\n")
	}
	return join(dir, rev+"_"+Slug(name)+".py"), []byte(b.String()), nil
}

// AlembicDown is the Python value of down_revision for a revision that
// follows heads: None for none, the one id, or a tuple of them (a merge
// revision).
func AlembicDown(heads []string) string {
	switch len(heads) {
	case 0:
		return "None"
	case 1:
		return strconv.Quote(heads[0])
	}
	quoted := make([]string, len(heads))
	for i, hd := range heads {
		quoted[i] = strconv.Quote(hd)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// pyString is s as a Python string literal: raw and triple-quoted when
// that keeps it as written, else escaped.
func pyString(s string) string {
	if !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`) && !strings.HasSuffix(s, `\`) {
		return `r"""` + s + `"""`
	}
	return strconv.Quote(s) // Go's escapes are Python's too for these
}

// pyDocLine is name fit for a docstring's first line.
func pyDocLine(name string) string {
	return strings.NewReplacer(`"""`, `'''`, "\n", " ", `\`, `/`).Replace(name)
}

// EscapeBinds escapes the colons of sql that SQLAlchemy's text() (what
// op.execute makes of a string) would take for bound parameters, a ':30'
// inside a literal, so that the statement reaches PostgreSQL as written: a
// colon after neither a colon, a word character nor a backslash, before a
// word that no colon or dollar follows (text() unescapes those, and only
// those).
func EscapeBinds(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c == ':' && (i == 0 || !bindIdentByte(sql[i-1]) && sql[i-1] != ':' && sql[i-1] != '\\') {
			j := i + 1
			for j < len(sql) && bindIdentByte(sql[j]) {
				j++
			}
			if j > i+1 && (j == len(sql) || sql[j] != ':' && sql[j] != '$') {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// bindIdentByte reports whether c may be part of a bound parameter's name.
func bindIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
