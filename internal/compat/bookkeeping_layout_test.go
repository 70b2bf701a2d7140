package compat

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/source"
)

// The tools below cannot be installed here (Flyway and Liquibase come from
// Maven Central, Prisma's engines from Prisma's own server, Diesel's CLI
// from crates.io, Atlas's CLI needs a newer Go than this machine's). Their
// tests create the tool's table with the tool's own DDL (quoted from its
// source), write the bookkeeping into it, and read it back the way the
// tool's migrate reads it.

// layoutCase is one tool's check: the previous release has prev, the
// change adds added; setup is the tool's own DDL; check reads the table.
type layoutCase struct {
	format      source.Format
	dir         string
	prev, added fstest.MapFS
	setup       []string
	check       func(t *testing.T, conn *pgx.Conn, files fs.FS, release []source.Migration)
}

func (c layoutCase) run(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	db, err := shared.Create(ctx, "layout", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Drop(ctx, db)
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range c.setup {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("the tool's DDL: %v", err)
		}
	}
	head := fstest.MapFS{}
	for n, f := range c.prev {
		head[n] = f
	}
	for n, f := range c.added {
		head[n] = f
	}
	release, err := c.format.List(c.prev, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := c.format.List(head, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	files := layered{c.prev, head}
	if err := Bookkeeping(ctx, conn, c.format, c.dir, release, applied, files); err != nil {
		t.Fatal(err)
	}
	// Twice: the statements replace what the tables hold.
	if err := Bookkeeping(ctx, conn, c.format, c.dir, release, applied, files); err != nil {
		t.Fatal(err)
	}
	c.check(t, conn, files, release)
}

// rows returns a query's rows, each as its columns joined by "|".
func rows(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rs, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, fmt.Sprint(v))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sqlFile(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func read(t *testing.T, files fs.FS, name string) []byte {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFlywayBookkeepingLayout(t *testing.T) {
	layoutCase{
		format: source.Flyway{}, dir: "db/migration",
		prev: fstest.MapFS{
			"db/migration/V1__create_notes.sql": sqlFile("CREATE TABLE notes (id int);\n"),
			"db/migration/V2__add_body.sql":     sqlFile("ALTER TABLE notes ADD body text;\r\n"),
			"db/migration/R__notes_view.sql":    sqlFile("CREATE OR REPLACE VIEW v AS SELECT 1;\n"),
			"db/migration/sub/V1_5__index.sql":  sqlFile("CREATE INDEX ON notes (id);\n"),
		},
		added: fstest.MapFS{
			"db/migration/V1_7__missing.sql": sqlFile("SELECT 17;\n"), // below the release's newest: missing
			"db/migration/V3__future.sql":    sqlFile("SELECT 3;\n"),  // above: future
		},
		// flyway-database-postgresql PostgreSQLDatabase.getRawCreateScript
		setup: []string{`CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");`},
		check: func(t *testing.T, conn *pgx.Conn, files fs.FS, _ []source.Migration) {
			sum := func(p string) int32 { return source.FlywayChecksum(read(t, files, "db/migration/"+p)) }
			want := []string{
				fmt.Sprintf("1|1|create notes|SQL|V1__create_notes.sql|%d|true", sum("V1__create_notes.sql")),
				fmt.Sprintf("2|1.5|index|SQL|sub/V1_5__index.sql|%d|true", sum("sub/V1_5__index.sql")),
				fmt.Sprintf("3|2|add body|SQL|V2__add_body.sql|%d|true", sum("V2__add_body.sql")),
				fmt.Sprintf("4|3|future|SQL|V3__future.sql|%d|true", sum("V3__future.sql")),
				fmt.Sprintf("5|<nil>|notes view|SQL|R__notes_view.sql|%d|true", sum("R__notes_view.sql")),
			}
			got := rows(t, conn, `SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank`)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("flyway_schema_history:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		},
	}.run(t)
}

func TestPrismaBookkeepingLayout(t *testing.T) {
	layoutCase{
		format: source.Prisma{}, dir: "prisma/migrations",
		prev:  fstest.MapFS{"prisma/migrations/20240101000000_init/migration.sql": sqlFile("CREATE TABLE notes (id int);\n")},
		added: fstest.MapFS{"prisma/migrations/20240202000000_tags/migration.sql": sqlFile("ALTER TABLE notes ADD tags text[];\n")},
		// The table Prisma's schema engine creates on PostgreSQL, as
		// introspected.
		setup: []string{`CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id")
)`},
		check: func(t *testing.T, conn *pgx.Conn, files fs.FS, release []source.Migration) {
			// apply_migrations.rs: failed migrations stop deploy.
			if failed := rows(t, conn, `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL`); len(failed) > 0 {
				t.Fatalf("failed migrations: %v", failed)
			}
			// Unapplied: directories without a row not rolled back.
			for _, m := range release {
				name := strings.Split(m.Path, "/")[2]
				got := rows(t, conn, `SELECT checksum FROM _prisma_migrations WHERE rolled_back_at IS NULL AND migration_name = '`+name+`'`)
				if len(got) != 1 || got[0] != source.PrismaChecksum(read(t, files, m.Path)) {
					t.Fatalf("%s: rows %v", name, got)
				}
			}
			if n := rows(t, conn, `SELECT count(*), count(DISTINCT id), min(length(id)) FROM _prisma_migrations WHERE applied_steps_count = 1`); n[0] != "2|2|36" {
				t.Fatalf("rows: %v", n)
			}
		},
	}.run(t)
}

func TestDieselBookkeepingLayout(t *testing.T) {
	layoutCase{
		format: source.Diesel{}, dir: "migrations",
		prev:  fstest.MapFS{"migrations/2024-01-01-000000_init/up.sql": sqlFile("CREATE TABLE notes (id int);\n")},
		added: fstest.MapFS{"migrations/2024-02-02-000000_tags/up.sql": sqlFile("ALTER TABLE notes ADD tags text[];\n")},
		// diesel/src/migration/setup_migration_table.sql
		setup: []string{`CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)`},
		check: func(t *testing.T, conn *pgx.Conn, _ fs.FS, _ []source.Migration) {
			// migration_harness.rs applied_migrations: versions, newest first.
			if got := strings.Join(rows(t, conn, `SELECT version FROM __diesel_schema_migrations ORDER BY version DESC`), " "); got != "20240202000000 20240101000000" {
				t.Fatal(got)
			}
		},
	}.run(t)
}

func TestLiquibaseBookkeepingLayout(t *testing.T) {
	layoutCase{
		format: source.Liquibase{}, dir: "src/main/resources/db/changelog",
		prev: fstest.MapFS{"src/main/resources/db/changelog/001_notes.sql": sqlFile(
			"--liquibase formatted sql\n\n--changeset ada:1\nCREATE TABLE notes (id int);\n--rollback DROP TABLE notes;\n\n--changeset ada:2\n--comment: Body.\nALTER TABLE notes ADD body text;\n")},
		added: fstest.MapFS{"src/main/resources/db/changelog/002_tags.sql": sqlFile(
			"--liquibase formatted sql\n\n--changeset bob:1\nALTER TABLE notes ADD tags text[];\n")},
		// liquibase-standard CreateDatabaseChangeLogTableGenerator on
		// PostgreSQL.
		setup: []string{`CREATE TABLE databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL,
DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35),
DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255),
DEPLOYMENT_ID VARCHAR(10))`},
		check: func(t *testing.T, conn *pgx.Conn, files fs.FS, _ []source.Migration) {
			var want []string
			for _, p := range []string{"001_notes.sql", "002_tags.sql"} {
				rs, err := source.LiquibaseRecords("src/main/resources/db/changelog/"+p, read(t, files, "src/main/resources/db/changelog/"+p))
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					want = append(want, fmt.Sprintf("%s|%s|db/changelog/%s|EXECUTED|%s|%s", r.ID, r.Author, p, r.CheckSum, r.Comment))
				}
			}
			// StandardChangeLogHistoryService reads the ran changesets so.
			got := rows(t, conn, `SELECT id, author, filename, exectype, md5sum, coalesce(comments, '') FROM databasechangelog ORDER BY dateexecuted, orderexecuted`)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("databasechangelog:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		},
	}.run(t)
}

func TestAtlasBookkeepingLayout(t *testing.T) {
	prev := fstest.MapFS{
		"migrations/20240101000000_init.sql": sqlFile("CREATE TABLE notes (id int);\nCREATE INDEX ON notes (id);\n"),
	}
	head := fstest.MapFS{
		"migrations/20240101000000_init.sql": prev["migrations/20240101000000_init.sql"],
		"migrations/20240202000000_tags.sql": sqlFile("ALTER TABLE notes ADD tags text[];\n"),
	}
	for _, fsys := range []fstest.MapFS{prev, head} {
		sum, err := source.AtlasSum(fsys, "migrations")
		if err != nil {
			t.Fatal(err)
		}
		fsys["migrations/atlas.sum"] = sqlFile(string(sum))
	}
	added := fstest.MapFS{"migrations/20240202000000_tags.sql": head["migrations/20240202000000_tags.sql"]}
	layoutCase{
		format: source.Atlas{}, dir: "migrations", prev: prev, added: added,
		check: func(t *testing.T, conn *pgx.Conn, files fs.FS, _ []source.Migration) {
			_, h, _ := strings.Cut(strings.Split(string(read(t, files, "migrations/atlas.sum")), "\n")[1], " h1:")
			want := "20240101000000|init|2|2|2|" + h + "\n20240202000000|tags|2|1|1|"
			for _, table := range []string{"atlas_schema_revisions.atlas_schema_revisions", "public.atlas_schema_revisions"} {
				// EntRevisions.ReadRevisions: by version.
				got := rows(t, conn, `SELECT version, description, type, applied, total, hash FROM `+table+` ORDER BY version`)
				if s := strings.Join(got, "\n"); s != want {
					t.Fatalf("%s:\n%s\nwant:\n%s", table, s, want)
				}
			}
		},
	}.run(t)
}
