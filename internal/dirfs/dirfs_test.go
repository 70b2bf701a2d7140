package dirfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// tree writes a directory of the files ReadFile must read as os.DirFS
// does: small, empty, larger than any first guess, nested, and a symlink.
func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"m/1_a.up.sql":   "CREATE TABLE a (id int);\n",
		"m/2_b.up.sql":   "",
		"m/3_big.up.sql": strings.Repeat("SELECT 1;\n", 10_000),
		"top.sql":        "SELECT 2;",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("1_a.up.sql", filepath.Join(dir, "m/link.sql")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadFileAsOSDirFS(t *testing.T) {
	dir := tree(t)
	ours, theirs := New(dir), os.DirFS(dir)
	for _, name := range []string{"m/1_a.up.sql", "m/2_b.up.sql", "m/3_big.up.sql", "top.sql", "m/link.sql"} {
		got, err := ours.ReadFile(name)
		want, wantErr := fs.ReadFile(theirs, name)
		if err != nil || wantErr != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadFile(%q) = %d bytes, %v; os.DirFS: %d bytes, %v", name, len(got), err, len(want), wantErr)
		}
	}
	for _, name := range []string{"m/nosuch.sql", "m", "../x", "/etc/passwd", "m/../top.sql", "nosuchdir/x.sql", "m/1_a\x00.sql"} {
		_, err := ours.ReadFile(name)
		_, wantErr := fs.ReadFile(theirs, name)
		if (err == nil) != (wantErr == nil) || errors.Is(err, fs.ErrNotExist) != errors.Is(wantErr, fs.ErrNotExist) {
			t.Errorf("ReadFile(%q): %v; os.DirFS: %v", name, err, wantErr)
		}
		if errors.Is(err, fs.ErrInvalid) != errors.Is(wantErr, fs.ErrInvalid) {
			t.Errorf("ReadFile(%q): %v; os.DirFS: %v (fs.ErrInvalid)", name, err, wantErr)
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != name {
			t.Errorf("ReadFile(%q): error %v does not name %q", name, err, name)
		}
	}
	// An empty root is os.DirFS's error, not the current directory.
	_, err := New("").ReadFile("go.mod")
	_, wantErr := fs.ReadFile(os.DirFS(""), "go.mod")
	if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
		t.Errorf(`New("").ReadFile: %v; os.DirFS(""): %v`, err, wantErr)
	}
}

func TestFS(t *testing.T) {
	dir := tree(t)
	if err := fstest.TestFS(New(dir), "m/1_a.up.sql", "m/2_b.up.sql", "m/3_big.up.sql", "top.sql"); err != nil {
		t.Fatal(err)
	}
	// The root "/" joins without doubling the slash.
	abs := strings.TrimPrefix(filepath.ToSlash(filepath.Join(dir, "top.sql")), "/")
	if b, err := New("/").ReadFile(abs); err != nil || string(b) != "SELECT 2;" {
		t.Errorf(`New("/").ReadFile(%q) = %q, %v`, abs, b, err)
	}
}

// BenchmarkReadFile reads a history of a thousand small files, as pop's
// detection and classify do, with this package and with os.DirFS.
func BenchmarkReadFile(b *testing.B) {
	dir := b.TempDir()
	var names []string
	for i := range 1000 {
		name := filepath.Join("m", fmt.Sprintf("%06d_m.up.sql", i))
		os.MkdirAll(filepath.Join(dir, "m"), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte("ALTER TABLE t ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY t_email_idx ON t (email);\n"), 0o644)
		names = append(names, filepath.ToSlash(name))
	}
	for _, c := range []struct {
		name string
		fsys fs.FS
	}{{"dirfs", New(dir)}, {"os.DirFS", os.DirFS(dir)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, n := range names {
					if _, err := fs.ReadFile(c.fsys, n); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
