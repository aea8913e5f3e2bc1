/** Types of the generated Prisma client, in one place. */
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient };
/** The client handed to an interactive transaction's callback. */
export type TxClient = Prisma.TransactionClient;
