package source

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// SQLMigrate is github.com/rubenv/sql-migrate: .sql files in one directory
// with "-- +migrate Up" and "-- +migrate Down" sections (the annotation
// starts the line, exactly so). Files whose names start with a number are
// applied in the order of that number, then the others by name. Each file
// runs in one transaction unless its Up annotation says notransaction;
// statements inside "-- +migrate StatementBegin/End" are sent whole.
type SQLMigrate struct{}

const sqlMigratePrefix = "-- +migrate "

func (SQLMigrate) Name() string { return "sql-migrate" }

func (f SQLMigrate) Detect(fsys fs.FS, dir string) bool {
	return anyFileHas(fsys, dir, ".sql", "+migrate Up")
}

func (f SQLMigrate) List(fsys fs.FS, dir string) ([]Migration, error) {
	bases, err := sqlFiles(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, base := range bases {
		n := base + ".sql"
		v := digitPrefix(base)
		out = append(out, Migration{Path: join(dir, n), Format: f.Name(), Version: v, Name: strings.TrimLeft(base[len(v):], "_-")})
	}
	// sql-migrate's order: numbered files by number, then the rest by id.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Version != "" && b.Version != "" && compareNumbers(a.Version, b.Version) != 0:
			return compareNumbers(a.Version, b.Version) < 0
		case a.Version != "" && b.Version == "":
			return true
		case a.Version == "" && b.Version != "":
			return false
		}
		return path.Base(a.Path) < path.Base(b.Path)
	})
	// Files sharing a number are applied in name order: sql-migrate
	// records migrations by file name, so that is valid.
	return out, nil
}

func (SQLMigrate) Script(m Migration, src []byte) (Script, error) {
	s := Script{Tx: TxFile}
	blocks := statementBlocks{mark: "-- +migrate", lenientEnd: true}
	up := -1 // start of the open Up section
	for n, l := range lines(src) {
		if !strings.HasPrefix(l.text, sqlMigratePrefix) {
			continue
		}
		fields := strings.Fields(l.text[len(sqlMigratePrefix):])
		if len(fields) == 0 {
			return s, &sqltext.Error{Pos: sqltext.Position{Line: n + 1, Column: 1}, Message: "incomplete sql-migrate command; sql-migrate refuses the file"}
		}
		cmd := fields[0]
		sectionEnd := (cmd == "Up" || cmd == "Down") && up >= 0
		if err := blocks.line(src, n, l, strings.ToUpper(cmd), sectionEnd); err != nil {
			return s, err
		}
		switch cmd {
		case "Up":
			if up >= 0 {
				s.Regions = append(s.Regions, sqltext.Region{Start: up, End: l.start})
			}
			up = nextLine(src, l)
			for _, o := range fields[1:] {
				if o == "notransaction" {
					s.Tx = TxNone
				}
			}
		case "Down":
			if up >= 0 {
				s.Regions = append(s.Regions, sqltext.Region{Start: up, End: l.start})
				up = -1
			}
		}
	}
	if up >= 0 {
		s.Regions = append(s.Regions, sqltext.Region{Start: up, End: len(src)})
	}
	if err := blocks.end(); err != nil {
		return s, err
	}
	if len(s.Regions) == 0 {
		return s, &sqltext.Error{Pos: sqltext.Position{Line: 1, Column: 1},
			Message: `sql-migrate migration has no "-- +migrate Up" section; sql-migrate runs nothing from it`}
	}
	s.Blocks = blocks.blocks
	return s, nil
}

func (SQLMigrate) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextNumber(versionsOf(ms), now)+"-"+Slug(name)+".sql")
}

// sql-migrate does not look into subdirectories.
func (SQLMigrate) DeferredDir(dir string) string { return insideDeferred(dir) }
func (f SQLMigrate) DeferredFormat() Format      { return f }
func (SQLMigrate) Separation() TxMode            { return TxNone }
func (SQLMigrate) NoTxFix() string {
	return "write the file's Up annotation as -- +migrate Up notransaction, or move the statement to a file of its own that has it"
}

// WriteMigration writes the Up and Down annotations, Up notransaction for
// TxNone.
func (SQLMigrate) WriteMigration(header, up, down string, tx TxMode, _, _ string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("-- +migrate Up")
	if tx == TxNone {
		b.WriteString(" notransaction")
	}
	b.WriteString("\n" + up)
	if down != "" {
		b.WriteString("\n-- +migrate Down\n" + down)
	}
	return b.String()
}
func (SQLMigrate) InlineDown() bool   { return true }
func (SQLMigrate) LineEditable() bool { return true }

// RecordsVersionOnly: sql-migrate's table holds the versions it applied, not
// their content.
func (SQLMigrate) RecordsVersionOnly() bool { return true }
