package ormsql

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/capture"
)

// DefaultCaptureTimeout bounds a Capture's migrate command when its
// Timeout is 0 (compat's scenarios default to the same).
const DefaultCaptureTimeout = 15 * time.Minute

// Capture gets the SQL of migrations phasegate cannot read (Rails, Knex,
// TypeORM, Ecto...) by running the project's own migrate command against
// an empty database through a recording proxy (package capture): what the
// server executed, in order, divided into migrations by the tool's writes
// to its version table.
type Capture struct {
	// Command is the migrate command, run with sh -c in its own process
	// group.
	Command string
	// Env is added to the environment; DATABASE_URL and the PG* variables
	// are set to reach the database through the proxy.
	Env []string
	// Timeout bounds the command's run: 0 means DefaultCaptureTimeout, a
	// negative value none. When it expires, or when Render's context is
	// cancelled, the command's whole process group is killed (sh's
	// children included).
	Timeout time.Duration
	// VersionTables name the project's own version tables
	// (migrations.version_table), recognised besides capture's built-in
	// ones: "name", "schema.name", or either followed by its version
	// column(s), "app_versions(tag)" (see capture.ParseVersionTable).
	VersionTables []string
	// Files holds the migration files, at the paths Render is given: the
	// revision's tree. Render reads them before running the command, to
	// check that the statements recorded under a SQL file's version are
	// that file's. Nil reads them from Render's workdir.
	Files fs.FS
}

// maxFileText bounds the size of a migration file Render reads to check
// where statements come from.
const maxFileText = 8 << 20

