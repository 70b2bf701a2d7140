package compat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

// Server is a PostgreSQL server on which phasegate creates, clones and
// drops its own databases, all named with one run-specific prefix, but for
// the test databases a test runner expects under a name of its own
// (CreateNamed), which phasegate creates only where none exists. It never
// touches any other database.
type Server struct {
	conn   *pgx.ConnConfig // admin connection settings (database "postgres" or the URL's)
	admin  *pgx.Conn
	mu     sync.Mutex // serialises admin statements
	prefix string     // phasegate_<run id>_
	made   map[string]bool
	named  map[string]bool // made under a name without the prefix (CreateNamed)
	// Version is the server's major version.
	Version int
	// Source says where the server comes from (the image, or "url").
	Source    string
	terminate func(context.Context) error
	// strategy is CREATE DATABASE's STRATEGY for clones: FILE_COPY on
	// phasegate's own in-memory server (its checkpoint is cheap there),
	// the server's default elsewhere.
	strategy string
}

// ContainerOptions configure StartContainer.
type ContainerOptions struct {
	Image string
	// Pull allows pulling the image when it is not present locally.
	Pull bool
	// Labels are added to the container (tests find leaks by them).
	Labels map[string]string
}

// LogDocker sends testcontainers' progress lines (container created,
// started...) to w; nil silences them.
func LogDocker(w io.Writer) {
	if w == nil {
		tclog.SetDefault(tclog.NewNoopLogger())
		return
	}
	tclog.SetDefault(stdlog.New(w, "docker: ", 0))
}

// LabelRun is the container label holding phasegate's run id.
const LabelRun = "dev.phasegate.run"

// StartContainer starts PostgreSQL in Docker with testcontainers and
// waits with the module's recommended strategy (the ready log line twice,
// then the listening port). The container is terminated by Close, and here
// if anything after its start fails.
//
// Nothing but the image is ever pulled, and only when opts.Pull allows it:
// testcontainers' reaper (Ryuk) is off unless the user turns it on (see
// configureTestcontainers). Docker is the engine of DOCKER_HOST when it is
// set, else the one testcontainers finds; one that does not answer fails
// here within seconds.
func StartContainer(ctx context.Context, opts ContainerOptions) (_ *Server, err error) {
	runID := randomID()
	configureTestcontainers()
	present, err := dockerReady(ctx, opts.Image, opts.Pull)
	if err != nil {
		return nil, err
	}
	password := randomID() + randomID()
	labels := map[string]string{LabelRun: runID}
	for k, v := range opts.Labels {
		labels[k] = v
	}
	ctr, err := postgres.Run(ctx, opts.Image,
		postgres.WithDatabase("postgres"),
		postgres.WithUsername("postgres"),
		postgres.WithPassword(password),
		postgres.BasicWaitStrategies(),
		testcontainers.WithLabels(labels),
		// The data lives only as long as the check: keep it in memory, which
		// makes initdb and every CREATE DATABASE ... TEMPLATE much faster.
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.Tmpfs = map[string]string{"/var/lib/postgresql/data": "rw"}
		}),
		// Cheaper writes: nothing here needs to survive a crash.
		testcontainers.WithCmdArgs("-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
	)
	terminate := func(context.Context) error {
		if ctr == nil {
			return nil
		}
		return testcontainers.TerminateContainer(ctr, testcontainers.StopTimeout(5*time.Second))
	}
	if err != nil {
		terminate(context.Background())
		if !present && ctx.Err() == nil {
			return nil, fmt.Errorf("pull %s: %v; pull or build it yourself and pass --no-pull (config postgres.pull: false), give another image with --postgres-image, or check against a running server with --database-url (config postgres.url), or run only the static check with --static-only", opts.Image, err)
		}
		return nil, fmt.Errorf("start PostgreSQL (%s) in Docker: %w", opts.Image, err)
	}
	defer func() {
		if err != nil {
			terminate(context.Background())
		}
	}()
	dsn, err := ctr.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		return nil, fmt.Errorf("container address: %w", err)
	}
	s, err := connect(ctx, dsn, runID)
	if err != nil {
		return nil, err
	}
	s.Source, s.terminate = opts.Image, terminate
	if s.Version >= 15 {
		s.strategy = "FILE_COPY"
	}
	return s, nil
}

var tcConfigOnce sync.Once

// configureTestcontainers has testcontainers read its configuration (once
// per process, as it does) with its reaper, Ryuk, off unless the user asks
// for it with TESTCONTAINERS_RYUK_DISABLED=false. Ryuk is a container from
// an image on Docker Hub that removes the others when the process dies;
// phasegate removes its own container on every way out, and with Ryuk on
// testcontainers would pull its image even with --no-pull, or fail where
// no registry is reachable. The variable is set only while the
// configuration is read: the test suites phasegate runs see the
// environment as the user left it.
func configureTestcontainers() {
	tcConfigOnce.Do(func() {
		const name = "TESTCONTAINERS_RYUK_DISABLED"
		if prev, set := os.LookupEnv(name); prev == "" {
			os.Setenv(name, "true")
			defer func() {
				if set {
					os.Setenv(name, prev)
				} else {
					os.Unsetenv(name)
				}
			}()
		}
		testcontainers.ReadConfig()
	})
}

