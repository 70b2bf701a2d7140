package compat

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/pgtest"
	"github.com/phasegate/phasegate/internal/source"
)

// shared is one PostgreSQL server (a container started with this
// package's own StartContainer) that most tests use through the
// --database-url provider; TestMain removes it and checks that no
// container of a run is left behind.
var shared *Server

// testLabels mark this package's containers, so that other packages'
// leak checks, running at the same time, can tell them apart.
// The process id keeps two runs of these tests at once (two checkouts on
// one machine) from counting each other's containers.
var testLabels = map[string]string{"dev.phasegate.test": fmt.Sprintf("compat-%d", os.Getpid())}

// testImage is the PostgreSQL image tests use; they never pull.
func testImage() string { return pgtest.Image() }

func TestMain(m *testing.M) {
	pgtest.Require("github.com/phasegate/phasegate/internal/compat")
	ctx := context.Background()
	LogDocker(nil)
	var err error
	shared, err = StartContainer(ctx, ContainerOptions{Image: testImage(), Labels: testLabels})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the shared test server:", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := shared.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close the shared test server:", err)
		code = 1
	}
	if left := leakedContainers(); left != "" {
		fmt.Fprintf(os.Stderr, "containers of phasegate runs are still there after the tests:\n%s\n", left)
		code = 1
	}
	os.Exit(code)
}

// leakedContainers lists this test process's containers of phasegate runs
// (other tests may run theirs at the same time).
func leakedContainers() string {
	out, err := exec.Command("docker", "ps", "-a", "--filter", "label="+LabelRun, "--filter", "label=dev.phasegate.test="+testLabels["dev.phasegate.test"], "--format", "{{.ID}} {{.Image}} {{.Status}}").CombinedOutput()
	if err != nil {
		return "docker ps failed: " + err.Error() + "\n" + string(out)
	}
	return strings.TrimSpace(string(out))
}

// sharedURL is the admin URL of the shared server.
func sharedURL() string {
	c := shared.conn
	return fmt.Sprintf("postgres://%s:%s@%s:%d/postgres?sslmode=disable", c.User, c.Password, c.Host, c.Port)
}

// app builds a repository from testdata/compatapp/v1 on main (tagged
// v1.0.0) and checks out a feature branch with the given changes written
// into the work tree (not committed: the head is the work tree).
func app(t *testing.T, changes map[string]string) *gittest.Repo {
	t.Helper()
	return appWith(t, nil, changes)
}

// appWith is app with files added to (or, empty, removed from) the
// previous release, v1, before the feature branch starts.
func appWith(t *testing.T, previous, changes map[string]string) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	src, _ := filepath.Abs("../../testdata/compatapp/v1")
	r.CopyDir(src)
	r.Commit("v1", previous)
	r.Git("tag", "v1.0.0")
	r.Git("checkout", "-qb", "feature")
	r.Write(changes)
	return r
}

// run runs the runtime check of the repository's work tree against main.
func run(t *testing.T, r *gittest.Repo, mod func(*Options)) *Result {
	t.Helper()
	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	prev, err := repo.Resolve(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Repo: repo, Previous: prev, Format: source.GolangMigrate{}, Dir: "db/migrations", DeferredDir: "db/deferred",
		URL: sharedURL(), TestCommand: "go test -count=1 ./...", Timeout: 5 * time.Minute, Jobs: 2,
		Runner: Runner{LockTimeout: "5s"},
	}
	if testing.Verbose() {
		opts.Log = os.Stderr
	}
	if mod != nil {
		mod(&opts)
	}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, repo)
	return res
}

