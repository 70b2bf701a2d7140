package compat

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/source"
)

// TestRunnerRendersPopTemplates: the built-in runner applies pop's
// migrations as pop does, rendered with the project's template options,
// and a statement PostgreSQL refuses is reported in the template as
// written.
func TestRunnerRendersPopTemplates(t *testing.T) {
	ctx := context.Background()
	db, err := shared.Create(ctx, "pop_templates", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Drop(ctx, db)
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	fsys := fstest.MapFS{
		"migrations/20240101000000_users.up.sql": {Data: []byte("CREATE SCHEMA {{ index .Options \"Namespace\" }};\n" +
			"CREATE TABLE {{ index .Options \"Namespace\" }}.users (id bigint PRIMARY KEY, email text);\n")},
		"migrations/20240102000000_bad.up.sql": {Data: []byte("ALTER TABLE {{ .Options.Namespace }}.users\n  ADD COLUMN {{ .Options.Namespace }}_nick nope_type;\n")},
	}
	format := source.Settings{TemplateOptions: map[string]string{"Namespace": "auth"}}.Apply(source.Pop{})
	list, err := format.List(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Load(fsys, format, list)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Runner{}).Apply(ctx, conn, ms[:1]); err != nil {
		t.Fatal(err)
	}
	var reg *string
	if err := conn.QueryRow(ctx, "SELECT to_regclass('auth.users')::text").Scan(&reg); err != nil || reg == nil {
		t.Fatalf("auth.users was not created (%v)", err)
	}
	err = (Runner{}).Apply(ctx, conn, ms[1:])
	var me *MigrationError
	// "nope_type" is at line 2, column 44 of the template; in the rendered
	// SQL it is elsewhere.
	if !errors.As(err, &me) || me.Pos.Line != 2 || me.Pos.Column != 44 || me.SQLState != "42704" {
		t.Fatalf("error %v, want one at 2:44 of the template", err)
	}
}
