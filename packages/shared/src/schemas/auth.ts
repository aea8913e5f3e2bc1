import { z } from 'zod';
import { LIMITS } from '../constants.ts';
import { Role, Uuid } from './common.ts';

export const Email = z.email().max(LIMITS.emailMaxLength).transform((e) => e.toLowerCase());
export const Password = z.string().min(LIMITS.passwordMinLength).max(LIMITS.passwordMaxLength);

/** POST /api/auth/register */
export const RegisterBody = z.object({ email: Email, password: Password });
/** POST /api/auth/login */
export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(LIMITS.passwordMaxLength) });

export const UserDto = z.object({ id: Uuid, email: z.string(), role: Role, createdAt: z.string() });
export type UserDto = z.infer<typeof UserDto>;

/**
 * Answer of register, login and refresh. The tokens are also set as HTTP-only cookies; the
 * access token is repeated here so bots can send `Authorization: Bearer <accessToken>`.
 */
export const AuthResponse = z.object({
  user: UserDto,
  accessToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.int(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;