// assertClean checks that a run left no database and no worktree behind.
func assertClean(t *testing.T, repo *git.Repo) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, sharedURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var left []string
	rows, _ := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'phasegate\_%' AND datname NOT LIKE $1`, shared.prefix+"%")
	for rows.Next() {
		var n string
		rows.Scan(&n)
		left = append(left, n)
	}
	if len(left) > 0 {
		t.Errorf("databases left behind: %v", left)
	}
	out, _ := repo.Git(ctx, "worktree", "list", "--porcelain")
	if n := strings.Count(string(out), "worktree "); n != 1 {
		t.Errorf("worktrees left behind:\n%s", out)
	}
}

func scenario(res *Result, name string) Scenario {
	for _, s := range res.Scenarios {
		if s.Name == name {
			return s
		}
	}
	return Scenario{}
}

func statuses(res *Result) string {
	var parts []string
	for _, s := range res.Scenarios {
		parts = append(parts, s.Name+"="+s.Status)
	}
	return strings.Join(parts, " ")
}

func TestAddNullableColumnPasses(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;",
		// alone in its file, so golang-migrate runs it outside a transaction
		"db/migrations/0004_nick_idx.up.sql": "CREATE INDEX CONCURRENTLY users_nick_idx ON users (nick);",
	}), nil)
	if got := statuses(res); got != "baseline=pass compat=pass deploy=pass contract-ready=skipped" || res.Verdict != StatusPass {
		t.Fatalf("%s, verdict %s: %s\n%s", got, res.Verdict, scenario(res, ScenarioCompat).Reason, scenario(res, ScenarioCompat).OutputTail)
	}
	if len(res.Changes) != 0 {
		t.Errorf("changes = %+v", res.Changes)
	}
	// The lock trace measured the ALTER (ACCESS EXCLUSIVE, no rewrite); the
	// concurrent index build runs outside a transaction and is not measured.
	if len(res.Traces) != 2 || len(res.Traces[0].Locks) != 1 || res.Traces[0].Locks[0] != (MeasuredLock{Relation: "users", Mode: "AccessExclusiveLock"}) || res.Traces[1].Note == "" {
		t.Errorf("traces = %+v", res.Traces)
	}
}

func TestDropColumnFailsCompatAndNamesIt(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_drop_name.up.sql": "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN name;",
	}), nil)
	c := scenario(res, ScenarioCompat)
	if c.Status != StatusFail || res.Verdict != StatusFail || scenario(res, ScenarioBaseline).Status != StatusPass {
		t.Fatalf("%s, verdict %s", statuses(res), res.Verdict)
	}
	if len(c.Implicated) != 1 || c.Implicated[0].Object != "users.name" || c.Implicated[0].Change != "removed" || c.Implicated[0].Where != "db/migrations/0003_drop_name.up.sql:2" {
		t.Errorf("implicated = %+v\noutput:\n%s", c.Implicated, c.OutputTail)
	}
	if !strings.Contains(c.OutputTail, `column "name"`) {
		t.Errorf("output tail lacks the error:\n%s", c.OutputTail)
	}
}

// TestDropColumnNamedInJSONTestOutput runs the previous release's suite
// as go test -json (gotestsum and CI log collectors do): every error is
// inside a JSON string, its quotes escaped, and the culprit is still named.
func TestDropColumnNamedInJSONTestOutput(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_drop_name.up.sql": "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN name;",
	}), func(o *Options) { o.TestCommand = "go test -count=1 -json ./..." })
	c := scenario(res, ScenarioCompat)
	if c.Status != StatusFail || scenario(res, ScenarioBaseline).Status != StatusPass {
		t.Fatalf("%s, verdict %s\n%s", statuses(res), res.Verdict, c.OutputTail)
	}
	if !strings.Contains(c.OutputTail, `column \"name\"`) || strings.Contains(c.OutputTail, `column "name"`) {
		t.Fatalf("the output does not hold the error only inside JSON strings:\n%s", c.OutputTail)
	}
	if len(c.Implicated) != 1 || c.Implicated[0].Object != "users.name" || c.Implicated[0].Where != "db/migrations/0003_drop_name.up.sql:2" {
		t.Errorf("implicated = %+v\noutput:\n%s", c.Implicated, c.OutputTail)
	}
}

