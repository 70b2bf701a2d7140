# phasegate in a container, for CI systems other than GitHub Actions and
# for the scheduled follow-up bot. The runtime check needs Docker from the
# host (mount /var/run/docker.sock) or --database-url.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# pg_query is C: cgo stays on.
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/phasegate ./cmd/phasegate

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /out/phasegate /usr/local/bin/phasegate
WORKDIR /repo
ENTRYPOINT ["phasegate"]
CMD ["--help"]
