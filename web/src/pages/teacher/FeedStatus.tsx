/**
 * One line that always takes the same room: "live", "updates every few seconds", or a visible
 * warning when updates stopped (with the time of the last one), so the page never jumps.
 */
import type { MessageKey } from '../../i18n';
import { t } from '../../i18n';
import { timeSeconds } from '../../lib/format';
import type { LiveSession } from './live-session';

export function FeedStatus({ live, big = false }: { live: LiveSession; big?: boolean }) {
  const last = live.updatedAt ? timeSeconds(live.updatedAt) : '—';
  const bad = live.feed === 'lost' || live.feed === 'denied';
  const key: MessageKey =
    live.feed === 'live'
      ? 'live.feedLive'
      : live.feed === 'polling'
        ? 'live.feedPolling'
        : live.feed === 'connecting'
          ? 'live.feedConnecting'
          : live.feed === 'denied'
            ? 'live.feedDenied'
            : 'live.feedLost';
  return (
    <div class={`feed ${big ? 'feed-big' : ''}`}>
      {bad ? (
        <p class="note note-error feed-warning" role="alert">
          <span class="feed-dot feed-dot-bad" aria-hidden="true" />
          {t(key, { time: last })}
        </p>
      ) : (
        <p class="feed-ok">
          <span class={`feed-dot ${live.feed === 'connecting' ? '' : 'feed-dot-ok'}`} aria-hidden="true" />
          {t(key, { time: last })}
        </p>
      )}
    </div>
  );
}
