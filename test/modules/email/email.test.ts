import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { startSmtpSink } from '../../helpers/smtp-sink.js';

const HOUR = 3_600_000;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let t: TestContext;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    MAIL_FROM: 'Attendance <att@example.test>',
  });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const message = (subject: string) => ({
  to: ['student@example.test', 'teacher@example.test'],
  subject,
  text: `Plain body of ${subject}`,
  html: `<p>HTML body of <b>${subject}</b></p>`,
});

async function enqueueMail(ctx: TestContext, subject: string) {
  const [id] = await ctx.app.outbox.enqueue(
    ctx.db,
    [{ orgId: null, channel: 'email', topic: 'test', payload: message(subject) }],
    Date.now(),
  );
  return id!;
}
const rowOf = (ctx: TestContext, id: string) =>
  ctx.db.selectFrom('outbox').selectAll().where('message_id', '=', id).executeTakeFirstOrThrow();

describe('email from the outbox', () => {
  it('arrives with the recipients, subject, text and HTML, and is marked delivered', async () => {
    const id = await enqueueMail(t, 'Attendance warning one');
    await t.app.outbox.deliverDue();
    const mail = sink.mails.find((m) => m.raw.includes('Attendance warning one'))!;
    expect(mail.to.sort()).toEqual(['student@example.test', 'teacher@example.test']);
    expect(mail.from).toBe('att@example.test');
    expect(mail.raw).toMatch(/^Subject: Attendance warning one$/m);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toContain('Plain body of Attendance warning one');
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(mail.raw).toContain('<p>HTML body of <b>Attendance warning one</b></p>');
    expect(await rowOf(t, id)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it('with the SMTP server down it is retried, and arrives once the server is back', async () => {
    const port = sink.port;
    await sink.close();
    const id = await enqueueMail(t, 'Sent while down');
    const start = Date.now();
    await t.app.outbox.deliverDue(start);
    const pending = await rowOf(t, id);
    expect(pending).toMatchObject({ state: 'pending', attempts: 1 });
    expect(pending.last_error).toMatch(/^SMTP: /);
    sink = await startSmtpSink(port);
    await t.app.outbox.deliverDue(start + HOUR);
    await t.app.outbox.deliverDue(start + 2 * HOUR);
    expect(sink.mails.filter((m) => m.raw.includes('Sent while down'))).toHaveLength(1);
    expect(await rowOf(t, id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('without SMTP_URL the message stays in the outbox as skipped', async () => {
    const bare = await createTestApp();
    try {
      const id = await enqueueMail(bare, 'Nowhere to go');
      await bare.app.outbox.deliverDue();
      expect(await rowOf(bare, id)).toMatchObject({
        state: 'skipped',
        last_error: 'skipped: no SMTP configured',
      });
      expect(await bare.app.outbox.depth()).toBe(0);
    } finally {
      await bare.close();
    }
  });
});
