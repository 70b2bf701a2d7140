package source

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Liquibase keeps a row per changeset it ran in databasechangelog,
// identified by id, author and file name, with the changeset's checksum
// in MD5SUM. update skips a changeset whose row is there and whose
// checksum matches, fails on one whose checksum differs (validation), and
// ignores rows without a changeset: every changeset of every applied
// changelog is recorded, with the checksum of the release's version of
// the file (the applied version where the release lacks it).
//
// The checksum is Liquibase 4.22+'s (checksum version 9): the changeset's
// SQL is what its formatted SQL parser keeps (its lines up to the next
// changeset, without the --comment, --rollback, --validCheckSum,
// --precondition lines, /* liquibase rollback */ blocks and ignored
// lines); the change's checksum is the MD5 of that SQL with every space,
// tab, \r and \n removed (AbstractSQLChange.NormalizingStream), and the
// changeset's is the MD5 of "9:<change's>:" (ChangeSet.generateCheckSum),
// written "9:<hex>". Liquibase 3.5 to 4.21 (version 8) reads a "9:"
// checksum as from a newer release and refuses it. ${property}
// substitution is not done.
//
// FILENAME is the changelog's path as Liquibase names it: its
// logicalFilePath when the header or the changeset sets one, else the path
// from the repository root with a leading src/main/resources/ dropped (the
// classpath root of a Maven or Gradle project), which is what an
// includeAll from a changelog run at the repository root, or from the
// classpath, records.

func (Liquibase) VersionTables() []VersionTable {
	return []VersionTable{{Name: "databasechangelog", Columns: []string{"filename+id+author"}, Sep: "::", Tool: "Liquibase"}}
}

func (f Liquibase) ToolTables() []string {
	return tableNames(f.VersionTables(), "databasechangeloglock")
}

func (Liquibase) Bookkeeping(_ string, _, applied []Migration, fsys fs.FS) ([]Statement, error) {
	var s stmts
	// liquibase-standard CreateDatabaseChangeLogTableGenerator, as
	// PostgreSQL folds its unquoted names.
	s.add(`CREATE TABLE IF NOT EXISTS databasechangelog (
	id VARCHAR(255) NOT NULL,
	author VARCHAR(255) NOT NULL,
	filename VARCHAR(255) NOT NULL,
	dateexecuted TIMESTAMP NOT NULL,
	orderexecuted INTEGER NOT NULL,
	exectype VARCHAR(10) NOT NULL,
	md5sum VARCHAR(35),
	description VARCHAR(255),
	comments VARCHAR(255),
	tag VARCHAR(255),
	liquibase VARCHAR(20),
	contexts VARCHAR(255),
	labels VARCHAR(255),
	deployment_id VARCHAR(10))`)
	s.add(`DELETE FROM databasechangelog`)
	order := 0
	for _, m := range ofFormat("liquibase", applied) {
		src, err := fs.ReadFile(fsys, m.Path)
		if err != nil {
			return nil, fmt.Errorf("checksum of %s: %w", m.Path, err)
		}
		changesets, err := LiquibaseRecords(m.Path, src)
		if err != nil {
			return nil, err
		}
		for _, c := range changesets {
			if !c.Postgres {
				continue // not run on PostgreSQL, not recorded
			}
			order++
			s.add(`INSERT INTO databasechangelog (id, author, filename, dateexecuted, orderexecuted, exectype, md5sum, description, comments, liquibase, deployment_id)
	VALUES ($1, $2, $3, now(), $4, 'EXECUTED', $5, 'sql', $6, '4.29.2', '0000000000')`, c.ID, c.Author, c.File, order, c.CheckSum, c.Comment)
		}
	}
	return s, nil
}

// LiquibaseRecord is one changeset of a formatted SQL changelog, as
// Liquibase records it when it runs it.
type LiquibaseRecord struct {
	ID, Author, File, Comment string
	// Postgres is false for a changeset whose dbms: excludes PostgreSQL.
	Postgres bool
	// SQL is the changeset's SQL as the parser keeps it.
	SQL string
	// CheckSum is the checksum Liquibase 4.22+ records ("9:...").
	CheckSum string
	// Line is the changeset line's number.
	Line int
}

