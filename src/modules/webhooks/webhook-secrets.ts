/**
 * Webhook signing secrets: `whsec_<base64 of 32 random bytes>` (Standard Webhooks; the HMAC key is the
 * decoded bytes). Shown once; stored AES-256-GCM-encrypted under a key derived from SECRET_KEY, so a
 * database dump alone cannot sign events.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key of a secret: the decoded bytes after the prefix. */
export function secretKeyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

export function createSecretBox(secretKey: string) {
  const key = createHmac('sha256', secretKey).update('attendance webhook secret v1').digest();
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(
        ':',
      );
    },
    open(sealed: string): string {
      const [v, iv, tag, ct] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || !ct) throw new Error('unknown secret format');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;

/** Standard Webhooks: `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`. */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secretKeyBytes(secret))
    .update(`${id}.${timestampS}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}