// The compat scenario's suite runs through the recording proxy: a change
// the previous release's tests read and write is proven by those
// statements, one they never touch is reported unproven, although the
// scenario passes.
func TestCompatProofCoverage(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_orders.up.sql": "ALTER TABLE orders DROP COLUMN id;\nALTER TABLE orders ALTER COLUMN total_cents TYPE numeric;",
	}), func(o *Options) { o.Record = true })
	if got := statuses(res); got != "baseline=pass compat=pass deploy=pass contract-ready=skipped" {
		t.Fatalf("%s\n%s", got, scenario(res, ScenarioCompat).OutputTail)
	}
	if res.Proof == nil || res.Proof.Recorded == 0 || res.Proof.Vacuous != "" || res.Proof.Unresolved != 0 {
		t.Fatalf("proof = %+v", res.Proof)
	}
	got := map[string]*Coverage{}
	for _, c := range res.Changes {
		got[c.Object] = c.Coverage
	}
	if c := got["orders.total_cents"]; !c.Proven() || c.Reads == 0 || c.Writes == 0 {
		t.Errorf("orders.total_cents: %+v", c)
	}
	if c := got["orders.id"]; c == nil || c.Proven() {
		t.Errorf("orders.id: %+v", c)
	}
}

func TestRenameColumnFailsCompat(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_rename.up.sql": "ALTER TABLE users RENAME COLUMN name TO full_name;",
	}), nil)
	c := scenario(res, ScenarioCompat)
	if c.Status != StatusFail || len(c.Implicated) != 1 || c.Implicated[0].Change != "renamed" || c.Implicated[0].Detail != "renamed to full_name" {
		t.Fatalf("%s implicated %+v\n%s", statuses(res), c.Implicated, c.OutputTail)
	}
}

func TestDeferredDropPassesCompatAndContractReady(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/deferred/0003_drop_name.up.sql": "ALTER TABLE users DROP COLUMN name;",
		"shop.go":                           v2("shop.go"),
		"shop_test.go":                      v2("shop_test.go"),
	}), nil)
	if got := statuses(res); got != "baseline=pass compat=pass deploy=pass contract-ready=pass" || res.Verdict != StatusPass {
		t.Fatalf("%s, verdict %s\n%s", got, res.Verdict, scenario(res, ScenarioContractReady).OutputTail)
	}
}

func TestDeferredDropFailsContractReadyWhileCodeUsesIt(t *testing.T) {
	// The new release still reads name (its code is v1's): dropping the
	// column after the deploy would break it.
	res := run(t, app(t, map[string]string{
		"db/deferred/0003_drop_name.up.sql": "ALTER TABLE users DROP COLUMN name;",
	}), nil)
	r := scenario(res, ScenarioContractReady)
	if r.Status != StatusFail || scenario(res, ScenarioCompat).Status != StatusPass || res.Verdict != StatusFail {
		t.Fatalf("%s, verdict %s", statuses(res), res.Verdict)
	}
	if !strings.Contains(r.OutputTail, `column "name"`) {
		t.Errorf("output:\n%s", r.OutputTail)
	}
}

// renamedCode is the test application's v1 code with users.name read and
// written as full_name: the code of a change that renames the column.
func renamedCode() map[string]string {
	b, err := os.ReadFile("../../testdata/compatapp/v1/shop.go")
	if err != nil {
		panic(err)
	}
	code := strings.ReplaceAll(string(b), "(email, name)", "(email, full_name)")
	code = strings.ReplaceAll(code, "SELECT email, name FROM", "SELECT email, full_name FROM")
	return map[string]string{"shop.go": code}
}

