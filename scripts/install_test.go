package scripts_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// platform is this machine as install.sh names it: the archive's OS and
// architecture, and the tool cache's architecture directory.
func platform(t *testing.T) (osArch, cacheArch string) {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Fatalf("install.sh has no release binaries for %s", runtime.GOOS)
	}
	switch runtime.GOARCH {
	case "amd64":
		return runtime.GOOS + "_amd64", "x64"
	case "arm64":
		return runtime.GOOS + "_arm64", "arm64"
	}
	t.Fatalf("install.sh has no release binaries for %s", runtime.GOARCH)
	return "", ""
}

// fakeArchive is a release archive whose phasegate is a shell script that
// prints "phasegate vVERSION", as the real one does.
func fakeArchive(t *testing.T, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := []struct {
		name string
		mode int64
		body string
	}{
		{"phasegate", 0o755, "#!/bin/sh\necho \"phasegate v" + version + "\"\n"},
		{"README.md", 0o644, "# phasegate\n"},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return buf.Bytes()
}

// addRelease publishes a release with an archive for this platform (unless
// skipArchive) and checksums.txt (whose sums tamper changes).
func addRelease(t *testing.T, repo *fakegithub.Repo, rel fakegithub.Release, skipArchive, tamper bool) {
	t.Helper()
	osArch, _ := platform(t)
	version := strings.TrimPrefix(rel.TagName, "v")
	r := repo.AddRelease(rel)
	name := fmt.Sprintf("phasegate_%s_%s.tar.gz", version, osArch)
	data := fakeArchive(t, version)
	if skipArchive {
		name = fmt.Sprintf("phasegate_%s_plan9_amd64.tar.gz", version)
	}
	repo.AddReleaseAsset(r.ID, fakegithub.Asset{Name: name, Data: data})
	sum := sha256.Sum256(data)
	if tamper {
		sum = sha256.Sum256(append(data, 0))
	}
	other := sha256.Sum256([]byte(version))
	sums := fmt.Sprintf("%x  phasegate_%s_darwin_zz.tar.gz\n%x  %s\n", other, version, sum, name)
	repo.AddReleaseAsset(r.ID, fakegithub.Asset{Name: "checksums.txt", ContentType: "text/plain", Data: []byte(sums)})
}

// toolsPath is a directory of links to the commands install.sh uses, and
// nothing else: no Go.
func toolsPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"bash", "uname", "curl", "mktemp", "rm", "grep", "sed", "head", "sort", "wc",
		"paste", "awk", "tr", "cut", "tar", "gzip", "mkdir", "cp", "chmod", "mv", "touch"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("install.sh needs %s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	sum := "sha256sum"
	if _, err := exec.LookPath(sum); err != nil {
		sum = "shasum"
	}
	p, err := exec.LookPath(sum)
	if err != nil {
		t.Fatal("install.sh needs sha256sum or shasum")
	}
	os.Symlink(p, filepath.Join(dir, sum))
	return dir
}

// installEnv is a runner's environment for the action's install step.
type installEnv struct {
	t                                   *testing.T
	bash, path, toolCache, temp, ghPath string
	vars                                []string
}

func newInstallEnv(t *testing.T, s *fakegithub.Server, vars ...string) *installEnv {
	t.Helper()
	tmp := t.TempDir()
	e := &installEnv{t: t, path: toolsPath(t), toolCache: filepath.Join(tmp, "toolcache"),
		temp: filepath.Join(tmp, "temp"), ghPath: filepath.Join(tmp, "github_path")}
	e.bash = filepath.Join(e.path, "bash")
	os.MkdirAll(e.temp, 0o755)
	os.WriteFile(e.ghPath, nil, 0o644)
	e.vars = append([]string{"HOME=" + tmp, "GITHUB_ACTIONS=true", "GITHUB_API_URL=" + s.URL,
		"RUNNER_TOOL_CACHE=" + e.toolCache, "RUNNER_TEMP=" + e.temp, "GITHUB_PATH=" + e.ghPath,
		"GH_TOKEN=t-write", "ACTION_REPOSITORY=phasegate/phasegate"}, vars...)
	return e
}

// run runs install.sh with args in the environment (later vars win) and
// returns its combined output.
func (e *installEnv) run(args []string, vars ...string) (string, error) {
	e.t.Helper()
	script, err := filepath.Abs("install.sh")
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(e.bash, append([]string{script}, args...)...)
	cmd.Dir = e.temp
	cmd.Env = append(append([]string{"PATH=" + e.path}, e.vars...), vars...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *installEnv) mustRun(args []string, vars ...string) string {
	e.t.Helper()
	out, err := e.run(args, vars...)
	if err != nil {
		e.t.Fatalf("install.sh %v: %v\n%s", args, err, out)
	}
	return out
}

// releases is phasegate/phasegate on a fake GitHub with a write token
// "t-write" and releases v1.9.0 (the newest, a backport), v1.10.0 (the
// highest v1), v2.0.0, a draft v1.11.0, a prerelease v1.12.0-rc.1, v1.5.0
// without an archive for this platform and v1.6.0 with tampered checksums.
func releases(t *testing.T) (*fakegithub.Server, *fakegithub.Repo) {
	t.Helper()
	s := fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken("t-write", fakegithub.Write)
	s.AddToken("t-read", fakegithub.Read)
	repo := s.AddRepo("phasegate", "phasegate")
	repo.Commit("main", "init", map[string]string{"README.md": "phasegate\n"})
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	addRelease(t, repo, fakegithub.Release{TagName: "v1.5.0", CreatedAt: day(1)}, true, false)
	addRelease(t, repo, fakegithub.Release{TagName: "v1.6.0", CreatedAt: day(2)}, false, true)
	addRelease(t, repo, fakegithub.Release{TagName: "v1.10.0", CreatedAt: day(3)}, false, false)
	addRelease(t, repo, fakegithub.Release{TagName: "v2.0.0", CreatedAt: day(4)}, false, false)
	addRelease(t, repo, fakegithub.Release{TagName: "v1.9.0", CreatedAt: day(5)}, false, false)
	addRelease(t, repo, fakegithub.Release{TagName: "v1.11.0", Draft: true, CreatedAt: day(6)}, false, false)
	addRelease(t, repo, fakegithub.Release{TagName: "v1.12.0-rc.1", Prerelease: true, CreatedAt: day(7)}, false, false)
	return s, repo
}

func downloads(s *fakegithub.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "/releases/download/") || strings.Contains(r.Path, "/releases/assets/") {
			n++
		}
	}
	return n
}

