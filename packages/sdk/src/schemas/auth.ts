/**
 * zod schemas of accounts and sign-in: request bodies (validation) and responses (the OpenAPI document and
 * the SDK's types). The username and password rules live here and nowhere else.
 */
import { z } from 'zod';
import { codePoints, httpUrl, isoDate, text } from './primitives.js';

/**
 * Shortest username.
 *
 * @example
 * ```ts
 * usernameInput.minLength = USERNAME_MIN;
 * ```
 */
export const USERNAME_MIN = 3;
/**
 * Longest username.
 *
 * @example
 * ```ts
 * usernameInput.maxLength = USERNAME_MAX; // usernames are ASCII, so UTF-16 units are characters
 * ```
 */
export const USERNAME_MAX = 32;
/**
 * ASCII only, so no two usernames look alike and case folding is unambiguous.
 *
 * @example
 * ```ts
 * USERNAME_PATTERN.test('ann.lee'); // true
 * USERNAME_PATTERN.test('.ann'); // false: must start with a letter or digit
 * ```
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Shortest new password, in characters.
 *
 * @example
 * ```ts
 * hint.textContent = `At least ${PASSWORD_MIN_CHARS} characters`;
 * ```
 */
export const PASSWORD_MIN_CHARS = 8;
/**
 * bcrypt ignores everything past 72 bytes; longer passwords are refused rather than silently cut.
 *
 * @example
 * ```ts
 * const tooLong = new TextEncoder().encode(password.normalize('NFC')).length > PASSWORD_MAX_BYTES;
 * ```
 */
export const PASSWORD_MAX_BYTES = 72;

/**
 * Longest display name, in characters.
 *
 * @example
 * ```ts
 * const fits = codePoints(name.trim()) <= DISPLAY_NAME_MAX;
 * ```
 */
export const DISPLAY_NAME_MAX = 64;

// A UTF-16 surrogate without its partner: not a character, and not encodable as UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8 = /* @__PURE__ */ new TextEncoder();

/**
 * A username: trimmed, 3–32 characters of `A-Z a-z 0-9 _ . -`, starting with a letter or digit.
 *
 * @example
 * ```ts
 * username.parse('  Ann_Lee '); // 'Ann_Lee'
 * username.safeParse('an').success; // false: at least 3 characters
 * ```
 */
export const username = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const n = codePoints(s);
    if (n < USERNAME_MIN || n > USERNAME_MAX) {
      ctx.addIssue({
        code: 'custom',
        message: `must be ${USERNAME_MIN} to ${USERNAME_MAX} characters`,
      });
    } else if (!USERNAME_PATTERN.test(s)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'may contain only letters (a-z), digits, "_", "." and "-", and must start with a letter or digit',
      });
    }
  })
  .meta({
    description:
      'ASCII letters, digits, "_", "." and "-", starting with a letter or digit; unique per site, ignoring case',
    minLength: USERNAME_MIN,
    maxLength: USERNAME_MAX,
    pattern: USERNAME_PATTERN.source,
  });

/**
 * A password as typed: never trimmed, NFC-normalised (the same password typed on different systems gives the
 * same bytes), at most 72 bytes of UTF-8, no NUL (bcrypt would stop reading there).
 */
