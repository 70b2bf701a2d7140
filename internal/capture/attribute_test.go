package capture_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/capture"
)

// q is a simple-protocol statement; x an extended-protocol one with text
// parameters ("NULL" binds NULL). Both are numbered in order.
func q(sql string, tags ...string) capture.Statement {
	seq++
	return capture.Statement{Seq: seq, Conn: 1, SQL: sql, Tags: tags}
}

var seq int

func x(sql string, params ...string) capture.Statement {
	seq++
	s := capture.Statement{Seq: seq, Conn: 1, SQL: sql, Extended: true}
	for _, p := range params {
		if p == "NULL" {
			s.Params = append(s.Params, capture.Param{Null: true})
		} else {
			s.Params = append(s.Params, capture.Param{Value: p})
		}
	}
	return s
}

func failed(s capture.Statement, msg string) capture.Statement {
	s.Failed, s.Error = true, msg
	return s
}

// summary renders migrations as "version[flags]: stmt | stmt" lines.
func summary(ms []capture.Migration) string {
	var b strings.Builder
	for _, m := range ms {
		v := m.Version
		if v == "" {
			v = "?"
		}
		var flags []string
		if m.Unrecorded {
			flags = append(flags, "unrecorded")
		}
		if m.Down {
			flags = append(flags, "down")
		}
		if m.RolledBack {
			flags = append(flags, "rolled back")
		}
		if m.Failed {
			flags = append(flags, "failed: "+m.Error)
		}
		if len(flags) > 0 {
			v += " (" + strings.Join(flags, ", ") + ")"
		}
		var sqls []string
		for _, s := range m.Statements {
			t := s.SQL
			if s.Failed {
				t += " !!"
			}
			sqls = append(sqls, t)
		}
		fmt.Fprintf(&b, "%s: %s\n", v, strings.Join(sqls, " | "))
	}
	return b.String()
}

func check(t *testing.T, got []capture.Migration, want string) {
	t.Helper()
	if s := summary(got); s != want {
		t.Errorf("got\n%s\nwant\n%s", s, want)
		for _, m := range got {
			for _, b := range m.Bookkeeping {
				t.Logf("  %s bookkeeping (%s): %s", m.Version, b.Why, b.SQL)
			}
		}
	}
}

func TestAttributeRails(t *testing.T) {
	stmts := []capture.Statement{
		q("SET client_min_messages TO 'warning'"),
		q("SET standard_conforming_strings = on"),
		q("SHOW search_path"),
		q("SELECT pg_try_advisory_lock(3255320188)"),
		q(`SELECT c.relname FROM pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (current_schemas(false)) AND c.relname = 'schema_migrations' AND c.relkind IN ('r','p')`),
		q(`CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY)`),
		q(`CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)`),
		x(`SELECT "ar_internal_metadata"."value" FROM "ar_internal_metadata" WHERE "ar_internal_metadata"."key" = $1 LIMIT $2`, "environment", "1"),
		x(`INSERT INTO "ar_internal_metadata" ("key", "value", "created_at", "updated_at") VALUES ($1, $2, $3, $4) RETURNING "key"`, "environment", "development", "2024-01-01", "2024-01-01"),
		q(`SELECT "schema_migrations"."version" FROM "schema_migrations" ORDER BY "schema_migrations"."version" ASC`),
		q("BEGIN"),
		q(`CREATE TABLE "users" ("id" bigserial primary key, "email" character varying)`),
		x(`INSERT INTO "schema_migrations" ("version") VALUES ($1) RETURNING "version"`, "20240101000000"),
		q("COMMIT"),
		q("BEGIN"),
		q(`ALTER TABLE "users" ADD "name" character varying`),
		q(`SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attrelid = '"users"'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`),
		q(`SET LOCAL lock_timeout = '5s'`),
		q(`CREATE INDEX "index_users_on_name" ON "users" ("name")`),
		x(`INSERT INTO "schema_migrations" ("version") VALUES ($1) RETURNING "version"`, "20240102000000"),
		q("COMMIT"),
		q("SELECT pg_advisory_unlock(3255320188)"),
	}
	got := capture.Attribute(stmts, capture.AttributeOptions{})
	check(t, got, `20240101000000: CREATE TABLE "users" ("id" bigserial primary key, "email" character varying)
20240102000000: ALTER TABLE "users" ADD "name" character varying | SET LOCAL lock_timeout = '5s' | CREATE INDEX "index_users_on_name" ON "users" ("name")
`)
	if len(got) == 2 {
		var whys []string
		for _, b := range got[0].Bookkeeping {
			whys = append(whys, b.Why)
		}
		want := []string{"session setting", "session setting", "session setting", "advisory lock", "catalog query", "version table", "tool table", "tool table", "tool table", "version table", "transaction control", "version table", "transaction control"}
		if !reflect.DeepEqual(whys, want) {
			t.Errorf("first migration's bookkeeping:\n got %q\nwant %q", whys, want)
		}
		if got[0].Table != "schema_migrations" || !strings.Contains(got[0].Tool, "Rails") {
			t.Errorf("table %q tool %q", got[0].Table, got[0].Tool)
		}
	}

	// A rollback deletes the version after the down migration's statements.
	down := []capture.Statement{
		q("BEGIN"),
		q(`DROP INDEX "index_users_on_name"`),
		x(`DELETE FROM "schema_migrations" WHERE "schema_migrations"."version" = $1`, "20240102000000"),
		q("COMMIT"),
	}
	check(t, capture.Attribute(down, capture.AttributeOptions{}), "20240102000000 (down): DROP INDEX \"index_users_on_name\"\n")
}

