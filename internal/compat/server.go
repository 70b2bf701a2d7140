package compat

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/docker"
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
	// sslmode is what a client of the suite's needs to reach the server
	// as phasegate did: disable, require, verify-ca or verify-full.
	sslmode string
	named   map[string]bool // made under a name without the prefix (CreateNamed)
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
	// Hint ends the errors that say why PostgreSQL could not start, after
	// the flags that give phasegate another one: what else the command
	// that needs it can do (StaticOnlyHint), or why it needs it; "" for
	// nothing.
	Hint string
}

// StaticOnlyHint is the Hint of the runtime check: the static check does
// without PostgreSQL.
const StaticOnlyHint = ", or run only the static check with --static-only"

// dockerLog receives progress lines (pulling, starting); nil discards them.
var dockerLog io.Writer

// LogDocker sends the container's progress lines (pulling the image,
// starting PostgreSQL) to w; nil silences them.
func LogDocker(w io.Writer) { dockerLog = w }

// LabelRun is the container label holding phasegate's run id.
const LabelRun = "dev.phasegate.run"

// dockerTimeout bounds each question phasegate asks Docker before it
// starts the container: an engine that does not answer in that time is
// reported as unreachable.
const dockerTimeout = 10 * time.Second

// readyTimeout bounds PostgreSQL's start in its container (initdb, then
// the server).
const readyTimeout = 2 * time.Minute

// StartContainer starts PostgreSQL in Docker (the engine of DOCKER_HOST,
// else the local socket), with its data in memory, and waits until it
// accepts connections on its published port. Nothing but the image is
// ever pulled, and only when opts.Pull allows it; no other container is
// started. The container is removed by Close, and here if anything after
// its start fails.
func StartContainer(ctx context.Context, opts ContainerOptions) (_ *Server, err error) {
	runID := randomID()
	cli, present, err := dockerReady(ctx, opts.Image, opts.Pull, opts.Hint)
	if err != nil {
		return nil, err
	}
	if !present {
		logf("pulling %s", opts.Image)
		if err := cli.Pull(ctx, opts.Image, dockerLog); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("pull %s: %v; pull or build it yourself and pass --no-pull (config postgres.pull: false), give another image with --postgres-image, or use a running server with --database-url (config postgres.url)%s", opts.Image, err, opts.Hint)
		}
	}
	password := randomID() + randomID()
	labels := map[string]string{LabelRun: runID}
	for k, v := range opts.Labels {
		labels[k] = v
	}
	// PHASEGATE_CONTAINER_LABELS=key=value,... labels the container for
	// whoever accounts for containers on the engine (a CI job's cleanup).
	for _, kv := range strings.Split(os.Getenv("PHASEGATE_CONTAINER_LABELS"), ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k != "" {
			labels[k] = v
		}
	}
	const port = "5432/tcp"
	id, err := cli.Run(ctx, docker.Spec{
		Image: opts.Image,
		// Cheaper writes: nothing here needs to survive a crash.
		Cmd:    []string{"postgres", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"},
		Env:    []string{"POSTGRES_USER=postgres", "POSTGRES_PASSWORD=" + password, "POSTGRES_DB=postgres"},
		Labels: labels,
		// The data lives only as long as the check: in memory, which makes
		// initdb and every CREATE DATABASE ... TEMPLATE much faster.
		Tmpfs: map[string]string{"/var/lib/postgresql/data": "rw"},
		Port:  port,
	})
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL (%s) in Docker at %s: %w", opts.Image, cli.Host, err)
	}
	logf("started PostgreSQL (%s), container %.12s", opts.Image, id)
	terminate := func(ctx context.Context) error { return cli.Remove(ctx, id) }
	defer func() {
		if err != nil {
			terminate(context.Background())
		}
	}()
	s, err := waitReady(ctx, cli, id, port, password, runID)
	if err != nil {
		return nil, err
	}
	s.Source, s.terminate = opts.Image, terminate
	if s.Version >= 15 {
		s.strategy = "FILE_COPY"
	}
	return s, nil
}