// dockerTimeout bounds each question phasegate asks Docker before it
// starts the container: an engine that does not answer in that time is
// reported as unreachable.
const dockerTimeout = 10 * time.Second

// dockerReady checks that a Docker engine answers and that the image is
// there (or may be pulled), with errors that say what to do instead. It
// reports whether the image is present. DOCKER_HOST, when set, is the only
// engine tried: testcontainers would fall back to the default socket when
// it does not answer, and use an engine the user did not choose.
func dockerReady(ctx context.Context, image string, pull bool) (present bool, err error) {
	cli, where, err := dockerClient(ctx)
	if err != nil {
		return false, fmt.Errorf("cannot reach Docker%s to start PostgreSQL (%s); start Docker (or set DOCKER_HOST to one that runs), or check against a running server with --database-url (config postgres.url), or run only the static check with --static-only", where, firstLine(err))
	}
	defer cli.Close()
	ictx, cancel := context.WithTimeout(ctx, dockerTimeout)
	defer cancel()
	if _, err := cli.ImageInspect(ictx, image); err == nil {
		present = true
	} else if !cerrdefs.IsNotFound(err) {
		return false, fmt.Errorf("Docker%s: inspect image %s: %s", where, image, firstLine(err))
	}
	if !present && !pull {
		return false, fmt.Errorf("image %s is not present locally and pulling is disabled (--no-pull, config postgres.pull: false); pull or build it first (docker pull %s), or give a local image with --postgres-image", image, image)
	}
	if !pull && !testcontainers.ReadConfig().Config.RyukDisabled {
		reaper := testcontainers.ReaperDefaultImage //nolint:staticcheck // the only name testcontainers gives its reaper's image
		if _, err := cli.ImageInspect(ictx, reaper); err != nil {
			return false, fmt.Errorf("testcontainers' reaper is on (TESTCONTAINERS_RYUK_DISABLED=false) and its image %s is not present locally, which pulling is disabled (--no-pull) from fetching; pull it first, or leave the reaper off (unset TESTCONTAINERS_RYUK_DISABLED): phasegate removes its container itself", reaper)
		}
	}
	return present, nil
}

// dockerClient connects to the engine of DOCKER_HOST (with DOCKER_TLS_VERIFY,
// DOCKER_CERT_PATH and DOCKER_API_VERSION), or, when DOCKER_HOST is unset,
// to the one testcontainers finds (~/.testcontainers.properties, the
// default socket, rootless Docker), and checks that it answers. where
// names the engine for error messages.
func dockerClient(parent context.Context) (_ client.APIClient, where string, err error) {
	ctx, cancel := context.WithTimeout(parent, dockerTimeout)
	defer cancel()
	var cli client.APIClient
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		where = " at DOCKER_HOST=" + host
		cli, err = client.New(client.FromEnv)
	} else {
		cli, err = testcontainers.NewDockerClientWithOpts(ctx)
	}
	if err != nil {
		return nil, where, err
	}
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		cli.Close()
		if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
			err = fmt.Errorf("no answer within %s", dockerTimeout)
		}
		return nil, where, err
	}
	return cli, where, nil
}

// Connect uses an existing server: phasegate creates its own databases
// there (the URL's user needs CREATEDB) and drops them on Close.
func Connect(ctx context.Context, dsn string) (*Server, error) {
	s, err := connect(ctx, dsn, randomID())
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w; check that the server of --database-url (config postgres.url) is running and accepts connections from here, or run only the static check with --static-only", err)
	}
	s.Source = "url"
	return s, nil
}

func connect(ctx context.Context, dsn, runID string) (*Server, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", redact(err, dsn))
	}
	var admin *pgx.Conn
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		admin, err = pgx.ConnectConfig(actx, cfg)
		cancel()
		if err == nil || attempt == 4 || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %s", cfg.Host, cfg.Port, uniqueLines(redact(err, cfg.Password)))
	}
	s := &Server{conn: cfg, admin: admin, prefix: "phasegate_" + runID + "_", made: map[string]bool{}}
	var num int
	if err := admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		admin.Close(ctx)
		return nil, fmt.Errorf("server version: %w", err)
	}
	s.Version = num / 10000
	return s, nil
}

// Database is one of phasegate's databases on a Server.
type Database struct {
	Name   string
	server *Server
}

// Create makes a database named by suffix, cloned from template when it is
// not nil (CREATE DATABASE ... TEMPLATE copies schema and rows).
func (s *Server) Create(ctx context.Context, suffix string, template *Database) (*Database, error) {
	return s.create(ctx, s.prefix+suffix, template)
}

