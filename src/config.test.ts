import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const strong = 'x'.repeat(40);

describe('loadConfig', () => {
  it('has working defaults for a zero-configuration start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 5000,
      databaseUrl: 'sqlite:///instance/attendance.db',
      passwordMinLength: 8,
      defaultGeofenceRadius: 100,
      maxLocationAccuracy: 150,
      jwtExpiryMinutes: 15,
    });
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'JWT_SECRET_KEY'],
    [
      { NODE_ENV: 'production', JWT_SECRET_KEY: 'your-jwt-secret-key-here', SECRET_KEY: strong },
      'JWT_SECRET_KEY',
    ],
    [{ NODE_ENV: 'production', JWT_SECRET_KEY: strong }, 'SECRET_KEY'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'oracle://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CORS_ORIGINS: 'not a url' }, 'CORS_ORIGINS'],
    [{ DEFAULT_GEOFENCE_RADIUS: '0' }, 'DEFAULT_GEOFENCE_RADIUS'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }, 'HTTP_HEADERS_TIMEOUT_MS'],
    [{ HTTP_HEADERS_TIMEOUT_MS: '10' }, 'HTTP_HEADERS_TIMEOUT_MS'],
    [{ HTTP_MAX_CONNECTIONS: '-1' }, 'HTTP_MAX_CONNECTIONS'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ SQLITE_SYNCHRONOUS: 'OFF' }, 'SQLITE_SYNCHRONOUS'],
    [{ ARGON2_MEMORY_KIB: 'lots' }, 'ARGON2_MEMORY_KIB'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).message).toContain(name);
    }
  });

  it('starts in production with strong secrets', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET_KEY: strong,
      SECRET_KEY: `${strong}y`,
      PUBLIC_URL: 'https://attendance.example.edu/',
    });
    expect(c.jwtSecret).toBe(strong);
    expect(c.publicUrl).toBe('https://attendance.example.edu');
  });

  it('PUBLIC_URL: default outside production, required in production, an http(s) URL', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:5000');
    expect(loadConfig({ PUBLIC_URL: 'https://school.test/attendance/' }).publicUrl).toBe(
      'https://school.test/attendance',
    );
    const prod = { NODE_ENV: 'production', JWT_SECRET_KEY: strong, SECRET_KEY: `${strong}y` };
    expect(() => loadConfig(prod)).toThrow(/PUBLIC_URL must be set in production/);
    for (const bad of ['ftp://x.test', 'not a url', 'https://x.test/?a=1', 'https://u:p@x.test'])
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(/PUBLIC_URL/);
  });

  it('REFRESH_GRACE_SECONDS defaults to 10', () => {
    expect(loadConfig({}).refreshGraceSeconds).toBe(10);
    expect(loadConfig({ REFRESH_GRACE_SECONDS: '0' }).refreshGraceSeconds).toBe(0);
    expect(() => loadConfig({ REFRESH_GRACE_SECONDS: '-1' })).toThrow(/REFRESH_GRACE_SECONDS/);
  });

  it('reads the seed-era JWT_EXPIRY_HOURS when JWT_EXPIRY_MINUTES is unset', () => {
    expect(loadConfig({ JWT_EXPIRY_HOURS: '2' }).jwtExpiryMinutes).toBe(120);
    expect(loadConfig({ JWT_EXPIRY_HOURS: '2', JWT_EXPIRY_MINUTES: '5' }).jwtExpiryMinutes).toBe(5);
  });

  it('splits CORS_ORIGINS', () => {
    expect(loadConfig({ CORS_ORIGINS: 'http://a.test, https://b.test:8443' }).corsOrigins).toEqual([
      'http://a.test',
      'https://b.test:8443',
    ]);
  });
});
