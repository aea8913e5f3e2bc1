// Preloaded (node --import) into every Prisma CLI process started by this package.
//
// Prisma 6.19's Wasm schema engine leaves a ~10 s timer pending when a command has
// finished, so `prisma migrate deploy|dev|reset` sat idle for about 10 s before exiting
// (see docs/toolchain.md, "Prisma 6.19", bug 3).
// Long timers are unref'd here: they still fire if the process is busy anyway, but they
// no longer keep an otherwise finished process alive. Short timers are untouched.
// Only ever loaded into the CLI child process, never into the service.

const THRESHOLD_MS = 2_000;

const originalSetTimeout = globalThis.setTimeout;
const originalSetInterval = globalThis.setInterval;

function unrefIfLong(timer, delay) {
  if (Number(delay) >= THRESHOLD_MS && timer && typeof timer.unref === 'function') timer.unref();
  return timer;
}

function patchedSetTimeout(callback, delay, ...args) {
  return unrefIfLong(originalSetTimeout(callback, delay, ...args), delay);
}
function patchedSetInterval(callback, delay, ...args) {
  return unrefIfLong(originalSetInterval(callback, delay, ...args), delay);
}
// Keep util.promisify(setTimeout) and friends working.
Object.defineProperties(patchedSetTimeout, Object.getOwnPropertyDescriptors(originalSetTimeout));
Object.defineProperties(patchedSetInterval, Object.getOwnPropertyDescriptors(originalSetInterval));

globalThis.setTimeout = patchedSetTimeout;
globalThis.setInterval = patchedSetInterval;