function passwordSchema(minChars: number) {
  return z
    .string()
    .superRefine((s, ctx) => {
      if (s.includes('\u0000')) {
        ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters' });
        return;
      }
      if (LONE_SURROGATE.test(s)) {
        ctx.addIssue({ code: 'custom', message: 'must be valid Unicode text' });
        return;
      }
      const n = codePoints(s);
      if (n < minChars) {
        ctx.addIssue({
          code: 'custom',
          message: minChars === 1 ? 'must not be empty' : `must be at least ${minChars} characters`,
        });
      }
      // Lone surrogates were refused above, so this is the exact UTF-8 length.
      const bytes = utf8.encode(s.normalize('NFC')).length;
      if (bytes > PASSWORD_MAX_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (this one is ${bytes}); longer passwords are not truncated`,
        });
      }
    })
    .transform((s) => s.normalize('NFC'));
}

/**
 * A new password (sign-up, admin creation).
 *
 * @example
 * ```ts
 * newPassword.safeParse('short').success; // false: at least 8 characters
 * newPassword.parse('correct horse battery'); // 'correct horse battery'
 * ```
 */
export const newPassword = passwordSchema(PASSWORD_MIN_CHARS).meta({
  description: `At least ${PASSWORD_MIN_CHARS} characters and at most ${PASSWORD_MAX_BYTES} bytes of UTF-8; never trimmed`,
  minLength: PASSWORD_MIN_CHARS,
});

/**
 * A password presented at sign-in: any non-empty password that could have been set.
 *
 * @example
 * ```ts
 * presentedPassword.parse('hunter2'); // any non-empty password; the stored hash decides
 * presentedPassword.safeParse('').success; // false
 * ```
 */
export const presentedPassword = passwordSchema(1).meta({ minLength: 1 });

// Bidirectional embeddings, overrides and isolates: right-to-left names need none of them, and they let a
// name display as something else ("evil\u202Egnp.exe"). Plain RTL text is accepted as it is.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/**
 * A display name: 1–64 characters on one line, trimmed, without bidirectional control characters.
 *
 * @example
 * ```ts
 * displayName.parse('  Ann Lee '); // 'Ann Lee'
 * displayName.safeParse('evil\u202Egnp.exe').success; // false: bidirectional control character
 * ```
 */
export const displayName = text({ min: 1, max: DISPLAY_NAME_MAX }).refine((s) => !BIDI_CONTROL.test(s), {
  message: 'must not contain bidirectional control characters',
});

/**
 * `POST /v1/auth/signup`. Usernames: 3–32 characters, ASCII letters, digits, `_`, `.` and `-`, starting with
 * a letter or digit, unique per site ignoring case. Passwords: at least 8 characters and at most 72 bytes of
 * UTF-8 (bcrypt's limit; longer passwords are refused, never truncated).
 *
 * @example
 * ```ts
 * const body = signupBody.parse({ username: 'ann', password: 'correct horse battery', displayName: 'Ann' });
 * ```
 */
export const signupBody = z
  .strictObject({
    username,
    password: newPassword,
    /** Shown to other users; defaults to the username. 1–64 characters. */
    displayName: displayName.optional(),
  })
  .meta({ id: 'SignupRequest' });

/**
 * `POST /v1/auth/login`. The username is matched ignoring case.
 *
 * @example
 * ```ts
 * const result = loginBody.safeParse({ username: 'ann', password: 'correct horse battery' });
 * if (!result.success) console.warn(result.error.issues);
 * ```
 */
export const loginBody = z
  .strictObject({
    username,
    password: presentedPassword,
  })
  .meta({ id: 'LoginRequest' });

const refreshToken = z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters');

/**
 * `POST /v1/auth/refresh`: exchanges a refresh token (single use) for a new pair.
 *
 * @example
 * ```ts
 * const body = refreshBody.parse({ refreshToken: stored.refreshToken });
 * ```
 */
export const refreshBody = z.strictObject({ refreshToken }).meta({ id: 'RefreshRequest' });

/**
 * `POST /v1/auth/logout`: ends the session the refresh token belongs to, and clears the access cookie.
 *
 * @example
 * ```ts
 * const body = logoutBody.parse({ refreshToken: stored.refreshToken });
 * ```
 */
export const logoutBody = z
  .strictObject({ refreshToken: refreshToken.optional() })
  .meta({ id: 'LogoutRequest' });

// httpUrl checks the scheme, but the URL parser quietly accepts raw control characters (it would encode
// them), and PostgreSQL cannot store NUL: refuse them, and spaces, so the stored string is a clean URL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const URL_UNSAFE = /[\u0000-\u0020\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * An avatar: an http(s) URL of at most 2048 characters, without control characters or spaces.
 *
 * @example
 * ```ts
 * avatarUrl.safeParse('https://cdn.example.com/avatars/42.png').success; // true
 * avatarUrl.safeParse('javascript:alert(1)').success; // false
 * ```
 */
export const avatarUrl = httpUrl.refine((v) => !URL_UNSAFE.test(v), {
  message: 'must not contain spaces or control characters',
});

/**
 * `PATCH /v1/me`: at least one field. `avatarUrl: null` removes the avatar.
 *
 * @example
 * ```ts
 * updateMeBody.parse({ avatarUrl: null }); // removes the avatar
 * updateMeBody.safeParse({}).success; // false: give at least one field
 * ```
 */
export const updateMeBody = z
  .strictObject({
    displayName: displayName.optional(),
    avatarUrl: avatarUrl.nullable().optional(),
  })
  .refine((b) => b.displayName !== undefined || b.avatarUrl !== undefined, {
    message: 'give at least one of displayName, avatarUrl',
  })
  .meta({ id: 'UpdateMeRequest' });

/**
 * `POST /v1/auth/guest`: a guest only chooses the name others see.
 *
 * @example
 * ```ts
 * const body = guestBody.parse({ displayName: 'Visitor 7' });
 * ```
 */
export const guestBody = z.strictObject({ displayName });

/**
 * `POST /v1/auth/site-token`: a token the site's backend made with `createUserToken`.
 *
 * @example
 * ```ts
 * const body = siteTokenBody.parse({ token: createUserToken({ siteId, siteSecret, userId: '42' }) });
 * ```
 */
export const siteTokenBody = z.strictObject({
  token: z
    .string()
    .min(1, 'must not be empty')
    .max(8192, 'must be at most 8192 characters')
    .describe("A JWT the site's backend signed with the site secret (HS256)"),
});

/**
 * `ROLE_USER` and `ROLE_ADMIN` are site-wide; room roles are on memberships.
 *
 * @example
 * ```ts
 * siteRole.options; // ['ROLE_USER', 'ROLE_ADMIN']
 * ```
 */
export const siteRole = z.enum(['ROLE_USER', 'ROLE_ADMIN']);

/**
 * How a user signs in: a password account, Kakao, a token from the site's own backend, or a guest. `system`
 * is the site's own sender of messages its backend posts through the server API (it never signs in).
 *
 * @example
 * ```ts
 * userKind.options; // ['password', 'kakao', 'site', 'guest', 'system']
 * ```
 */
export const userKind = z.enum(['password', 'kakao', 'site', 'guest', 'system']);

/**
 * A user as every API returns it (`User`).
 *
 * @example
 * ```ts
 * const res = await fetch(`${baseUrl}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
 * const me = userSchema.parse(await res.json());
 * ```
 */
export const userSchema = z
  .object({
    id: z.string(),
    /** Set for password accounts; others are known by their display name. */
    username: z.string().nullable(),
    displayName: z.string(),
    avatarUrl: z.string().nullable(),
    kind: userKind,
    roles: z.array(siteRole),
    createdAt: isoDate,
  })
  .meta({ id: 'User' });

/**
 * The answer to every sign-in and refresh (`AuthResponse`).
 *
 * @example
 * ```ts
 * const auth = authResponseSchema.parse(event.data.auth); // what the Kakao popup posted back
 * ```
 */
export const authResponseSchema = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    /** Seconds until the access token expires. */
    expiresIn: z.number().int(),
    refreshToken: z.string(),
    /** Seconds until the refresh token expires. */
    refreshExpiresIn: z.number().int(),
    user: userSchema,
  })
  .meta({ id: 'AuthResponse' });
