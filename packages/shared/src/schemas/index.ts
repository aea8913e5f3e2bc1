export * from './common.ts';
export * from './auth.ts';
export * from './markets.ts';
export * from './orders.ts';
export * from './user.ts';
export * from './admin.ts';
export * from './socket.ts';
