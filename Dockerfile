# syntax=docker/dockerfile:1
# Syncboard: a Swift build stage, the pinned CalendarSync release, and a slim runtime running as a non-root user.
#
#   docker build --build-arg CALENDARSYNC_SHA256=<sha256 of CalendarSync_0.11.0_linux_amd64.tar.gz> -t syncboard .
#
# The checksum is pinned by whoever builds the image (docker compose reads it from .env): take it from the
# release's checksums.txt once, compare it with a second source if you can, and keep it with your deployment.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- Build ------------------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build
WORKDIR /build
# Resolve dependencies in their own layer so source changes do not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product syncboard --static-swift-stdlib \
 && mkdir -p /staging \
 && cp "$(swift build -c release --show-bin-path)/syncboard" /staging/

# ---- CalendarSync, pinned by version and SHA-256 -----------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS calendarsync
ARG CALENDARSYNC_VERSION=0.11.0
ARG CALENDARSYNC_SHA256
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
RUN test -n "${CALENDARSYNC_SHA256}" \
      || { echo "Set the build argument CALENDARSYNC_SHA256 (see the Dockerfile header)." >&2; exit 1; } \
 && curl -fsSL -o /tmp/calendarsync.tar.gz \
      "https://github.com/inovex/CalendarSync/releases/download/v${CALENDARSYNC_VERSION}/CalendarSync_${CALENDARSYNC_VERSION}_linux_amd64.tar.gz" \
 && echo "${CALENDARSYNC_SHA256}  /tmp/calendarsync.tar.gz" | sha256sum -c - \
 && mkdir -p /out && tar -xzf /tmp/calendarsync.tar.gz -C /out \
 && install -m 0755 "$(find /out -type f -iname calendarsync | head -1)" /usr/local/bin/calendarsync \
 && /usr/local/bin/calendarsync --version

# ---- Runtime ----------------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
# bubblewrap: the sandbox CalendarSync runs in (SYNCBOARD_SANDBOX; the README says what the container must allow).
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends ca-certificates tzdata libcurl4 libxml2 bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/syncboard syncboard \
 && mkdir -p /var/lib/syncboard/data /var/lib/syncboard/runs \
 && chown -R syncboard:syncboard /var/lib/syncboard
COPY --from=build /staging/syncboard /usr/local/bin/syncboard
COPY --from=calendarsync /usr/local/bin/calendarsync /usr/local/bin/calendarsync

USER syncboard
WORKDIR /var/lib/syncboard
ENV SYNCBOARD_HOSTNAME=0.0.0.0 \
    PORT=8080 \
    SYNCBOARD_DATA_DIR=/var/lib/syncboard/data \
    SYNCBOARD_RUN_DIR=/var/lib/syncboard/runs \
    CALENDARSYNC_BIN=/usr/local/bin/calendarsync
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
ENTRYPOINT []
CMD ["syncboard", "serve"]
