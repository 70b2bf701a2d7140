# phasegate in a container, for the static check (check --static-only), posting
# a report (comment) and the follow-up bot on CI systems other than GitHub
# Actions. It has git and no language toolchain: the runtime check runs the
# previous release's test suite, which needs your project's toolchain, so run
# it where that is (copy the static binary into your own image; see
# docs/install.md).
#
#   docker build -t phasegate .                       # from source (default target)
#   docker buildx build --target release ...          # from release archives (release.yml)

# The runtime image's base (a mirror of it where Docker Hub is out of reach).
ARG BASE=debian:bookworm-slim

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# pg_query is C: cgo stays on. Static, like the release binaries.
RUN CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo \
    -ldflags="-s -w -X main.version=${VERSION} -linkmode external -extldflags -static" \
    -o /out/phasegate ./cmd/phasegate

FROM ${BASE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
WORKDIR /repo
ENTRYPOINT ["phasegate"]
CMD ["--help"]

# The image release.yml publishes: the binary of the release archive for the
# platform, unpacked into dist/linux_<arch>/, the same (attested) bytes the
# release offers for download.
FROM runtime AS release
ARG TARGETARCH
COPY dist/linux_${TARGETARCH}/phasegate /usr/local/bin/phasegate

# The default target: built from the source in the context.
FROM runtime AS source
COPY --from=build /out/phasegate /usr/local/bin/phasegate
