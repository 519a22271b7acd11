/** Page frame: skip link, header with the role's menu and sign-out, and the main landmark. */
import type { ComponentChildren } from 'preact';
import { type MessageKey, t } from '../i18n';
import { auth, signOut, signOutEverywhere } from '../lib/auth';
import { linkClick, navigate, usePath } from '../lib/router';
import { useStore } from '../lib/store';

export interface NavItem {
  href: string;
  label: MessageKey;
}

export function Layout({
  nav,
  title,
  children,
}: {
  nav: NavItem[];
  title: string;
  children: ComponentChildren;
}) {
  const { user } = useStore(auth);
  const current = usePath();
  // The most specific item is the current one (Sessions and New series both prefix /sessions/new-series).
  const active = nav
    .filter((n) => current === n.href || (n.href !== nav[0]?.href && current.startsWith(`${n.href}/`)))
    .sort((a, b) => b.href.length - a.href.length)[0]?.href;
  const out = async (all: boolean) => {
    await (all ? signOutEverywhere() : signOut());
    navigate('/', true);
  };
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        {nav.length > 1 && (
          <nav aria-label={t('app.menu')} class="menu">
            {nav.map((n) => (
              <a
                key={n.href}
                href={n.href}
                onClick={linkClick}
                aria-current={n.href === active ? 'page' : undefined}
              >
                {t(n.label)}
              </a>
            ))}
          </nav>
        )}
        <div class="who">
          {user && (
            <span class="who-name">
              {user.name} · {t(`role.${user.role}` as MessageKey)}
            </span>
          )}
          <details class="who-menu">
            <summary>{t('app.signOut')}</summary>
            <div class="who-pop">
              <button type="button" class="btn btn-secondary" onClick={() => out(false)}>
                {t('app.signOut')}
              </button>
              <button type="button" class="btn btn-secondary" onClick={() => out(true)}>
                {t('app.signOutAll')}
              </button>
            </div>
          </details>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}
