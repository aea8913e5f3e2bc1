import { z } from 'zod';
import { LIMITS } from '../constants.ts';
import { LineText, PlainText, Role, Uuid } from './common.ts';

export const Email = z.email().max(LIMITS.emailMaxLength).transform((e) => e.toLowerCase());
export const Password = PlainText.min(LIMITS.passwordMinLength).max(LIMITS.passwordMaxLength);

/** POST /api/auth/register */
export const RegisterBody = z.object({ email: Email, password: Password });
/** POST /api/auth/login */
export const LoginBody = z.object({ email: Email, password: PlainText.min(1).max(LIMITS.passwordMaxLength) });
/** POST /api/auth/refresh and /logout: the refresh token in the body (or, from browsers, its cookie). nullish: a POST without a body. */
export const RefreshBody = z.object({ refreshToken: LineText.max(4096).optional() }).nullish();

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
