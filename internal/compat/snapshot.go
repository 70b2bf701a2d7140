package compat

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
)

// Snapshot is the catalog of a database, read from pg_catalog: what the
// previous release can see.
type Snapshot struct {
	Relations map[uint32]Relation   // by oid: tables, views, materialized views, sequences
	Columns   map[colKey]Column     // by (table oid, attnum)
	Indexes   map[uint32]Index      // by index oid
	Checks    map[string]Constraint // by "table oid/name"
	Functions map[uint32]Function
	Enums     map[uint32]EnumLabel // by pg_enum oid
}

type colKey struct {
	Rel uint32
	Num int16
}

// Relation is a table-like object.
type Relation struct {
	OID    uint32
	Schema string
	Name   string
	Kind   string // r table, p partitioned table, v view, m materialized view, f foreign table, S sequence
}

// Column is a column of a relation.
type Column struct {
	Rel      uint32
	Num      int16
	Name     string
	Type     string
	NotNull  bool
	Default  string
	Identity string
}

// Index is an index.
type Index struct {
	OID    uint32
	Rel    uint32
	Name   string
	Unique bool
	Def    string
}

// Constraint is a table constraint.
type Constraint struct {
	Rel       uint32
	Name      string
	Type      string // c check, f foreign key, p primary key, u unique, x exclusion
	Def       string
	Validated bool
}

// Function is a function or procedure.
type Function struct {
	OID    uint32
	Schema string
	Name   string
	Args   string
}

// EnumLabel is one label of an enum type.
type EnumLabel struct {
	OID   uint32
	Type  string
	Label string
}

const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'`

