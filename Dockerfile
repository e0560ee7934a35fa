# syntax=docker/dockerfile:1
#
# One image for the whole fleet: every binary of the workspace, built in
# release mode. docker-compose.yml picks the binary per container
# (`command: ["onetip-auth"]`, …); without a command the image runs the
# whole fleet in one process (`onetip`), which listens on 127.0.0.1 unless
# told otherwise (`-e GATEWAY_ADDR=0.0.0.0:8080`).
#
#   docker build -t onetip .
#
# Dependencies are compiled in their own layer (cargo-chef), so a change to
# our code rebuilds only our crates.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# --- toolchain + cargo-chef ------------------------------------------------
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS chef
RUN cargo install cargo-chef --version 0.1.78 --locked
WORKDIR /src

# --- the dependency recipe: changes only when Cargo.toml/Cargo.lock do -------
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# --- build: dependencies first (cached layer), then our code ----------------
FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --workspace --bins --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --workspace --bins \
 && mkdir /out \
 && for bin in onetip onetip-gateway onetip-auth onetip-profile \
               onetip-integrations onetip-recommender onetip-web todoist-fake; do \
      cp "target/release/$bin" /out/; \
    done

# --- runtime: slim Debian, no toolchain, not root ---------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates: outbound HTTPS (Google, Todoist). bash is in the base
# image already; the compose health checks use its /dev/tcp, so no curl.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 onetip \
 && useradd --system --uid 10001 --gid onetip --home-dir /data --shell /usr/sbin/nologin onetip \
 && mkdir -p /data \
 && chown onetip:onetip /data
COPY --from=builder /out/ /usr/local/bin/
USER 10001:10001
WORKDIR /data
# Development-generated files (and SQLite, when no DATABASE_URL is set) go here.
ENV DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080 8081 8082 8083 8084 8085
CMD ["onetip"]
