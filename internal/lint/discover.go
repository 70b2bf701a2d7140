package lint

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/source"
)

// skipDirs are directories never searched for migrations.
var skipDirs = map[string]bool{"node_modules": true, "vendor": true, "testdata": true, ".git": true, "target": true, "dist": true, "build": true}

// Candidate is a directory that holds migrations of a format.
type Candidate struct {
	Dir    string
	Format source.Format
}

// Discover finds the migration directories among files (the repository's
// file list). Plain directories of .sql files count only when their name
// says they hold migrations.
func Discover(fsys fs.FS, files []string) []Candidate {
	fsys = source.CacheDirs(fsys) // every format looks at the same directories
	dirs := map[string]bool{}
	for _, f := range files {
		if skipped(f) {
			continue
		}
		switch {
		case path.Base(f) == "sqitch.plan":
			dirs[path.Dir(f)] = true
		case path.Base(f) == "manage.py":
			dirs[path.Dir(f)] = true // a Django project
		case strings.HasSuffix(f, ".py") && path.Base(path.Dir(f)) == "versions":
			dirs[path.Dir(f)] = true // Alembic revisions
		case strings.HasSuffix(f, ".sql"):
			d := path.Dir(f)
			dirs[d] = true
			if b := path.Base(f); b == "migration.sql" || b == "up.sql" {
				dirs[path.Dir(d)] = true // Prisma and Diesel: one directory per migration
			}
		}
	}
	var out []Candidate
	claimed := map[string]bool{}
	keys := make([]string, 0, len(dirs))
	for d := range dirs {
		keys = append(keys, d)
	}
	sort.Strings(keys)
	for _, d := range keys {
		for _, f := range source.Formats {
			if source.IsFallback(f) && !migrationName(d) {
				continue
			}
			if f.Detect(fsys, d) {
				out = append(out, Candidate{Dir: d, Format: f})
				if source.OwnsSubdirs(f) {
					claimed[d] = true
				}
				break
			}
		}
	}
	// A directory inside a recursive format's directory belongs to it.
	var kept []Candidate
	for _, c := range out {
		inside := false
		for parent := range claimed {
			if parent != c.Dir && (parent == "." || strings.HasPrefix(c.Dir, parent+"/")) {
				inside = true
			}
		}
		if !inside {
			kept = append(kept, c)
		}
	}
	return kept
}

func skipped(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if deferred.IsDeferredDir(part) {
			return true
		}
		if skipDirs[part] || strings.HasPrefix(part, ".") && part != ".github" {
			return true
		}
	}
	return false
}

func migrationName(dir string) bool {
	for _, part := range strings.Split(dir, "/") {
		l := strings.ToLower(part)
		if strings.Contains(l, "migrat") || l == "schema" || l == "versioned" || l == "sql" {
			return true
		}
	}
	return false
}

// Choose picks the one migration directory, or says how to configure it.
func Choose(cands []Candidate) (Candidate, error) {
	switch len(cands) {
	case 0:
		return Candidate{}, fmt.Errorf("no migrations found in the repository; set migrations.dir (and migrations.format) in .github/phasegate.yml")
	case 1:
		return cands[0], nil
	}
	return Candidate{}, fmt.Errorf("found migrations in several directories: %s; set migrations.dir in .github/phasegate.yml to the one to check", candidates(cands))
}

// candidates lists directories with their formats: "db (goose), sql (plain)".
func candidates(cands []Candidate) string {
	var list []string
	for _, c := range cands {
		list = append(list, fmt.Sprintf("%s (%s)", c.Dir, c.Format.Name()))
	}
	return strings.Join(list, ", ")
}
