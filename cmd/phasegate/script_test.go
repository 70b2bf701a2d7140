package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/gittest"
	"golang.org/x/tools/txtar"
)

// TestScript runs the scripts of testdata/script/*.txtar: each builds a
// real git repository, runs the built phasegate in it and compares what
// every run printed and its exit status with the want/ sections of the
// archive. go test ./cmd/phasegate -run TestScript -update rewrites the
// want/ sections; review the diff. testdata/script/README.md documents
// the commands of a script and how the output is made deterministic.
func TestScript(t *testing.T) {
	files, err := filepath.Glob("../../testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/script: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runScript(t, file)
		})
	}
}

// scriptDate is the author and committer date of every commit a script
// makes, so that commit ids are the same on every run.
const scriptDate = "2024-01-02T03:04:05Z"

// wantPrefix starts the name of the sections that hold what the runs
// printed; the others are the files the script writes.
const wantPrefix = "want/"

// script is the state of one running script.
type script struct {
	t       *testing.T
	ar      *txtar.Archive
	repo    *gittest.Repo
	env     []string          // the environment of phasegate (and git)
	commits map[string]string // commit id → <commit N>, in the order they were made
	order   []string          // the commit ids, oldest first
	github  string            // the fake GitHub's URL, once started
	remote  *fakegithub.Repo  // the repository on the fake GitHub
	runs    int               // the commands that record their output so far
	got     []txtar.File      // the want/ sections this run makes
}

