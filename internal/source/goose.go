package source

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Goose is github.com/pressly/goose SQL migrations: VERSION_NAME.sql files
// in one directory, with "-- +goose Up" and "-- +goose Down" sections. Goose
// runs a file's Up section in one transaction unless the file says
// "-- +goose NO TRANSACTION". Go migrations (.go) are listed for order but
// cannot be read.
type Goose struct{}

func (Goose) Name() string { return "goose" }

func (f Goose) Detect(fsys fs.FS, dir string) bool {
	return anyFileHas(fsys, dir, ".sql", "+goose Up")
}

func (f Goose) List(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[string]string{}
	for _, n := range names {
		ext := path.Ext(n)
		if ext != ".sql" && ext != ".go" || strings.HasSuffix(n, "_test.go") {
			continue
		}
		base := strings.TrimSuffix(n, ext)
		i := strings.IndexByte(base, '_')
		if i <= 0 || digitPrefix(base[:i]) != base[:i] {
			continue // goose ignores files without a numeric version
		}
		v := trimVersion(base[:i])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("%s: version %s is also used by %s (goose refuses duplicate versions)", join(dir, n), base[:i], prev)
		}
		seen[v] = join(dir, n)
		m := Migration{Path: join(dir, n), Format: f.Name(), Version: base[:i], Name: base[i+1:]}
		if ext == ".go" {
			m.Skip = "goose Go migration: phasegate reads SQL only"
		}
		out = append(out, m)
	}
	sortByVersion(out)
	return out, nil
}

func (Goose) Script(m Migration, src []byte) (Script, error) {
	s := Script{Tx: TxFile}
	up, down := -1, len(src)
	header := false // in the annotation lines right after "-- +goose Up"
	blocks := statementBlocks{mark: "-- +goose"}
	for n, l := range lines(src) {
		cmd, ok := annotation(l.text, "+goose")
		if !ok {
			header = false
			continue
		}
		c := strings.ToUpper(cmd)
		if err := blocks.line(src, n, l, c, c == "DOWN" && up >= 0 && down == len(src)); err != nil {
			return s, err
		}
		switch {
		case c == "UP":
			if up < 0 {
				up, header = nextLine(src, l), true
			}
		case header && (c == "NO TRANSACTION" || strings.HasPrefix(c, "ENVSUB")):
			// The Up section's SQL starts after its annotations.
			up = nextLine(src, l)
		}
		switch c {
		case "DOWN":
			if up >= 0 && down == len(src) {
				down = l.start
			}
		case "NO TRANSACTION":
			s.Tx = TxNone
		}
	}
	if up < 0 {
		return s, &sqltext.Error{Pos: sqltext.Position{Line: 1, Column: 1},
			Message: `goose migration has no "-- +goose Up" annotation; goose refuses to run it`}
	}
	if err := blocks.end(); err != nil {
		return s, err
	}
	s.Regions = []sqltext.Region{{Start: up, End: down}}
	s.Blocks = blocks.blocks
	return s, nil
}

// statementBlocks pairs the StatementBegin and StatementEnd annotations of
// goose and sql-migrate, which both refuse a file where they do not pair.
type statementBlocks struct {
	mark string // "-- +goose"
	// lenientEnd ignores a StatementEnd without a StatementBegin, as
	// sql-migrate does.
	lenientEnd bool
	begin      int // the open StatementBegin line's offset
	beginLine  int
	open       bool
	blocks     []sqltext.Region
}

// line reads annotation cmd (upper case) on line n; sectionEnd says the
// line ends the Up section.
func (b *statementBlocks) line(src []byte, n int, l line, cmd string, sectionEnd bool) error {
	switch {
	case cmd == "STATEMENTBEGIN":
		if b.open {
			return &sqltext.Error{Pos: sqltext.Position{Line: n + 1, Column: 1},
				Message: fmt.Sprintf(`"%s StatementBegin" while the one on line %d is still open; add "%s StatementEnd" before it`, b.mark, b.beginLine, b.mark)}
		}
		b.begin, b.beginLine, b.open = l.start, n+1, true
	case cmd == "STATEMENTEND" && !b.open && b.lenientEnd:
	case cmd == "STATEMENTEND":
		if !b.open {
			return &sqltext.Error{Pos: sqltext.Position{Line: n + 1, Column: 1},
				Message: fmt.Sprintf(`"%s StatementEnd" without a "%s StatementBegin" before it; the tool refuses the file`, b.mark, b.mark)}
		}
		b.blocks = append(b.blocks, sqltext.Region{Start: b.begin, End: nextLine(src, l)})
		b.open = false
	case sectionEnd && b.open:
		return &sqltext.Error{Pos: sqltext.Position{Line: b.beginLine, Column: 1},
			Message: fmt.Sprintf(`"%s StatementBegin" has no "%s StatementEnd" before the Down section; the tool refuses the file`, b.mark, b.mark)}
	}
	return nil
}

// end reports a block left open at the end of the file.
func (b *statementBlocks) end() error {
	if b.open {
		return &sqltext.Error{Pos: sqltext.Position{Line: b.beginLine, Column: 1},
			Message: fmt.Sprintf(`"%s StatementBegin" has no "%s StatementEnd"; the tool refuses the file`, b.mark, b.mark)}
	}
	return nil
}

// anyFileHas reports whether any file of dir with the extension contains
// the annotation on a line comment.
func anyFileHas(fsys fs.FS, dir, ext, mark string) bool {
	names, _ := files(fsys, dir)
	var paths []string
	for _, n := range names {
		if path.Ext(n) == ext && len(paths) < 20 {
			paths = append(paths, join(dir, n))
		}
	}
	for b, err := range ReadEach(fsys, paths) {
		if err != nil {
			continue
		}
		for _, l := range lines(b) {
			if _, ok := annotation(l.text, mark); ok {
				return true
			}
		}
	}
	return false
}

// goose does not look into subdirectories.
func (Goose) DeferredDir(dir string) string { return insideDeferred(dir) }
func (f Goose) DeferredFormat() Format      { return f }
func (Goose) Separation() TxMode            { return TxNone }
func (Goose) NoTxFix() string {
	return "add -- +goose NO TRANSACTION to the file, or move the statement to a file of its own that has it"
}

// WriteMigration writes the Up and Down sections, with NO TRANSACTION for
// TxNone.
func (Goose) WriteMigration(header, up, down string, tx TxMode, _, _ string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("-- +goose Up\n")
	if tx == TxNone {
		b.WriteString("-- +goose NO TRANSACTION\n")
	}
	b.WriteString(up)
	if down != "" {
		b.WriteString("\n-- +goose Down\n" + down)
	}
	return b.String()
}
func (Goose) InlineDown() bool { return true }
func (Goose) OutOfOrderEffect() string {
	return "goose refuses to run unless allow-missing is set"
}
func (Goose) LineEditable() bool { return true }

// MatchFile: a goose file carries its Up annotation.
func (Goose) MatchFile(_ fs.FS, _ string, src []byte) FileMatch {
	if strings.Contains(string(src), "+goose Up") {
		return ByContent
	}
	return NoMatch
}

// RecordsVersionOnly: goose's table holds the versions it applied, not
// their content.
func (Goose) RecordsVersionOnly() bool { return true }