func TestAttributeRailsFailedHalfWay(t *testing.T) {
	stmts := []capture.Statement{
		q("BEGIN"),
		q(`CREATE TABLE "users" ("id" bigserial primary key)`),
		x(`INSERT INTO "schema_migrations" ("version") VALUES ($1) RETURNING "version"`, "1"),
		q("COMMIT"),
		q("BEGIN"),
		q(`ALTER TABLE "users" ADD "name" character varying`),
		failed(q(`ALTER TABLE "accounts" ADD "owner_id" bigint`), `relation "accounts" does not exist`),
		q("ROLLBACK"),
		q("SELECT pg_advisory_unlock(1)"),
	}
	got := capture.Attribute(stmts, capture.AttributeOptions{})
	check(t, got, `1: CREATE TABLE "users" ("id" bigserial primary key)
? (unrecorded, rolled back, failed: relation "accounts" does not exist): ALTER TABLE "users" ADD "name" character varying | ALTER TABLE "accounts" ADD "owner_id" bigint !!
`)
}

func TestAttributeDjango(t *testing.T) {
	stmts := []capture.Statement{
		q(`SELECT c.relname, CASE WHEN c.relispartition THEN 'p' WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v') AND n.nspname NOT IN ('pg_catalog', 'pg_toast') AND pg_catalog.pg_table_is_visible(c.oid)`),
		q(`CREATE TABLE "django_migrations" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL)`),
		q(`SELECT "django_migrations"."id", "django_migrations"."app", "django_migrations"."name", "django_migrations"."applied" FROM "django_migrations"`),
		q("BEGIN"),
		q(`CREATE TABLE "shop_product" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "name" varchar(100) NOT NULL)`),
		q(`INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('shop', '0001_initial', '2024-01-01T00:00:00+00:00'::timestamptz) RETURNING "django_migrations"."id"`),
		q("COMMIT"),
		q("BEGIN"),
		q(`ALTER TABLE "shop_product" ADD COLUMN "price" integer DEFAULT 0 NOT NULL`),
		q(`ALTER TABLE "shop_product" ALTER COLUMN "price" DROP DEFAULT`),
		q(`INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('shop', '0002_price', '2024-01-01T00:00:01+00:00'::timestamptz) RETURNING "django_migrations"."id"`),
		q("COMMIT"),
		// The post-migrate signal.
		q(`SELECT "django_content_type"."id", "django_content_type"."app_label", "django_content_type"."model" FROM "django_content_type" WHERE "django_content_type"."app_label" = 'shop'`),
		q(`INSERT INTO "django_content_type" ("app_label", "model") VALUES ('shop', 'product') RETURNING "django_content_type"."id"`),
		q(`INSERT INTO "auth_permission" ("name", "content_type_id", "codename") VALUES ('Can add product', 1, 'add_product') RETURNING "auth_permission"."id"`),
	}
	check(t, capture.Attribute(stmts, capture.AttributeOptions{}), `shop.0001_initial: CREATE TABLE "shop_product" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "name" varchar(100) NOT NULL)
shop.0002_price: ALTER TABLE "shop_product" ADD COLUMN "price" integer DEFAULT 0 NOT NULL | ALTER TABLE "shop_product" ALTER COLUMN "price" DROP DEFAULT
`)

	unapply := []capture.Statement{
		q("BEGIN"),
		q(`ALTER TABLE "shop_product" DROP COLUMN "price" CASCADE`),
		q(`DELETE FROM "django_migrations" WHERE ("django_migrations"."app" = 'shop' AND "django_migrations"."name" = '0002_price')`),
		q("COMMIT"),
	}
	check(t, capture.Attribute(unapply, capture.AttributeOptions{}), "shop.0002_price (down): ALTER TABLE \"shop_product\" DROP COLUMN \"price\" CASCADE\n")
}

