package ormsql

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMatchFile(t *testing.T) {
	files := []string{
		"db/migrate/20240101120000_create_users.rb",
		"db/migrate/20240102120000_add_name.rb",
		"src/migrations/1700000000000-AddIndex.ts",
		"accounts/migrations/0002_display_name.py",
		"knex/20240103_rename.js",
	}
	for version, want := range map[string]string{
		"20240101120000":             "db/migrate/20240101120000_create_users.rb", // Rails
		"AddIndex1700000000000":      "src/migrations/1700000000000-AddIndex.ts",  // TypeORM
		"accounts.0002_display_name": "accounts/migrations/0002_display_name.py",  // Django
		"20240103_rename.js":         "knex/20240103_rename.js",                   // Knex
		"20991231000000":             "",
		"2024":                       "", // names several files: no guess
		"":                           "",
	} {
		if got := matchFile(version, files); got != want {
			t.Errorf("matchFile(%q) = %q, want %q", version, got, want)
		}
	}
}

func TestDjangoSettings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "manage.py"), []byte("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"), 0o644)
	if got := djangoSettings(dir); got != "shop.settings" {
		t.Errorf("djangoSettings = %q", got)
	}
	if got := djangoSettings(t.TempDir()); got != "" {
		t.Errorf("without manage.py: %q", got)
	}
}
