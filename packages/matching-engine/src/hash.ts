/**
 * FNV-1a 64-bit (Fowler-Noll-Vo; offset 0xcbf29ce484222325, prime 0x100000001b3) over the
 * UTF-16 code units of a string, computed exactly with two 32-bit halves. Returns 16
 * lowercase hex digits. Used for the engine state hash; not a cryptographic hash.
 */
export function hashString(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // h * prime = h * 0x1b3 + (h << 40)
    const a = lo * 0x1b3;
    const carry = Math.floor(a / 4294967296);
    hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    lo = a >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
