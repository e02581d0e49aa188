/**
 * Fuzzes the `/chat` namespace: every client event of the SDK's contract (`clientEventSchemas()`), sent by
 * every kind of user in generated orders (sends before joins, leaves before joins, after a ban…) with valid,
 * mutated and hostile payloads, extra arguments, no payload or no acknowledgement, and events the contract
 * does not have; and handshakes with every kind of credential. Every acknowledgement must be the event's
 * success shape or `{ error: { code, message } }` with a known code below 500, nothing may be logged at level
 * error, and after each batch the server must still pass its health checks.
 *
 * The event budget is raised far above what the fuzzer sends (FUZZ_ENV): this measures handling, not the
 * flood cut-off. FUZZ_SEED replays a run; FUZZ_SCALE multiplies the number of runs.
 */
import fc from 'fast-check';
import { clientEventAcks } from '@synctalk/sdk/schemas';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { chatClient, closeChatClients, connectChat, type ChatClient } from '../helpers/cluster.js';
import { testEnv } from '../helpers/env.js';
import { describeWith } from '../helpers/services.js';
import { useServer } from '../helpers/use-server.js';
import { materialize, type Json } from './arbitraries.js';
import { FUZZ_ENV, forgedToken, fuzzWorld, SITE_ORIGIN, worldHints, type FuzzWorld } from './fuzz-world.js';
import { assertFuzz, expectClientError, expectHealthy, failureWatch, preview } from './oracles.js';
import {
  contractEvents,
  handshakeArbitrary,
  sessionArbitrary,
  type Command,
  type Identity,
} from './socket-commands.js';

const BATCHES = 8;
/** Connections per batch, each sending 1–8 events (4.5 on average): some 2,100 events in all. */
const SESSIONS_PER_BATCH = Math.round(60 * testEnv.fuzzScale);
const HANDSHAKES = Math.round(300 * testEnv.fuzzScale);
/** An answer slower than this counts as none: the `ack` helper's timeout (other test files share the machine). */
const ACK_TIMEOUT_MS = 10_000;

const acks = clientEventAcks as Record<string, ZodType>;

type Handshake =
  | { kind: 'connected' }
  | { kind: 'refused'; message: string; data?: unknown }
  | { kind: 'closed'; message: string }
  | { kind: 'silence' };

/** Connects `socket`; resolves with how the handshake ended (or that it did not, within the ack timeout). */
function handshake(socket: ChatClient): Promise<Handshake> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Handshake) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'silence' }), ACK_TIMEOUT_MS);
    socket.once('connect', () => done({ kind: 'connected' }));
    socket.once('connect_error', (err: Error & { data?: unknown }) =>
      done({ kind: 'refused', message: err.message, data: err.data }),
    );
    // Socket.IO itself closes a connection whose CONNECT packet is malformed (`auth` not an object); a
    // refusal closes it too, just before its connect_error arrives.
    socket.io.once('close', (reason: string) =>
      setTimeout(() => done({ kind: 'closed', message: reason }), 200),
    );
    socket.connect();
  });
}