// Render runs the command in workdir against the empty database at
// databaseURL and returns one Migration per migration file whose version
// the tool recorded (files are paths relative to the repository root, in
// apply order; several versions naming one file, as Liquibase's
// changesets do, make one Migration), matched to files by name (see
// matchFile). A version no file matches, or several match alike, is an
// error.
//
// When the command fails, the migrations it completed are returned, and
// the one that failed carries Error, with an error. When it succeeds, it
// is also an error (with the migrations it recorded) that:
//   - statements of its own ran but no version write followed them: the
//     tool's version table is not one capture knows (set VersionTables),
//     or it records its migrations elsewhere; their DDL would go unjudged;
//   - nothing was recorded at all, or nothing that belongs to a migration,
//     although there are files: the command does not reach the database
//     through DATABASE_URL or the PG* variables;
//   - the statements recorded under a SQL file's version are not in that
//     file but in another one: the tool (or script) writes its version
//     before running the migration, which shifts every statement onto the
//     next file (no Migration is returned then).
func (c Capture) Render(ctx context.Context, workdir, databaseURL string, files []string) ([]Migration, error) {
	var opts capture.AttributeOptions
	for _, spec := range c.VersionTables {
		ts, err := capture.ParseVersionTable(spec)
		if err != nil {
			return nil, fmt.Errorf("migrations.version_table: %w", err)
		}
		opts.Tables = append(opts.Tables, ts...)
	}
	texts := readTexts(c.Files, workdir, files)
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	proxy, err := capture.Start(ctx, u.Host)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	via, err := proxy.RedirectURL(databaseURL)
	if err != nil {
		return nil, err
	}
	out, runErr := c.run(ctx, workdir, pgEnv(via))
	stmts := proxy.Statements()
	captured := capture.Attribute(stmts, opts)
	var ms []Migration
	matched := map[string]int{} // path → index in ms
	var left []capture.Migration
	for _, m := range captured {
		if m.Down {
			continue // a rollback
		}
		if m.Unrecorded && runErr == nil {
			// Statements of its own that no version write followed: the
			// tool records its migrations where phasegate does not look.
			if len(m.Statements) > 0 {
				left = append(left, m)
			}
			continue
		}
		rm := Migration{ID: m.Version}
		for _, s := range m.Statements {
			rm.Statements = append(rm.Statements, Statement{SQL: s.SQL})
		}
		if m.Failed {
			rm.Error = m.Error
		}
		if !m.Unrecorded {
			p, candidates := matchFiles(m.Version, files)
			switch {
			case p == "" && len(candidates) > 0:
				return nil, fmt.Errorf("migrate.command recorded version %q, which several files of the migrations directory name alike (%s): phasegate cannot tell which it applied", m.Version, strings.Join(candidates, ", "))
			case p == "":
				return nil, fmt.Errorf("migrate.command recorded version %q, which no file of the migrations directory names", m.Version)
			}
			rm.Path = p
			if i, ok := matched[p]; ok {
				// Another version of the same file (Liquibase's changesets).
				ms[i].Statements = append(ms[i].Statements, rm.Statements...)
				if ms[i].Error == "" {
					ms[i].Error = rm.Error
				}
				continue
			}
			matched[p] = len(ms)
		}
		ms = append(ms, rm)
	}
	if err := checkShift(ms, files, texts); err != nil {
		return nil, err
	}
	if runErr == nil {
		switch {
		case len(stmts) == 0 && len(files) > 0:
			return nil, fmt.Errorf("migrate.command %q succeeded, but nothing reached PostgreSQL through phasegate's proxy although the migrations directory has %d file(s): the command probably does not connect with DATABASE_URL or the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), which phasegate sets; make its database configuration read them%s\n%s",
				c.Command, len(files), problems(proxy), lastLines(out, 15))
		case len(left) > 0:
			return ms, unrecordedError(c.Command, left)
		case len(ms) == 0 && len(files) > 0:
			return nil, fmt.Errorf("migrate.command %q succeeded, but none of the %d statements that reached PostgreSQL through phasegate's proxy is a migration's (only the tool's bookkeeping) although the migrations directory has %d file(s): the command probably applies its migrations over another connection, one that does not use DATABASE_URL or the PG* variables%s\n%s",
				c.Command, len(stmts), len(files), problems(proxy), lastLines(out, 15))
		}
		return ms, nil
	}
	// The command failed: the migration it was running never recorded its
	// version. It is the first file, in apply order, that none recorded.
	where := "its first migration"
	for i := range ms {
		if ms[i].Path != "" {
			continue
		}
		for _, f := range files {
			if _, ok := matched[f]; !ok && !isDown(path.Base(f)) {
				ms[i].Path = f
				break
			}
		}
		if ms[i].Error == "" {
			ms[i].Error = "migrate.command failed while running it"
		}
		where = ms[i].Path + ": " + ms[i].Error
	}
	var why string
	switch {
	case errors.Is(runErr, context.DeadlineExceeded):
		why = fmt.Sprintf("timed out after %s; phasegate killed it and every process it started (its process group)", c.timeout())
	case errors.Is(runErr, context.Canceled):
		why = "was cancelled; phasegate killed it and every process it started (its process group)"
	default:
		why = fmt.Sprintf("failed (%v)", runErr)
	}
	return ms, fmt.Errorf("migrate.command %q %s at %s%s\n%s", c.Command, why, where, problems(proxy), lastLines(out, 15))
}

func (c Capture) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultCaptureTimeout
	}
	return c.Timeout
}

// run runs the command in its own process group; the timeout or ctx
// kills the whole group. runErr wraps context.DeadlineExceeded or
// context.Canceled when the command was killed for them.
func (c Capture) run(ctx context.Context, workdir string, env []string) (string, error) {
	if t := c.timeout(); t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Command)
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), c.Env...), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// Children that outlive sh keep its output open: stop waiting for
	// them.
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if cmd.Process != nil {
		// What the command left running in its group (a server it started
		// in the background) would go on writing to the database.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && err != nil {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return out.String(), err
}

// problems are the proxy's, for an error message.
func problems(p *capture.Proxy) string {
	ps := p.Problems()
	if len(ps) == 0 {
		return ""
	}
	if len(ps) > 5 {
		ps = append(ps[:5:5], fmt.Sprintf("(%d more)", len(ps)-5))
	}
	return "\nphasegate's proxy saw: " + strings.Join(ps, "; ")
}