func runScript(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := &script{t: t, ar: ar, repo: gittest.New(t), commits: map[string]string{}}
	home := t.TempDir()
	// phasegate runs as on a laptop: no GitHub Actions variables, no
	// token, no user or system git config, a home of its own.
	s.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C", "TZ=UTC",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_DATE=" + scriptDate, "GIT_COMMITTER_DATE=" + scriptDate,
	}
	for n, line := range strings.Split(string(ar.Comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args, err := splitScriptLine(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", filepath.Base(file), n+1, err)
		}
		if err := s.do(args); err != nil {
			t.Fatalf("%s:%d: %s: %v", filepath.Base(file), n+1, line, err)
		}
	}
	if *update {
		out := &txtar.Archive{Comment: ar.Comment}
		for _, f := range ar.Files {
			if !strings.HasPrefix(f.Name, wantPrefix) {
				out.Files = append(out.Files, f)
			}
		}
		out.Files = append(out.Files, s.got...)
		if err := os.WriteFile(file, txtar.Format(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := map[string]string{}
	var names []string
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, wantPrefix) {
			want[f.Name] = string(f.Data)
			names = append(names, f.Name)
		}
	}
	for _, f := range s.got {
		w, ok := want[f.Name]
		switch {
		case !ok:
			t.Errorf("%s: no section %s (go test ./cmd/phasegate -run TestScript -update writes it):\n%s", filepath.Base(file), f.Name, f.Data)
		case w != string(f.Data):
			t.Errorf("%s: %s differs (go test ./cmd/phasegate -run TestScript -update rewrites it):\n%s", filepath.Base(file), f.Name, diffLines(w, string(f.Data)))
		}
		delete(want, f.Name)
	}
	for _, name := range names {
		if _, left := want[name]; left {
			t.Errorf("%s: section %s matches no command of the script (-update removes it)", filepath.Base(file), name)
		}
	}
}

// do runs one command of a script.
func (s *script) do(args []string) error {
	s.t.Helper()
	cmd, args := args[0], args[1:]
	switch cmd {
	case "write":
		if len(args) != 1 {
			return fmt.Errorf("usage: write STAGE")
		}
		return s.write(args[0])
	case "rm":
		for _, p := range args {
			if err := os.Remove(filepath.Join(s.repo.Dir, filepath.FromSlash(p))); err != nil {
				return err
			}
		}
		return nil
	case "commit":
		if len(args) != 1 {
			return fmt.Errorf("usage: commit MESSAGE (quote a message of several words)")
		}
		if _, err := s.git("add", "-A"); err != nil {
			return err
		}
		_, err := s.git("commit", "-q", "--allow-empty", "-m", args[0])
		return err
	case "git":
		_, err := s.git(args...)
		return err
	case "env":
		for _, kv := range args {
			if !strings.Contains(kv, "=") {
				return fmt.Errorf("env %s: want KEY=VALUE", kv)
			}
			s.env = append(s.env, kv)
		}
		return nil
	case "github":
		if len(args) != 0 || s.github != "" {
			return fmt.Errorf("usage: github (once, after the commits the fake GitHub should hold)")
		}
		remote, env := followupRemote(s.t, s.repo.Dir)
		s.remote = remote
		for _, kv := range env {
			if u, ok := strings.CutPrefix(kv, "GITHUB_API_URL="); ok {
				s.github = u
			}
		}
		s.env = append(s.env, env...)
		return nil
	case "phasegate":
		res := phasegateEnv(s.t, s.repo.Dir, slices.Clone(s.env), args...)
		s.record("exit", strconv.Itoa(res.code)+"\n")
		s.record("stdout", res.stdout)
		s.record("stderr", res.stderr)
		s.runs++
		return nil
	case "cat":
		if len(args) != 1 {
			return fmt.Errorf("usage: cat FILE")
		}
		b, err := os.ReadFile(filepath.Join(s.repo.Dir, filepath.FromSlash(args[0])))
		if err != nil {
			b = []byte(fmt.Sprintf("cat: %s: no such file\n", args[0]))
		}
		s.record("stdout", string(b))
		s.runs++
		return nil
	case "pulls", "issues":
		if len(args) != 0 || s.remote == nil {
			return fmt.Errorf("usage: %s (after github)", cmd)
		}
		s.record("stdout", s.onGitHub(cmd))
		s.runs++
		return nil
	case "status":
		if len(args) != 0 {
			return fmt.Errorf("usage: status")
		}
		out, err := s.git("status", "--porcelain", "--untracked-files=all")
		if err != nil {
			return err
		}
		s.record("stdout", out)
		s.runs++
		return nil
	}
	return fmt.Errorf("unknown command %q (commands: write, rm, commit, git, env, github, phasegate, cat, status, pulls, issues)", cmd)
}

// write copies the sections under STAGE/ into the work tree.
func (s *script) write(stage string) error {
	n := 0
	for _, f := range s.ar.Files {
		rel, ok := strings.CutPrefix(f.Name, stage+"/")
		if !ok {
			continue
		}
		full := filepath.Join(s.repo.Dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no section starts with %s/", stage)
	}
	return nil
}

// git runs git in the repository with the script's environment (its fixed
// dates) and names the commits it made.
func (s *script) git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = s.repo.Dir
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	list := exec.Command("git", "rev-list", "--all", "--reverse", "--topo-order")
	list.Dir, list.Env = s.repo.Dir, s.env
	ids, err := list.Output()
	if err != nil && len(s.order) > 0 {
		return "", fmt.Errorf("git rev-list: %v", err)
	}
	for _, id := range strings.Fields(string(ids)) {
		if _, ok := s.commits[id]; !ok {
			s.order = append(s.order, id)
			s.commits[id] = fmt.Sprintf("<commit %d>", len(s.order))
		}
	}
	return string(out), nil
}

// onGitHub lists the pull requests or the issues of the fake GitHub's
// repository: for each its number and title, what else it holds (state,
// author, branches, labels, reviewers), and its body indented by a tab.
func (s *script) onGitHub(what string) string {
	var b strings.Builder
	show := func(n int, title string, fields []string, body string) {
		fmt.Fprintf(&b, "#%d %s\n", n, title)
		for _, f := range fields {
			b.WriteString("  " + f + "\n")
		}
		b.WriteString("  body:\n")
		for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
			b.WriteString("\t" + l + "\n")
		}
	}
	list := func(xs []string) string { return "[" + strings.Join(xs, ", ") + "]" }
	if what == "pulls" {
		for _, p := range s.remote.Pulls() {
			show(p.Number, p.Title, []string{
				"state: " + p.State + ", by " + p.User,
				"branch: " + p.Head + " → " + p.Base,
				"labels: " + list(p.Labels),
				"reviewers: " + list(p.Reviewers) + ", teams: " + list(p.TeamReviewers),
			}, p.Body)
		}
	} else {
		for _, is := range s.remote.Issues() {
			show(is.Number, is.Title, []string{
				"state: " + is.State + ", by " + is.User,
				"labels: " + list(is.Labels),
			}, is.Body)
		}
	}
	return b.String()
}

