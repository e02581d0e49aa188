/** zod schemas of `POST /v1/auth/guest`. */
import { z } from 'zod';
import { displayName } from '../auth.schemas.js';

export const guestBody = z.strictObject({ displayName });
