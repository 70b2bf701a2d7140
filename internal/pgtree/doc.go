// Package pgtree provides PostgreSQL parse trees decoded from pg_query's
// JSON output.
//
// pg_query.Parse has libpg_query serialise the parse tree as protobuf and
// then unmarshals it; the C protobuf serialisation dominates its cost.
// Parse here has libpg_query write JSON instead (several times cheaper) and
// decodes it with generated code (decode_gen.go), one method per protobuf
// message of pg_query, assigning struct fields directly.
//
// The result is the same tree (proto.Equal) that pg_query.Parse returns.
// pg_query's JSON output omits Integer values that are zero or negative
// ({"Integer":{}} stands for 0 as well as for -1): the decoder recovers
// them from the SQL text where that is certain (a literal 0, a negated
// literal, the -1 of an array type's empty bounds) and otherwise parses the
// statement concerned again with pg_query.Parse (see parse.go). Inputs
// whose tree would hold a string that is not UTF-8, on which pg_query.Parse
// fails in proto.Unmarshal, are handed to pg_query.Parse whole.
//
// To allocate less, the decoder allocates the messages of a tree in chunks
// and returns strings that need no unescaping as substrings of the JSON. A
// tree therefore keeps alive its JSON text (about six times the size of
// the SQL) for as long as any of its strings is referenced, and a message
// keeps alive the chunk it is in (chunks are never shared between trees).
package pgtree

//go:generate go run ./internal/gen