func TestAttributeAlembic(t *testing.T) {
	stmts := []capture.Statement{
		q("select pg_catalog.version()"),
		q("select current_schema()"),
		q("show standard_conforming_strings"),
		q("BEGIN"),
		q("select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='alembic_version'"),
		q("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"),
		q("CREATE TABLE users (id SERIAL NOT NULL, email VARCHAR, PRIMARY KEY (id))"),
		q("INSERT INTO alembic_version (version_num) VALUES ('0001') RETURNING alembic_version.version_num"),
		q("ALTER TABLE users ADD COLUMN name VARCHAR"),
		q("UPDATE alembic_version SET version_num='0002' WHERE alembic_version.version_num = '0001'"),
		q("ALTER TABLE users DROP COLUMN email"),
		failed(q("ALTER TABLE nope ADD COLUMN x int"), `relation "nope" does not exist`),
		q("ROLLBACK"),
	}
	// One transaction for all revisions: the failure rolls back all.
	check(t, capture.Attribute(stmts, capture.AttributeOptions{}), `0001 (rolled back): CREATE TABLE users (id SERIAL NOT NULL, email VARCHAR, PRIMARY KEY (id))
0002 (rolled back): ALTER TABLE users ADD COLUMN name VARCHAR
? (unrecorded, rolled back, failed: relation "nope" does not exist): ALTER TABLE users DROP COLUMN email | ALTER TABLE nope ADD COLUMN x int !!
`)
}

func TestAttributeKnex(t *testing.T) {
	stmts := []capture.Statement{
		x(`select * from information_schema.tables where table_name = $1 and table_schema = current_schema()`, "knex_migrations"),
		q(`create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz)`),
		x(`select * from information_schema.tables where table_name = $1 and table_schema = current_schema()`, "knex_migrations_lock"),
		q(`create table "knex_migrations_lock" ("index" serial primary key, "is_locked" integer)`),
		q(`select * from "knex_migrations_lock"`),
		x(`insert into "knex_migrations_lock" ("is_locked") values ($1)`, "0"),
		q(`select "name" from "knex_migrations" order by "id" asc`),
		q("BEGIN;"),
		x(`update "knex_migrations_lock" set "is_locked" = $1 where "is_locked" = $2`, "1", "0"),
		q("COMMIT;"),
		q(`select max("batch") as "max_batch" from "knex_migrations"`),
		q("BEGIN;"),
		q(`create table "users" ("id" bigserial primary key, "email" varchar(255))`),
		x(`insert into "knex_migrations" ("batch", "migration_time", "name") values ($1, $2, $3)`, "1", "2024-01-01T00:00:00.000Z", "20240101_users.js"),
		q("COMMIT;"),
		q("BEGIN;"),
		q(`alter table "users" add column "name" varchar(255)`),
		x(`insert into "knex_migrations" ("batch", "migration_time", "name") values ($1, $2, $3)`, "1", "2024-01-01T00:00:01.000Z", "20240102_name.js"),
		q("COMMIT;"),
		x(`update "knex_migrations_lock" set "is_locked" = $1`, "0"),
	}
	check(t, capture.Attribute(stmts, capture.AttributeOptions{}), `20240101_users.js: create table "users" ("id" bigserial primary key, "email" varchar(255))
20240102_name.js: alter table "users" add column "name" varchar(255)
`)
}

