module github.com/phasegate/phasegate

go 1.26.8

require (
	github.com/pganalyze/pg_query_go/v5 v5.1.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
