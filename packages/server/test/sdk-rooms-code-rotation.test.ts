/**
 * The SDK's join-code calls against a real server: `client.rooms.rotateCode` and the `rotateCode` option of
 * `kick` and `ban`, which return the room with its new code (and nothing without the option).
 */
import { createClient, type SyncTalkClient } from '@synctalk/sdk';
import { expect, it } from 'vitest';
import { uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { failure } from './helpers/sdk.js';

const PASSWORD = 'correct horse battery';

describeWith(['postgres'], 'sdk: rotating join codes', () => {
  const { t } = useServer({ label: 'sdk_code_rotation' });

  async function signedUp(): Promise<SyncTalkClient> {
    const client = createClient({ baseUrl: t.url });
    await client.auth.signup({ username: uniqueName('sdk'), password: PASSWORD });
    return client;
  }

  it('rotates the code, on its own and with a kick or a ban', async () => {
    const [owner, member, other] = [await signedUp(), await signedUp(), await signedUp()];
    const room = await owner.rooms.create({ title: uniqueName('Secret'), visibility: 'private' });
    await member.rooms.joinByCode(room.code!);
    const memberId = (await member.me.get()).id;

    const rotated = await owner.rooms.rotateCode(room.id);
    expect(rotated).toMatchObject({ id: room.id });
    expect(rotated.code).not.toBe(room.code);
    expect((await failure(other.rooms.joinByCode(room.code!))).code).toBe('not_found');
    expect((await failure(member.rooms.rotateCode(room.id))).code).toBe('forbidden');

    const afterKick = await owner.rooms.kick(room.id, memberId, { rotateCode: true });
    expect(afterKick.code).not.toBe(rotated.code);
    expect((await failure(member.rooms.joinByCode(rotated.code!))).code).toBe('not_found');
    await member.rooms.joinByCode(afterKick.code!);

    const afterBan = await owner.rooms.ban(room.id, memberId, { rotateCode: true });
    expect(afterBan.code).not.toBe(afterKick.code);
    expect(afterBan.memberCount).toBe(1);
    await other.rooms.joinByCode(afterBan.code!);
    const otherId = (await other.me.get()).id;
    expect(await owner.rooms.kick(room.id, otherId)).toBeUndefined();
  });
});
