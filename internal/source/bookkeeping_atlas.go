package source

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Atlas's migrate apply keeps a row per applied file in
// atlas_schema_revisions (cmd/atlas/internal/migrate/ent/schema). It takes
// the files after the newest revision as pending, fails on a file between
// the first and the newest revision that has no row ("history
// non-linear"), and ignores revisions without a file: every applied
// migration is recorded, fully applied (applied = total), with its hash
// from the release's atlas.sum ("" for a migration the release lacks:
// apply compares hashes only of a partly applied revision). Atlas keeps the table in the
// atlas_schema_revisions schema when its URL names no schema, and in the
// URL's schema when it does (search_path=public): the table is written in
// both places, the second as the first schema of the search path.

func (Atlas) ToolTables() []string { return []string{"atlas_schema_revisions"} }

func (Atlas) Bookkeeping(dir string, _, applied []Migration, fsys fs.FS) ([]Statement, error) {
	sums, err := atlasSums(fsys, dir)
	if err != nil {
		return nil, err
	}
	var s stmts
	s.add(`CREATE SCHEMA IF NOT EXISTS atlas_schema_revisions`)
	for _, table := range []string{"atlas_schema_revisions.atlas_schema_revisions", "atlas_schema_revisions"} {
		// The ent schema's columns as ent creates them on PostgreSQL.
		s.add(`CREATE TABLE IF NOT EXISTS ` + table + ` (
	version character varying NOT NULL PRIMARY KEY,
	description character varying NOT NULL,
	type bigint NOT NULL DEFAULT 2,
	applied bigint NOT NULL DEFAULT 0,
	total bigint NOT NULL DEFAULT 0,
	executed_at timestamp with time zone NOT NULL,
	execution_time bigint NOT NULL,
	error text NULL,
	error_stmt text NULL,
	hash character varying NOT NULL,
	partial_hashes jsonb NULL,
	operator_version character varying NOT NULL)`)
		s.add(`DELETE FROM ` + table + ` WHERE version <> '.atlas_cloud_identifier'`)
		for _, m := range ofFormat("atlas", applied) {
			if m.Kind == Checkpoint {
				continue // never run on a database with history
			}
			n := 1
			if b, err := fs.ReadFile(fsys, m.Path); err == nil {
				if f, err := sqltext.Parse(b, sqltext.Options{}); err == nil && len(f.Statements) > 0 {
					n = len(f.Statements)
				}
			}
			// type 2 is migrate.RevisionTypeExecute.
			s.add(`INSERT INTO `+table+` (version, description, type, applied, total, executed_at, execution_time, hash, operator_version)
	VALUES ($1, $2, 2, $3, $3, now(), 0, $4, 'Atlas CLI (phasegate)') ON CONFLICT (version) DO NOTHING`, m.Version, m.Name, n, sums[path.Base(m.Path)])
		}
	}
	return s, nil
}

// atlasSums reads the file hashes of dir's atlas.sum.
func atlasSums(fsys fs.FS, dir string) (map[string]string, error) {
	b, err := fs.ReadFile(fsys, join(dir, AtlasSumFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", join(dir, AtlasSumFile), err)
	}
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if name, sum, ok := strings.Cut(sc.Text(), " "); ok {
			sums[name] = strings.TrimPrefix(sum, "h1:") // as migrate.HashFile.SumByName gives it
		}
	}
	return sums, sc.Err()
}
