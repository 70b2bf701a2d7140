package scripts_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// distVersion is the version the test releases: a checkout at tag
// v<distVersion> is what the release workflow builds.
const distVersion = "1.9.3"

// taggedCheckout copies the module's files (tracked, and new ones git does
// not ignore, as they are in the work tree) into a fresh repository whose
// only commit is tagged v<distVersion>, as the release workflow's checkout
// is, and returns its directory.
func taggedCheckout(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(filepath.Join(root, name))
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q"}, {"add", "-A"},
		{"-c", "user.name=release", "-c", "user.email=release@example.com", "commit", "-q", "-m", "release"},
		{"tag", "v" + distVersion},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// dist runs scripts/dist.sh of the checkout.
func dist(t *testing.T, checkout string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(checkout, "scripts", "dist.sh")}, args...)...)
	cmd.Dir = checkout
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checksums parses checksums.txt and checks every sum against its file.
func checksums(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("checksums.txt line %q is not \"SHA256  NAME\"", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("checksums.txt lists %s: %v", name, err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != sum {
			t.Errorf("checksums.txt says %s for %s, the file is %s", sum, name, got)
		}
		sums[name] = sum
	}
	return sums
}

// unpack extracts a .tar.gz into a new directory and returns it and the
// names of its entries.
func unpack(t *testing.T, archive string) (string, []string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var names []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		data, _ := io.ReadAll(tr)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(h.Name)), data, os.FileMode(h.Mode).Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir, names
}

func TestDistRefusals(t *testing.T) {
	root, _ := filepath.Abs("..")
	out, err := dist(t, root, "-o", t.TempDir(), "1.2")
	if err == nil || !strings.Contains(out, "dist.sh: version '1.2' is not X.Y.Z") {
		t.Errorf("bad version: %v\n%s", err, out)
	}
	out, err = dist(t, root, "-o", t.TempDir(), "-t", "linux/riscv64", "1.2.3")
	if err == nil || !strings.Contains(out, "dist.sh: no C compiler for linux/riscv64") || !strings.Contains(out, "set CC_linux_riscv64") {
		t.Errorf("no cross compiler: %v\n%s", err, out)
	}
	out, err = dist(t, root, "-o", t.TempDir(), "-c", "1.2.3")
	if err == nil || !strings.Contains(out, "no phasegate_1.2.3_*.tar.gz in") {
		t.Errorf("checksums of nothing: %v\n%s", err, out)
	}
}

// TestDist builds the release archive for this machine from a checkout at
// a tag, as the release workflow does, unpacks it, runs the binary and
// checks checksums.txt.
func TestDist(t *testing.T) {
	checkout := taggedCheckout(t)
	out := t.TempDir()
	log, err := dist(t, checkout, "-o", out, "v"+distVersion)
	if err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, log)
	}
	name := fmt.Sprintf("phasegate_%s_%s_%s.tar.gz", distVersion, runtime.GOOS, runtime.GOARCH)
	sums := checksums(t, out)
	if len(sums) != 1 || sums[name] == "" {
		t.Fatalf("checksums.txt lists %v, want %s only", sums, name)
	}

	dir, names := unpack(t, filepath.Join(out, name))
	want := []string{"README.md", "phasegate"}
	if _, err := os.Stat(filepath.Join(checkout, "LICENSE")); err == nil {
		want = append(want, "LICENSE")
	}
	sort.Strings(names)
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("archive holds %v, want %v", names, want)
	}
	if readme, _ := os.ReadFile(filepath.Join(dir, "README.md")); !bytes.Equal(readme, []byte(read(t, filepath.Join(checkout, "README.md")))) {
		t.Error("the archive's README.md is not the repository's")
	}
	version, err := exec.Command(filepath.Join(dir, "phasegate"), "version").CombinedOutput()
	if err != nil || !versionIn(string(version), distVersion) {
		t.Errorf("phasegate version: %v %q, want %s", err, version, distVersion)
	}
	if runtime.GOOS == "linux" {
		staticELF(t, filepath.Join(dir, "phasegate"), map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH])
	}

	// The release job checksums the four runners' archives together (-c).
	other := fmt.Sprintf("phasegate_%s_plan9_amd64.tar.gz", distVersion)
	os.WriteFile(filepath.Join(out, other), []byte("another runner's archive"), 0o644)
	if log, err := dist(t, checkout, "-o", out, "-c", distVersion); err != nil {
		t.Fatalf("dist.sh -c: %v\n%s", err, log)
	}
	if got := checksums(t, out); len(got) != 2 || got[name] != sums[name] || got[other] == "" {
		t.Errorf("checksums.txt after -c: %v", got)
	}
}

// versionIn reports whether `phasegate version` output names version (with
// or without its v).
func versionIn(out, version string) bool {
	for _, f := range strings.FieldsFunc(out, func(r rune) bool { return r == ' ' || r == '\n' || r == '(' || r == ')' }) {
		if f == version || f == "v"+version {
			return true
		}
	}
	return false
}

// staticELF checks a Linux binary's architecture and that it has no program
// interpreter: it is statically linked, so it runs on any distribution.
func staticELF(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("%s is for %v, want %v", path, f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (it has a program interpreter)", path)
		}
	}
}
