package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/gittest"
)

// TestSplitGolden splits the migration of every case of testdata/split:
// base/ is committed on main, change/ is the work tree, and the migration
// the change adds is split. The resulting tree must equal want/, the dry
// run must print want.diff, and a second split must change nothing.
// go test ./cmd/phasegate -run TestSplitGolden -update rewrites want/.
func TestSplitGolden(t *testing.T) {
	cases, _ := filepath.Glob("../../testdata/split/*")
	if len(cases) == 0 {
		t.Fatal("no split cases")
	}
	for _, dir := range cases {
		dir, _ := filepath.Abs(dir)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r := gittest.New(t)
			r.CopyDir(filepath.Join(dir, "base"))
			r.Commit("base", nil)
			added := copyTree(t, filepath.Join(dir, "change"), r.Dir)
			var target string
			for _, p := range added {
				if strings.HasSuffix(p, ".sql") && !strings.Contains(p, "down") {
					target = p
				}
			}
			t.Chdir(r.Dir)
			var out, errb bytes.Buffer
			if code := run([]string{"split", "--dry-run", "--base", "main", target}, &out, &errb); code != 0 {
				t.Fatalf("split --dry-run: exit %d\n%s", code, errb.String())
			}
			compareFile(t, filepath.Join(dir, "want.diff"), out.String())
			out.Reset()
			if code := run([]string{"split", "--base", "main", target}, &out, &errb); code != 0 {
				t.Fatalf("split: exit %d\n%s", code, errb.String())
			}
			got := readTree(t, r.Dir)
			wantDir := filepath.Join(dir, "want")
			if *update {
				os.RemoveAll(wantDir)
				for p, content := range got {
					full := filepath.Join(wantDir, filepath.FromSlash(p))
					os.MkdirAll(filepath.Dir(full), 0o755)
					os.WriteFile(full, []byte(content), 0o644)
				}
			} else {
				want := readTree(t, wantDir)
				for p := range union(got, want) {
					if got[p] != want[p] {
						t.Errorf("%s after split:\n%s\nwant:\n%s", p, got[p], want[p])
					}
				}
			}
			// Each deferred migration it wrote reads back with its header.
			for p, content := range got {
				if !strings.Contains(content, "phasegate:deferred") {
					continue
				}
				if h, ok, err := deferred.Parse([]byte(content)); !ok || err != nil || h.From != target {
					t.Errorf("%s: its header reads back as %+v, %v, %v", p, h, ok, err)
				}
			}
			// The split leaves no directory a tool would take for an empty
			// migration, and every file still parses in its format.
			filepath.WalkDir(r.Dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.IsDir() && d.Name() == ".git" {
					return filepath.SkipDir
				}
				if err == nil && d.IsDir() {
					if entries, _ := os.ReadDir(p); len(entries) == 0 {
						t.Errorf("split left the empty directory %s", p)
					}
				}
				return nil
			})
			out.Reset()
			errb.Reset()
			run([]string{"check", "--static-only", "--base", "main", "--format", "json"}, &out, &errb)
			var rep struct {
				Errors []struct{ Path, Message string }
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("check after split: %v\n%s%s", err, out.String(), errb.String())
			}
			if len(rep.Errors) > 0 {
				t.Errorf("check after split reports file errors: %+v", rep.Errors)
			}
			// What split writes for its rewrites is held to phasegate's own
			// rules: the check passes.
			if strings.HasPrefix(filepath.Base(dir), "rewrite-") {
				out.Reset()
				if code := run([]string{"check", "--static-only", "--base", "main"}, &out, &errb); code != 0 {
					t.Errorf("check after split: exit %d\n%s", code, out.String())
				}
			}
			// Splitting again is a no-op (a file that moved whole is gone).
			errb.Reset()
			if code := run([]string{"split", "--base", "main", target}, &out, &errb); code != 0 && !strings.Contains(errb.String(), "not a new migration") && !strings.Contains(errb.String(), "no such file") {
				t.Fatalf("second split: exit %d\n%s", code, errb.String())
			}
			if again := readTree(t, r.Dir); !equalTrees(again, got) {
				t.Error("a second split changed the tree")
			}
		})
	}
}

func copyTree(t *testing.T, src, dst string) []string {
	var out []string
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, _ := os.ReadFile(p)
		full := filepath.Join(dst, rel)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, b, 0o644)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out
}

func readTree(t *testing.T, root string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			b, _ := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return out
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func compareFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (-update creates it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n%s", filepath.Base(path), got)
	}
}

// split refuses what it cannot split, and says why.
func TestSplitRefusals(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint, legacy text);"})
	r.Git("checkout", "-qb", "feature")
	r.Write(map[string]string{"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint, legacy text);\nALTER TABLE users DROP COLUMN legacy;"})
	t.Chdir(r.Dir)
	r.Write(map[string]string{"db/migrations/deferred/0002_x_contract.up.sql": "-- phasegate:deferred\n--   after: release\n--   from: db/migrations/0002_x.up.sql\nALTER TABLE users DROP COLUMN legacy;\n"})
	for file, want := range map[string]string{
		"db/migrations/0001_users.up.sql":               "is an edited migration that exists on main",
		"db/migrations/0009_nope.up.sql":                "db/migrations/0009_nope.up.sql: no such file",
		"db/migrations/deferred/0002_x_contract.up.sql": "is a deferred migration: it already waits for the next release",
	} {
		var out, errb bytes.Buffer
		if code := run([]string{"split", "--base", "main", file}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), want) {
			t.Errorf("split %s: exit %d, %q; want %q", file, code, errb.String(), want)
		}
	}
}

// split refuses to defer the drop of a column the new code still uses,
// naming the lines, and --force overrides it.
func TestSplitRefusesADropTheCodeUses(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, legacy text);"})
	r.Git("checkout", "-qb", "feature")
	r.Write(map[string]string{
		"db/migrations/0002_drop.up.sql": "ALTER TABLE users DROP COLUMN legacy;",
		"app/users.go":                   "package app\n\nconst q = `SELECT id, legacy FROM users`\n",
	})
	t.Chdir(r.Dir)
	var out, errb bytes.Buffer
	if code := run([]string{"split", "--base", "main", "db/migrations/0002_drop.up.sql"}, &out, &errb); code != exitUsage ||
		!strings.Contains(errb.String(), "the new code still mentions users.legacy") || !strings.Contains(errb.String(), "app/users.go:3:") ||
		!strings.Contains(errb.String(), "--force") {
		t.Fatalf("split: exit %d\n%s", code, errb.String())
	}
	if _, err := os.Stat("db/migrations/deferred"); err == nil {
		t.Error("a refused split wrote files")
	}
	errb.Reset()
	if code := run([]string{"split", "--base", "main", "--force", "db/migrations/0002_drop.up.sql"}, &out, &errb); code != 0 {
		t.Fatalf("split --force: exit %d\n%s", code, errb.String())
	}
}
