/** Helpers for tests of the SDK (`@synctalk/sdk`, run from source) against a real server. */
import { SyncTalkError } from '@synctalk/sdk';
import { expect } from 'vitest';

/** What a call that must fail threw; fails unless it is a `SyncTalkError`. */
export async function failure(call: Promise<unknown>): Promise<SyncTalkError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SyncTalkError);
  return error as SyncTalkError;
}
