# syntax=docker/dockerfile:1
# Attendance — production image. The stages are the steps of the production-install test
# (scripts/production-install.sh): build with dev dependencies, install production dependencies
# alone (`npm ci --omit=dev`), then run the built server, which applies migrations before listening.
# No Docker engine runs where this project is developed: this file was written, not built there.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: every dependency, then TypeScript (and the web app, when present) into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only (the SQLite addon is compiled here when no prebuilt binary fits).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 3. Runtime: no compiler, no dev dependency, not root.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=5000 DATABASE_URL=sqlite:////app/instance/attendance.db
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json package-lock.json ./
RUN mkdir -p /app/instance && chown node:node /app/instance
USER node
EXPOSE 5000
VOLUME ["/app/instance"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node directly (not npm) as PID 1, so SIGTERM reaches the server's graceful shutdown.
# Same as `npm run start:prod`. The CLI: docker compose exec app node dist/cli.js --help
CMD ["node", "--max-semi-space-size=4", "dist/server.js"]
