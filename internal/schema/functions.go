package schema

import (
	"sync"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// CalledFunction returns the name of the first function a SELECT without a
// FROM clause calls for its effect (SELECT migrate_tenants()), or "". A
// SELECT that reads a table (FROM ...) computes values from its rows; the
// functions it calls are taken as the expressions they are. Aggregate and
// window calls and PostgreSQL's well-known built-in functions (IsBuiltin)
// are never counted.
func CalledFunction(s *pg.SelectStmt) string {
	if s == nil || len(s.FromClause) > 0 {
		return ""
	}
	fn := ""
	for _, t := range s.TargetList {
		pg.Walk(t, func(n *pg.Node) {
			fc := n.GetFuncCall()
			if fc == nil || fn != "" {
				return
			}
			if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil || fc.AggWithinGroup || fc.Over != nil {
				return // an aggregate or window function computes a value
			}
			if names := Names(fc.Funcname); len(names) > 0 && !IsBuiltin(names) {
				fn = names[len(names)-1]
			}
		})
	}
	return fn
}

// IsBuiltin reports whether a function name (as written: [schema.]name)
// is one of PostgreSQL's built-in functions that compute a value, read a
// setting or take a lock, and change no schema. A name qualified with a
// schema other than pg_catalog is a user's function.
func IsBuiltin(names []string) bool {
	if len(names) == 0 {
		return true
	}
	if len(names) > 1 && names[len(names)-2] != "pg_catalog" {
		return false
	}
	return builtinFunctions()[names[len(names)-1]]
}

// builtinFunctions are pg_catalog functions migrations call for their value
// or for session settings. set_config changes a setting, not the schema
// (search_path is read by the catalog); nextval and setval change a
// sequence's value, which is data.
var builtinFunctions = sync.OnceValue(func() map[string]bool {
	return nameSet(
		// aggregates (also when called without FROM)
		"count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "array_agg", "string_agg",
		"json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "bit_and", "bit_or", "bit_xor",
		"stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "mode",
		"percentile_cont", "percentile_disc", "corr", "covar_pop", "covar_samp",
		// conditional and comparison
		"coalesce", "nullif", "greatest", "least", "num_nulls", "num_nonnulls",
		// strings
		"length", "char_length", "character_length", "octet_length", "bit_length", "lower", "upper",
		"initcap", "trim", "btrim", "ltrim", "rtrim", "substring", "substr", "position", "strpos", "overlay",
		"replace", "concat", "concat_ws", "format", "left", "right", "lpad", "rpad", "repeat", "reverse",
		"split_part", "string_to_array", "array_to_string", "regexp_replace", "regexp_match",
		"regexp_matches", "regexp_split_to_array", "regexp_split_to_table", "regexp_like", "regexp_count",
		"translate", "ascii", "chr", "starts_with", "quote_ident", "quote_literal", "quote_nullable",
		"md5", "sha224", "sha256", "sha384", "sha512", "encode", "decode", "to_hex", "convert_from",
		"convert_to", "normalize", "unistr", "string_to_table", "hashtext",
		// numbers
		"abs", "ceil", "ceiling", "floor", "round", "trunc", "mod", "div", "power", "pow", "sqrt", "cbrt",
		"exp", "ln", "log", "log10", "sign", "random", "width_bucket", "gcd", "lcm", "scale", "pi",
		"to_char", "to_number",
		// dates and times
		"now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
		"date_trunc", "date_part", "date_bin", "extract", "age", "make_date", "make_time",
		"make_timestamp", "make_timestamptz", "make_interval", "to_date", "to_timestamp", "isfinite",
		"justify_days", "justify_hours", "justify_interval", "timezone",
		// JSON
		"to_json", "to_jsonb", "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object",
		"json_build_array", "jsonb_build_array", "json_object", "jsonb_object", "jsonb_set", "jsonb_set_lax",
		"jsonb_insert", "json_extract_path", "jsonb_extract_path", "json_extract_path_text",
		"jsonb_extract_path_text", "jsonb_strip_nulls", "json_strip_nulls", "jsonb_pretty", "json_typeof",
		"jsonb_typeof", "json_array_length", "jsonb_array_length", "json_each", "jsonb_each",
		"json_each_text", "jsonb_each_text", "json_array_elements", "jsonb_array_elements",
		"json_array_elements_text", "jsonb_array_elements_text", "json_object_keys", "jsonb_object_keys",
		"jsonb_path_exists", "jsonb_path_match", "jsonb_path_query", "jsonb_path_query_array",
		"jsonb_path_query_first",
		// arrays and sets
		"array_length", "array_lower", "array_upper", "array_ndims", "array_dims", "cardinality", "unnest",
		"array_append", "array_prepend", "array_cat", "array_position", "array_positions", "array_remove",
		"array_replace", "array_fill", "generate_series", "generate_subscripts",
		// identifiers
		"gen_random_uuid",
		// sequences (their values are data)
		"nextval", "currval", "setval", "lastval",
		// settings and session information
		"set_config", "current_setting", "version", "current_database", "current_schema", "current_schemas",
		"current_user", "session_user", "pg_backend_pid", "inet_server_addr", "inet_server_port",
		"txid_current", "pg_current_xact_id", "pg_is_in_recovery", "pg_postmaster_start_time",
		"pg_reload_conf", "pg_notify",
		// catalog look-ups
		"to_regclass", "to_regtype", "to_regproc", "to_regprocedure", "to_regnamespace", "to_regrole",
		"to_regoper", "to_regcollation", "pg_typeof", "format_type", "obj_description", "col_description",
		"pg_get_indexdef", "pg_get_constraintdef", "pg_get_viewdef", "pg_get_functiondef",
		"pg_get_serial_sequence", "pg_get_expr", "pg_get_triggerdef", "pg_relation_size",
		"pg_table_size", "pg_indexes_size", "pg_total_relation_size", "pg_column_size", "pg_size_pretty",
		"pg_relation_filenode", "has_table_privilege", "has_schema_privilege", "has_column_privilege",
		"has_function_privilege", "has_sequence_privilege", "has_database_privilege", "pg_has_role",
		// locks and waits
		"pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_unlock", "pg_advisory_unlock_shared",
		"pg_advisory_unlock_all", "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared",
		"pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_try_advisory_xact_lock",
		"pg_try_advisory_xact_lock_shared", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
	)
})

func nameSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
