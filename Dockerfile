# The demo bot of the monitoring stack: builds poseidon-monitor and runs its CLI's `demo` command,
# a simulated bot whose /metrics Prometheus scrapes (see docker-compose.yml).

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . ./
# From a clone of the repository: build dist/ from src/. From the published package (no sources, no
# lockfile): dist/ is built already, so only the production dependencies are installed.
RUN if [ -f tsconfig.build.json ]; then npm ci && npm run build && npm prune --omit=dev; \
    else npm install --omit=dev --no-audit --no-fund; fi

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    POSEIDON_METRICS_HOST=0.0.0.0 \
    POSEIDON_METRICS_PORT=9464 \
    POSEIDON_DB_URL=sqlite:////data/poseidon_metrics.db \
    POSEIDON_LOG_FILE=/data/logs/poseidon_monitor.log
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data/logs && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli/main.js", "demo"]
