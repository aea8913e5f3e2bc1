/** Users as the shared UserDto: the ONLY place user rows become DTOs. */
import type { schemas } from '@prediction-markets/shared';
import type { UserRow } from './queries.ts';

export function userDto(u: Pick<UserRow, 'id' | 'email' | 'role' | 'createdAt'>): schemas.UserDto {
  return { id: u.id, email: u.email, role: u.role, createdAt: u.createdAt.toISOString() };
}
