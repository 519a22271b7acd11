/**
 * Serves the web app (web/, built by Vite into dist/web) from the API's own process and port.
 * Only `/`, `/app`, `/app/*` and `/c/{session_id}` answer HTML (the same index.html: the app routes in
 * the browser); hashed bundles live under `/assets/`. Every other path keeps the JSON 404, so an API
 * path can never be answered by a page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HTML_CSP, HTML_HEADERS } from './security-headers.js';

/** From src/plugins (tests, tsx) and dist/plugins (built) alike: <project>/dist/web. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * The pages' policy is the one every HTML answer gets (src/plugins/security-headers.ts, decision
 * 002): no inline script or style, API calls to this origin only, images from here or data: URLs.
 * Set here too, so the pages carry it even where the security-headers hook is not installed.
 */
export const PAGE_CSP = HTML_CSP;

const PAGE_HEADERS = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  ...HTML_HEADERS,
  // Revalidate each load: index.html names the current bundles.
  'cache-control': 'no-cache',
});

export async function installWebApp(app: FastifyInstance, dir = WEB_DIST_DIR): Promise<void> {
  let html: string | undefined;
  const page = async (_req: unknown, reply: FastifyReply) => {
    html ??= existsSync(`${dir}index.html`) ? readFileSync(`${dir}index.html`, 'utf8') : undefined;
    if (!html) {
      return reply
        .status(503)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('The web app is not built. Run `npm run build` (or `npm start`, which builds it).');
    }
    return reply.headers(PAGE_HEADERS).send(html);
  };
  const hide = { schema: { hide: true } };
  app.get('/', hide, page);
  app.get('/app', hide, page);
  app.get('/app/*', hide, page);
  app.get<{ Params: { session_id: string } }>('/c/:session_id', hide, page);

  if (existsSync(`${dir}assets`)) {
    await app.register(fastifyStatic, {
      root: `${dir}assets`,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // File names carry a content hash: a new build gets new names.
      setHeaders: (reply) => {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
}