// TestDeferredRenameFailsDeploy is the defect the deploy scenario exists
// for: a rename moved whole into the deferred directory leaves the new
// code without its column for a whole release cycle, although the
// previous release and the contracted future both pass.
func TestDeferredRenameFailsDeploy(t *testing.T) {
	changes := renamedCode()
	changes["db/deferred/0003_rename_contract.up.sql"] = "SET lock_timeout = '5s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n"
	res := run(t, app(t, changes), nil)
	if got := statuses(res); got != "baseline=pass compat=pass deploy=fail contract-ready=pass" || res.Verdict != StatusFail {
		t.Fatalf("%s, verdict %s\n%s", got, res.Verdict, scenario(res, ScenarioDeploy).OutputTail)
	}
	d := scenario(res, ScenarioDeploy)
	if len(d.Implicated) != 1 || d.Implicated[0].Object != "users.full_name" || d.Implicated[0].Change != "missing" ||
		d.Implicated[0].Where != "db/deferred/0003_rename_contract.up.sql:2" {
		t.Errorf("implicated = %+v\noutput:\n%s", d.Implicated, d.OutputTail)
	}
}

// TestDeferredRequiredColumnFailsDeploy: a NOT NULL column the new code
// writes, deferred whole, is missing after the deploy.
func TestDeferredRequiredColumnFailsDeploy(t *testing.T) {
	b, err := os.ReadFile("../../testdata/compatapp/v1/shop.go")
	if err != nil {
		t.Fatal(err)
	}
	code := strings.ReplaceAll(string(b), "INSERT INTO users (email, name) VALUES ($1, $2)", "INSERT INTO users (email, name, plan) VALUES ($1, $2, 'free')")
	res := run(t, app(t, map[string]string{
		"shop.go":                               code,
		"db/deferred/0003_plan_contract.up.sql": "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n",
	}), nil)
	d := scenario(res, ScenarioDeploy)
	if d.Status != StatusFail || len(d.Implicated) != 1 || d.Implicated[0].Object != "users.plan" || d.Implicated[0].Where != "db/deferred/0003_plan_contract.up.sql:1" {
		t.Fatalf("%s: implicated %+v\n%s", statuses(res), d.Implicated, d.OutputTail)
	}
}

// TestScenarioTurnedOff: tests.scenarios turns a scenario off; it is
// reported as skipped, with the reason, and the others still run.
func TestScenarioTurnedOff(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;",
	}), func(o *Options) { o.Off = map[string]bool{ScenarioDeploy: true} })
	d := scenario(res, ScenarioDeploy)
	if got := statuses(res); got != "baseline=pass compat=pass deploy=skipped contract-ready=skipped" || !strings.Contains(d.Reason, "tests.scenarios") || res.Verdict != StatusPass {
		t.Fatalf("%s: %q", got, d.Reason)
	}
}

func TestBrokenBaselineIsNotBlamedOnTheMigrations(t *testing.T) {
	// The command fails in the previous version's checkout (no NEWS file),
	// whatever the schema.
	res := run(t, app(t, map[string]string{
		"NEWS":                           "v2\n",
		"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;",
	}), func(o *Options) { o.TestCommand = "test -f NEWS && go test -count=1 ./..." })
	if res.Verdict != "baseline broken" || scenario(res, ScenarioBaseline).Status != StatusFail || scenario(res, ScenarioCompat).Status != StatusFail {
		t.Fatalf("%s, verdict %s", statuses(res), res.Verdict)
	}
}

func TestTimeoutKillsTheSuite(t *testing.T) {
	start := time.Now()
	res := run(t, app(t, map[string]string{"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;"}),
		func(o *Options) {
			o.TestCommand = "echo started; sleep 60 & sleep 60"
			o.Timeout = 2 * time.Second
		})
	b := scenario(res, ScenarioBaseline)
	if b.Status != StatusError || !strings.Contains(b.Reason, "timed out after 2s") || !strings.Contains(b.OutputTail, "started") {
		t.Fatalf("baseline = %+v", b)
	}
	if time.Since(start) > 40*time.Second {
		t.Errorf("the run took %s: the timed-out commands were not killed", time.Since(start))
	}
}

