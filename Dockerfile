# Chat backend image: build with the dev toolchain, run with production dependencies only.
#
#   docker build -t chat-backend .
#   docker run -p 3000:3000 -e JWT_SECRET=... -e DATABASE_URL=postgres://... chat-backend
#   (attachments stay in the container unless /data is a volume: -v chat-data:/data)
#
# Without DATABASE_URL the app runs an embedded PostgreSQL (PGlite) under DATA_DIR: fine for a
# single container trying things out, never for several instances (see docker-compose.yml).

# Node 24, the current LTS (Node 20 reached its end of life in April 2026); package.json's
# "engines" still allows 20.19+, where the README's commands keep working. The node:24 tag tracks
# the latest 24.x; CI runs the tests on 24 too (.ci/run).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# Stage 1: install every dependency, compile TypeScript to dist/, then drop the dev dependencies.
# argon2 ships prebuilt N-API binaries for linux glibc (x64 and arm64), which load on any Node
# version, so no compiler is needed here.
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Dependencies first, so that editing the sources does not invalidate the `npm ci` layer. The
# web client is an npm workspace: its package.json is part of the lockfile's install.
COPY package.json package-lock.json ./
COPY web/package.json ./web/package.json
RUN npm ci --no-audit --no-fund

# Only what `nest build` (tsconfig.build.json: src/ and migrations/) and the web client's build
# (web/, typed from schema.gql) read.
COPY nest-cli.json tsconfig.json tsconfig.build.json schema.gql ./
COPY src ./src
COPY migrations ./migrations
COPY web ./web
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

# ---------------------------------------------------------------------------------------------
# Stage 2: the runtime image. The code stays owned by root (read-only to the app); the app runs
# as the unprivileged `node` user and writes only under DATA_DIR.
FROM ${NODE_IMAGE} AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data

WORKDIR /app

# DATA_DIR holds uploaded attachments (DATA_DIR/files) and, without DATABASE_URL, the embedded
# database. Created here so that a fresh volume mounted on it is owned by `node`. No VOLUME line:
# it would give every container an anonymous volume of its own that nobody names or removes;
# mount a named one (compose does: `files`), or `docker run -v chat-data:/data`.
RUN mkdir -p /data/files && chown -R node:node /data

# package.json is needed at run time: its "type": "module" makes Node load dist/ as ES modules.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The built web client, served at / (src/web finds it as web/dist under the working directory).
COPY --from=build /app/web/dist ./web/dist

USER node
EXPOSE 3000

# main.ts closes the server, sockets and pools on SIGTERM (enableShutdownHooks).
STOPSIGNAL SIGTERM

# Slim images have no curl: probe liveness with Node's own fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Run node directly (not `npm start`) so that SIGTERM reaches the app itself. A 64 MB semi-space
# (V8's default tops out at 16): a send's garbage then dies young instead of being promoted, and
# the collector's pauses stop making the delivery p99 (bench/README.md, "Round four"); the same
# flag as package.json's start scripts and the bench.
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
