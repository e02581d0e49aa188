/* global process, console, fetch -- Node.js globals (this example is plain JavaScript) */
/**
 * The same exchange from the command line: mint a user token as the site backend would, post it to
 * SyncTalk, print the session's user, then show that the token cannot be used twice.
 *
 *   SYNCTALK_SITE_ID=st_… SYNCTALK_SITE_SECRET=sts_… node examples/site-backend/exchange.mjs [user-id] [name]
 */
import { createUserToken } from '@synctalk/sdk/server';

const SYNCTALK_URL = process.env.SYNCTALK_URL ?? 'http://127.0.0.1:3000';
const siteId = process.env.SYNCTALK_SITE_ID;
const siteSecret = process.env.SYNCTALK_SITE_SECRET;
if (!siteId || !siteSecret) {
  console.error('Set SYNCTALK_SITE_ID and SYNCTALK_SITE_SECRET (the site public id and signing secret).');
  process.exit(1);
}
const [userId = 'customer-42', name = 'Ada Lovelace'] = process.argv.slice(2);

// On the site's backend:
const token = createUserToken({ siteId, siteSecret, userId, name, expiresIn: 60 });

// In the client:
async function exchange() {
  const res = await fetch(`${SYNCTALK_URL}/v1/auth/site-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-SyncTalk-Site': siteId },
    body: JSON.stringify({ token }),
  });
  return { status: res.status, body: await res.json() };
}

const first = await exchange();
if (first.status !== 200) {
  console.error(`exchange failed: ${first.status} ${first.body.error.code}: ${first.body.error.message}`);
  process.exit(1);
}
console.log(
  `signed in as ${first.body.user.displayName} (${first.body.user.kind} user ${first.body.user.id})`,
);
console.log(
  `access token expires in ${first.body.expiresIn} s; refresh token for ${first.body.refreshExpiresIn} s`,
);

const replay = await exchange();
console.log(`the same token again: ${replay.status} ${replay.body.error?.message ?? ''}`);