var (
	lbChangeset   = lazyRegexp(`(?i)^\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*$`)
	lbComment     = lazyRegexp(`(?i)^--[\s]*comment:? (.*)$`)
	lbRollback    = lazyRegexp(`(?i)^\s*--[\s]*rollback (.*)$`)
	lbValidSum    = lazyRegexp(`(?i)^--[\s]*validCheckSum:? (.*)$`)
	lbPrecond     = lazyRegexp(`(?i)^\s*--[\s]*(preconditions.*|precondition-[a-zA-Z0-9-]+( .*)?)$`)
	lbProperty    = lazyRegexp(`(?i)^\s*--[\s]*property\s+(.*:.*)\s+(.*:.*).*$`)
	lbIgnoreLines = lazyRegexp(`(?i)^--[\s]*ignoreLines:(\w+)$`)
	lbRbStart     = lazyRegexp(`(?i)^\s*/\*\s*liquibase\s*rollback\s*$`)
	lbRbEnd       = lazyRegexp(`^.*\s*\*/\s*$`)
	lbLogicalPath = lazyRegexp(`(?i)^.*logicalFilePath:(\S*).*$`)
	lbDbms        = lazyRegexp(`(?i)^.*dbms:([^,][\w!,]+).*$`)
)

// LiquibaseRecords reads the changesets of the formatted SQL changelog
// at p, as Liquibase's formatted SQL parser does
// (AbstractFormattedChangeLogParser), and computes their checksums.
func LiquibaseRecords(p string, src []byte) ([]LiquibaseRecord, error) {
	file := strings.TrimPrefix(p, "src/main/resources/")
	var out []LiquibaseRecord
	var cur *LiquibaseRecord
	var sql []string
	finish := func() {
		if cur != nil {
			cur.SQL = strings.TrimSpace(strings.Join(sql, "\n"))
			cur.CheckSum = liquibaseCheckSum(cur.SQL)
			out = append(out, *cur)
		}
		sql = nil
	}
	ls := strings.Split(strings.ReplaceAll(strings.ReplaceAll(string(src), "\r\n", "\n"), "\r", "\n"), "\n")
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		if i == 0 {
			l = strings.TrimPrefix(l, "\uFEFF")
			if liquibaseHeader().MatchString(l) {
				if m := lbLogicalPath().FindStringSubmatch(l); m != nil && m[1] != "" {
					file = m[1]
				}
			}
		}
		if lbProperty().MatchString(l) {
			continue
		}
		if m := lbIgnoreLines().FindStringSubmatch(l); m != nil {
			if strings.EqualFold(m[1], "start") {
				for i++; i < len(ls); i++ {
					if e := lbIgnoreLines().FindStringSubmatch(ls[i]); e != nil && strings.EqualFold(e[1], "end") {
						break
					}
				}
			} else if n, err := strconv.Atoi(m[1]); err == nil {
				i += n
			}
			continue
		}
		if m := lbChangeset().FindStringSubmatch(l); m != nil {
			finish()
			c := LiquibaseRecord{Author: strings.Trim(m[1], `"`), ID: strings.Trim(m[2], `"`), File: file, Postgres: true, Line: i + 1}
			if lp := lbLogicalPath().FindStringSubmatch(l); lp != nil && lp[1] != "" {
				c.File = lp[1]
			}
			if d := lbDbms().FindStringSubmatch(l); d != nil {
				c.Postgres = forPostgres(d[1])
			}
			cur = &c
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case lbComment().MatchString(l):
			cur.Comment = lbComment().FindStringSubmatch(l)[1]
		case lbValidSum().MatchString(l), lbRollback().MatchString(l), lbPrecond().MatchString(l):
		case lbRbStart().MatchString(l):
			for i++; i < len(ls) && !lbRbEnd().MatchString(ls[i]); i++ {
			}
			if i >= len(ls) {
				return nil, fmt.Errorf("%s:%d: liquibase rollback comment is not closed", p, cur.Line)
			}
		default:
			sql = append(sql, l)
		}
	}
	finish()
	return out, nil
}

// liquibaseCheckSum is a formatted SQL changeset's checksum, version 9.
func liquibaseCheckSum(sql string) string {
	stripped := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, sql)
	changeset := md5.Sum([]byte(liquibaseChangeCheckSum(stripped) + ":"))
	return "9:" + hex.EncodeToString(changeset[:])
}

// liquibaseChangeCheckSum is the checksum of the changeset's one change,
// its SQL with the whitespace already removed: "9:<md5>".
func liquibaseChangeCheckSum(stripped string) string {
	sum := md5.Sum([]byte(stripped))
	return "9:" + hex.EncodeToString(sum[:])
}
