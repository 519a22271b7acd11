/**
 * Identity: registration, login, token refresh with rotation and reuse detection, logout,
 * password change, and the caller's own login sessions.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import type { Db } from '../../db/types.js';
import type { ChangeBus } from '../../lib/change-events.js';
import {
  AppError,
  conflict,
  fieldError,
  forbidden,
  notFound,
  rateLimited,
  unauthorized,
} from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { type PasswordHasher, passwordProblems } from '../../lib/passwords.js';
import { type RateLimitStore, type SlotSpec, takeSlots } from '../../lib/rate-limiter.js';
import { normaliseEmail } from '../../lib/strings.js';
import type { Actor } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { recordAudit } from '../audit/audit.repository.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { insertUserAnnounced } from '../users/user-events.js';
import { toAccountDto, toUserDto } from '../users/users.mapper.js';
import { usersRepository } from '../users/users.repository.js';
import type { LoginInput, RegisterInput, SessionDto } from './auth.schemas.js';
import type { TokenService } from './tokens.js';
import { userSessionsRepository } from './user-sessions.repository.js';
import type { UserSessionRow } from './user-sessions.table.js';

/** A counter a password guess takes a slot of, with what it counts (named in the audit entry). */
type GuessSlot = SlotSpec & { scope: 'account_address' | 'account' };

export interface AuthDeps {
  db: Kysely<Database>;
  config: Config;
  hasher: PasswordHasher;
  tokens: TokenService;
  limits: RateLimitStore;
  /** Self-registration announces user.created like an admin's creation. */
  changes: ChangeBus;
  now?: () => number;
}

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

const INVALID_LOGIN = 'Invalid email or password';

export function toSessionDto(s: UserSessionRow, currentSessionId?: string): SessionDto {
  return {
    session_id: s.session_id,
    expires_at: toIso(s.expires_at),
    device_info: s.device_info,
    ip_address: s.ip_address,
    created_at: toIso(s.created_at),
    last_seen_at: toIso(s.last_seen_at),
    current: s.session_id === currentSessionId,
  };
}