func TestFailingMigrationIsReportedAtItsLine(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_bad.up.sql": "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE nope ADD COLUMN y int;",
	}), nil)
	want := `db/migrations/0003_bad.up.sql:2:1: relation "nope" does not exist (SQLSTATE 42P01)`
	if res.MigrationError != want || res.Verdict != StatusError || scenario(res, ScenarioCompat).Status != StatusError {
		t.Fatalf("migration error %q, verdict %s, %s", res.MigrationError, res.Verdict, statuses(res))
	}
	if scenario(res, ScenarioBaseline).Status != StatusPass {
		t.Errorf("baseline should still run: %+v", scenario(res, ScenarioBaseline))
	}
}

func TestTestCommandNotFound(t *testing.T) {
	res := run(t, app(t, nil), func(o *Options) { o.TestCommand = "no-such-test-runner --all" })
	if b := scenario(res, ScenarioBaseline); b.Status != StatusError || !strings.Contains(b.Reason, "not found") {
		t.Fatalf("baseline = %+v", b)
	}
}

func TestImageMissingWithoutPull(t *testing.T) {
	_, err := StartContainer(context.Background(), ContainerOptions{Image: "local/phasegate-no-such-image:0", Pull: false})
	if err == nil || !strings.Contains(err.Error(), "not present locally") {
		t.Fatalf("err = %v", err)
	}
}

// The errors that say why no PostgreSQL started end with what the caller
// says helps (--static-only for the runtime check), and offer nothing
// else: --static-only does not help a command that needs PostgreSQL for
// its static part.
func TestStartErrorsEndWithTheCallersHint(t *testing.T) {
	ctx := context.Background()
	missing := ContainerOptions{Image: "local/phasegate-no-such-image:0", Pull: false}
	for _, hint := range []string{"", StaticOnlyHint} {
		missing.Hint = hint
		_, err := StartContainer(ctx, missing)
		if err == nil || !strings.HasSuffix(err.Error(), "(config postgres.url)"+hint) {
			t.Errorf("image missing, hint %q: %v", hint, err)
		}
		_, err = Connect(ctx, "postgres://phasegate@127.0.0.1:1/postgres?connect_timeout=1", hint)
		if err == nil || !strings.HasSuffix(err.Error(), "accepts connections from here"+hint) {
			t.Errorf("no server at the URL, hint %q: %v", hint, err)
		}
	}
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	for _, hint := range []string{"", StaticOnlyHint} {
		_, err := StartContainer(ctx, ContainerOptions{Image: testImage(), Hint: hint})
		if err == nil || !strings.HasSuffix(err.Error(), "(config postgres.url)"+hint) {
			t.Errorf("no Docker, hint %q: %v", hint, err)
		}
	}
}

func TestErrorPositionInsideStatement(t *testing.T) {
	res := run(t, app(t, map[string]string{
		"db/migrations/0003_bad.up.sql": "-- a comment\nUPDATE users\n   SET name = nam;",
	}), func(o *Options) { o.TestCommand = "" })
	want := `db/migrations/0003_bad.up.sql:3:15: column "nam" does not exist (SQLSTATE 42703); hint: Perhaps you meant to reference the column "users.name".`
	if res.MigrationError != want {
		t.Fatalf("got  %s\nwant %s", res.MigrationError, want)
	}
}

// TestWithoutBookkeepingGolangMigrateFails is the control for the
// bookkeeping: the previous release's golang-migrate refuses a database
// whose version it has no file for, which is what phasegate's version
// table write prevents.
func TestWithoutBookkeepingGolangMigrateFails(t *testing.T) {
	r := app(t, map[string]string{"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;"})
	repo, _ := git.Open(r.Dir)
	ctx := context.Background()
	db, err := shared.Create(ctx, "control", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Drop(ctx, db)
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head := os.DirFS(r.Dir)
	list, _ := source.GolangMigrate{}.List(head, "db/migrations")
	ms, err := Load(head, source.GolangMigrate{}, list)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Runner{}).Apply(ctx, conn, ms); err != nil {
		t.Fatal(err)
	}
	// What golang-migrate itself would have written after applying 0003.
	if err := Bookkeeping(ctx, conn, source.GolangMigrate{}, "db/migrations", list, list, head); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	prev, _ := repo.AddWorktree(ctx, "main", "phasegate-control-")
	defer prev.Remove()
	out := Command{Script: "go test -count=1 ./...", Dir: prev.Dir, Env: db.Env(nil), Timeout: 5 * time.Minute}.Run(ctx)
	if out.ExitCode == 0 || !strings.Contains(out.Tail, "no migration found for version 3") {
		t.Fatalf("exit %d, output:\n%s", out.ExitCode, out.Tail)
	}
}

