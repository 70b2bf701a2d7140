package source

import (
	"fmt"
	"math/big"
	"path"
	"strings"
	"time"
)

// Namer is implemented by formats that can name a new migration: the
// follow-up bot uses it to move a deferred contract migration into the
// active ones.
type Namer interface {
	// NextPath returns the path, under dir, of a new migration called name
	// that the tool applies after every existing one. now is the time used
	// by timestamp versions.
	NextPath(dir string, existing []Migration, name string, now time.Time) string
}

// Slug turns a description into the words of a file name.
func Slug(name string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			underscore = false
		} else if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

const timestampLayout = "20060102150405"

// nextNumber returns the version after the existing ones: a timestamp
// when they are timestamps (14 digits or more), else the next integer,
// zero-padded like the widest existing version.
func nextNumber(versions []string, now time.Time) string {
	var max *big.Int
	width, stamps := 0, len(versions) > 0
	for _, v := range versions {
		v = strings.ReplaceAll(v, "-", "")
		n, ok := new(big.Int).SetString(v, 10)
		if !ok {
			continue
		}
		if len(v) > width {
			width = len(v)
		}
		if len(v) < 14 {
			stamps = false
		}
		if max == nil || n.Cmp(max) > 0 {
			max = n
		}
	}
	if max == nil {
		return "1"
	}
	if stamps {
		ts, _ := new(big.Int).SetString(now.UTC().Format(timestampLayout), 10)
		if ts.Cmp(max) <= 0 {
			ts = new(big.Int).Add(max, big.NewInt(1))
		}
		return ts.String()
	}
	next := new(big.Int).Add(max, big.NewInt(1)).String()
	if len(next) < width {
		next = strings.Repeat("0", width-len(next)) + next
	}
	return next
}

func versionsOf(ms []Migration) []string {
	var vs []string
	for _, m := range ms {
		if m.Kind == Versioned && m.Version != "" {
			vs = append(vs, m.Version)
		}
	}
	return vs
}

// nextStamp is a timestamp after every existing version.
func nextStamp(versions []string, now time.Time) string {
	ts := now.UTC().Format(timestampLayout)
	for _, v := range versions {
		v = strings.ReplaceAll(v, "-", "")
		if compareNumbers(v, ts) >= 0 {
			n, _ := new(big.Int).SetString(v, 10)
			ts = new(big.Int).Add(n, big.NewInt(1)).String()
		}
	}
	return ts
}

func (GolangMigrate) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextNumber(versionsOf(ms), now)+"_"+Slug(name)+".up.sql")
}

func (Goose) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextNumber(versionsOf(ms), now)+"_"+Slug(name)+".sql")
}

func (Dbmate) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextStamp(versionsOf(ms), now)+"_"+Slug(name)+".sql")
}

func (Pop) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextStamp(versionsOf(ms), now)+"_"+Slug(name)+".up.sql")
}

func (Prisma) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextStamp(versionsOf(ms), now)+"_"+Slug(name)+"/migration.sql")
}

func (Diesel) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	stamp := nextStamp(versionsOf(ms), now)
	// Diesel writes 2024-01-02-150405.
	dashed := fmt.Sprintf("%s-%s-%s-%s", stamp[0:4], stamp[4:6], stamp[6:8], stamp[8:14])
	return join(dir, dashed+"_"+Slug(name)+"/up.sql")
}

// NextPath for Flyway: the next major version after the highest one (V19
// after V18 or V18.3), or a timestamp when versions are timestamps.
func (Flyway) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	var majors []string
	for _, v := range versionsOf(ms) {
		majors = append(majors, strings.SplitN(v, ".", 2)[0])
	}
	return join(dir, "V"+trimVersion(nextNumber(majors, now))+"__"+Slug(name)+".sql")
}

// NextPath for plain directories: the next number when file names start
// with one.
func (Plain) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	var nums []string
	for _, m := range ms {
		if d := digitPrefix(m.Name); d != "" {
			nums = append(nums, d)
		}
	}
	return join(dir, nextNumber(nums, now)+"_"+Slug(name)+".sql")
}

// Inserter is implemented by formats that can name a new migration the
// tool applies right after an existing one: split puts the steps of a
// recipe that must run outside a transaction there (a batched backfill, a
// concurrent index build). k counts the new migrations after m, from 1.
// The path may collide with, or sort after, a migration that follows m:
// callers check the order with List.
type Inserter interface {
	PathAfter(dir string, m Migration, k int, name string) string
}

// afterVersion names the k-th migration after m with a format's own
// NextPath: the version after m's, plus k-1 (timestamps count seconds as
// numbers, which the tools only compare).
func afterVersion(f Namer, dir string, m Migration, k int, name string) string {
	v := strings.ReplaceAll(m.Version, "-", "")
	n, ok := new(big.Int).SetString(v, 10)
	if !ok {
		return f.NextPath(dir, nil, name, time.Time{})
	}
	n.Add(n, big.NewInt(int64(k-1)))
	s := n.String()
	if len(s) < len(v) {
		s = strings.Repeat("0", len(v)-len(s)) + s
	}
	return f.NextPath(dir, []Migration{{Kind: Versioned, Version: s}}, name, time.Time{})
}

func (f GolangMigrate) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f Goose) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f Dbmate) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f Pop) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f Prisma) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f Diesel) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f SQLMigrate) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

func (f Atlas) PathAfter(dir string, m Migration, k int, name string) string {
	return afterVersion(f, dir, m, k, name)
}

// PathAfter for Liquibase: beside m, where includeAll's path order runs it
// right after m.
func (f Liquibase) PathAfter(dir string, m Migration, k int, name string) string {
	if m.Path != "" {
		dir = path.Dir(m.Path)
	}
	return afterVersion(f, dir, m, k, name)
}

// PathAfter for Flyway: a minor version of m's (V3.1 after V3), which
// Flyway orders between V3 and V4.
func (Flyway) PathAfter(dir string, m Migration, k int, name string) string {
	return join(dir, fmt.Sprintf("V%s.%d__%s.sql", m.Version, k, Slug(name)))
}
