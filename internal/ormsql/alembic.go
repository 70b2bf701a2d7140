package ormsql

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

//go:embed alembic_helper.py
var alembicHelper []byte

// Alembic says how to run a project's Alembic.
type Alembic struct {
	// Python is the interpreter that has the project's dependencies
	// (default python3).
	Python string
	// Config is alembic.ini, relative to the work tree (default
	// alembic.ini).
	Config string
	// Env is added to the environment: env.py files often read the
	// database URL from it. Rendering is offline: nothing connects.
	Env []string
	// Deferred are directories of deferred revisions (absolute paths),
	// which Alembic itself never reads: they are rendered too, as version
	// locations added to the project's.
	Deferred []string
}

// Render runs "alembic upgrade base:heads --sql" in workdir (where
// alembic.ini is; every branch, when there are several heads) and returns
// every revision's statements, in the order Alembic applies them, with
// paths relative to root (the work tree). The SQL is what Alembic writes
// for PostgreSQL; Alembic's own bookkeeping (alembic_version,
// BEGIN/COMMIT) is left out.
//
// A revision whose upgrade() fails offline (it reads from the database
// through op.get_bind(), for instance) keeps the statements it wrote before
// failing, and gets one more, with Unjudged "could not be rendered offline:
// <error>" on the line that failed; the revisions after it are rendered.
// A failure outside the revisions (alembic.ini, env.py) is an error.
//
// ctx bounds the run: when it is cancelled or its deadline passes, the
// helper's whole process group is killed.
func (a Alembic) Render(ctx context.Context, root, workdir string) ([]Migration, error) {
	return a.render(ctx, root, workdir, "upgrade", "base:heads")
}

// Downgrade renders downgrade() of one revision ("alembic downgrade
// REVISION:-1 --sql"), as Render renders upgrade(): each statement on the
// line of the call that emits it. phasegate split rewrites downgrade()
// with it.
func (a Alembic) Downgrade(ctx context.Context, root, workdir, revision string) ([]Statement, error) {
	a.Deferred = nil
	ms, err := a.render(ctx, root, workdir, "downgrade", revision+":-1")
	if err != nil {
		return nil, err
	}
	var out []Statement
	for _, m := range ms {
		if m.ID == revision {
			out = append(out, m.Statements...)
		}
	}
	return out, nil
}

func (a Alembic) render(ctx context.Context, root, workdir, command, rng string) ([]Migration, error) {
	config := a.Config
	if config == "" {
		config = "alembic.ini"
	}
	env := a.Env
	if len(a.Deferred) > 0 {
		env = append(append([]string{}, env...), "PHASEGATE_VERSION_LOCATIONS="+strings.Join(a.Deferred, string(os.PathListSeparator)))
	}
	b, err := runHelper(ctx, alembicHelper, a.Python, workdir, env, config, command, rng)
	if err != nil {
		return nil, fmt.Errorf("render the Alembic migrations (%s %s --sql with %s in %s): %w", command, rng, config, workdir, err)
	}
	var records []struct {
		Revision *string
		File     *string
		Line     int
		SQL      string
		Error    *string
	}
	if err := json.Unmarshal(b, &records); err != nil {
		return nil, fmt.Errorf("read the rendered Alembic migrations: %w", err)
	}
	absRoot, _ := filepath.Abs(root)
	if r, err := filepath.EvalSymlinks(absRoot); err == nil {
		absRoot = r
	}
	var ms []Migration
	index := map[string]int{}
	for _, r := range records {
		if r.Revision == nil || r.File == nil {
			continue // Alembic's own statements
		}
		file := *r.File
		if f, err := filepath.EvalSymlinks(file); err == nil {
			file = f
		}
		rel, err := filepath.Rel(absRoot, file)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("revision %s comes from %s, outside %s", *r.Revision, *r.File, root)
		}
		rel = filepath.ToSlash(rel)
		i, ok := index[rel]
		if !ok {
			i = len(ms)
			index[rel] = i
			ms = append(ms, Migration{Path: rel, ID: *r.Revision})
		}
		if r.Error != nil {
			ms[i].Statements = append(ms[i].Statements, Statement{Line: r.Line, Unjudged: "could not be rendered offline: " + *r.Error})
			continue
		}
		ms[i].Statements = append(ms[i].Statements, Statement{SQL: strings.TrimSpace(r.SQL), Line: r.Line})
	}
	return ms, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runHelper runs one of the embedded Python helpers in workdir with args
// and an output file as its last argument, and returns what it wrote there.
func runHelper(ctx context.Context, helper []byte, python, workdir string, env []string, args ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "phasegate-render-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	script := filepath.Join(tmp, "render.py")
	if err := os.WriteFile(script, helper, 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "out.json")
	if python == "" {
		python = "python3"
	}
	cmd := exec.CommandContext(ctx, python, append(append([]string{script}, args...), out)...)
	cmd.Dir = workdir
	cmd.Env = append(os.Environ(), env...)
	// Cancelling ctx kills the helper's whole process group: whatever the
	// project's code started (a migration's subprocess) goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		why := "was cancelled"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = "did not finish in time"
		}
		if dl, ok := ctx.Deadline(); ok {
			why += fmt.Sprintf(" (deadline %s)", dl.Format(time.RFC3339))
		}
		return nil, fmt.Errorf("%s %s and was killed\n%s", python, why, lastLines(stderr.String(), 15))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", python, err, lastLines(stderr.String(), 15))
	}
	return os.ReadFile(out)
}
