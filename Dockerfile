# One image for every collection: `collection:` in the mounted config.yml picks OMM, NEOSSat
# or the generic collection (with a blueprint). The binary carries the collections' YAML
# blueprints; a `blueprint:` key in config.yml replaces one with an edited copy.
#
#   docker build -t caom2pipe .
#   docker tag caom2pipe caom2pipe:omm && docker tag caom2pipe caom2pipe:neossat   # per-collection tags
#   docker run --rm -v "$PWD:/usr/src/app" caom2pipe                               # ./config.yml, todo or local files
#   docker run --rm -v "$PWD:/usr/src/app" caom2pipe run --incremental --config /usr/src/app/config.yml
#
# The working directory (config.yml, state.yml, data, logs, the embedded repository and
# store) is the mounted /usr/src/app, as in the reference's images.

# --- build: Debian 12 with the Rust toolchain and the libraries' headers
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcfitsio-dev libhdf5-dev wcslib-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p caom2pipe \
 && cp target/release/caom2pipe /usr/local/bin/caom2pipe

# --- run: Debian 12 slim with the shared libraries the binary links
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcfitsio10 libwcs7 libhdf5-103-1 libsqlite3-0 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/caom2pipe /usr/local/bin/caom2pipe
# for reference and for editing: the blueprints the binary carries, and the examples
COPY blueprints /usr/local/share/caom2pipe/blueprints
COPY examples/omm/config.yml /usr/local/share/caom2pipe/examples/omm/config.yml
COPY examples/neossat/config.yml examples/neossat/state.yml /usr/local/share/caom2pipe/examples/neossat/
WORKDIR /usr/src/app
ENTRYPOINT ["caom2pipe"]
CMD ["run", "--config", "/usr/src/app/config.yml"]