func TestInstallMajorTag(t *testing.T) {
	s, _ := releases(t)
	_, cacheArch := platform(t)
	e := newInstallEnv(t, s, "ACTION_REF=v1")
	out := e.mustRun([]string{"--action"})
	// v1 is the highest v1.x.y release: not the newest one (v1.9.0), not
	// the draft or the prerelease, not v2.
	dir := filepath.Join(e.toolCache, "phasegate", "1.10.0", cacheArch)
	if !strings.Contains(out, "sha256") || !strings.Contains(out, "phasegate v1.10.0") {
		t.Errorf("output:\n%s", out)
	}
	if _, err := os.Stat(dir + ".complete"); err != nil {
		t.Errorf("tool cache marker: %v", err)
	}
	if got := read(t, e.ghPath); got != dir+"\n" {
		t.Errorf("GITHUB_PATH = %q, want %q", got, dir+"\n")
	}
	for _, r := range s.Requests() {
		if r.Token != "t-write" && !strings.Contains(r.Path, "/releases/download/") {
			t.Errorf("%s %s without the token", r.Method, r.Path)
		}
	}

	// A second step of the job finds it in the tool cache: it resolves v1
	// again but downloads nothing.
	s.ClearRequests()
	out = e.mustRun([]string{"--action"})
	if !strings.Contains(out, "v1.10.0 from the tool cache") || downloads(s) != 0 {
		t.Errorf("second install: %d downloads\n%s", downloads(s), out)
	}
}