func TestAttributeTypeORMAndSequelize(t *testing.T) {
	stmts := []capture.Statement{
		q(`SELECT * FROM current_schema()`),
		q(`SELECT version()`),
		x(`SELECT * FROM "information_schema"."tables" WHERE "table_schema" = $1 AND "table_name" = $2`, "public", "migrations"),
		q(`CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"))`),
		q(`SELECT * FROM "migrations" "migrations" ORDER BY "id" DESC`),
		q("START TRANSACTION"),
		q(`CREATE TABLE "post" ("id" SERIAL NOT NULL, "title" character varying NOT NULL)`),
		x(`INSERT INTO "migrations"("timestamp", "name") VALUES ($1, $2)`, "1700000000000", "CreatePost1700000000000"),
		q("COMMIT"),
		q(`CREATE TABLE IF NOT EXISTS "SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE , PRIMARY KEY ("name"));`),
		q(`ALTER TABLE "post" ADD "body" text`),
		x(`INSERT INTO "SequelizeMeta" ("name") VALUES ($1) RETURNING "name";`, "20240101-add-body.js"),
	}
	check(t, capture.Attribute(stmts, capture.AttributeOptions{}), `CreatePost1700000000000: CREATE TABLE "post" ("id" SERIAL NOT NULL, "title" character varying NOT NULL)
20240101-add-body.js: ALTER TABLE "post" ADD "body" text
`)
}

// golang-migrate writes the version with dirty = true before a migration
// and dirty = false after it, and sends a file as one multi-statement
// query (one implicit transaction: a failure rolls back the file).
func TestAttributeGolangMigrateDirty(t *testing.T) {
	set := func(v, dirty string) []capture.Statement {
		return []capture.Statement{
			q("BEGIN"),
			q(`TRUNCATE "public"."schema_migrations"`),
			x(`INSERT INTO "public"."schema_migrations" (version, dirty) VALUES ($1, $2)`, v, dirty),
			q("COMMIT"),
		}
	}
	var stmts []capture.Statement
	stmts = append(stmts,
		q("SELECT CURRENT_DATABASE()"), q("SELECT CURRENT_SCHEMA()"),
		x("SELECT pg_advisory_lock($1)", "1234"),
		x("SELECT COUNT(1) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 LIMIT 1", "public", "schema_migrations"),
		q(`CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null)`),
		q(`SELECT version, dirty FROM "public"."schema_migrations" LIMIT 1`))
	stmts = append(stmts, set("1", "t")...)
	stmts = append(stmts, q("CREATE TABLE users (id int);\nCREATE INDEX users_id ON users (id);\n", "CREATE TABLE", "CREATE INDEX"))
	stmts = append(stmts, set("1", "f")...)
	stmts = append(stmts, set("2", "t")...)
	bad := q("ALTER TABLE users ADD COLUMN email text;\nALTER TABLE users ADD COLUMN team_id int REFERENCES teams (id);\nALTER TABLE users ADD COLUMN z int;", "ALTER TABLE")
	bad.Failed, bad.Error, bad.Position = true, `relation "teams" does not exist`, 0
	stmts = append(stmts, bad, x("SELECT pg_advisory_unlock($1)", "1234"))
	got := capture.Attribute(stmts, capture.AttributeOptions{})
	check(t, got, `1: CREATE TABLE users (id int) | CREATE INDEX users_id ON users (id)
2 (unrecorded, rolled back, failed: relation "teams" does not exist): ALTER TABLE users ADD COLUMN email text | ALTER TABLE users ADD COLUMN team_id int REFERENCES teams (id) !!
`)
	if len(got) == 2 && (got[1].Table != "schema_migrations" || !reflect.DeepEqual(got[0].Statements[1].Tags, []string{"CREATE INDEX"})) {
		t.Errorf("table %q, tags %q", got[1].Table, got[0].Statements[1].Tags)
	}
}

