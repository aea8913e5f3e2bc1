/** Reads of users (PostgreSQL). The ONLY place user rows are read. */
import type { PrismaClient } from '../db/types.ts';
import type { User as UserRow } from '../generated/prisma/client.ts';

export type { UserRow };

export async function userByEmail(prisma: PrismaClient, email: string): Promise<UserRow | null> {
  return prisma.user.findUnique({ where: { email } });
}

export async function userById(prisma: PrismaClient, id: string): Promise<UserRow | null> {
  return prisma.user.findUnique({ where: { id } });
}

export async function userExists(prisma: PrismaClient, id: string): Promise<boolean> {
  return (await prisma.user.findUnique({ where: { id }, select: { id: true } })) !== null;
}
