/** The floor: a bare Fastify answering a health-like GET and a JSON POST echo. Every scenario is a ratio to it. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/health', async () => ({
  success: true,
  message: 'ok',
  data: { status: 'ok', uptime_s: process.uptime() },
}));
app.post('/echo', async (req) => ({ success: true, message: 'ok', data: req.body }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
