/**
 * Failed sign-ins lock a (username, client address) pair, not the username: a stranger guessing alice's
 * password locks out only their own address. From many addresses, the account is slowed down and then
 * refused at a much higher ceiling. Client addresses come from `X-Forwarded-For` (TRUST_PROXY=1, one entry).
 */
import { expect, it } from 'vitest';
import { loginLimiter, SLOW_DOWN_BASE_MS } from '../src/auth/login-limiter.js';
import { defaultSite, newUser, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'sign-in lockout per (username, address) pair', () => {
  const { t, http: api } = useServer({
    label: 'auth-lockout-per-address',
    // Per pair 3; slowed down past 6 attempts on the account; refused past 10.
    env: {
      TRUST_PROXY: '1',
      LOGIN_MAX_PER_USERNAME: '3',
      LOGIN_MAX_PER_ACCOUNT: '10',
      LOGIN_MAX_PER_IP: '1000',
      LOGIN_WINDOW: '10m',
    },
  });

  let addresses = 0;
  /** A client address no other test uses (TEST-NET-3). */
  const newAddress = () => `203.0.113.${(addresses += 1)}`;
  const login = (username: string, password: string, from: string) =>
    api.post('/v1/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': from } });

  const expectLocked = (res: Awaited<ReturnType<typeof login>>, message: RegExp) => {
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(res.body.error.message).toMatch(message);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(res.body.error.details).toEqual({ retryAfter });
    expect(res.headers.get('set-cookie')).toBeNull();
  };

  it("leaves alice able to sign in from her address after a stranger's 12 failures from another", async () => {
    const alice = await newUser(t);
    const attacker = newAddress();
    const hers = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1)
      statuses.push((await login(alice.user.username!, 'guess-1234', attacker)).status);
    expect(statuses).toEqual([401, 401, 401, ...Array<number>(9).fill(429)]);

    const res = await login(alice.user.username!, alice.password, hers);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(alice.user.id);
  });

  it('keeps the pair locked, even with the right password, and a success elsewhere does not unlock it', async () => {
    const bob = await newUser(t);
    const from = newAddress();
    for (let i = 0; i < 3; i += 1)
      expect((await login(bob.user.username!, 'guess-1234', from)).status).toBe(401);
    expectLocked(
      await login(bob.user.username!, bob.password, from),
      /^Too many failed sign-ins for this user;/,
    );
    // Whatever the case of the username.
    expect((await login(bob.user.username!.toUpperCase(), bob.password, from)).status).toBe(429);

    expect((await login(bob.user.username!, bob.password, newAddress())).status).toBe(200);
    expect((await login(bob.user.username!, bob.password, from)).status).toBe(429);
  });

  it('clears only that pair on a successful sign-in', async () => {
    const carol = await newUser(t);
    const from = newAddress();
    for (let i = 0; i < 2; i += 1)
      expect((await login(carol.user.username!, 'guess-1234', from)).status).toBe(401);
    expect((await login(carol.user.username!, carol.password, from)).status).toBe(200);
    for (let i = 0; i < 3; i += 1)
      expect((await login(carol.user.username!, 'guess-1234', from)).status).toBe(401);
    expect((await login(carol.user.username!, carol.password, from)).status).toBe(429);
  });

  it('slows an account down once failures came from several addresses, and reports the delay', async () => {
    const dave = await newUser(t);
    const site = await defaultSite(t);
    const limiter = loginLimiter(t.server.deps);
    // Two addresses, three failures each: six attempts on the account, none slowed yet.
    for (const from of [newAddress(), newAddress()]) {
      for (let i = 0; i < 3; i += 1)
        expect((await login(dave.user.username!, 'guess-1234', from)).status).toBe(401);
    }
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      delays.push((await limiter.begin(site.publicId, dave.user.username!, newAddress())).delayMs);
    }
    expect(delays).toEqual([SLOW_DOWN_BASE_MS, 2 * SLOW_DOWN_BASE_MS, 4 * SLOW_DOWN_BASE_MS]);
    // Slowed down, not locked: the right password from a clean address still gets in.
    expect((await login(dave.user.username!, dave.password, newAddress())).status).toBe(200);

    // Another account is not slowed.
    const erin = await newUser(t);
    expect((await limiter.begin(site.publicId, erin.user.username!, newAddress())).delayMs).toBe(0);
  });

  it("does not slow an account down for its user's own sign-ins", async () => {
    const henry = await newUser(t);
    const site = await defaultSite(t);
    const from = newAddress();
    for (let i = 0; i < 8; i += 1)
      expect((await login(henry.user.username!, henry.password, from)).status).toBe(200);
    const attempt = await loginLimiter(t.server.deps).begin(site.publicId, henry.user.username!, from);
    expect(attempt.delayMs).toBe(0);
  });

  it('refuses an account from every address past the per-account ceiling', async () => {
    const frank = await newUser(t);
    // Ten failures from five addresses: each pair stays under its limit, the account reaches the ceiling.
    for (let a = 0; a < 5; a += 1) {
      const from = newAddress();
      for (let i = 0; i < 2; i += 1)
        expect((await login(frank.user.username!, 'guess-1234', from)).status).toBe(401);
    }
    expectLocked(
      await login(frank.user.username!, frank.password, newAddress()),
      /^Too many failed sign-ins for this user from all addresses;/,
    );
    // Others are unaffected.
    const grace = await newUser(t);
    expect((await login(grace.user.username!, grace.password, newAddress())).status).toBe(200);
  }, 30_000);

  it('locks unknown usernames per pair the same way', async () => {
    const ghost = uniqueName('ghost');
    const from = newAddress();
    for (let i = 0; i < 3; i += 1) expect((await login(ghost, 'guess-1234', from)).status).toBe(401);
    expect((await login(ghost, 'guess-1234', from)).status).toBe(429);
    expect((await login(ghost, 'guess-1234', newAddress())).status).toBe(401);
  });
});