func TestContainerProviderLeavesNothing(t *testing.T) {
	res := run(t, app(t, map[string]string{"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;"}),
		func(o *Options) {
			o.URL, o.Image, o.Pull, o.TestCommand, o.Labels = "", testImage(), false, "", testLabels
		})
	if res.Server != testImage() || res.Verdict != StatusPass {
		t.Fatalf("server %q verdict %s", res.Server, res.Verdict)
	}
	if left := leakedContainers(); strings.Count(left, "\n")+1 > 1 { // the shared server only
		t.Errorf("containers left:\n%s", left)
	}
}

func TestPanicInScenarioIsAnErrorAndCleansUp(t *testing.T) {
	testHookScenario = func(name string) {
		if name == ScenarioCompat {
			panic("boom")
		}
	}
	defer func() { testHookScenario = nil }()
	res := run(t, app(t, nil), func(o *Options) { o.TestCommand = "true" })
	if c := scenario(res, ScenarioCompat); c.Status != StatusError || !strings.Contains(c.Reason, "boom") {
		t.Fatalf("compat = %+v", c)
	}
}

func TestCancelStopsTheSuiteAndCleansUp(t *testing.T) {
	r := app(t, nil)
	repo, _ := git.Open(r.Dir)
	ctx, cancel := context.WithCancel(context.Background())
	prev, _ := repo.Resolve(ctx, "main")
	// The suites' output says when one runs: then the check is cancelled.
	started := &seen{text: "] started", at: make(chan struct{})}
	go func() { <-started.at; cancel() }()
	begin := time.Now()
	res, err := Run(ctx, Options{Repo: repo, Previous: prev, Format: source.GolangMigrate{}, Dir: "db/migrations",
		Image: testImage(), Labels: testLabels, TestCommand: "echo started; sleep 120", Timeout: time.Hour, Jobs: 3, Verbose: started})
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v", err)
	}
	// What ran before the cancel is still reported, and why it stopped.
	if res == nil || res.Verdict != StatusError || res.Error != err.Error() || res.Server != testImage() {
		t.Fatalf("result %+v", res)
	}
	for _, sc := range res.Scenarios {
		if sc.Status != StatusError && sc.Status != StatusSkipped {
			t.Errorf("%s: status %q after the cancel", sc.Name, sc.Status)
		}
	}
	if time.Since(begin) > 60*time.Second {
		t.Errorf("cancel took %s", time.Since(begin))
	}
	if left := leakedContainers(); strings.Count(left, "\n")+1 > 1 {
		t.Errorf("containers left after cancel:\n%s", left)
	}
	out, _ := repo.Git(context.Background(), "worktree", "list")
	if strings.Count(string(out), "\n") != 1 {
		t.Errorf("worktrees left:\n%s", out)
	}
}

// seen is a writer that closes at when what is written to it contains
// text.
type seen struct {
	text string
	at   chan struct{}
	mu   sync.Mutex
	b    strings.Builder
}

func (s *seen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := strings.Contains(s.b.String(), s.text)
	s.b.Write(p)
	if !was && strings.Contains(s.b.String(), s.text) {
		close(s.at)
	}
	return len(p), nil
}

// v2 reads a file of the new release of the test application, which no
// longer reads or writes users.name.
func v2(name string) string {
	b, err := os.ReadFile(filepath.Join("../../testdata/compatapp/v2", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}