/** Sends `command`; resolves with the answer (undefined when none was asked for). */
function send(socket: ChatClient, command: Command): Promise<unknown> {
  const emitter = socket.timeout(ACK_TIMEOUT_MS) as unknown as {
    emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
  };
  const body = materialize(command.payload);
  if (command.kind === 'unknown') return emitter.emitWithAck(command.event, body);
  switch (command.shape) {
    case 'ack':
      return emitter.emitWithAck(command.event, body);
    case 'extra':
      return emitter.emitWithAck(command.event, body, materialize(command.extra));
    case 'bare':
      return emitter.emitWithAck(command.event);
    case 'noAck':
      (socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit(command.event, body);
      return Promise.resolve(undefined);
  }
}

/** Fails unless `answer` is the event's success shape or a client error (`not_found` for unknown events). */
function checkAnswer(command: Command, answer: unknown, where: string): void {
  if (command.kind === 'unknown') {
    expectClientError(answer, where);
    expect((answer as { error: { code: string } }).error.code, where).toBe('not_found');
    return;
  }
  if (answer !== null && typeof answer === 'object' && 'error' in answer) {
    expectClientError(answer, where);
    return;
  }
  if (!acks[command.event]!.safeParse(answer).success) {
    throw new Error(`${where}: neither an error nor the ack of ${command.event}: ${preview(answer)}`);
  }
}

const PROBE: Command = { kind: 'event', event: 'room:heads', payload: {}, shape: 'ack', extra: null };

describeWith(
  ['postgres', 'redisCluster'],
  'fuzz: every socket event and handshake is answered without a server error',
  () => {
    const { t } = useServer({
      label: 'fuzz_socket',
      logs: true,
      env: FUZZ_ENV,
      services: ['postgres', 'redisCluster'],
    });
    let world: FuzzWorld;
    let events: Record<string, Json>;
    let watch: ReturnType<typeof failureWatch>;
    const sentPerEvent = new Map<string, number>();

    beforeAll(async () => {
      world = await fuzzWorld(t);
      events = contractEvents(t.server.config.messages.maxLength);
      watch = failureWatch(t.logs);
    });
    afterEach(() => closeChatClients());
    afterAll(() => watch?.stop());

    /** The token and site a connection of `identity` signs in with. */
    const userOf = (identity: Identity): { token: string; site?: string } => {
      if (identity === 'guest') return { token: world.guest.token, site: world.site.publicId };
      if (identity === 'stranger') return { token: world.stranger.token, site: world.other.publicId };
      if (identity === 'platformAdmin') return { token: world.platformAdmin.token };
      return { token: world[identity].token, site: world.site.publicId };
    };

    it(`answers ${BATCHES} batches of ${SESSIONS_PER_BATCH} connections sending generated events`, async () => {
      for (let batch = 0; batch < BATCHES; batch += 1) {
        await world.refresh();
        await assertFuzz(
          fc.asyncProperty(sessionArbitrary(events, worldHints(world)), async ({ identity, commands }) => {
            const socket = await connectChat(t.url, userOf(identity));
            try {
              for (const [i, command] of commands.entries()) {
                const where = `${identity}, command ${i}: ${command.event} ${preview(command.payload, 200)}`;
                sentPerEvent.set(command.event, (sentPerEvent.get(command.event) ?? 0) + 1);
                const answer = await send(socket, command).catch((error: Error) => {
                  throw new Error(`${where}: no answer (${error.message})`);
                });
                watch.check(where);
                if (command.kind === 'unknown' || command.shape !== 'noAck')
                  checkAnswer(command, answer, where);
              }
              // The connection still answers, after the events sent without an acknowledgement too.
              const probe = await send(socket, PROBE);
              expect(socket.connected, `${identity}: still connected`).toBe(true);
              checkAnswer(PROBE, probe, `${identity}: the probe`);
            } finally {
              socket.close();
            }
            watch.check(`${identity}: after the connection`);
          }),
          batch,
          SESSIONS_PER_BATCH,
        );
        await expectHealthy(t.url);
        watch.check(`after batch ${batch}`);
      }
      for (const event of Object.keys(events)) expect(sentPerEvent.get(event) ?? 0, event).toBeGreaterThan(0);
    }, 600_000);

    /** The handshake `auth` a generated one names. */
    const handshakeAuth = (auth: {
      credential: string;
      token?: string;
      site?: string;
      extra?: Record<string, unknown>;
    }): Record<string, unknown> => {
      const now = Math.floor(Date.now() / 1000);
      const tokens: Record<string, string | undefined> = {
        owner: world.owner.token,
        member: world.member.token,
        siteAdmin: world.siteAdmin.token,
        stranger: world.stranger.token,
        platformAdmin: world.platformAdmin.token,
        guest: world.guest.token,
        expired: forgedToken({
          sub: world.owner.user.id,
          site: world.site.id,
          typ: 'access',
          iat: now - 7200,
          exp: now - 3600,
        }),
        refreshToken: world.owner.auth.refreshToken,
        garbage: auth.token,
        missing: undefined,
      };
      const sites: Record<string, string> = {
        own: world.site.publicId,
        other: world.other.publicId,
        default: world.default.publicId,
        unknown: 'st_NoSuchSite0000',
      };
      const site = auth.site === undefined ? undefined : (sites[auth.site] ?? auth.site);
      return { ...(materialize(auth.extra ?? {}) as object), token: tokens[auth.credential], site };
    };

    it(`answers ${HANDSHAKES} generated handshakes with a connection or a client error`, async () => {
      await world.refresh();
      let handshakes = 0;
      await assertFuzz(
        fc.asyncProperty(handshakeArbitrary(), async ({ auth, query, origin }) => {
          handshakes += 1;
          const authValue = 'raw' in auth ? materialize(auth.raw) : handshakeAuth(auth);
          const headers: Record<string, string> = {};
          const originValue = {
            none: undefined,
            allowed: SITE_ORIGIN,
            evil: 'https://evil.example',
            null: 'null',
          }[origin];
          if (originValue) headers.origin = originValue;
          const socket = chatClient(t.url, { query, headers });
          (socket as unknown as { auth: unknown }).auth = authValue;
          const outcome = await handshake(socket);
          socket.close();
          const where = `handshake ${preview({ auth, query, origin }, 300)}: ${preview(outcome)}`;
          watch.check(where);
          switch (outcome.kind) {
            case 'connected':
              return;
            case 'refused':
              // Without our error body only the transport refused: an Origin no site allows.
              if (outcome.data === undefined) expect(['evil', 'null'], where).toContain(origin);
              else expectClientError(outcome.data, where);
              return;
            case 'closed':
              // Only Socket.IO's own refusal of a CONNECT packet whose `auth` is not an object.
              expect(
                authValue !== null && typeof authValue === 'object' && !Array.isArray(authValue),
                where,
              ).toBe(false);
              return;
            case 'silence':
              throw new Error(`${where}: no answer within ${ACK_TIMEOUT_MS} ms`);
          }
        }),
        BATCHES,
        HANDSHAKES,
      );
      await expectHealthy(t.url);
      watch.check('after the handshakes');
      expect(handshakes).toBeGreaterThanOrEqual(HANDSHAKES);
    }, 600_000);
  },
);