// CreateNamed makes a database under a name a test runner derives (Django
// tests on test_<NAME>, or on the settings' TEST NAME), cloned from
// template. It fails when a database of that name exists: phasegate never
// takes over a database it did not create.
func (s *Server) CreateNamed(ctx context.Context, name string, template *Database) (*Database, error) {
	db, err := s.create(ctx, name, template)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.named == nil {
		s.named = map[string]bool{}
	}
	s.named[name] = true
	s.mu.Unlock()
	return db, nil
}

func (s *Server) create(ctx context.Context, name string, template *Database) (*Database, error) {
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != nil {
		sql += " TEMPLATE " + pgx.Identifier{template.Name}.Sanitize()
		if s.strategy != "" {
			sql += " STRATEGY " + s.strategy
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.admin.Exec(ctx, sql); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	s.made[name] = true
	return &Database{Name: name, server: s}, nil
}

// Drop removes a database phasegate created.
func (s *Server) Drop(ctx context.Context, db *Database) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drop(ctx, db.Name)
}

func (s *Server) drop(ctx context.Context, name string) error {
	if !s.made[name] || !strings.HasPrefix(name, s.prefix) && !s.named[name] {
		return fmt.Errorf("refusing to drop %s: phasegate did not create it", name)
	}
	sql := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize()
	if s.Version >= 13 {
		sql += " WITH (FORCE)"
	} else {
		s.admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
	}
	if _, err := s.admin.Exec(ctx, sql); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	delete(s.made, name)
	delete(s.named, name)
	return nil
}

// Close drops every database phasegate created, then terminates the
// container if phasegate started one. It works after ctx is cancelled.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if s.admin != nil && !s.admin.IsClosed() {
		s.mu.Lock()
		if s.terminate == nil { // a user's server: clean up what we made
			for name := range s.made {
				if err := s.drop(ctx, name); err != nil {
					errs = append(errs, err)
				}
			}
		}
		s.mu.Unlock()
		s.admin.Close(ctx)
	}
	if s.terminate != nil {
		if err := s.terminate(ctx); err != nil {
			errs = append(errs, fmt.Errorf("terminate container: %w", err))
		}
		s.terminate = nil
	}
	return errors.Join(errs...)
}

// URL is a connection URL for the database.
func (d *Database) URL() string {
	c := d.server.conn
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), Path: "/" + d.Name, RawQuery: "sslmode=disable"}
	if c.TLSConfig != nil {
		u.RawQuery = "sslmode=require"
	}
	u.User = url.UserPassword(c.User, c.Password)
	return u.String()
}

// Addr is the server's host:port, and whether phasegate reaches it over
// TLS.
func (s *Server) Addr() (addr string, tls bool) {
	return net.JoinHostPort(s.conn.Host, strconv.Itoa(int(s.conn.Port))), s.conn.TLSConfig != nil
}

// Connect opens a connection to the database.
func (d *Database) Connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := d.server.conn.Copy()
	cfg.Database = d.Name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", d.Name, redact(err, cfg.Password))
	}
	return conn, nil
}

// Env returns the connection as environment variables: DATABASE_URL and
// the libpq PG* variables, renamed by names where the project wants other
// names.
func (d *Database) Env(names map[string]string) []string {
	c := d.server.conn
	return d.env(names, d.URL(), c.Host, strconv.Itoa(int(c.Port)))
}

// EnvVia is Env for a client that reaches the database through a proxy
// listening on addr (host:port), in plaintext: the capture proxy.
func (d *Database) EnvVia(names map[string]string, addr string) []string {
	host, port, _ := net.SplitHostPort(addr)
	c := d.server.conn
	u := url.URL{Scheme: "postgres", Host: addr, Path: "/" + d.Name, RawQuery: "sslmode=disable", User: url.UserPassword(c.User, c.Password)}
	return d.env(names, u.String(), host, port)
}

func (d *Database) env(names map[string]string, dsn, host, port string) []string {
	c := d.server.conn
	vars := [][2]string{
		{"DATABASE_URL", dsn},
		{"PGHOST", host},
		{"PGPORT", port},
		{"PGUSER", c.User},
		{"PGPASSWORD", c.Password},
		{"PGDATABASE", d.Name},
		{"PGSSLMODE", "disable"},
	}
	out := make([]string, 0, len(vars))
	for _, v := range vars {
		name := v[0]
		if n, ok := names[name]; ok && n != "" {
			name = n
		}
		out = append(out, name+"="+v[1])
	}
	return out
}

// Secrets are strings that must not appear in output (the password).
func (s *Server) Secrets() []string {
	if s.conn.Password == "" {
		return nil
	}
	return []string{s.conn.Password}
}

func randomID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redact removes a secret from an error message.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "***"))
}

// uniqueLines puts a multi-line error on one line, each line once (pgx
// gives one line per address and TLS attempt, often the same).
func uniqueLines(err error) string {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
