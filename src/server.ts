/**
 * Entry point. Migrations and bootstrap run once in the primary, before any worker starts
 * (several workers creating the schema at once is how the seed's deployments died).
 * WEB_CONCURRENCY=N forks N workers sharing the port; each is stateless.
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import type { DatabaseHandle } from './db/connection.js';
import { relayLiveNotices } from './modules/live/live-fanout.js';
import { createLimitStore } from './plugins/limit-store.js';
import { configOrExit, openConfiguredDatabase, prepareDatabase } from './start.js';

const config = configOrExit();

if (cluster.isPrimary) {
  const handle = await prepareDatabase(config);
  if (config.webConcurrency > 1) {
    await handle.close();
    for (let i = 0; i < config.webConcurrency; i++) cluster.fork();
    // Without Redis, a worker's live-feed notices reach the other workers through here.
    if (!config.redisUrl) relayLiveNotices();
    cluster.on('exit', (worker, code, signal) => {
      if (signal !== 'SIGTERM' && code !== 0 && !shuttingDown) {
        console.error(`worker ${worker.process.pid} died (${signal ?? code}); starting another`);
        cluster.fork();
      }
    });
    let shuttingDown = false;
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.on(sig, () => {
        shuttingDown = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      });
    }
  } else {
    await serve(handle);
  }
} else {
  await serve(await openConfiguredDatabase(config));
}

async function serve(handle: DatabaseHandle) {
  const limits = await createLimitStore(config.redisUrl);
  const app = await buildApp({ config, database: handle, limits });
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down: no new connections, in-flight requests finish');
    await app.close(); // stops accepting, lets in-flight requests finish
    await limits.close?.();
    await handle.close();
    // The line operators (and scripts/production-install.sh) read as "stopped without losing work".
    if (!err) app.log.info({ signal }, 'shut down cleanly');
  });
  await app.listen({ host: config.host, port: config.port });
  app.log.info(
    `Attendance ${handle.describe} listening on http://${config.host}:${config.port} (docs at /docs)`,
  );
}