// record adds the section want/N.what with out, made deterministic.
func (s *script) record(what, out string) {
	s.t.Helper()
	out = s.normalise(out)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n" + noNewline + "\n"
	}
	if marker.MatchString(out) {
		s.t.Fatalf("want/%d.%s holds a line txtar takes for a section marker:\n%s", s.runs+1, what, out)
	}
	s.got = append(s.got, txtar.File{Name: fmt.Sprintf("%s%d.%s", wantPrefix, s.runs+1, what), Data: []byte(out)})
}

// noNewline ends a recorded output that does not end in a newline (txtar
// sections do).
const noNewline = `\ no newline at end`

var (
	marker  = regexp.MustCompile(`(?m)^-- .* --$`)
	hexID   = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)
	tempDir = regexp.MustCompile(regexp.QuoteMeta(os.TempDir()) + `/[^\s"':]*`)
)

// normalise replaces what changes from run to run: the repository's
// directory becomes $WORK, the fake GitHub's address $FAKE_GITHUB, a
// commit id (whole or abbreviated to 7 or more digits) <commit N> after
// the order in which the script made it, and any other temporary path
// $TMP. Dates need nothing: every commit is made at scriptDate.
func (s *script) normalise(out string) string {
	dirs := []string{s.repo.Dir}
	if real, err := filepath.EvalSymlinks(s.repo.Dir); err == nil && real != s.repo.Dir {
		dirs = append(dirs, real)
	}
	for _, d := range dirs {
		out = strings.ReplaceAll(out, d, "$WORK")
	}
	if s.github != "" {
		out = strings.ReplaceAll(out, s.github, "$FAKE_GITHUB")
	}
	out = hexID.ReplaceAllStringFunc(out, func(h string) string {
		for _, id := range s.order {
			if strings.HasPrefix(id, h) {
				return s.commits[id]
			}
		}
		return h
	})
	return tempDir.ReplaceAllString(out, "$$TMP")
}

// splitScriptLine splits a line of a script into words; a word in single
// quotes may hold spaces.
func splitScriptLine(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted = !quoted
			inWord = true
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// TestScriptNormalise: the harness's own rules for deterministic output.
func TestScriptNormalise(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef01234567"
	s := &script{t: t, repo: &gittest.Repo{Dir: "/work/x"}, commits: map[string]string{id: "<commit 1>"}, order: []string{id}, github: "http://127.0.0.1:4242"}
	got := s.normalise("/work/x/a.sql " + id + " " + id[:7] + " deadbeefcafe http://127.0.0.1:4242/acme " + os.TempDir() + "/go-build1/b: 20240102")
	want := "$WORK/a.sql <commit 1> <commit 1> deadbeefcafe $FAKE_GITHUB/acme $TMP: 20240102"
	if got != want {
		t.Errorf("normalise:\n got %s\nwant %s", got, want)
	}
	words, err := splitScriptLine(`commit 'Stop using users.name (#7)'  --x`)
	if err != nil || !slices.Equal(words, []string{"commit", "Stop using users.name (#7)", "--x"}) {
		t.Errorf("splitScriptLine: %q, %v", words, err)
	}
	if _, err := splitScriptLine(`commit 'open`); err == nil {
		t.Error("an unterminated quote is accepted")
	}
}
