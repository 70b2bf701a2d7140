package source

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Plain is a directory of .sql files applied in natural name order,
// subdirectories included (v1.9/ before v1.10/), each statement committing
// on its own as psql -f runs them. Files named *.down.sql or *_down.sql are
// not forward migrations.
type Plain struct{}

func (Plain) Name() string { return "plain" }

func (Plain) Detect(fsys fs.FS, dir string) bool {
	found := false
	walkFiles(fsys, dir, func(p string) bool {
		found = isPlainUp(p)
		return !found
	})
	return found
}

func isPlainUp(p string) bool {
	return path.Ext(p) == ".sql" && !strings.HasSuffix(p, ".down.sql") && !strings.HasSuffix(p, "_down.sql")
}

func (f Plain) List(fsys fs.FS, dir string) ([]Migration, error) {
	var out []Migration
	err := walkFiles(fsys, dir, func(p string) bool {
		if isPlainUp(p) {
			rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
			out = append(out, Migration{Path: p, Format: f.Name(), Version: strings.TrimSuffix(rel, ".sql"), Name: strings.TrimSuffix(path.Base(p), ".sql")})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return pathLess(out[i].Version, out[j].Version) })
	return out, nil
}

// pathLess orders paths component by component, naturally.
func pathLess(a, b string) bool {
	pa, pb := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			// Files of a directory come before its subdirectories.
			if (i == len(pa)-1) != (i == len(pb)-1) {
				return i == len(pa)-1
			}
			return naturalLess(pa[i], pb[i])
		}
	}
	return len(pa) < len(pb)
}

func (Plain) Script(Migration, []byte) (Script, error) {
	return Script{Tx: TxNone}, nil
}

// Plain files run with psql: statement by statement.
func (Plain) Separation() TxMode { return TxNone }
func (Plain) LineEditable() bool { return true }

// Plain reads its directory recursively, and takes any .sql file.
func (Plain) OwnsSubdirs() bool { return true }
func (Plain) Fallback() bool    { return true }