// waitReady waits until PostgreSQL in the container accepts connections on
// its published port: the image's entrypoint runs initdb with a server
// that listens on no TCP port, then starts the real one. A container that
// exits is an error with the end of its log.
func waitReady(ctx context.Context, cli *docker.Client, id, port, password, runID string) (*Server, error) {
	deadline := time.Now().Add(readyTimeout)
	var last error
	for {
		st, err := cli.Inspect(ctx, id, port)
		switch {
		case err != nil:
			return nil, fmt.Errorf("inspect the PostgreSQL container: %w", err)
		case !st.Running:
			logs, _ := cli.Logs(context.WithoutCancel(ctx), id, 20)
			return nil, fmt.Errorf("the PostgreSQL container exited (status %d) before accepting connections; its last lines:\n%s", st.ExitCode, strings.TrimSpace(logs))
		case st.Port != 0:
			dsn := fmt.Sprintf("postgres://postgres:%s@%s/postgres?sslmode=disable&connect_timeout=2", password, net.JoinHostPort(cli.PublishedHost, strconv.Itoa(st.Port)))
			cfg, err := pgx.ParseConfig(dsn)
			if err != nil {
				return nil, err
			}
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			conn, err := pgx.ConnectConfig(cctx, cfg)
			cancel()
			if err == nil {
				conn.Close(ctx)
				return connect(ctx, dsn, runID)
			}
			last = err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("PostgreSQL in its container did not accept connections on %s within %s: %s", cli.PublishedHost, readyTimeout, firstLine(redact(last, password)))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func logf(format string, args ...any) {
	if dockerLog != nil {
		fmt.Fprintf(dockerLog, "docker: "+format+"\n", args...)
	}
}

// dockerReady checks that the Docker engine answers and that the image is
// there (or may be pulled), with errors that say what to do instead, hint
// last (ContainerOptions.Hint). It reports whether the image is present.
func dockerReady(ctx context.Context, image string, pull bool, hint string) (*docker.Client, bool, error) {
	cli, err := docker.FromEnv()
	where := ""
	if os.Getenv("DOCKER_HOST") != "" {
		where = " at DOCKER_HOST=" + os.Getenv("DOCKER_HOST")
	}
	if err == nil {
		pctx, cancel := context.WithTimeout(ctx, dockerTimeout)
		err = cli.Ping(pctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %s", dockerTimeout)
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot reach Docker%s to start PostgreSQL (%s); start Docker (or set DOCKER_HOST to one that runs), or use a running server with --database-url (config postgres.url)%s", where, firstLine(err), hint)
	}
	ictx, cancel := context.WithTimeout(ctx, dockerTimeout)
	defer cancel()
	present, err := cli.ImageExists(ictx, image)
	if err != nil {
		return nil, false, fmt.Errorf("Docker%s: inspect image %s: %s", where, image, firstLine(err))
	}
	if !present && !pull {
		return nil, false, fmt.Errorf("image %s is not present locally and pulling is disabled (--no-pull, config postgres.pull: false); pull or build it first (docker pull %s), give a local image with --postgres-image, or use a running server with --database-url (config postgres.url)%s", image, image, hint)
	}
	return cli, present, nil
}

// Connect uses an existing server: phasegate creates its own databases
// there (the URL's user needs CREATEDB) and drops them on Close. hint
// ends the error when it cannot (see ContainerOptions.Hint).
func Connect(ctx context.Context, dsn, hint string) (*Server, error) {
	s, err := connect(ctx, dsn, randomID())
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w; check that the server of --database-url (config postgres.url) is running and accepts connections from here%s", err, hint)
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
	s := &Server{conn: cfg, admin: admin, prefix: "phasegate_" + runID + "_", made: map[string]bool{}, sslmode: "disable"}
	if _, ok := admin.PgConn().Conn().(*tls.Conn); ok {
		// The connection went over TLS (sslmode prefer falls back to
		// plaintext: what counts is what it did). The suite gets the
		// user's verification, or at least TLS.
		s.sslmode = "require"
		if m := sslmodeOf(cfg.ConnString()); m == "verify-ca" || m == "verify-full" {
			s.sslmode = m
		}
	}
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
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), Path: "/" + d.Name, RawQuery: "sslmode=" + d.server.sslmode}
	u.User = url.UserPassword(c.User, c.Password)
	return u.String()
}

// Addr is the server's host:port, and whether phasegate reaches it over
// TLS.
func (s *Server) Addr() (addr string, tls bool) {
	return net.JoinHostPort(s.conn.Host, strconv.Itoa(int(s.conn.Port))), s.sslmode != "disable"
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
	return d.env(names, d.URL(), c.Host, strconv.Itoa(int(c.Port)), d.server.sslmode)
}

// EnvVia is Env for a client that reaches the database through a proxy
// listening on addr (host:port), in plaintext: the capture proxy.
func (d *Database) EnvVia(names map[string]string, addr string) []string {
	host, port, _ := net.SplitHostPort(addr)
	c := d.server.conn
	u := url.URL{Scheme: "postgres", Host: addr, Path: "/" + d.Name, RawQuery: "sslmode=disable", User: url.UserPassword(c.User, c.Password)}
	return d.env(names, u.String(), host, port, "disable")
}

func (d *Database) env(names map[string]string, dsn, host, port, sslmode string) []string {
	c := d.server.conn
	vars := [][2]string{
		{"DATABASE_URL", dsn},
		{"PGHOST", host},
		{"PGPORT", port},
		{"PGUSER", c.User},
		{"PGPASSWORD", c.Password},
		{"PGDATABASE", d.Name},
		{"PGSSLMODE", sslmode},
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

// sslmode returns the sslmode a connection string names ("" for none), in
// URL or keyword/value form.
func sslmodeOf(conn string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		return u.Query().Get("sslmode")
	}
	for _, f := range strings.Fields(conn) {
		if v, ok := strings.CutPrefix(f, "sslmode="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}
