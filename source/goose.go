package source

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/sqltext"
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
	begin := -1     // the open StatementBegin line's offset
	var beginLine int
	for n, l := range lines(src) {
		cmd, ok := annotation(l.text, "+goose")
		if !ok {
			header = false
			continue
		}
		switch strings.ToUpper(cmd) {
		case "STATEMENTBEGIN":
			if begin >= 0 {
				return s, &sqltext.Error{Pos: sqltext.Position{Line: n + 1, Column: 1},
					Message: fmt.Sprintf(`"-- +goose StatementBegin" while the one on line %d is still open; goose refuses it: add "-- +goose StatementEnd" before`, beginLine)}
			}
			begin, beginLine = l.start, n+1
		case "STATEMENTEND":
			if begin < 0 {
				return s, &sqltext.Error{Pos: sqltext.Position{Line: n + 1, Column: 1},
					Message: `"-- +goose StatementEnd" without a "-- +goose StatementBegin" before it; goose refuses the file`}
			}
			s.Blocks = append(s.Blocks, sqltext.Region{Start: begin, End: nextLine(src, l)})
			begin = -1
		case "DOWN":
			if begin >= 0 && up >= 0 && down == len(src) {
				return s, &sqltext.Error{Pos: sqltext.Position{Line: beginLine, Column: 1},
					Message: `"-- +goose StatementBegin" has no "-- +goose StatementEnd" before "-- +goose Down"; goose refuses the file`}
			}
		}
		switch c := strings.ToUpper(cmd); {
		case c == "UP":
			if up < 0 {
				up, header = nextLine(src, l), true
			}
		case header && (c == "NO TRANSACTION" || strings.HasPrefix(c, "ENVSUB")):
			// The Up section's SQL starts after its annotations.
			up = nextLine(src, l)
		}
		switch strings.ToUpper(cmd) {
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
	if begin >= 0 {
		return s, &sqltext.Error{Pos: sqltext.Position{Line: beginLine, Column: 1},
			Message: `"-- +goose StatementBegin" has no "-- +goose StatementEnd"; goose refuses the file`}
	}
	s.Regions = []sqltext.Region{{Start: up, End: down}}
	return s, nil
}

// anyFileHas reports whether any file of dir with the extension contains
// the annotation on a line comment.
func anyFileHas(fsys fs.FS, dir, ext, mark string) bool {
	names, _ := files(fsys, dir)
	checked := 0
	for _, n := range names {
		if path.Ext(n) != ext {
			continue
		}
		if checked++; checked > 20 {
			return false
		}
		b, err := fs.ReadFile(fsys, join(dir, n))
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
