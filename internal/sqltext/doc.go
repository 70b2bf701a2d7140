// Package sqltext parses the text of one migration file into statements
// with the real PostgreSQL parser (pg_query), once per file.
//
// Every statement keeps its byte offsets into the original file, so lines
// and columns are computed in exactly one place (Position). The package also
// reads phasegate's directives from the comments that precede a statement,
// sit inside it, or end its last line:
//
//	-- phasegate:ignore RULE[,RULE] reason
//	-- phasegate:phase expand|contract reason
//
// Text that is not SQL for the migration tool (goose's Down section, for
// instance) is masked by the caller with a Region: masked bytes are replaced
// by spaces before parsing, so offsets, lines and columns stay those of the
// original file.
package sqltext