// TakeSnapshot reads the catalog of the database conn is connected to.
func TakeSnapshot(ctx context.Context, conn *pgx.Conn) (*Snapshot, error) {
	s := &Snapshot{Relations: map[uint32]Relation{}, Columns: map[colKey]Column{}, Indexes: map[uint32]Index{},
		Checks: map[string]Constraint{}, Functions: map[uint32]Function{}, Enums: map[uint32]EnumLabel{}}
	q := func(sql string, scan func(pgx.Rows) error) error {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return fmt.Errorf("read catalog: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("read catalog: %w", err)
			}
		}
		return rows.Err()
	}
	err := q(`SELECT c.oid, n.nspname, c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r','p','v','m','f','S') AND `+userSchemas, func(r pgx.Rows) error {
		var rel Relation
		if err := r.Scan(&rel.OID, &rel.Schema, &rel.Name, &rel.Kind); err != nil {
			return err
		}
		if !isToolTable(rel.Schema, rel.Name) {
			s.Relations[rel.OID] = rel
		}
		return nil
	})
	if err == nil {
		err = q(`SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f') AND `+userSchemas, func(r pgx.Rows) error {
			var c Column
			if err := r.Scan(&c.Rel, &c.Num, &c.Name, &c.Type, &c.NotNull, &c.Default, &c.Identity); err != nil {
				return err
			}
			if _, ok := s.Relations[c.Rel]; ok {
				s.Columns[colKey{c.Rel, c.Num}] = c
			}
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT i.indexrelid, i.indrelid, ic.relname, i.indisunique, pg_get_indexdef(i.indexrelid)
			FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE `+userSchemas, func(r pgx.Rows) error {
			var ix Index
			if err := r.Scan(&ix.OID, &ix.Rel, &ix.Name, &ix.Unique, &ix.Def); err != nil {
				return err
			}
			if _, ok := s.Relations[ix.Rel]; ok {
				s.Indexes[ix.OID] = ix
			}
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT co.conrelid, co.conname, co.contype::text, pg_get_constraintdef(co.oid), co.convalidated
			FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE co.conrelid <> 0 AND `+userSchemas, func(r pgx.Rows) error {
			var c Constraint
			if err := r.Scan(&c.Rel, &c.Name, &c.Type, &c.Def, &c.Validated); err != nil {
				return err
			}
			if _, ok := s.Relations[c.Rel]; ok {
				s.Checks[fmt.Sprint(c.Rel, "/", c.Name)] = c
			}
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
			JOIN pg_namespace n ON n.oid = p.pronamespace WHERE `+userSchemas+` AND NOT EXISTS
			(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`, func(r pgx.Rows) error {
			var f Function
			if err := r.Scan(&f.OID, &f.Schema, &f.Name, &f.Args); err != nil {
				return err
			}
			s.Functions[f.OID] = f
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT e.oid, format_type(e.enumtypid, NULL), e.enumlabel FROM pg_enum e`, func(r pgx.Rows) error {
			var l EnumLabel
			if err := r.Scan(&l.OID, &l.Type, &l.Label); err != nil {
				return err
			}
			s.Enums[l.OID] = l
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// relName is a relation's name as users write it.
func (s *Snapshot) relName(oid uint32) string {
	r, ok := s.Relations[oid]
	if !ok {
		return fmt.Sprint(oid)
	}
	if r.Schema == "public" {
		return r.Name
	}
	return r.Schema + "." + r.Name
}

// Change is one thing the migrations removed, renamed or narrowed that
// existed in the previous schema.
type Change struct {
	// Object is the object as the previous release names it: "users",
	// "users.name", "function touch(integer)", "enum mood 'ok'".
	Object string `json:"object"`
	// Kind is table, view, column, index, constraint, function, enum label,
	// sequence.
	Kind string `json:"kind"`
	// Change is removed, renamed or narrowed; or, for what the new code
	// needs before the deferred contract provides it, missing.
	Change string `json:"change"`
	// Detail says what happened ("renamed to full_name", "varchar(255) →
	// varchar(50)").
	Detail string `json:"detail,omitempty"`
	// Where is the statement that did it (path:line), when phasegate can tell.
	Where string `json:"where,omitempty"`
	// Coverage says how the previous release's tests used the object in
	// the compat scenario (nil when it was not recorded).
	Coverage *Coverage `json:"coverage,omitempty"`
	// names are the words the previous release's errors would mention:
	// the object's name, then the table of a column or constraint, or the
	// type of an enum label.
	names []string
	// newType is a narrowed column's new type, as format_type writes it.
	newType string
}

var kindNames = map[string]string{"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table", "S": "sequence"}

// Diff lists what next removed, renamed or narrowed of prev. Because the
// next database is a clone of the previous one (CREATE DATABASE ...
// TEMPLATE), objects keep their oids and column numbers, which tells a
// rename from a drop.
func Diff(prev, next *Snapshot) []Change {
	var out []Change
	for oid, r := range prev.Relations {
		kind := kindNames[r.Kind]
		n, ok := next.Relations[oid]
		switch {
		case !ok:
			out = append(out, Change{Object: prev.relName(oid), Kind: kind, Change: "removed", names: []string{r.Name}})
			continue
		case n.Name != r.Name || n.Schema != r.Schema:
			out = append(out, Change{Object: prev.relName(oid), Kind: kind, Change: "renamed", Detail: "renamed to " + next.relName(oid), names: []string{r.Name}})
		}
	}
	for k, c := range prev.Columns {
		if _, ok := next.Relations[k.Rel]; !ok {
			continue // the whole relation went
		}
		obj := prev.relName(c.Rel) + "." + c.Name
		names := []string{c.Name, prev.Relations[c.Rel].Name}
		n, ok := next.Columns[k]
		switch {
		case !ok:
			out = append(out, Change{Object: obj, Kind: "column", Change: "removed", names: names})
		case n.Name != c.Name:
			out = append(out, Change{Object: obj, Kind: "column", Change: "renamed", Detail: "renamed to " + n.Name, names: names})
		case n.Type != c.Type:
			out = append(out, Change{Object: obj, Kind: "column", Change: "narrowed", Detail: "type " + c.Type + " → " + n.Type, names: names, newType: n.Type})
		case n.NotNull && !c.NotNull:
			out = append(out, Change{Object: obj, Kind: "column", Change: "narrowed", Detail: "now NOT NULL", names: names})
		case c.Default != "" && n.Default == "":
			out = append(out, Change{Object: obj, Kind: "column", Change: "narrowed", Detail: "default " + c.Default + " dropped", names: names})
		}
	}
	for oid, ix := range prev.Indexes {
		if _, ok := next.Relations[ix.Rel]; !ok || !ix.Unique {
			continue
		}
		if _, ok := next.Indexes[oid]; !ok {
			out = append(out, Change{Object: ix.Name, Kind: "unique index", Change: "removed", Detail: "on " + prev.relName(ix.Rel), names: []string{ix.Name}})
		}
	}
	for key, c := range next.Checks {
		if _, existed := prev.Relations[c.Rel]; !existed {
			continue
		}
		if old, ok := prev.Checks[key]; ok && old.Def == c.Def {
			continue
		}
		if c.Type == "c" || c.Type == "f" || c.Type == "u" || c.Type == "x" || c.Type == "p" {
			out = append(out, Change{Object: next.relName(c.Rel), Kind: "table", Change: "narrowed", Detail: "new constraint " + c.Name + " " + c.Def, names: []string{c.Name, prev.Relations[c.Rel].Name}})
		}
	}
	for oid, f := range prev.Functions {
		obj := "function " + f.Name + "(" + f.Args + ")"
		n, ok := next.Functions[oid]
		switch {
		case !ok:
			out = append(out, Change{Object: obj, Kind: "function", Change: "removed", names: []string{f.Name}})
		case n.Name != f.Name:
			out = append(out, Change{Object: obj, Kind: "function", Change: "renamed", Detail: "renamed to " + n.Name, names: []string{f.Name}})
		}
	}
	for oid, l := range prev.Enums {
		obj := "enum " + l.Type + " '" + l.Label + "'"
		n, ok := next.Enums[oid]
		switch {
		case !ok:
			out = append(out, Change{Object: obj, Kind: "enum label", Change: "removed", names: []string{l.Label, l.Type}})
		case n.Label != l.Label:
			out = append(out, Change{Object: obj, Kind: "enum label", Change: "renamed", Detail: "renamed to '" + n.Label + "'", names: []string{l.Label, l.Type}})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Object != out[j].Object {
			return out[i].Object < out[j].Object
		}
		return out[i].Detail < out[j].Detail
	})
	return out
}

// Added lists what next has that prev did not, under the names next
// gives it: relations and columns that are new or renamed, and new
// functions. Their Change is "missing": code that needs them fails on
// prev.
func Added(prev, next *Snapshot) []Change {
	var out []Change
	for oid, r := range next.Relations {
		if p, ok := prev.Relations[oid]; ok && p.Name == r.Name && p.Schema == r.Schema {
			continue
		}
		if r.Kind == "S" {
			continue // sequences come with the columns that use them
		}
		out = append(out, Change{Object: next.relName(oid), Kind: kindNames[r.Kind], Change: "missing", names: []string{r.Name}})
	}
	for k, c := range next.Columns {
		if p, ok := prev.Columns[k]; ok && p.Name == c.Name {
			continue
		}
		if _, ok := prev.Relations[k.Rel]; !ok {
			continue // the whole relation is new: listed above
		}
		out = append(out, Change{Object: next.relName(c.Rel) + "." + c.Name, Kind: "column", Change: "missing", names: []string{c.Name, next.Relations[c.Rel].Name}})
	}
	for oid, f := range next.Functions {
		if p, ok := prev.Functions[oid]; ok && p.Name == f.Name {
			continue
		}
		out = append(out, Change{Object: "function " + f.Name + "(" + f.Args + ")", Kind: "function", Change: "missing", names: []string{f.Name}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Object < out[j].Object })
	return out
}
