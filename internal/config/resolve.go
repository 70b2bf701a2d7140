package config

import (
	"fmt"
	"sort"
	"time"
)

// Server is the PostgreSQL a command uses: an existing one (URL) or a
// container of Image, pulled when it is missing if Pull.
type Server struct {
	URL   string
	Image string
	Pull  bool
}

// Server resolves postgres.url, postgres.image and postgres.pull. version
// is the PostgreSQL major version the check targets (postgres.version or
// --pg-version, after its default): the default image is its official
// one, postgres:<version>.
func (c *Config) Server(version int) Server {
	s := Server{URL: c.Postgres.URL, Image: c.Postgres.Image, Pull: c.Postgres.Pull == nil || *c.Postgres.Pull}
	if s.Image == "" {
		s.Image = fmt.Sprintf("postgres:%d", version)
	}
	return s
}

// Runtime is what the runtime check takes from the config: typed,
// validated, with every default filled in.
type Runtime struct {
	// Path is the config file, for the messages of the values others
	// read (tests.results).
	Path   string
	Server Server
	// Previous is the release production runs (merge-base, latest-tag or
	// a revision; "" for the default), TagPattern the release tags' glob
	// ("" for the default).
	Previous, TagPattern string
	// MigrateCommand is migrate.command ("" for the built-in runner);
	// LockTimeout and StatementTimeout the built-in runner's session
	// settings, in PostgreSQL's syntax ("" leaves them unset).
	MigrateCommand                string
	LockTimeout, StatementTimeout string
	// TestCommand is tests.command ("" skips the scenarios).
	TestCommand string
	// Env is tests.env as KEY=VALUE, sorted; EnvNames is tests.env_names.
	Env      []string
	EnvNames map[string]string
	// Timeout bounds each scenario's run (tests.timeout, default 15m).
	Timeout time.Duration
	// Off names the scenarios tests.scenarios turns off.
	Off map[string]bool
	// Record is tests.record (default true).
	Record bool
	// Results is tests.results as written (compat.ParseResults reads it);
	// Rerun is tests.rerun (default 1, never negative).
	Results string
	Rerun   int
}

// Resolve gives the runtime check's settings, for the PostgreSQL major
// version the check targets (see Server). It fails, naming the file and
// saying what to write, on a value Parse cannot judge alone.
func (c *Config) Resolve(version int) (Runtime, error) {
	r := Runtime{
		Path:     c.Path,
		Server:   c.Server(version),
		Previous: c.Previous, TagPattern: c.Releases.TagPattern,
		MigrateCommand: c.Migrate.Command, LockTimeout: c.Migrate.LockTimeout, StatementTimeout: c.Migrate.StatementTimeout,
		TestCommand: c.Tests.Command, EnvNames: c.Tests.EnvNames,
		Timeout: c.TestsTimeout(),
		Off:     map[string]bool{},
		Record:  c.Tests.Record == nil || *c.Tests.Record,
		Results: c.Tests.Results,
		Rerun:   1,
	}
	for k, v := range c.Tests.Env {
		r.Env = append(r.Env, k+"="+v)
	}
	sort.Strings(r.Env)
	for name, on := range c.Tests.Scenarios {
		if !on {
			r.Off[name] = true
		}
	}
	if c.Tests.Rerun != nil {
		if *c.Tests.Rerun < 0 {
			return r, &Error{Path: c.Path, Msg: fmt.Sprintf("tests.rerun %d: give how many times to rerun the failing tests, 0 or more", *c.Tests.Rerun)}
		}
		r.Rerun = *c.Tests.Rerun
	}
	return r, nil
}

// Suggest is suggestions: post one-click fixes (default true).
func (c *Config) Suggest() bool { return c.Suggestions == nil || *c.Suggestions }
