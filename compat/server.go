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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

// Server is a PostgreSQL server on which phasegate creates, clones and
// drops its own databases, all named with one run-specific prefix. It
// never touches any other database.
type Server struct {
	conn   *pgx.ConnConfig // admin connection settings (database "postgres" or the URL's)
	admin  *pgx.Conn
	mu     sync.Mutex // serialises admin statements
	prefix string     // phasegate_<run id>_
	made   map[string]bool
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
func StartContainer(ctx context.Context, opts ContainerOptions) (_ *Server, err error) {
	runID := randomID()
	if err := dockerReady(ctx, opts.Image, opts.Pull); err != nil {
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

// dockerReady checks that a Docker engine answers and that the image is
// there (or may be pulled), with errors that say what to do instead.
func dockerReady(ctx context.Context, image string, pull bool) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err == nil {
		defer cli.Close()
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err = cli.Ping(pctx, client.PingOptions{})
	}
	if err != nil {
		return fmt.Errorf("cannot reach Docker to start PostgreSQL (%v); start Docker, or check against a running server with --database-url (config postgres.url), or run only the static check with --static-only", firstLine(err))
	}
	if !pull {
		if _, err := cli.ImageInspect(ctx, image); err != nil {
			return fmt.Errorf("image %s is not present locally and pulling is disabled (postgres.pull: false); build or pull it first", image)
		}
	}
	return nil
}

// Connect uses an existing server: phasegate creates its own databases
// there (the URL's user needs CREATEDB) and drops them on Close.
func Connect(ctx context.Context, dsn string) (*Server, error) {
	s, err := connect(ctx, dsn, randomID())
	if err != nil {
		return nil, err
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
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, redact(err, cfg.Password))
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
	name := s.prefix + suffix
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
	if !s.made[name] || !strings.HasPrefix(name, s.prefix) {
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
	vars := [][2]string{
		{"DATABASE_URL", d.URL()},
		{"PGHOST", c.Host},
		{"PGPORT", strconv.Itoa(int(c.Port))},
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

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
