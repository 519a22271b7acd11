/** t('key', {param}) — the catalog is the only source of text; a missing key fails typechecking. */
import { en, type MessageKey } from './en';

export type { MessageKey };

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
