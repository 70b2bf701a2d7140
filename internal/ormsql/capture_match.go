package ormsql

import (
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Which migration file a version recorded in the tool's table names: the
// tools name versions by timestamp, number or file name, and the match
// must be unambiguous.

// matchFile finds the migration file a recorded version names, or "" when
// none does or several do alike.
func matchFile(version string, files []string) string {
	p, _ := matchFiles(version, files)
	return p
}

var (
	flywayName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[VvUu](\d[0-9._]*?)__`) })
	digits     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+`) })
	longNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d{8,}`) })
	dottedNum  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+(\.\d+)+$`) })
)

// matchFiles finds the migration file a recorded version names, by these
// rules, on the files' base names:
//
//   - Liquibase's "file::id::author": the file part is the version.
//   - The whole version: the base name, or the base name without its
//     extension, equals it; or the base name starts with it followed by a
//     separator (_, -, __, or a . not followed by a digit: "1" names
//     "1_users.up" but neither "12_drop.up" nor "1.1_x.sql"), also after a
//     Flyway V (or U) prefix ("V1__init.sql", version "1"; "V1_1__x.sql"
//     and "V1.1__x.sql", version "1.1", their version part read as
//     Flyway does); an all-digit version compares as a number, so that
//     goose's and golang-migrate's "1" names "00001_users.sql".
//   - Else, a last part of the version, after a . / \ or : ("shop" and
//     "0001_initial" of Django's "shop.0001_initial", a .NET resource
//     name's file name), that is a base name or one without its extension
//     (not for dotted numbers: Flyway's "1.1" does not name "1.sql").
//   - Else, a number of 8 digits or more in the version, bounded by
//     non-digits, found bounded by non-digits in a base name (TypeORM's
//     "AddUsers1700000000000" names "1700000000000-AddUsers.ts").
//
// A version never names a file by a substring inside a word or a number.
// When several files match, files that look like down migrations
// (".down.", "_down", Flyway's U prefix) are left aside, then the one
// whose directories hold the version's other parts (Django's app), then
// an exact base name (with or without extension), then the shortest base
// name; files left alike are ambiguous: candidates lists them, and the
// returned path is "".
func matchFiles(version string, files []string) (string, []string) {
	version = strings.TrimSpace(version)
	if i := strings.Index(version, "::"); i > 0 {
		version = version[:i]
	}
	if version == "" {
		return "", nil
	}
	parts := strings.FieldsFunc(version, func(r rune) bool { return strings.ContainsRune(`./\:`, r) })
	// The whole version.
	var found []candidate
	for _, f := range files {
		if exact, ok := namesWhole(version, path.Base(f)); ok {
			found = append(found, candidate{path: f, exact: exact})
		}
	}
	if len(found) > 0 {
		return choose(found, parts)
	}
	// Its last parts, longest first.
	if !dottedNum().MatchString(version) {
		for i := 0; i < len(version); i++ {
			if !strings.ContainsRune(`./\:`, rune(version[i])) || i+1 >= len(version) {
				continue
			}
			suffix := version[i+1:]
			for _, f := range files {
				base := path.Base(f)
				if base == suffix || trimExt(base) == suffix {
					found = append(found, candidate{path: f, exact: true})
				}
			}
			if len(found) > 0 {
				return choose(found, parts)
			}
		}
	}
	// A long number.
	for _, loc := range longNumber().FindAllStringIndex(version, -1) {
		n := version[loc[0]:loc[1]]
		if n == version {
			break // an all-digit version was matched as a whole
		}
		for _, f := range files {
			if hasNumber(path.Base(f), n) {
				found = append(found, candidate{path: f})
			}
		}
		if len(found) > 0 {
			return choose(found, parts)
		}
	}
	return "", nil
}

type candidate struct {
	path  string
	exact bool // the base name, or it without its extension, is the key
}

