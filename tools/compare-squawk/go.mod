module github.com/phasegate/phasegate/tools/compare-squawk

go 1.26.8

require (
	github.com/pganalyze/pg_query_go/v5 v5.1.0
	github.com/phasegate/phasegate v0.0.0
)

require (
	github.com/jackc/pgx/v5 v5.12.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

// The harness reads phasegate's own packages from this checkout.
replace github.com/phasegate/phasegate => ../..