func TestAttributeFlywayGooseAndPrisma(t *testing.T) {
	stmts := []capture.Statement{
		q(`SELECT pg_try_advisory_xact_lock(77431708279161)`),
		q(`CREATE TABLE "public"."flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL)`),
		q(`ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")`),
		q(`CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success")`),
		q(`CREATE TABLE accounts (id bigint PRIMARY KEY)`),
		x(`INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			"1", "1", "accounts", "SQL", "V1__accounts.sql", "123", "postgres", "5", "t"),
		q(`CREATE OR REPLACE VIEW account_ids AS SELECT id FROM accounts`),
		x(`INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			"2", "NULL", "views", "SQL", "R__views.sql", "456", "postgres", "5", "t"),
		// goose (binary int8 and bool decoded by the proxy).
		q(`CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id))`),
		x(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, $2)`, "0", "t"),
		q("CREATE TABLE teams (id int)"),
		x(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, $2)`, "20240101120000", "t"),
		// Prisma inserts its row before and updates it after.
		x(`INSERT INTO "_prisma_migrations" ("id","checksum","migration_name","started_at","applied_steps_count") VALUES ($1,$2,$3,now(),0)`, "uuid-1", "abc", "20240101_init"),
		q("CREATE TABLE \"Post\" (\"id\" SERIAL NOT NULL);\nCREATE INDEX \"Post_id\" ON \"Post\"(\"id\");", "CREATE TABLE", "CREATE INDEX"),
		x(`UPDATE "_prisma_migrations" SET "finished_at" = now(), "applied_steps_count" = "applied_steps_count" + 1 WHERE "id" = $1`, "uuid-1"),
		x(`INSERT INTO "_prisma_migrations" ("id","checksum","migration_name","started_at","applied_steps_count") VALUES ($1,$2,$3,now(),0)`, "uuid-2", "def", "20240102_more"),
		failed(q(`ALTER TABLE "Post" ADD COLUMN "x" nope`), `type "nope" does not exist`),
	}
	check(t, capture.Attribute(stmts, capture.AttributeOptions{}), `1: CREATE TABLE accounts (id bigint PRIMARY KEY)
R__views.sql: CREATE OR REPLACE VIEW account_ids AS SELECT id FROM accounts
20240101120000: CREATE TABLE teams (id int)
20240101_init: CREATE TABLE "Post" ("id" SERIAL NOT NULL) | CREATE INDEX "Post_id" ON "Post"("id")
20240102_more (unrecorded, failed: type "nope" does not exist): ALTER TABLE "Post" ADD COLUMN "x" nope !!
`)
}