// namesWhole reports whether the whole version names a file of base name
// base, and whether exactly.
func namesWhole(version, base string) (exact, ok bool) {
	if base == version || trimExt(base) == version {
		return true, true
	}
	if m := flywayName().FindStringSubmatch(base); m != nil {
		return false, sameVersion(strings.ReplaceAll(m[1], "_", "."), version)
	}
	allDigits := digits().FindString(version) == version
	if allDigits {
		d := digits().FindString(base)
		if d == "" || strings.TrimLeft(d, "0") != strings.TrimLeft(version, "0") {
			return false, false
		}
		return false, separates(base[len(d):])
	}
	if strings.HasPrefix(base, version) {
		return false, separates(base[len(version):])
	}
	return false, false
}

// separates reports whether rest, what follows a version in a file name,
// starts with a separator that ends it.
func separates(rest string) bool {
	if rest == "" {
		return true
	}
	switch rest[0] {
	case '_', '-':
		return true
	case '.':
		// Not a longer number: "1.1_x" is version 1.1, not 1.
		return len(rest) == 1 || rest[1] < '0' || rest[1] > '9'
	}
	return false
}

// sameVersion compares dotted versions component by component, as
// numbers when they are ("1.01" is "1.1").
func sameVersion(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		x, y := pa[i], pb[i]
		if digits().FindString(x) == x && digits().FindString(y) == y && x != "" && y != "" {
			x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
		}
		if x != y {
			return false
		}
	}
	return true
}

// hasNumber reports whether base holds n bounded by non-digits.
func hasNumber(base, n string) bool {
	for from := 0; ; {
		i := strings.Index(base[from:], n)
		if i < 0 {
			return false
		}
		i += from
		j := i + len(n)
		if (i == 0 || !isDigit(base[i-1])) && (j == len(base) || !isDigit(base[j])) {
			return true
		}
		from = i + 1
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimExt(base string) string { return strings.TrimSuffix(base, path.Ext(base)) }

// isDown reports whether a file name looks like a down (or undo)
// migration's.
func isDown(base string) bool {
	l := strings.ToLower(base)
	for _, m := range []string{".down.", "_down.", "-down.", ".undo."} {
		if strings.Contains(l, m) {
			return true
		}
	}
	return strings.HasSuffix(l, ".down") || strings.HasSuffix(l, "_down") || strings.HasPrefix(l, "down.") ||
		(base[0] == 'U' || base[0] == 'u') && flywayName().MatchString(base)
}

// choose picks among the files a version names (see matchFiles).
func choose(found []candidate, parts []string) (string, []string) {
	if len(found) == 1 {
		return found[0].path, nil
	}
	keep := func(ok func(candidate) bool) {
		var k []candidate
		for _, c := range found {
			if ok(c) {
				k = append(k, c)
			}
		}
		if len(k) > 0 {
			found = k
		}
	}
	keep(func(c candidate) bool { return !isDown(path.Base(c.path)) })
	if len(parts) > 1 {
		score := func(c candidate) int {
			dirs := strings.Split(path.Dir(c.path), "/")
			n := 0
			for _, p := range parts[:len(parts)-1] {
				for _, d := range dirs {
					if d == p {
						n++
						break
					}
				}
			}
			return n
		}
		best := 0
		for _, c := range found {
			best = max(best, score(c))
		}
		keep(func(c candidate) bool { return score(c) == best })
	}
	keep(func(c candidate) bool { return c.exact })
	shortest := len(path.Base(found[0].path))
	for _, c := range found {
		shortest = min(shortest, len(path.Base(c.path)))
	}
	keep(func(c candidate) bool { return len(path.Base(c.path)) == shortest })
	if len(found) == 1 {
		return found[0].path, nil
	}
	var paths []string
	for _, c := range found {
		paths = append(paths, c.path)
	}
	sort.Strings(paths)
	return "", paths
}

// pgEnv points DATABASE_URL and libpq's variables at the database.
func pgEnv(dsn string) []string {
	env := []string{"DATABASE_URL=" + dsn}
	u, err := url.Parse(dsn)
	if err != nil {
		return env
	}
	pw, _ := u.User.Password()
	env = append(env, "PGHOST="+u.Hostname(), "PGPORT="+u.Port(), "PGUSER="+u.User.Username(), "PGPASSWORD="+pw,
		"PGDATABASE="+strings.TrimPrefix(u.Path, "/"), "PGSSLMODE=disable")
	return env
}