func TestInstallExactVersion(t *testing.T) {
	s, _ := releases(t)
	_, cacheArch := platform(t)
	// GitHub Enterprise Server's API is under /api/v3.
	e := newInstallEnv(t, s, "ACTION_REF=v1.9.0", "GITHUB_API_URL="+s.URL+"/api/v3")
	out := e.mustRun([]string{"--action"})
	if !strings.Contains(out, "phasegate v1.9.0") {
		t.Errorf("output:\n%s", out)
	}
	if got, want := read(t, e.ghPath), filepath.Join(e.toolCache, "phasegate", "1.9.0", cacheArch)+"\n"; got != want {
		t.Errorf("GITHUB_PATH = %q, want %q", got, want)
	}
	// Cached: no request at all.
	s.ClearRequests()
	out = e.mustRun([]string{"--action"})
	if n := len(s.Requests()); n != 0 || !strings.Contains(out, "from the tool cache") {
		t.Errorf("second install made %d requests:\n%s", n, out)
	}

	// The version input wins over the ref; the v is optional.
	out = e.mustRun([]string{"--action"}, "VERSION=2.0.0")
	if !strings.Contains(out, "phasegate v2.0.0") {
		t.Errorf("version input:\n%s", out)
	}
}

func TestInstallMissingAsset(t *testing.T) {
	s, _ := releases(t)
	osArch, _ := platform(t)
	e := newInstallEnv(t, s, "ACTION_REF=v1.5.0")
	out, err := e.run([]string{"--action"})
	want := "release v1.5.0 of phasegate/phasegate has no phasegate_1.5.0_" + osArch + ".tar.gz (it has: phasegate_1.5.0_plan9_amd64.tar.gz checksums.txt). Nothing was installed."
	if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "version: source") {
		t.Errorf("err %v, output:\n%s\nwant %q", err, out, want)
	}
	nothingInstalled(t, e)
}

func TestInstallTamperedChecksums(t *testing.T) {
	s, _ := releases(t)
	osArch, _ := platform(t)
	e := newInstallEnv(t, s, "ACTION_REF=v1.6.0")
	out, err := e.run([]string{"--action"})
	want := "phasegate: checksum mismatch for phasegate_1.6.0_" + osArch + ".tar.gz of v1.6.0: checksums.txt says sha256 "
	if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "nothing was installed") {
		t.Errorf("err %v, output:\n%s\nwant %q", err, out, want)
	}
	nothingInstalled(t, e)

	// The standalone installer refuses it too, and leaves the directory empty.
	bin := filepath.Join(t.TempDir(), "bin")
	out, err = e.run([]string{"-b", bin, "v1.6.0"})
	if err == nil || !strings.Contains(out, want) {
		t.Errorf("standalone: err %v, output:\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(bin, "phasegate")); err == nil {
		t.Error("standalone installed a binary whose checksum does not match")
	}
}

func nothingInstalled(t *testing.T, e *installEnv) {
	t.Helper()
	if got := read(t, e.ghPath); got != "" {
		t.Errorf("GITHUB_PATH = %q, want nothing", got)
	}
	filepath.Walk(e.toolCache, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			t.Errorf("installed %s", p)
		}
		return nil
	})
}

func TestInstallNotARelease(t *testing.T) {
	s, _ := releases(t)
	for _, ref := range []string{"main", "0123456789abcdef0123456789abcdef01234567", "v3", "v1.7.0"} {
		e := newInstallEnv(t, s, "ACTION_REF="+ref)
		out, err := e.run([]string{"--action"})
		if err == nil || !strings.Contains(out, "phasegate: "+ref+" is not a release of phasegate/phasegate") ||
			!strings.Contains(out, "this takes about 3 minutes") || !strings.Contains(out, "Go is not installed") {
			t.Errorf("%s: err %v, output:\n%s", ref, err, out)
		}
		nothingInstalled(t, e)
	}

	// A fork has the tags but not the releases.
	s.AddRepo("someone", "phasegate").Commit("main", "init", map[string]string{"a": "a"})
	e := newInstallEnv(t, s, "ACTION_REF=v1", "ACTION_REPOSITORY=someone/phasegate")
	if out, _ := e.run([]string{"--action"}); !strings.Contains(out, "v1 is not a release of someone/phasegate") {
		t.Errorf("fork:\n%s", out)
	}
}

