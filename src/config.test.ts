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

  it('PUBLIC_URL: required in production, localhost:PORT elsewhere, refused with a query', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET_KEY: strong, SECRET_KEY: `${strong}y` }),
    ).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(() => loadConfig({ PUBLIC_URL: 'https://x.test/?a=1' })).toThrow(/PUBLIC_URL/);
  });

  it('CODE_GRACE_SECONDS defaults to 10; LOCATION_RETENTION_DAYS unset keeps coordinates', () => {
    expect(loadConfig({}).codeGraceSeconds).toBe(10);
    expect(loadConfig({}).locationRetentionDays).toBeUndefined();
    expect(loadConfig({ LOCATION_RETENTION_DAYS: '30' }).locationRetentionDays).toBe(30);
    expect(() => loadConfig({ LOCATION_RETENTION_DAYS: '0' })).toThrow(/LOCATION_RETENTION_DAYS/);
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
