package source

import (
	"io/fs"
	"strings"
)

// Prisma is Prisma Migrate: one directory per migration,
// <timestamp>_<name>/migration.sql, applied in name order. Prisma sends the
// file as one multi-statement script.
type Prisma struct{}

func (Prisma) Name() string { return "prisma" }

func (f Prisma) Detect(fsys fs.FS, dir string) bool {
	ds, _ := subdirs(fsys, dir)
	for _, d := range ds {
		if exists(fsys, join(join(dir, d), "migration.sql")) {
			return true
		}
	}
	return false
}

func (f Prisma) List(fsys fs.FS, dir string) ([]Migration, error) {
	ds, err := subdirs(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, d := range ds {
		p := join(join(dir, d), "migration.sql")
		if !exists(fsys, p) {
			continue
		}
		v, name := d, ""
		if i := strings.IndexByte(d, '_'); i > 0 {
			v, name = d[:i], d[i+1:]
		}
		out = append(out, Migration{Path: p, Format: f.Name(), Version: v, Name: name})
	}
	return out, nil
}

func (Prisma) Script(Migration, []byte) (Script, error) {
	return Script{Tx: TxImplicit}, nil
}
