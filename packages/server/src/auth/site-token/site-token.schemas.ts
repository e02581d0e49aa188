/** zod schemas of `POST /v1/auth/site-token`. */
import { z } from 'zod';

export const siteTokenBody = z.strictObject({
  token: z
    .string()
    .min(1, 'must not be empty')
    .max(8192, 'must be at most 8192 characters')
    .describe("A JWT the site's backend signed with the site secret (HS256)"),
});
