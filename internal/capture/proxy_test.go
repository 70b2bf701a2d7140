package capture_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/phasegate/phasegate/internal/capture"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/pgtest"
)

// The PostgreSQL tests share one server, a container started (on first
// use) with compat's StartContainer; TestMain removes it and checks that
// no container of this package is left.
var (
	pgOnce sync.Once
	pgSrv  *compat.Server
	pgErr  error
	dbSeq  atomic.Int32
)

var testLabels = map[string]string{"dev.phasegate.test": "capture"}

func TestMain(m *testing.M) {
	pgtest.Require("github.com/phasegate/phasegate/internal/capture")
	code := m.Run()
	if pgSrv != nil {
		if err := pgSrv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close the test server:", err)
			code = 1
		}
		out, err := exec.Command("docker", "ps", "-a", "--filter", "label="+compat.LabelRun, "--filter", "label=dev.phasegate.test=capture", "--format", "{{.ID}} {{.Image}} {{.Status}}").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			fmt.Fprintf(os.Stderr, "containers of this package are still there after the tests (%v):\n%s\n", err, out)
			code = 1
		}
	}
	os.Exit(code)
}

// testDB is a fresh database on the shared server.
type testDB struct {
	url      string // direct connection URL
	upstream string // the server's host:port
	user     string
	password string
	name     string
}