export function createAuthService(deps: AuthDeps) {
  const { db, config, hasher, tokens, limits, changes } = deps;
  // Read through Date at each call (not a captured reference), so tests can move the clock.
  const now = deps.now ?? (() => Date.now());
  const windowMs = config.loginWindowSeconds * 1000;
  const graceMs = config.refreshGraceSeconds * 1000;
  /**
   * The counters a guess of an account's password takes a slot of, at login and at a password change
   * (issue 17.10: lockout must hurt the attacker more than the owner; issue 14.1: a guess is a guess
   * whichever route evaluates it, so both routes spend one budget). Per account AND source address,
   * strict: one attacker at one address gets LOGIN_MAX_PER_ACCOUNT_IP guesses, and locks out only
   * that address. Per account from anywhere, higher: bounds a guesser spread over many addresses — but
   * an address the account logged in from recently is not counted there, so such an attacker cannot
   * keep the owner from signing in or changing the password at their usual places. (A spoofed known
   * address gains nothing: it still has its per-address ceiling.) Keys cannot collide: each kind has
   * its own prefix, and the address (which never holds `|`) comes before the email, which is the
   * client's text and may hold anything.
   */
  async function guessSlots(email: string, ip: string, userId: string | undefined): Promise<GuessSlot[]> {
    const perAddress: GuessSlot = {
      key: `login:fail:acct-ip:${ip}|${email}`,
      limit: config.loginMaxPerAccountIp,
      scope: 'account_address',
    };
    const since = now() - config.loginKnownAddressDays * 86_400_000;
    const known =
      userId !== undefined && (await userSessionsRepository.hasLoggedInFrom(db, userId, ip, since));
    return known
      ? [perAddress]
      : [perAddress, { key: `login:fail:acct:${email}`, limit: config.loginMaxPerAccount, scope: 'account' }];
  }

  /**
   * After a wrong password: the attempt whose slot filled a counter is the burst worth an audit entry
   * (`auth.login_limited`, one per window), whichever route the guess came through. Judged by the
   * count its slot was taken at: re-read after the verification, every one of N parallel failures
   * would see the full counter and write an entry.
   */
  async function auditIfFilled(
    slots: readonly GuessSlot[],
    counts: readonly number[],
    entry: { orgId: string | null; actorId: string | null; userId?: string; ip: string; via?: string },
  ) {
    for (const [i, spec] of slots.entries()) {
      if (counts[i] !== spec.limit) continue;
      await recordAudit(db, {
        orgId: entry.orgId,
        actorId: entry.actorId,
        action: 'auth.login_limited',
        targetType: entry.userId ? 'user' : 'address',
        targetId: entry.userId,
        details: {
          scope: spec.scope,
          failures: spec.limit,
          window_s: config.loginWindowSeconds,
          ...(entry.via ? { via: entry.via } : {}),
        },
        ip: entry.ip,
      });
      return;
    }
  }

  /**
   * One password guess under the guess counters (guessSlots): a slot of each is taken before `verify`
   * runs (src/lib/rate-limiter.ts: of guesses sent together, at most the ceilings are ever evaluated);
   * a right password gives them back, a wrong one keeps them and may be the one worth an audit entry;
   * a failure of ours (the hasher throws) is not a guess and gives them back.
   */
  async function verifyGuess<V extends { ok: boolean }>(
    slots: readonly GuessSlot[],
    verify: () => Promise<V>,
    audit: Parameters<typeof auditIfFilled>[2],
  ): Promise<V> {
    const slot = await takeSlots(limits, slots, windowMs);
    if (!slot.taken) throw rateLimited((slot.resetAt - now()) / 1000);
    const giveBack = () => Promise.all(slots.map((s) => limits.giveBack(s.key)));
    let verdict: V;
    try {
      verdict = await verify();
    } catch (err) {
      await giveBack();
      throw err;
    }
    if (verdict.ok) await giveBack();
    else await auditIfFilled(slots, slot.counts, audit);
    return verdict;
  }

  const checkPassword = (field: string, password: string) => {
    const problem = passwordProblems(password, config.passwordMinLength);
    if (problem) throw fieldError(field, problem);
  };

  /** Inserts a login session issued under credentials `version`; call it in the claiming transaction. */
  async function issueSession(
    tx: Db,
    user: { user_id: string; org_id: string | null },
    version: number,
    client: ClientInfo,
    device?: string,
  ) {
    const t = now();
    const row = {
      session_id: newId(),
      user_id: user.user_id,
      org_id: user.org_id,
      refresh_gen: 0,
      refresh_salt: randomBytes(16).toString('base64url'),
      expires_at: t + config.sessionExpiryHours * 3_600_000,
      created_at: t,
      last_seen_at: t,
      device_info: (device ?? client.userAgent ?? null)?.slice(0, 500) ?? null,
      ip_address: client.ip.slice(0, 45),
      is_active: 1,
      revoked_at: null,
      revoked_reason: null,
      credentials_version: version,
      rotated_at: null,
    };
    await userSessionsRepository.insert(tx, row);
    return { row, tokens: tokenPair(row.session_id, user.user_id, 0, row.refresh_salt, t) };
  }

  /**
   * The pair of generation `gen`, its access token issued at `issuedAt`. Deterministic on purpose:
   * the same inputs give the same pair, which is how the refresh grace answers a second tab with
   * the pair the first one got without the database holding any token (see `refresh`).
   */
  function tokenPair(sessionId: string, userId: string, gen: number, salt: string, issuedAt: number) {
    return {
      jwt_token: tokens.signAccess({ userId, sessionId }, issuedAt),
      refresh_token: tokens.makeRefresh(sessionId, gen, salt),
      token_type: 'Bearer' as const,
      expires_in: tokens.accessTtlSeconds,
    };
  }

  /** The user behind a session may still hold it: active, and the credentials it was issued under. */
  async function requireSessionUser(s: UserSessionRow) {
    const user = await usersRepository.findSelf(db, s.user_id);
    if (!user?.is_active) throw unauthorized('This account is deactivated');
    if (user.credentials_version !== s.credentials_version) throw unauthorized('Session has ended');
  }

  return {
    async register(input: RegisterInput, client: ClientInfo) {
      // Public sign-up creates students only; staff accounts are made by an admin.
      if (input.role !== undefined && input.role !== 'student') {
        throw forbidden('Self-registration creates student accounts only');
      }
      const org = await organizationsRepository.findForRegistration(db, input.org_id);
      if (!org?.is_active) throw notFound('Organization');
      if (!org.self_registration) throw forbidden('This organization does not allow self-registration');
      checkPassword('password', input.password);
      const t = now();
      const row = {
        user_id: newId(),
        org_id: org.org_id,
        name: input.name.trim(),
        email: normaliseEmail(input.email),
        password_hash: await hasher.hash(input.password),
        role: 'student' as const,
        is_active: 1,
        created_at: t,
        updated_at: t,
        last_login_at: null,
        credentials_version: 0,
      };
      try {
        await insertUserAnnounced(db, changes, row, row.user_id);
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict('EMAIL_TAKEN', 'An account with this email already exists');
        throw err;
      }
      await recordAudit(db, {
        orgId: org.org_id,
        actorId: row.user_id,
        action: 'auth.register',
        targetType: 'user',
        targetId: row.user_id,
        ip: client.ip,
      });
      return toUserDto(row);
    },

    async login(input: LoginInput, client: ClientInfo) {
      const email = normaliseEmail(input.email);
      // Generous per address (a campus NAT logs a whole class in at 9:00); per account in guessSlots.
      const ipHit = await limits.hit(`login:ip:${client.ip}`, windowMs);
      if (ipHit.count > config.loginMaxPerIp) {
        // One audit entry per burst: the first refused attempt of the window, not every one after it.
        if (ipHit.count === config.loginMaxPerIp + 1)
          await recordAudit(db, {
            orgId: null,
            actorId: null,
            action: 'auth.login_limited',
            targetType: 'address',
            details: { scope: 'address', attempts: ipHit.count, window_s: config.loginWindowSeconds },
            ip: client.ip,
          });
        throw rateLimited((ipHit.resetAt - now()) / 1000);
      }
      const user = await usersRepository.findByEmailForLogin(db, email);
      const verdict = await verifyGuess(
        await guessSlots(email, client.ip, user?.user_id),
        // Same work, same answer whether or not the account exists: no enumeration by message or time.
        async () =>
          user
            ? hasher.verify(user.password_hash, input.password)
            : hasher.verifyDummy(input.password).then(() => ({ ok: false, needsRehash: false })),
        { orgId: user?.org_id ?? null, actorId: null, userId: user?.user_id, ip: client.ip },
      );
      if (!user || !verdict.ok) throw unauthorized(INVALID_LOGIN);
      if (!user.is_active) throw unauthorized('This account is deactivated');
      if (user.org_id) {
        const org = await organizationsRepository.findForRegistration(db, user.org_id);
        if (!org?.is_active) throw unauthorized('This organization is deactivated');
      }

      const t = now();
      const patch: { last_login_at: number; password_hash?: string } = { last_login_at: t };
      if (verdict.needsRehash) patch.password_hash = await hasher.hash(input.password);
      const claimed = user;
      // The session exists only if the credentials the password was checked against are still the
      // current ones when it is written (issue 17.2: a login racing a password change, a reset or a
      // deletion must not survive it). The rehash is conditional too: it must not overwrite a new password.
      const session = await db.transaction().execute(async (tx) => {
        if (!(await usersRepository.updateIfCurrent(tx, claimed.user_id, claimed.credentials_version, patch)))
          return undefined;
        return issueSession(tx, claimed, claimed.credentials_version, client, input.device_info);
      });
      if (!session) throw unauthorized(INVALID_LOGIN);
      await recordAudit(db, {
        orgId: user.org_id,
        actorId: user.user_id,
        action: 'auth.login',
        targetType: 'session',
        targetId: session.row.session_id,
        ip: client.ip,
      });
      return {
        ...session.tokens,
        user: toUserDto({ ...user, last_login_at: t }),
        session: toSessionDto(session.row, session.row.session_id),
      };
    },

    /**
     * Rotation with a grace (REFRESH_GRACE_SECONDS): the token of generation g is accepted once and
     * moves the session to g+1. Presented again within the grace of that rotation (two tabs, a retry
     * after a lost answer), it gets the SAME pair the rotation returned; any other reuse — an older
     * generation, or g after the grace — is taken for a stolen copy and ends the session.
     *
     * Nothing secret is stored for this. The successor refresh token is HMAC(SECRET_KEY, session|g+1|
     * salt) and the access token a JWT whose only varying claim is iat = rotated_at: both are derived
     * again from the row plus the server's keys. Storing the pair (even encrypted) would put a usable
     * token at rest next to its key's consumers; deriving it needs the keys a database thief lacks.
     * The price: within the grace, whoever holds generation g (the user, or a thief who copied it
     * in the same seconds) gets the pair; after it, the copy is detected as before.
     */
    async refresh(refreshToken: string) {
      const parsed = tokens.parseRefresh(refreshToken);
      if (!parsed) throw unauthorized('Invalid refresh token');
      let s = await userSessionsRepository.findById(db, parsed.sessionId);
      if (!s || !tokens.refreshMacMatches(parsed.mac, s.session_id, parsed.gen, s.refresh_salt)) {
        throw unauthorized('Invalid refresh token');
      }
      const t = now();
      if (!s.is_active || s.expires_at <= t) throw unauthorized('Session has ended');
      if (parsed.gen === s.refresh_gen) {
        if (await userSessionsRepository.rotate(db, s.session_id, parsed.gen, t)) {
          await requireSessionUser(s);
          return tokenPair(s.session_id, s.user_id, parsed.gen + 1, s.refresh_salt, t);
        }
        // A concurrent refresh with the same token rotated first: judge against what it wrote.
        s = await userSessionsRepository.findById(db, parsed.sessionId);
        if (!s?.is_active) throw unauthorized('Session has ended');
      }
      const justRotated =
        parsed.gen === s.refresh_gen - 1 && s.rotated_at !== null && t - s.rotated_at < graceMs;
      if (justRotated) {
        await requireSessionUser(s);
        return tokenPair(s.session_id, s.user_id, s.refresh_gen, s.refresh_salt, s.rotated_at!);
      }
      // A genuine token of an earlier generation: someone holds a copy. End the session for everyone.
      await userSessionsRepository.revoke(db, s.session_id, s.user_id, 'refresh_reuse', t);
      await recordAudit(db, {
        orgId: s.org_id,
        actorId: s.user_id,
        action: 'auth.refresh_reuse',
        targetType: 'session',
        targetId: s.session_id,
      });
      throw unauthorized('Refresh token was already used; the session has been revoked');
    },

    async logout(actor: Actor) {
      await userSessionsRepository.revoke(db, actor.sessionId, actor.userId, 'logout', now());
    },

    /** Ends every session of the caller, the current one too ("sign out everywhere"). */
    async logoutAll(actor: Actor, client: ClientInfo) {
      const revoked = await userSessionsRepository.revokeAllForUser(db, actor.userId, 'logout_all', now());
      await recordAudit(db, {
        orgId: actor.orgId,
        actorId: actor.userId,
        action: 'auth.logout_all',
        targetType: 'user',
        targetId: actor.userId,
        details: { sessions_revoked: revoked },
        ip: client.ip,
      });
      return { sessions_revoked: revoked };
    },

    async verify(actor: Actor) {
      const [user, session] = await Promise.all([
        this.profile(actor),
        userSessionsRepository.findById(db, actor.sessionId),
      ]);
      if (!session) throw unauthorized();
      return { valid: true as const, user, session: toSessionDto(session, actor.sessionId) };
    },

    /** From the session check's row when there is one (read with the check: as current as the role). */
    async profile(actor: Actor) {
      if (actor.account) return toAccountDto(actor.account);
      return this.freshProfile(actor);
    },

    /** Read again: after the caller's own change, which the actor's row predates. */
    async freshProfile(actor: Actor) {
      const user = await usersRepository.findSelf(db, actor.userId);
      if (!user) throw unauthorized();
      return toUserDto(user);
    },

    async updateProfile(actor: Actor, input: { name: string }) {
      const name = input.name.trim();
      if (!name) throw fieldError('name', 'must not be blank');
      await usersRepository.updateSelf(db, actor.userId, { name, updated_at: now() });
      return this.freshProfile(actor);
    },

    async changePassword(
      actor: Actor,
      input: { old_password: string; new_password: string },
      client: ClientInfo,
    ) {
      const user = await usersRepository.findSelf(db, actor.userId);
      if (!user) throw unauthorized();
      // Counted as a login's guess (guessSlots): a stolen token gives no guesses beyond the login's.
      const verdict = await verifyGuess(
        await guessSlots(normaliseEmail(user.email), client.ip, user.user_id),
        () => hasher.verify(user.password_hash, input.old_password),
        {
          orgId: user.org_id,
          actorId: actor.userId,
          userId: user.user_id,
          ip: client.ip,
          via: 'change_password',
        },
      );
      if (!verdict.ok)
        throw new AppError(400, 'VALIDATION_ERROR', 'Current password is incorrect', {
          errors: [{ field: 'old_password', message: 'is incorrect' }],
        });
      checkPassword('new_password', input.new_password);
      if (input.new_password === input.old_password)
        throw fieldError('new_password', 'must differ from the current password');
      const t = now();
      const hash = await hasher.hash(input.new_password);
      const revoked = await db.transaction().execute(async (tx) => {
        // Conditional on the version the old password was checked under: of two concurrent changes
        // only one wins. The bump ends every other session and every login still verifying.
        const patch = { password_hash: hash, updated_at: t };
        if (!(await usersRepository.updateIfCurrent(tx, actor.userId, user.credentials_version, patch)))
          throw conflict('CONFLICT', 'Your credentials changed meanwhile; sign in again');
        const version = await usersRepository.bumpCredentialsVersion(tx, actor.userId);
        await userSessionsRepository.adoptCredentialsVersion(tx, actor.sessionId, version);
        return userSessionsRepository.revokeAllForUser(
          tx,
          actor.userId,
          'password_change',
          t,
          actor.sessionId,
        );
      });
      await recordAudit(db, {
        orgId: actor.orgId,
        actorId: actor.userId,
        action: 'auth.change_password',
        targetType: 'user',
        targetId: actor.userId,
        details: { sessions_revoked: revoked },
        ip: client.ip,
      });
      return { sessions_revoked: revoked };
    },

    async listSessions(actor: Actor) {
      const rows = await userSessionsRepository.listActiveForUser(db, actor.userId, now());
      return rows.map((r) => toSessionDto(r, actor.sessionId));
    },

    async revokeSession(actor: Actor, sessionId: string) {
      const ok = await userSessionsRepository.revoke(db, sessionId, actor.userId, 'revoked_by_user', now());
      if (!ok) throw notFound('Session');
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
