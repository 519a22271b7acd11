/** Sign-in: email and password; the access token stays in memory (lib/auth.ts). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/errors';
import type { User } from '../api/types';
import { errorText } from '../components/errors';
import { Field, Note } from '../components/ui';
import { t } from '../i18n';
import { signIn } from '../lib/auth';

export function SignIn({ lead, onDone }: { lead?: string; onDone: (u: User) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const email = useRef<HTMLInputElement>(null);
  useEffect(() => email.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      onDone(await signIn(String(form.get('email')), String(form.get('password'))));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('signin.failed') : errorText(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin" tabIndex={-1}>
      <form class="card signin-card" onSubmit={submit} aria-describedby="signin-lead" noValidate={false}>
        <p class="brand brand-large">{t('app.name')}</p>
        <h1>{t('signin.title')}</h1>
        <p id="signin-lead">{lead ?? t('signin.lead')}</p>
        <Field label={t('signin.email')} id="email">
          <input ref={email} id="email" name="email" type="email" autoComplete="username" required />
        </Field>
        <Field label={t('signin.password')} id="password">
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        <div class="note-slot">{error && <Note kind="error">{error}</Note>}</div>
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
      </form>
    </main>
  );
}
