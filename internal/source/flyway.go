package source

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Flyway is Flyway's SQL migrations: V<version>__<description>.sql
// (versioned) and R__<description>.sql (repeatable, applied after the
// versioned ones whenever they change), found recursively. U (undo) files
// are not forward migrations. Flyway sends statements one by one, in one
// transaction unless the migration holds a statement it knows PostgreSQL
// refuses to run in one (CREATE INDEX CONCURRENTLY...): TxAuto. A script
// configuration file beside it (V2__x.sql.conf) with
// executeInTransaction=false turns the transaction off.
type Flyway struct{}

var (
	flywayVersioned  = lazyRegexp(`^V([0-9]+(?:[._][0-9]+)*)__(.+)\.sql$`)
	flywayRepeatable = lazyRegexp(`^R__(.+)\.sql$`)
	flywayNoTx       = lazyRegexp(`(?m)^\s*executeInTransaction\s*=\s*false\b`)
)

func (Flyway) Name() string { return "flyway" }

func (f Flyway) Detect(fsys fs.FS, dir string) bool {
	found := false
	walkFiles(fsys, dir, func(p string) bool {
		found = flywayVersioned().MatchString(path.Base(p))
		return !found
	})
	return found
}

func (f Flyway) List(fsys fs.FS, dir string) ([]Migration, error) {
	var versioned, repeatable []Migration
	seen := map[string]string{}
	err := walkFiles(fsys, dir, func(p string) bool {
		base := path.Base(p)
		if m := flywayVersioned().FindStringSubmatch(base); m != nil {
			v := strings.ReplaceAll(m[1], "_", ".")
			key := flywayKey(v)
			if prev, dup := seen[key]; dup {
				versioned = append(versioned, Migration{Path: p, Skip: "duplicate of " + prev})
				return true
			}
			seen[key] = p
			versioned = append(versioned, Migration{Path: p, Format: f.Name(), Version: v, Name: strings.ReplaceAll(m[2], "_", " "), NoTx: flywayConfNoTx(fsys, p)})
		} else if m := flywayRepeatable().FindStringSubmatch(base); m != nil {
			repeatable = append(repeatable, Migration{Path: p, Format: f.Name(), Name: strings.ReplaceAll(m[1], "_", " "), Kind: Repeatable, NoTx: flywayConfNoTx(fsys, p)})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for _, m := range versioned {
		if m.Format == "" {
			return nil, fmt.Errorf("%s: version is also used by %s (Flyway refuses duplicate versions)", m.Path, strings.TrimPrefix(m.Skip, "duplicate of "))
		}
	}
	sort.SliceStable(versioned, func(i, j int) bool {
		return compareFlyway(versioned[i].Version, versioned[j].Version) < 0
	})
	sort.SliceStable(repeatable, func(i, j int) bool { return repeatable[i].Name < repeatable[j].Name })
	return append(versioned, repeatable...), nil
}

func (Flyway) Script(m Migration, _ []byte) (Script, error) {
	if m.NoTx {
		return Script{Tx: TxNone}, nil
	}
	return Script{Tx: TxAuto}, nil
}

// flywayConfNoTx reads a migration's script configuration file.
func flywayConfNoTx(fsys fs.FS, p string) bool {
	b, err := fs.ReadFile(fsys, p+".conf")
	return err == nil && flywayNoTx().Match(b)
}

// compareFlyway compares dotted versions part by part, numerically; missing
// parts count as zero (1.0 equals 1).
func compareFlyway(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if c := compareNumbers(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// flywayKey normalises a version so that equal versions have equal keys.
func flywayKey(v string) string {
	parts := strings.Split(v, ".")
	for i := range parts {
		parts[i] = trimVersion(parts[i])
	}
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}

// walkFiles calls fn for every regular file under dir, recursively, in
// lexical order, until fn returns false.
func walkFiles(fsys fs.FS, dir string, fn func(path string) bool) error {
	root := dir
	if root == "" {
		root = "."
	}
	stop := fmt.Errorf("stop")
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && isNotExist(err) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if !fn(p) {
			return stop
		}
		return nil
	})
	if err == stop {
		return nil
	}
	return err
}

// Flyway reads its locations recursively: its deferred directory sits
// beside them (the default).
func (Flyway) DeferredDir(dir string) string { return besideDeferred(dir) }
func (f Flyway) DeferredFormat() Format      { return f }
func (Flyway) Separation() TxMode            { return TxNone }
func (Flyway) NoTxFix() string {
	return "put the statement in a migration of its own: Flyway runs a migration that holds only non-transactional statements without a transaction"
}

// ConfigFile is the script configuration file of the migration at p.
func (Flyway) ConfigFile(p string) string { return p + ".conf" }
func (Flyway) TxConfig(tx TxMode, base string) (string, bool) {
	if tx != TxNone {
		return "", false
	}
	return setting(base, "executeInTransaction", "executeInTransaction=false"), true
}
func (Flyway) OutOfOrderEffect() string {
	return "Flyway refuses to run unless outOfOrder is set"
}
func (Flyway) LineEditable() bool { return true }

// Flyway reads its locations recursively.
func (Flyway) OwnsSubdirs() bool { return true }

// MatchFile: V<version>__name or R__name.
func (Flyway) MatchFile(_ fs.FS, p string, _ []byte) FileMatch {
	base := path.Base(p)
	if strings.HasPrefix(base, "V") && strings.Contains(base, "__") || strings.HasPrefix(base, "R__") {
		return ByName
	}
	return NoMatch
}
