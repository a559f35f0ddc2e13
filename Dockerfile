# syntax=docker/dockerfile:1.7
#
# One image per Conduit service, from one parametrised file:
#   docker build --build-arg SERVICE=api-gateway -t conduit-api-gateway .
#   docker build --target migrate -t conduit-migrate .          # runs `npx prisma migrate deploy`
# SERVICE is one of: api-gateway chat-orchestrator ingestion-worker eval-worker billing mock-llm
#
# Stages: base -> deps (npm ci, all dependencies) -> build (prisma generate, npm run build,
# prune to production dependencies) -> runtime (default target) ; deps -> migrate.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
# openssl lets Prisma detect the right engine build (debian-openssl-3.0.x) and run it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# ---------------------------------------------------------------------------------------------
FROM base AS deps
COPY package.json package-lock.json .npmrc ./
# The root postinstall (prisma generate) needs the sources, so it runs in the build stage;
# `npm rebuild` then runs the dependencies' own install scripts (e.g. Prisma's engines).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts \
 && npm rebuild

# ---------------------------------------------------------------------------------------------
FROM deps AS build
COPY . .
RUN node scripts/prisma-generate.mjs \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts

# ---------------------------------------------------------------------------------------------
# Migration image: full dependencies (the Prisma CLI is a devDependency), the schema and the
# migrations. Used by docker compose's `migrate` service and the Helm pre-install/upgrade hook.
FROM deps AS migrate
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN groupadd --system --gid 10001 conduit \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin conduit
# Files stay owned by root (read-only for the user). The root filesystem may be read-only:
# npm and Prisma only write below /tmp.
ENV NODE_ENV=production \
    HOME=/tmp \
    NPM_CONFIG_CACHE=/tmp/.npm \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1
USER 10001:10001
CMD ["npx", "prisma", "migrate", "deploy"]

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG VERSION=dev
WORKDIR /app

RUN groupadd --system --gid 10001 conduit \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin conduit

# Files stay owned by root and are read-only for the service user.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# Fail the build early on a missing or misspelt SERVICE.
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<service>" >&2; exit 1; } \
 && test -f "dist/apps/${SERVICE}/src/main.js" || { echo "no dist/apps/${SERVICE}/src/main.js: unknown SERVICE '${SERVICE}'" >&2; exit 1; }

ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    HOME=/tmp \
    NPM_CONFIG_CACHE=/tmp/.npm

LABEL org.opencontainers.image.title="conduit-${SERVICE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Conduit ${SERVICE} service"

USER 10001:10001

# PORT is set by compose/Helm; without it each service listens on its default port.
EXPOSE 8080 8081 8082 8083 8084 8090
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const d={'api-gateway':8080,'chat-orchestrator':8081,'ingestion-worker':8082,'eval-worker':8083,'billing':8084,'mock-llm':8090};const p=process.env.PORT||d[process.env.SERVICE]||8080;fetch('http://127.0.0.1:'+p+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# exec: node becomes PID 1 and receives SIGTERM directly for a graceful shutdown.
CMD ["/bin/sh", "-c", "exec node dist/apps/${SERVICE}/src/main.js"]
