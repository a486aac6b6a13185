# Assay: the HTTP service (`assay serve`) in a small Debian image.
#
#   docker build -t assay .
#   docker run -p 8080:8080 -v assay-data:/var/lib/assay assay
#
# Without ASSAY_DATABASE_URL the store is an SQLite file in the volume at
# /var/lib/assay; with it (postgres://...), any number of instances share one
# PostgreSQL. See deploy/ for two instances behind nginx.
#
# There is no HEALTHCHECK: the runtime image has no curl or wget. Orchestrators
# should probe the service over HTTP instead: GET /readyz for readiness (503
# while the store does not answer), GET /healthz for liveness.

FROM rust:1-bookworm AS build
WORKDIR /build

# Dependencies first, in a layer of their own that is reused until Cargo.toml
# or Cargo.lock changes: build them against stub sources. Cargo refuses a
# manifest whose bench `evaluate` has no benches/evaluate.rs, so that file is
# needed too, though the release build never compiles it; tests/tests.rs (a
# `[[test]]` with an explicit path) is not.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && echo 'fn main() {}' > benches/evaluate.rs \
 && cargo build --release --locked \
 && rm -rf src

# The crate itself. Everything the binary embeds is compiled in: the corpus,
# the word-frequency list, the migrations and the OpenAPI contract.
COPY src/ src/
COPY corpus/ corpus/
COPY data/ data/
COPY migrations/ migrations/
COPY openapi.yaml ./
COPY benches/evaluate.rs benches/evaluate.rs
# COPY keeps the files' modification times, which may be older than the stub
# build's outputs: touch the crate roots so cargo rebuilds the crate.
# The release profile keeps line tables for profiling; the image's copy is stripped.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked \
 && cp target/release/assay /assay \
 && strip /assay

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A fixed numeric id, so `runAsNonRoot`-style checks can verify it.
RUN groupadd --system --gid 10001 assay \
 && useradd --system --uid 10001 --gid assay --home-dir /var/lib/assay --no-create-home \
      --shell /usr/sbin/nologin assay \
 && install -d -o assay -g assay -m 0750 /var/lib/assay
COPY --from=build /assay /usr/local/bin/assay
ENV ASSAY_LISTEN=0.0.0.0:8080 ASSAY_DATA_DIR=/var/lib/assay
# The SQLite store, when ASSAY_DATABASE_URL is not set. A new volume is
# initialised from this directory, so it is owned by assay.
VOLUME ["/var/lib/assay"]
WORKDIR /var/lib/assay
# The user `assay`, by id.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["assay"]
CMD ["serve"]
