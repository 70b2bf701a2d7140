// Package capture records what a migrate command executes on PostgreSQL,
// so that phasegate can classify migrations written for tools it cannot
// read (Rails, Knex, TypeORM, Ecto, Flyway's Java migrations...): the
// command runs against a check database through a Proxy, which records
// every statement the server receives, in execution order, with its bound
// parameters and whether the server answered it with an error. Split turns
// multi-statement simple queries into single statements, and Attribute
// divides the statements into migrations by the tool's writes to its
// version table (schema_migrations, alembic_version, django_migrations,
// flyway_schema_history...), leaving the tool's own bookkeeping aside.
//
// The proxy speaks the wire protocol in plaintext only: it answers 'N' to
// SSLRequest and GSSENCRequest, which clients with sslmode=disable, allow
// or prefer accept (libpq continues on the same connection, pgx reconnects
// without TLS). A client that requires encryption (sslmode=require,
// verify-ca, verify-full, gssencmode=require, or PostgreSQL 17's
// sslnegotiation=direct) cannot be captured: it gives up, and
// Proxy.Problems says why.
package capture
