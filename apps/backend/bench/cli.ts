/**
 * Command-line plumbing shared by the benchmark scripts: `--name=value` numeric options,
 * `--json` (machine-readable result on stdout) and a progress log that moves to stderr when
 * `--json` is given, so stdout carries only the JSON.
 */

/** `--json` was given. */
export const JSON_OUT = process.argv.includes('--json');

/**
 * The value of `--<name>=<value>`, or `def` when absent. Throws (a usage error) unless the
 * value is a positive number, and a whole one when `integer` is set.
 */
export function option(name: string, def: number, { integer = false }: { integer?: boolean } = {}): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return def;
  const v = Number(arg.slice(name.length + 3));
  if (!(integer ? Number.isInteger(v) : Number.isFinite(v)) || v <= 0) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

/** One line of progress: stdout, or stderr under `--json`. */
export function log(msg: string): void {
  (JSON_OUT ? process.stderr : process.stdout).write(`${msg}\n`);
}
