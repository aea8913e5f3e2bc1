export declare const backendDir: string;
export declare const prismaConfigPath: string;
export declare const unrefTimersPath: string;
export declare const prismaCliPath: string;
export declare const DUMMY_DATABASE_URL: string;
export declare function prismaCommand(
  args: string[],
  env?: NodeJS.ProcessEnv,
): { command: string; args: string[]; env: NodeJS.ProcessEnv; cwd: string };
export declare function runPrisma(
  args: string[],
  options?: { env?: NodeJS.ProcessEnv; capture?: boolean },
): Promise<{ code: number; stdout: string; stderr: string }>;
