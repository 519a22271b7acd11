/**
 * The state of live updates. One short line that always takes the same room ("live", "refreshing",
 * "not updating since …"), so the page never jumps; when updates stop, a warning banner also floats
 * at the bottom of the screen, visible wherever the page is scrolled.
 */
import type { MessageKey } from '../../i18n';
import { t } from '../../i18n';
import { timeSeconds } from '../../lib/format';
import type { LiveSession } from './live-session';

export function FeedStatus({
  live,
  big = false,
  problem,
}: {
  live: LiveSession;
  big?: boolean;
  /** Another failure to show in the banner (the projector's code). */
  problem?: string;
}) {
  const last = live.updatedAt ? timeSeconds(live.updatedAt) : '—';
  const feedBad = live.feed === 'lost' || live.feed === 'denied';
  const bad = feedBad || problem !== undefined;
  const line: MessageKey =
    live.feed === 'live'
      ? 'live.feedLive'
      : live.feed === 'polling'
        ? 'live.feedPolling'
        : live.feed === 'connecting'
          ? 'live.feedConnecting'
          : 'live.feedStopped';
  return (
    <div class={`feed ${big ? 'feed-big' : ''}`}>
      <p class={feedBad ? 'feed-lost-line' : 'feed-ok'}>
        <span
          class={`feed-dot ${feedBad ? 'feed-dot-bad' : live.feed === 'connecting' ? '' : 'feed-dot-ok'}`}
          aria-hidden="true"
        />
        {t(line, { time: last })}
      </p>
      {bad && (
        <div class="note note-error feed-banner" role="alert">
          {feedBad && (
            <p>{t(live.feed === 'denied' ? 'live.feedDenied' : 'live.feedLost', { time: last })}</p>
          )}
          {problem && <p>{problem}</p>}
        </div>
      )}
    </div>
  );
}
