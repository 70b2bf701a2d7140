package source

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/crc32"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// Flyway keeps a row per applied migration in flyway_schema_history and
// validates it on migrate (validateOnMigrate, on by default): a row whose
// file's checksum or description differs fails, and so does a row without
// a file, unless ignoreMigrationPatterns says otherwise. Its default,
// "*:future", ignores versioned rows newer than every file; older ones are
// "missing" and fail. So the rows are, in the order they were applied:
// every applied migration the release has, with the checksum of the
// release's file, and the applied versions the release lacks that are
// newer than its newest (future, ignored). A lacked version below the
// release's newest, or a lacked repeatable migration, is left out: Flyway
// would fail on it in production unless the project ignores "*:missing",
// and phasegate checks the release's code against the schema, not
// Flyway's configuration.
//
// The checksum is Flyway's (flyway-core ChecksumCalculator): a CRC-32
// over the UTF-8 bytes of each line without its line ending (Java's
// BufferedReader.readLine splits at \n, \r and \r\n), a byte-order mark
// dropped from the first line, stored as a signed 32-bit integer.
// Repeatable migrations with placeholders are checksummed by Flyway after
// replacing them; phasegate does not replace placeholders.

func (Flyway) VersionTables() []VersionTable {
	return []VersionTable{{Name: "flyway_schema_history", Columns: []string{"version", "script"}, Tool: "Flyway"}}
}

func (f Flyway) ToolTables() []string { return tableNames(f.VersionTables()) }

func (Flyway) Bookkeeping(dir string, release, applied []Migration, fsys fs.FS) ([]Statement, error) {
	has := byPath(release)
	newest := ""
	for _, m := range release {
		if m.Format == "flyway" && m.Kind == Versioned && (newest == "" || compareFlyway(m.Version, newest) > 0) {
			newest = m.Version
		}
	}
	var s stmts
	// flyway-database-postgresql PostgreSQLDatabase.getRawCreateScript
	s.add(`CREATE TABLE IF NOT EXISTS flyway_schema_history (
	installed_rank INT NOT NULL,
	version VARCHAR(50),
	description VARCHAR(200) NOT NULL,
	type VARCHAR(20) NOT NULL,
	script VARCHAR(1000) NOT NULL,
	checksum INTEGER,
	installed_by VARCHAR(100) NOT NULL,
	installed_on TIMESTAMP NOT NULL DEFAULT now(),
	execution_time INTEGER NOT NULL,
	success BOOLEAN NOT NULL,
	CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank))`)
	s.add(`CREATE INDEX IF NOT EXISTS flyway_schema_history_s_idx ON flyway_schema_history (success)`)
	s.add(`DELETE FROM flyway_schema_history`)
	rank := 0
	for _, m := range ofFormat("flyway", applied) {
		if _, ok := has[m.Path]; !ok && (m.Kind != Versioned || newest != "" && compareFlyway(m.Version, newest) <= 0) {
			continue
		}
		b, err := fs.ReadFile(fsys, m.Path)
		if err != nil {
			return nil, fmt.Errorf("checksum of %s: %w", m.Path, err)
		}
		var version any
		if m.Kind == Versioned {
			version = m.Version
		}
		rank++
		s.add(`INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
	VALUES ($1, $2, $3, 'SQL', $4, $5, current_user, 0, true)`, rank, version, flywayDescription(m.Name), relPath(dir, m.Path), FlywayChecksum(b))
	}
	return s, nil
}

// flywayDescription is the description as Flyway stores it: at most 200
// characters, longer ones cut to 197 and "..." (AbbreviationUtils).
func flywayDescription(d string) string {
	if r := []rune(d); len(r) > 200 {
		return string(r[:197]) + "..."
	}
	return d
}

// FlywayChecksum is the checksum Flyway records for a SQL migration file.
func FlywayChecksum(src []byte) int32 {
	h := crc32.NewIEEE()
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), len(src)+1)
	sc.Split(javaLines)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			line = strings.TrimPrefix(line, "\uFEFF")
			first = false
		}
		h.Write([]byte(javaUTF8(line)))
	}
	return int32(h.Sum32())
}

// javaLines splits as Java's BufferedReader.readLine: at \n, \r or \r\n,
// with no empty last line after a final line ending.
func javaLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\r' {
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if !atEOF {
				return 0, nil, nil // a \n may follow
			}
		}
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// javaUTF8 is s as Java decodes and re-encodes it: each byte that is not
// part of valid UTF-8 becomes U+FFFD.
func javaUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // an invalid byte ranges as utf8.RuneError, U+FFFD
	}
	return b.String()
}
