/** The directory of the server bundle (apps/backend/dist/server). */
export declare const BUNDLE_DIR: string;
/** The server bundle `pnpm start` runs (apps/backend/dist/server/index.mjs). */
export declare const BUNDLE_FILE: string;
/** The file recording the input hash the bundle was built from. */
export declare const BUILD_STAMP: string;
/** sha256 (hex) over every input of the bundle. */
export declare function inputsHash(): string;
/** True when the bundle exists and was built from the inputs as they are now. */
export declare function bundleUpToDate(hash?: string): boolean;
/** Build the bundle and record `hash`. Throws when esbuild fails. */
export declare function buildBundle(hash?: string): Promise<void>;
/** Build when missing or stale (`force`: always); prints what it did unless `quiet`. */
export declare function ensureBundle(options?: { force?: boolean; quiet?: boolean }): Promise<'up-to-date' | 'built'>;