func TestAttributeOptions(t *testing.T) {
	stmts := []capture.Statement{
		q("CREATE TABLE IF NOT EXISTS app_versions (v text PRIMARY KEY)"),
		q("CREATE TABLE my_lock (held bool)"),
		q("UPDATE my_lock SET held = true"),
		q("CREATE TABLE a (id int)"),
		q("INSERT INTO app_versions VALUES ('42')"),
		// A user table that happens to be called migrations.
		q("CREATE TABLE b (id int)"),
		q("INSERT INTO migrations (name) VALUES ('not a version')"),
		q("CREATE TABLE c (id int)"),
		q("INSERT INTO app_versions (v) VALUES ('43'), ('44')"),
		// Trailing SETs alone are the tool's; pg_dump's session is ignored.
		q("SET search_path TO public"),
		{Conn: 2, Application: "pg_dump", SQL: "LOCK TABLE public.a IN ACCESS SHARE MODE"},
	}
	got := capture.Attribute(stmts, capture.AttributeOptions{Only: true, Tables: []capture.VersionTable{{Name: "app_versions"}}, ToolTables: []string{"my_lock"}})
	check(t, got, `42: CREATE TABLE a (id int)
44: CREATE TABLE b (id int) | INSERT INTO migrations (name) VALUES ('not a version') | CREATE TABLE c (id int)
`)
	if len(got) == 2 && !reflect.DeepEqual(got[1].Versions, []string{"43", "44"}) {
		t.Errorf("versions %q", got[1].Versions)
	}
}

func TestSplit(t *testing.T) {
	s := q("CREATE TABLE a (id int);\n  CREATE TABLE b (id int, x nope);\nCREATE TABLE c (id int);", "CREATE TABLE")
	s.Failed, s.Error, s.Code, s.Position = true, `type "nope" does not exist`, "42704", 54
	got := capture.Split([]capture.Statement{
		q("-- only a comment"),
		s,
		{SQL: "SELECT 1", Extended: true, Skipped: true},
		{SQL: "SELEC oops", Failed: true, Error: "syntax error"},
		{SQL: "SELECT 1; SELECT 2", Tags: []string{"SELECT 1"}, Pending: true},
	})
	var lines []string
	for _, g := range got {
		lines = append(lines, fmt.Sprintf("%q %q failed=%v pos=%d pending=%v", g.SQL, g.Tags, g.Failed, g.Position, g.Pending))
	}
	want := []string{
		`"CREATE TABLE a (id int)" ["CREATE TABLE"] failed=false pos=0 pending=false`,
		`"CREATE TABLE b (id int, x nope)" [] failed=true pos=27 pending=false`,
		`"SELEC oops" [] failed=true pos=0 pending=false`,
		`"SELECT 1" ["SELECT 1"] failed=false pos=0 pending=false`,
		`"SELECT 2" [] failed=false pos=0 pending=true`,
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestSplitRollbacks(t *testing.T) {
	conn2 := func(s capture.Statement) capture.Statement { s.Conn = 2; return s }
	in := []capture.Statement{
		q("CREATE TABLE auto (id int)"),
		q("BEGIN"),
		q("CREATE TABLE kept (id int)"),
		q("SAVEPOINT a"),
		conn2(q("CREATE TABLE other (id int)")), // another session: untouched
		q("CREATE TABLE undone_to_a (id int)"),
		failed(q("CREATE TABLE kept (id int)"), "already exists"),
		q("ROLLBACK TO SAVEPOINT a"),
		q("CREATE TABLE after_a (id int)"),
		q("COMMIT AND CHAIN"),
		q("CREATE TABLE in_chain (id int)"),
		failed(q("SELECT 1/0"), "division by zero"),
		q("COMMIT", "ROLLBACK"), // a failed transaction's COMMIT rolls back
		q("CREATE TABLE x (id int); CREATE TABLE y (id int); SELECT 1/0; CREATE TABLE z (id int)", "CREATE TABLE", "CREATE TABLE"),
		conn2(q("BEGIN")),
		conn2(q("CREATE TABLE never_committed (id int)")),
	}
	in[13].Failed, in[13].Error = true, "division by zero"
	var got []string
	for _, s := range capture.Split(in) {
		if s.RolledBack {
			got = append(got, s.SQL)
		}
	}
	want := []string{"CREATE TABLE undone_to_a (id int)", "CREATE TABLE in_chain (id int)", "CREATE TABLE x (id int)", "CREATE TABLE y (id int)", "CREATE TABLE never_committed (id int)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rolled back:\n got %q\nwant %q", got, want)
	}
}
