package render

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/phasegate/phasegate/capture"
)

// Capture gets the SQL of migrations phasegate cannot read (Rails, Knex,
// TypeORM, Ecto...) by running the project's own migrate command against
// an empty database through a recording proxy (package capture): what the
// server executed, in order, divided into migrations by the tool's writes
// to its version table.
type Capture struct {
	// Command is the migrate command, run with sh -c.
	Command string
	// Env is added to the environment; DATABASE_URL and the PG* variables
	// are set to reach the database through the proxy.
	Env     []string
	Timeout time.Duration
}

// Render runs the command in workdir against the empty database at
// databaseURL and returns one Migration per version the tool recorded,
// matched to files (paths relative to the repository root): the file
// whose name holds the version (or, for versions like "app.0002_x" or
// "AddUsers1700000000000", its last part or its long number). A version
// no file matches is an error. When the command fails, the migrations it
// completed are returned, and the one that failed carries Error.
func (c Capture) Render(ctx context.Context, workdir, databaseURL string, files []string) ([]Migration, error) {
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
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Command)
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), c.Env...), pgEnv(via)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	captured := capture.Attribute(proxy.Statements(), capture.AttributeOptions{})
	var ms []Migration
	matched := map[string]bool{}
	for _, m := range captured {
		if m.Down || m.Unrecorded && runErr == nil {
			continue // a rollback, or the tool's own statements after its last migration
		}
		rm := Migration{ID: m.Version}
		for _, s := range m.Statements {
			rm.Statements = append(rm.Statements, Statement{SQL: s.SQL})
		}
		if m.Failed {
			rm.Error = m.Error
		}
		if !m.Unrecorded {
			if rm.Path = matchFile(m.Version, files); rm.Path == "" {
				return nil, fmt.Errorf("migrate.command recorded version %q, which no file of the migrations directory names", m.Version)
			}
			matched[rm.Path] = true
		}
		ms = append(ms, rm)
	}
	if runErr == nil {
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
			if !matched[f] {
				ms[i].Path = f
				break
			}
		}
		if ms[i].Error == "" {
			ms[i].Error = "migrate.command failed while running it"
		}
		where = ms[i].Path + ": " + ms[i].Error
	}
	return ms, fmt.Errorf("migrate.command %q failed (%v) at %s\n%s", c.Command, runErr, where, lastLines(out.String(), 15))
}

var longNumber = regexp.MustCompile(`\d{8,}`)

// matchFile finds the migration file a recorded version names.
func matchFile(version string, files []string) string {
	if version == "" {
		return ""
	}
	tries := []string{version}
	if i := strings.LastIndexAny(version, "./"); i >= 0 && i+1 < len(version) {
		tries = append(tries, version[i+1:])
	}
	if n := longNumber.FindString(version); n != "" {
		tries = append(tries, n)
	}
	for _, t := range tries {
		var found []string
		for _, f := range files {
			base := path.Base(f)
			if base == t || strings.TrimSuffix(base, path.Ext(base)) == t || strings.HasPrefix(base, t+"_") || strings.HasPrefix(base, t+"-") || strings.Contains(base, t) {
				found = append(found, f)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	return ""
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
