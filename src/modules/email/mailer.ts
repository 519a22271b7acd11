/**
 * The email channel of the outbox: nodemailer over a pooled SMTP connection from SMTP_URL.
 * A message counts as delivered only when the SMTP server accepted at least one recipient and
 * refused none; otherwise it is retried by the outbox. Without SMTP_URL a message is settled as
 * `skipped: no SMTP configured` — visible in the outbox, never silently dropped.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Deliverer } from '../outbox/outbox.js';

export interface EmailPayload {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export function createMailer(opts: { smtpUrl: string | undefined; from: string }) {
  let transport: Transporter | null = null;
  const transporter = () => {
    if (!transport && opts.smtpUrl) {
      transport = nodemailer.createTransport(
        {
          url: opts.smtpUrl,
          pool: true,
          // Bounded waits: a dead server must fail the attempt, not hold the worker.
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        },
        { from: opts.from },
      );
    }
    return transport;
  };

  const deliver: Deliverer = async (row) => {
    const t = transporter();
    if (!t) return { outcome: 'skipped', reason: 'no SMTP configured' };
    const m = JSON.parse(row.payload) as EmailPayload;
    try {
      const info = await t.sendMail({
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: `<${row.message_id}@attendance>`,
      });
      const rejected = (info.rejected ?? []).length;
      if ((info.accepted ?? []).length > 0 && rejected === 0) return { outcome: 'delivered' };
      return {
        outcome: 'retry',
        error: `SMTP refused ${rejected} recipient(s): ${String(info.response ?? '')}`,
      };
    } catch (err) {
      return { outcome: 'retry', error: `SMTP: ${(err as Error).message}` };
    }
  };

  return {
    deliver,
    close() {
      transport?.close();
      transport = null;
    },
  };
}
