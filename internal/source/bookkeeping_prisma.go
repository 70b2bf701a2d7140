package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
)

// Prisma's migrate deploy applies every migration directory whose name has
// no row in _prisma_migrations (rows rolled back excepted), fails on a row
// that started and never finished, and ignores rows without a directory:
// every applied migration is recorded, finished. The checksum is what
// Prisma writes: the SHA-256 of migration.sql, in lower-case hex
// (schema-engine/connectors/schema-connector/src/checksum.rs); deploy does
// not compare it, migrate dev and migrate status do.

func (Prisma) VersionTables() []VersionTable {
	return []VersionTable{{Name: "_prisma_migrations", Columns: []string{"migration_name"}, OpensOnInsert: true, Tool: "Prisma"}}
}

func (f Prisma) ToolTables() []string { return tableNames(f.VersionTables()) }

func (Prisma) Bookkeeping(_ string, _, applied []Migration, fsys fs.FS) ([]Statement, error) {
	var s stmts
	s.add(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
	id VARCHAR(36) NOT NULL,
	checksum VARCHAR(64) NOT NULL,
	finished_at TIMESTAMPTZ,
	migration_name VARCHAR(255) NOT NULL,
	logs TEXT,
	rolled_back_at TIMESTAMPTZ,
	started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	applied_steps_count INTEGER NOT NULL DEFAULT 0,
	CONSTRAINT _prisma_migrations_pkey PRIMARY KEY (id))`)
	s.add(`DELETE FROM _prisma_migrations`)
	for _, m := range ofFormat("prisma", applied) {
		b, err := fs.ReadFile(fsys, m.Path)
		if err != nil {
			return nil, fmt.Errorf("checksum of %s: %w", m.Path, err)
		}
		s.add(`INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
	VALUES (gen_random_uuid()::text, $1, clock_timestamp(), $2, clock_timestamp(), 1)`, PrismaChecksum(b), path.Base(path.Dir(m.Path)))
	}
	return s, nil
}

// PrismaChecksum is the checksum Prisma records for a migration.sql.
func PrismaChecksum(script []byte) string {
	sum := sha256.Sum256(script)
	return hex.EncodeToString(sum[:])
}
