package capture

import (
	"strings"
	"sync"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// What a statement holds, as attribution needs it: the relations it names,
// the functions it calls, whether it modifies rows or sets a setting.

// facts are what a statement's tree holds, found by walking all of it.
type facts struct {
	rels       []*pg.RangeVar
	funcs      []string // called functions' names, lower case
	callsUser  bool     // it calls a function not known to be a built-in without side effects
	modifies   bool     // it holds INSERT, UPDATE, DELETE or MERGE (a data-modifying WITH)
	setsConfig map[int]string
}

func collect(node *pg.Node) *facts {
	f := &facts{}
	pg.Visit(node, func(m pg.Message) bool {
		switch x := m.(type) {
		case *pg.RangeVar:
			f.rels = append(f.rels, x)
		case *pg.InsertStmt, *pg.UpdateStmt, *pg.DeleteStmt, *pg.MergeStmt:
			f.modifies = true
		case *pg.FuncCall:
			var names []string
			for _, n := range x.Funcname {
				if s, ok := n.Node.(*pg.Node_String_); ok {
					names = append(names, strings.ToLower(s.String_.Sval))
				}
			}
			if len(names) == 0 {
				f.callsUser = true
				return true
			}
			name := names[len(names)-1]
			f.funcs = append(f.funcs, name)
			if name == "set_config" {
				f.setsConfig = map[int]string{}
				if len(x.Args) > 0 {
					if v, null, ok := constOf(x.Args[0], nil); ok && !null {
						f.setsConfig[0] = v
					}
				}
				return true
			}
			qualified := len(names) > 1
			if qualified && names[0] != "pg_catalog" && names[0] != "information_schema" {
				f.callsUser = true
				return true
			}
			if !harmless(name) {
				f.callsUser = true
			}
		}
		return true
	})
	return f
}

// harmless reports whether a built-in function changes nothing (or only
// takes advisory locks, judged apart).
func harmless(name string) bool {
	if safeFuncs()[name] {
		return true
	}
	if !strings.HasPrefix(name, "pg_") {
		return false
	}
	for _, p := range []string{"pg_advisory", "pg_try_advisory", "pg_terminate", "pg_cancel", "pg_reload", "pg_rotate",
		"pg_switch", "pg_create", "pg_drop", "pg_notify", "pg_stat_reset", "pg_promote", "pg_replication_origin",
		"pg_logical_emit", "pg_import", "pg_file", "pg_read", "pg_copy", "pg_log", "pg_backup", "pg_start", "pg_stop", "pg_wal_replay"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// safeFuncs are the built-in functions known to have no side effects, as
// a set built when first needed.
var safeFuncs = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Fields(`current_database current_schema current_schemas current_user session_user current_role
		version current_setting format_type obj_description col_description shobj_description
		to_regclass to_regtype to_regnamespace to_regproc to_regprocedure to_regrole to_regoper
		quote_ident quote_literal quote_nullable format concat concat_ws lower upper length btrim ltrim rtrim replace
		split_part substring substr position strpos left right regexp_replace regexp_match regexp_matches starts_with
		array_to_string string_to_array array_agg string_agg json_agg jsonb_agg json_build_object jsonb_build_object
		row_to_json to_json to_jsonb array_length array_upper array_lower array_position array_positions cardinality
		unnest generate_series generate_subscripts count sum min max avg bool_and bool_or every bit_and bit_or
		row_number rank dense_rank coalesce nullif greatest least now statement_timestamp transaction_timestamp clock_timestamp
		has_table_privilege has_schema_privilege has_database_privilege has_column_privilege has_function_privilege
		has_sequence_privilege has_type_privilege has_any_column_privilege
		encode decode md5 txid_current txid_current_if_assigned inet_server_addr inet_server_port
		array_remove array_append array_cat string_to_table exists`) {
		out[f] = true
	}
	return out
})