// unrecordedError says that statements ran that no version write
// followed.
func unrecordedError(command string, left []capture.Migration) error {
	var stmts []string
	n := 0
	for _, m := range left {
		for _, s := range m.Statements {
			n++
			if len(stmts) < 5 {
				stmts = append(stmts, "  "+shorten(strings.Join(strings.Fields(s.SQL), " "), 200))
			}
		}
	}
	more := ""
	if n > len(stmts) {
		more = fmt.Sprintf("\n  (%d more)", n-len(stmts))
	}
	var known []string
	for _, t := range capture.DefaultTables() {
		known = append(known, t.Name)
	}
	return fmt.Errorf("migrate.command %q succeeded, but %d statement(s) it ran were not followed by a write to a version table phasegate knows, so they cannot be attributed to a migration file and are not judged:\n%s%s\nIf the tool records its migrations in a table of another name, set migrations.version_table to it (phasegate knows %s)",
		command, n, strings.Join(stmts, "\n"), more, strings.Join(known, ", "))
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// readTexts reads the files' texts, those it can (text, not too large).
func readTexts(fsys fs.FS, workdir string, files []string) map[string]string {
	if fsys == nil {
		fsys = os.DirFS(workdir)
	}
	texts := map[string]string{}
	for _, f := range files {
		if st, err := fs.Stat(fsys, f); err != nil || !st.Mode().IsRegular() || st.Size() > maxFileText {
			continue
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil || !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
			continue
		}
		texts[f] = string(b)
	}
	return texts
}

// checkShift reports a migration whose statements are not in the SQL file
// its version names but in another file: the tool wrote the version of
// the migration before running it, so that what capture.Attribute filed
// under a version is the previous migration's.
func checkShift(ms []Migration, files []string, texts map[string]string) error {
	norm := map[string]string{}
	for p, t := range texts {
		norm[p] = normalizeSQL(t)
	}
	for _, m := range ms {
		text, ok := norm[m.Path]
		if m.Path == "" || !ok || len(m.Statements) == 0 || !isSQLFile(m.Path, texts[m.Path]) {
			continue
		}
		var stmts []string
		for _, s := range m.Statements {
			if n := normalizeSQL(s.SQL); n != "" {
				stmts = append(stmts, n)
			}
		}
		if len(stmts) == 0 || count(text, stmts) > 0 {
			continue
		}
		best, most := "", 0
		for _, f := range files {
			if f == m.Path {
				continue
			}
			if t, ok := norm[f]; ok {
				if n := count(t, stmts); n > most {
					best, most = f, n
				}
			}
		}
		if best == "" || 2*most < len(stmts) {
			continue
		}
		return fmt.Errorf("the statements migrate.command ran before recording version %q are not in %s, the file that version names, but in %s (%d of %d, from %q): the tool seems to write a migration's version before running it, which files every migration's statements under the next one's version; phasegate cannot attribute such a run (make the tool record its version after the migration's statements, in the same transaction, as most tools do)",
			m.ID, m.Path, best, most, len(stmts), shorten(stmts[0], 120))
	}
	return nil
}

func count(text string, stmts []string) int {
	n := 0
	for _, s := range stmts {
		if strings.Contains(text, s) {
			n++
		}
	}
	return n
}

// isSQLFile reports whether a migration file is SQL, whose statements a
// tool sends as written: a .sql file, or one PostgreSQL's parser accepts.
func isSQLFile(p, text string) bool {
	if strings.EqualFold(path.Ext(p), ".sql") {
		return true
	}
	res, err := pg.Parse(text)
	return err == nil && len(res.Stmts) > 0
}

// normalizeSQL drops -- comments (outside quotes), collapses white space
// and trims a final semicolon, so that a statement a tool sent can be
// found in its file.
func normalizeSQL(s string) string {
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				j = len(s) - i - 4
			}
			b.WriteString(s[i : i+2+j+2])
			i += 2 + j + 1
			continue
		case ch == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
			continue
		}
		b.WriteByte(ch)
	}
	return strings.TrimSpace(strings.TrimRight(strings.Join(strings.Fields(b.String()), " "), "; "))
}
