// Package stats is what production's catalog says about the size of its
// tables, without access to production: "phasegate stats" reads it from a
// database the user chooses (a replica, a staging clone) into a small file
// that is committed, and the check uses it to say how long a lock would be
// held, and to make findings on small tables advice.
//
// The file holds schema object names and numbers only: no data.
package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gopkg.in/yaml.v3"
)

// File is the stats file: when it was taken, and every table.
type File struct {
	// Taken is when the catalog was read.
	Taken time.Time `yaml:"taken" json:"taken"`
	// Source says where (the server's version, not its address).
	Source string  `yaml:"source,omitempty" json:"source,omitempty"`
	Tables []Table `yaml:"tables" json:"tables"`
}

// Table is one table's size.
type Table struct {
	Schema string `yaml:"schema" json:"schema"`
	Name   string `yaml:"name" json:"name"`
	// Rows is the planner's estimate (pg_class.reltuples; -1 when the
	// table was never analyzed).
	Rows int64 `yaml:"rows" json:"rows"`
	// Pages is pg_class.relpages; Bytes the table's heap and TOAST size,
	// and TotalBytes with its indexes.
	Pages      int64 `yaml:"pages" json:"pages"`
	Bytes      int64 `yaml:"bytes" json:"bytes"`
	TotalBytes int64 `yaml:"total_bytes" json:"total_bytes"`
	// WritesPerSecond is the rate of inserts, updates and deletes since the
	// statistics were reset (pg_stat_user_tables), when known.
	WritesPerSecond float64 `yaml:"writes_per_second,omitempty" json:"writes_per_second,omitempty"`
}

// Read takes the stats of the database conn is connected to.
func Read(ctx context.Context, conn *pgx.Conn) (*File, error) {
	f := &File{Taken: time.Now().UTC().Truncate(time.Second)}
	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return nil, fmt.Errorf("read the server version: %w", err)
	}
	f.Source = "PostgreSQL " + version
	rows, err := conn.Query(ctx, `
		SELECT n.nspname, c.relname, c.reltuples::bigint, c.relpages::bigint,
		       pg_table_size(c.oid), pg_total_relation_size(c.oid),
		       coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0),
		       coalesce(extract(epoch FROM now() - coalesce(st.stats_reset, pg_postmaster_start_time())), 0)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
		LEFT JOIN pg_stat_database st ON st.datname = current_database()
		WHERE c.relkind IN ('r', 'p', 'm')
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Table
		var writes int64
		var seconds float64
		if err := rows.Scan(&t.Schema, &t.Name, &t.Rows, &t.Pages, &t.Bytes, &t.TotalBytes, &writes, &seconds); err != nil {
			return nil, fmt.Errorf("read the catalog: %w", err)
		}
		if seconds > 0 && writes > 0 {
			t.WritesPerSecond = float64(int64(float64(writes)/seconds*100)) / 100
		}
		f.Tables = append(f.Tables, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	return f, nil
}

// Write writes the file as YAML, or JSON when format is "json".
func (f *File) Write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	}
	fmt.Fprintln(w, "# phasegate stats: table sizes of a database (names and numbers only, no data).")
	fmt.Fprintln(w, "# phasegate check reads it to estimate how long locks are held.")
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	defer enc.Close()
	return enc.Encode(f)
}

// Parse reads a stats file, YAML or JSON.
func Parse(name string, b []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s (write it with phasegate stats)", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	for i, t := range f.Tables {
		if t.Name == "" {
			return nil, fmt.Errorf("%s: table %d has no name", name, i+1)
		}
		if t.Schema == "" {
			f.Tables[i].Schema = "public"
		}
	}
	return &f, nil
}

// Load reads a stats file; a missing file is (nil, nil) when optional.
func Load(path string, optional bool) (*File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && optional {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the stats file: %w", err)
	}
	return Parse(path, b)
}

// Lookup finds a table by its name as phasegate writes relations:
// "name" for the public schema, "schema.name" otherwise.
func (f *File) Lookup(relation string) (Table, bool) {
	if f == nil {
		return Table{}, false
	}
	schema, name := "public", relation
	if i := strings.LastIndexByte(relation, '.'); i >= 0 {
		schema, name = relation[:i], relation[i+1:]
	}
	i := sort.Search(len(f.Tables), func(i int) bool {
		t := f.Tables[i]
		return t.Schema > schema || t.Schema == schema && t.Name >= name
	})
	if i < len(f.Tables) && f.Tables[i].Schema == schema && f.Tables[i].Name == name {
		return f.Tables[i], true
	}
	for _, t := range f.Tables { // a file not in order
		if t.Schema == schema && t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}