// TestInstallFromSource builds a ref that is not a release from the
// action's source with Go. The source is a small module standing in for
// phasegate's, so the test does not compile the PostgreSQL parser.
func TestInstallFromSource(t *testing.T) {
	s, _ := releases(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "cmd", "phasegate"), 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module example.com/phasegate\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(src, "cmd", "phasegate", "main.go"),
		[]byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"phasegate devel\") }\n"), 0o644)
	cache, _ := exec.Command(goBin, "env", "GOCACHE").Output()
	e := newInstallEnv(t, s, "ACTION_REF=feature/x", "ACTION_PATH="+src, "GOCACHE="+strings.TrimSpace(string(cache)), "GOTOOLCHAIN=local")
	e.path += string(os.PathListSeparator) + filepath.Dir(goBin)
	out := e.mustRun([]string{"--action"})
	dir := filepath.Join(e.temp, "phasegate-source")
	if !strings.Contains(out, "feature/x is not a release") || !strings.Contains(out, "built from source in ") ||
		!strings.Contains(out, "phasegate devel") || read(t, e.ghPath) != dir+"\n" {
		t.Errorf("output:\n%s\nGITHUB_PATH %q", out, read(t, e.ghPath))
	}
	// version: source builds even at a release ref.
	out = e.mustRun([]string{"--action"}, "ACTION_REF=v1", "VERSION=source")
	if !strings.Contains(out, "phasegate: version: source") || !strings.Contains(out, "phasegate devel") {
		t.Errorf("version: source:\n%s", out)
	}
}

func TestInstallAPIErrors(t *testing.T) {
	s, _ := releases(t)
	e := newInstallEnv(t, s, "ACTION_REF=v1")
	// A rate limit is an error that says so, not a build from source.
	s.Fault("GET", "/repos/phasegate/phasegate/releases", fakegithub.PrimaryRateLimit(time.Now().Add(time.Hour)))
	out, err := e.run([]string{"--action"})
	if err == nil || !strings.Contains(out, "phasegate: cannot list the releases of phasegate/phasegate at "+s.URL+": HTTP 403: API rate limit exceeded") {
		t.Errorf("rate limit: err %v\n%s", err, out)
	}
	nothingInstalled(t, e)

	// A bad token.
	out, err = e.run([]string{"--action"}, "GH_TOKEN=nope")
	if err == nil || !strings.Contains(out, "HTTP 401: Bad credentials") {
		t.Errorf("bad token: err %v\n%s", err, out)
	}

	// A server error on the download is retried.
	s.Fault("GET", "/repos/phasegate/phasegate/releases/assets/*", fakegithub.Response{Status: 502})
	out = e.mustRun([]string{"--action"})
	if !strings.Contains(out, "phasegate v1.10.0") || s.PendingFaults() != 0 {
		t.Errorf("502 on the download:\n%s", out)
	}
}

func TestInstallStandalone(t *testing.T) {
	s, _ := releases(t)
	e := newInstallEnv(t, s)
	bin := filepath.Join(t.TempDir(), "bin")
	// latest is the newest release that is neither a draft nor a
	// prerelease; the token comes from GITHUB_TOKEN outside the action.
	out := e.mustRun([]string{"-b", bin}, "GH_TOKEN=", "GITHUB_TOKEN=t-read")
	if !strings.Contains(out, "installed "+bin+"/phasegate") || !strings.Contains(out, "phasegate v1.9.0") {
		t.Errorf("latest:\n%s", out)
	}
	out = e.mustRun([]string{"-b", bin, "v1"})
	if !strings.Contains(out, "phasegate v1.10.0") {
		t.Errorf("v1:\n%s", out)
	}
	out = e.mustRun([]string{"-b", bin, "1.10"})
	if !strings.Contains(out, "phasegate v1.10.0") {
		t.Errorf("1.10:\n%s", out)
	}
	if out, err := e.run([]string{"-b", bin, "main"}); err == nil || !strings.Contains(out, "main is not a release of phasegate/phasegate") ||
		!strings.Contains(out, "go install github.com/phasegate/phasegate/cmd/phasegate@REF") {
		t.Errorf("main: err %v\n%s", err, out)
	}

	// The workflow's token goes to its own server only: with the releases
	// on another, it is not sent there, and PHASEGATE_TOKEN is.
	other := []string{"GITHUB_API_URL=http://127.0.0.1:9", "PHASEGATE_API_URL=" + s.URL}
	if out, err := e.run([]string{"-b", bin, "v1"}, other...); err == nil || !strings.Contains(out, "HTTP 401: Requires authentication") {
		t.Errorf("token sent to another server: err %v\n%s", err, out)
	}
	if out, err := e.run([]string{"-b", bin, "v2"}, append(other, "PHASEGATE_TOKEN=t-read")...); err != nil || !strings.Contains(out, "phasegate v2.0.0") {
		t.Errorf("PHASEGATE_TOKEN: err %v\n%s", err, out)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
