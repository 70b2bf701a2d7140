// Package pgtree provides PostgreSQL parse trees: the messages of
// libpg_query's pg_query.proto as plain Go structs, and Parse, Deparse and
// Scan over libpg_query's C parser.
//
// The types (types_gen.go) have the names, fields and getters that
// protoc-gen-go gives pg_query_go's, so code reads the same, but they are
// not protobuf messages: importing pg_query_go's types registers about 270
// message types with the protobuf runtime at start-up, which cost every run
// of phasegate about 6 ms, a third of a one-file check. Clone, Equal and
// Visit (message.go) stand in for proto.Clone, proto.Equal and reflection.
// The generator (internal/gen) is the only code that links pg_query_go's
// types: it reads their descriptors to write every *_gen.go file here.
//
// Parse has libpg_query write its tree as JSON, which is several times
// cheaper than protobuf, and decodes it with generated code
// (decode_gen.go), one method per message, assigning struct fields
// directly. Its trees are the ones libpg_query's protobuf output gives
// (the tests compare them with pg_query_go's). libpg_query's JSON omits
// Integer values that are zero or negative ({"Integer":{}} stands for 0 as
// well as for -1): the decoder recovers them from the SQL text where that
// is certain (a literal 0, a negated literal, the -1 of an array type's
// empty bounds) and otherwise parses the statement concerned again through
// protobuf (see parse.go and proto.go). Inputs whose tree would hold a
// string that is not UTF-8 go through protobuf whole, which refuses them as
// pg_query_go does.
//
// To allocate less, the decoder allocates the messages of a tree in chunks
// and returns strings that need no unescaping as substrings of the JSON. A
// tree therefore keeps alive its JSON text (about six times the size of
// the SQL) for as long as any of its strings is referenced, and a message
// keeps alive the chunk it is in (chunks are never shared between trees).
package pgtree

//go:generate go run ./internal/gen