func database(t testing.TB) testDB {
	t.Helper()
	ctx := context.Background()
	pgOnce.Do(func() {
		compat.LogDocker(nil)
		pgSrv, pgErr = compat.StartContainer(ctx, compat.ContainerOptions{Image: pgtest.Image(), Labels: testLabels})
	})
	if pgErr != nil {
		t.Fatalf("start PostgreSQL in Docker: %v", pgErr)
	}
	db, err := pgSrv.Create(ctx, fmt.Sprintf("capture%d", dbSeq.Add(1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgSrv.Drop(context.Background(), db) })
	u, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return testDB{url: db.URL(), upstream: u.Host, user: u.User.Username(), password: pw, name: db.Name}
}

// proxy starts a proxy to the database; it is closed when the test ends.
func proxy(t testing.TB, db testDB) *capture.Proxy {
	t.Helper()
	p, err := capture.Start(context.Background(), db.upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func connect(t testing.TB, p *capture.Proxy, db testDB, sslmode string) *pgx.Conn {
	t.Helper()
	u, err := p.RedirectURL(db.url)
	if err != nil {
		t.Fatal(err)
	}
	if sslmode != "" {
		u = strings.Replace(u, "sslmode=disable", "sslmode="+sslmode, 1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect through the proxy: %v\nproblems: %q", err, p.Problems())
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec1(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// render shows recorded statements one a line.
func render(stmts []capture.Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		proto := "Q"
		if s.Extended {
			proto = "X"
		}
		fmt.Fprintf(&b, "%d %s %s", s.Conn, proto, s.SQL)
		if len(s.Params) > 0 {
			var ps []string
			for _, p := range s.Params {
				ps = append(ps, p.String())
			}
			fmt.Fprintf(&b, " %q", ps)
		}
		if len(s.Tags) > 0 {
			fmt.Fprintf(&b, " -> %s", strings.Join(s.Tags, ", "))
		}
		if s.Failed {
			fmt.Fprintf(&b, " FAILED %s: %s", s.Code, s.Error)
		}
		if s.Skipped {
			b.WriteString(" SKIPPED")
		}
		if s.Pending {
			b.WriteString(" PENDING")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func wantRender(t *testing.T, got []capture.Statement, want string) {
	t.Helper()
	if r := render(got); r != want {
		t.Errorf("recorded\n%s\nwant\n%s", r, want)
	}
}

// A golang-migrate-like client over pgx: the simple protocol for files
// (multi-statement), the extended protocol with binary parameters for the
// version; a second session reads.
func TestProxyRecordsSimpleAndExtendedProtocol(t *testing.T) {
	db := database(t)
	p := proxy(t, db)
	conn := connect(t, p, db, "")
	exec1(t, conn, `CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`)
	for _, m := range []struct {
		version int64
		sql     string
	}{
		{20240101, "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);"},
		{20240102, "ALTER TABLE users ADD COLUMN name text"},
	} {
		exec1(t, conn, "TRUNCATE schema_migrations")
		exec1(t, conn, "INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)", m.version, true)
		exec1(t, conn, m.sql)
		exec1(t, conn, "TRUNCATE schema_migrations")
		exec1(t, conn, "INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)", m.version, false)
	}
	// Text-format parameters, NULL, and rows.
	exec1(t, conn, "INSERT INTO users (id, email, name) VALUES ($1, $2, $3)", 1, "a@example.com", nil)
	other := connect(t, p, db, "")
	var n int
	if err := other.QueryRow(context.Background(), "SELECT count(*) FROM users WHERE email = $1", "a@example.com").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}

	got := p.Statements()
	wantRender(t, got, `1 Q CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL) -> CREATE TABLE
1 Q TRUNCATE schema_migrations -> TRUNCATE TABLE
1 X INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2) ["20240101" "t"] -> INSERT 0 1
1 Q CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE INDEX users_email ON users (email); -> CREATE TABLE, CREATE INDEX
1 Q TRUNCATE schema_migrations -> TRUNCATE TABLE
1 X INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2) ["20240101" "f"] -> INSERT 0 1
1 Q TRUNCATE schema_migrations -> TRUNCATE TABLE
1 X INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2) ["20240102" "t"] -> INSERT 0 1
1 Q ALTER TABLE users ADD COLUMN name text -> ALTER TABLE
1 Q TRUNCATE schema_migrations -> TRUNCATE TABLE
1 X INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2) ["20240102" "f"] -> INSERT 0 1
1 X INSERT INTO users (id, email, name) VALUES ($1, $2, $3) ["1" "a@example.com" "NULL"] -> INSERT 0 1
2 X SELECT count(*) FROM users WHERE email = $1 ["a@example.com"] -> SELECT 1
`)
	for i, s := range got {
		if s.Seq != i {
			t.Errorf("statement %d has Seq %d", i, s.Seq)
		}
	}
	if ps := got[2].Params; len(ps) == 2 && !(ps[0].Binary && ps[1].Binary) {
		t.Errorf("pgx sends int8 and bool in binary: %+v", ps)
	}
	if ps := got[11].Params; len(ps) == 3 && (ps[1].Binary || !ps[2].Null) {
		t.Errorf("text and NULL parameters: %+v", ps)
	}

	ms := capture.Attribute(got, capture.AttributeOptions{})
	check(t, ms, `20240101: CREATE TABLE users (id bigint PRIMARY KEY, email text) | CREATE INDEX users_email ON users (email)
20240102: ALTER TABLE users ADD COLUMN name text
? (unrecorded): INSERT INTO users (id, email, name) VALUES ($1, $2, $3) | SELECT count(*) FROM users WHERE email = $1
`)
}

// A migrate command that fails half way, over pgx: a multi-statement
// query failing in its second statement, a statement whose Parse fails
// (pgx prepares first: no Execute follows), one failing at Execute, and a
// pipeline whose later statements the server skips.
func TestProxyMarksFailures(t *testing.T) {
	db := database(t)
	p := proxy(t, db)
	conn := connect(t, p, db, "")
	ctx := context.Background()
	exec1(t, conn, "CREATE TABLE gorp_migrations (id text PRIMARY KEY, applied_at timestamptz)")
	exec1(t, conn, "CREATE TABLE a (id int)")
	exec1(t, conn, `insert into "gorp_migrations" ("id","applied_at") values ($1,$2)`, "1_a.sql", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	if _, err := conn.Exec(ctx, "CREATE TABLE b (id int); INSERT INTO a VALUES (1/0); CREATE TABLE c (id int)"); err == nil {
		t.Fatal("division by zero succeeded")
	}
	if _, err := conn.Exec(ctx, "INSERT INTO nope (id) VALUES ($1)", 1); err == nil {
		t.Fatal("insert into a missing table succeeded")
	}
	if _, err := conn.Exec(ctx, "INSERT INTO a (id) VALUES ($1::int / 0)", 7); err == nil {
		t.Fatal("division by zero succeeded")
	}
	b := &pgx.Batch{}
	b.Queue("INSERT INTO a (id) VALUES ($1)", 1)
	b.Queue("INSERT INTO a (id) VALUES ($1::int / 0)", 2)
	b.Queue("INSERT INTO a (id) VALUES ($1)", 3)
	if err := conn.SendBatch(ctx, b).Close(); err == nil {
		t.Fatal("batch succeeded")
	}

	got := p.Statements()
	wantRender(t, got, `1 Q CREATE TABLE gorp_migrations (id text PRIMARY KEY, applied_at timestamptz) -> CREATE TABLE
1 Q CREATE TABLE a (id int) -> CREATE TABLE
1 X insert into "gorp_migrations" ("id","applied_at") values ($1,$2) ["1_a.sql" "2024-01-02 03:04:05+00"] -> INSERT 0 1
1 Q CREATE TABLE b (id int); INSERT INTO a VALUES (1/0); CREATE TABLE c (id int) -> CREATE TABLE FAILED 22012: division by zero
1 X INSERT INTO nope (id) VALUES ($1) FAILED 42P01: relation "nope" does not exist
1 X INSERT INTO a (id) VALUES ($1::int / 0) ["7"] FAILED 22012: division by zero
1 X INSERT INTO a (id) VALUES ($1) ["1"] -> INSERT 0 1
1 X INSERT INTO a (id) VALUES ($1::int / 0) ["2"] FAILED 22012: division by zero
1 X INSERT INTO a (id) VALUES ($1) ["3"] SKIPPED
`)
	if s := got[4]; s.Position == 0 {
		t.Errorf("the failed Parse has no position: %+v", s)
	}
	// The failed query's implicit transaction took CREATE TABLE b with it.
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('b') IS NOT NULL").Scan(&exists); err != nil || exists {
		t.Fatalf("table b exists: %v %v", exists, err)
	}
	if sp := capture.Split(got[3:4]); len(sp) != 2 || !sp[0].RolledBack || sp[1].RolledBack || !sp[1].Failed {
		t.Errorf("split: %+v", sp)
	}
	check(t, capture.Attribute(got, capture.AttributeOptions{}), `1_a.sql: CREATE TABLE a (id int)
? (unrecorded, failed: division by zero): CREATE TABLE b (id int) | INSERT INTO a VALUES (1/0) !! | INSERT INTO nope (id) VALUES ($1) !! | INSERT INTO a (id) VALUES ($1::int / 0) !! | INSERT INTO a (id) VALUES ($1) | INSERT INTO a (id) VALUES ($1::int / 0) !!
`)
}

// The migrate command is a shell script applying SQL files with psql, each
// file and its version in one transaction (-1), as Rails does; the third
// file fails.
func TestPsqlMigrateScript(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Fatal("this test needs psql: apt-get install postgresql-client (.ci/run does)")
	}
	db := database(t)
	p := proxy(t, db)
	dir := t.TempDir()
	files := map[string]string{
		"migrate.sh": `set -eu
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY)'
for f in migrations/*.sql; do
	v=$(basename "$f" .sql)
	psql -X -q -v ON_ERROR_STOP=1 -1 -f "$f" -c "INSERT INTO schema_migrations (version) VALUES ('$v')"
done
`,
		"migrations/001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- a comment\nCREATE INDEX users_email ON users (email);\n",
		"migrations/002_name.sql":  "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;\n",
		"migrations/003_team.sql":  "ALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE users ADD COLUMN team_id int REFERENCES teams (id);\nALTER TABLE users ADD COLUMN z int;\n",
	}
	for name, text := range files {
		os.MkdirAll(dir+"/migrations", 0o755)
		if err := os.WriteFile(dir+"/"+name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	host, port, _ := strings.Cut(p.Addr(), ":")
	out := compat.Command{Script: "sh migrate.sh", Dir: dir, Timeout: time.Minute, Env: []string{
		"PGHOST=" + host, "PGPORT=" + port, "PGUSER=" + db.user, "PGPASSWORD=" + db.password, "PGDATABASE=" + db.name, "PGSSLMODE=prefer",
	}}.Run(context.Background())
	if out.ExitCode == 0 || !strings.Contains(out.Tail, `relation "teams" does not exist`) {
		t.Fatalf("migrate.sh: exit %d, %v\n%s", out.ExitCode, out.Err, out.Tail)
	}
	got := p.Statements()
	wantRender(t, got, `1 Q CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY) -> CREATE TABLE
2 Q BEGIN -> BEGIN
2 Q CREATE TABLE users (id bigint PRIMARY KEY, email text); -> CREATE TABLE
2 Q CREATE INDEX users_email ON users (email); -> CREATE INDEX
2 Q INSERT INTO schema_migrations (version) VALUES ('001_users') -> INSERT 0 1
2 Q COMMIT -> COMMIT
3 Q BEGIN -> BEGIN
3 Q SET lock_timeout = '5s'; -> SET
3 Q ALTER TABLE users ADD COLUMN name text; -> ALTER TABLE
3 Q INSERT INTO schema_migrations (version) VALUES ('002_name') -> INSERT 0 1
3 Q COMMIT -> COMMIT
4 Q BEGIN -> BEGIN
4 Q ALTER TABLE users ADD COLUMN nickname text; -> ALTER TABLE
4 Q ALTER TABLE users ADD COLUMN team_id int REFERENCES teams (id); FAILED 42P01: relation "teams" does not exist
4 Q ROLLBACK -> ROLLBACK
`)
	if len(got) > 0 && got[0].Application != "psql" {
		t.Errorf("application_name %q, want psql", got[0].Application)
	}
	check(t, capture.Attribute(got, capture.AttributeOptions{}), `001_users: CREATE TABLE users (id bigint PRIMARY KEY, email text) | CREATE INDEX users_email ON users (email)
002_name: SET lock_timeout = '5s' | ALTER TABLE users ADD COLUMN name text
? (unrecorded, rolled back, failed: relation "teams" does not exist): ALTER TABLE users ADD COLUMN nickname text | ALTER TABLE users ADD COLUMN team_id int REFERENCES teams (id) !!
`)
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("problems: %q", probs)
	}
}

// The proxy declines SSL: pgx with sslmode=prefer reconnects in plaintext
// and is captured, libpq continues on the same connection, and a client
// requiring SSL gives up, which Problems explains.
func TestProxySSLRequest(t *testing.T) {
	db := database(t)
	p := proxy(t, db)
	conn := connect(t, p, db, "prefer")
	exec1(t, conn, "SELECT $1::int", 1)
	if got := p.Statements(); len(got) != 1 || got[0].SQL != "SELECT $1::int" {
		t.Fatalf("recorded %q", render(got))
	}

	u, _ := p.RedirectURL(db.url)
	u = strings.Replace(u, "sslmode=disable", "sslmode=require", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := pgx.Connect(ctx, u); err == nil {
		c.Close(ctx)
		t.Fatal("sslmode=require connected through the proxy")
	}
	waitFor(t, func() bool { return strings.Contains(strings.Join(p.Problems(), "\n"), "sslmode=require") },
		func() string { return fmt.Sprintf("problems %q", p.Problems()) })

	if _, err := exec.LookPath("psql"); err == nil {
		host, port, _ := strings.Cut(p.Addr(), ":")
		cmd := exec.Command("psql", "-X", "-Atc", "SELECT 'via libpq'")
		cmd.Env = append(os.Environ(), "PGHOST="+host, "PGPORT="+port, "PGUSER="+db.user, "PGPASSWORD="+db.password, "PGDATABASE="+db.name, "PGSSLMODE=prefer")
		if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "via libpq" {
			t.Errorf("psql with sslmode=prefer: %v\n%s", err, out)
		}
	}
}

func waitFor(t *testing.T, cond func() bool, msg func() string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal(msg())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A CancelRequest reaches the server through the proxy.
func TestProxyForwardsCancelRequest(t *testing.T) {
	db := database(t)
	p := proxy(t, db)
	conn := connect(t, p, db, "")
	// The cancel is sent once the server runs the query (a cancel that
	// arrives before it finds nothing to cancel).
	watch, werr := pgx.Connect(context.Background(), db.url)
	if werr != nil {
		t.Fatal(werr)
	}
	defer watch.Close(context.Background())
	go func() {
		for {
			var running bool
			err := watch.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)')`).Scan(&running)
			if err != nil || running {
				break
			}
		}
		conn.PgConn().CancelRequest(context.Background())
	}()
	start := time.Now()
	_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
	got := p.Statements()
	if len(got) != 1 || !got[0].Failed || got[0].Code != "57014" {
		t.Errorf("recorded %s", render(got))
	}
}

// Many sessions at once are recorded each in its order; Close ends the
// sessions still open, marks the statement in flight Pending and leaves
// no goroutine behind.
func TestProxyConcurrentSessionsAndClose(t *testing.T) {
	db := database(t)
	p := proxy(t, db)
	setup := connect(t, p, db, "")
	exec1(t, setup, "CREATE TABLE hits (session int, n int)")
	const sessions, each = 12, 15
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for s := 0; s < sessions; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, _ := p.RedirectURL(db.url)
			ctx := context.Background()
			c, err := pgx.Connect(ctx, u)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(ctx)
			for n := 0; n < each; n++ {
				if _, err := c.Exec(ctx, "INSERT INTO hits VALUES ($1, $2)", s, n); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := p.Statements()
	if len(got) != 1+sessions*each {
		t.Fatalf("%d statements recorded, want %d", len(got), 1+sessions*each)
	}
	next := map[int]int{} // Conn -> next n
	session := map[int]string{}
	for i, s := range got[1:] {
		if s.Seq != i+1 || len(s.Params) != 2 || s.Params[1].Value != fmt.Sprint(next[s.Conn]) || len(s.Tags) != 1 {
			t.Fatalf("statement %d out of order: %+v", i+1, s)
		}
		if session[s.Conn] == "" {
			session[s.Conn] = s.Params[0].Value
		} else if session[s.Conn] != s.Params[0].Value {
			t.Fatalf("connection %d carries two sessions' statements", s.Conn)
		}
		next[s.Conn]++
	}
	if len(next) != sessions {
		t.Errorf("%d connections, want %d", len(next), sessions)
	}

	// Close with sessions open, one of them waiting for the server.
	idle := connect(t, p, db, "")
	busy := connect(t, p, db, "")
	_ = idle
	done := make(chan error, 1)
	go func() {
		_, err := busy.Exec(context.Background(), "SELECT pg_sleep(30)")
		done <- err
	}()
	waitFor(t, func() bool {
		st := p.Statements()
		return len(st) > 0 && st[len(st)-1].SQL == "SELECT pg_sleep(30)"
	}, func() string { return "pg_sleep was not recorded" })
	start := time.Now()
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %s", d)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("the statement in flight succeeded after Close")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the client was not disconnected by Close")
	}
	st := p.Statements()
	if last := st[len(st)-1]; !last.Pending {
		t.Errorf("statement in flight: %+v", last)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, fn := range []string{"capture.(*Proxy)", "capture.relay"} {
		if strings.Contains(stacks, fn) {
			t.Errorf("a goroutine of the proxy is still running after Close:\n%s", stacks)
			break
		}
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// The proxy tells the client, and Problems, when the server is down.
func TestProxyUpstreamDown(t *testing.T) {
	p, err := capture.Start(context.Background(), "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = pgx.Connect(ctx, "postgres://u:p@"+p.Addr()+"/d?sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "cannot connect to PostgreSQL at 127.0.0.1:1") {
		t.Errorf("err = %v", err)
	}
	if probs := p.Problems(); len(probs) != 1 {
		t.Errorf("problems %q", probs)
	}
	if got, err := p.RedirectURL("postgresql://u:p@db.example:5432/app?sslmode=require&application_name=x"); err != nil ||
		!reflect.DeepEqual(strings.SplitN(got, "?", 2), []string{"postgresql://u:p@" + p.Addr() + "/app", "application_name=x&sslmode=disable"}) {
		t.Errorf("RedirectURL = %q, %v", got, err)
	}
}

// Cancelling Start's context closes the proxy.
func TestProxyClosesWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, err := capture.Start(ctx, "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	waitFor(t, func() bool {
		c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, func() string { return "the proxy still accepts connections after its context ended" })
	p.Close()

	// A context already done.
	if p, err = capture.Start(ctx, "127.0.0.1:1"); err == nil {
		p.Close()
	}
}
