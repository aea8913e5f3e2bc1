/**
 * Load generator of bench/web.ts, in its own process (its own event loop, so the server under
 * test is not starved by it): places and cancels orders through the REST API at RATE per
 * second for SECONDS, each one a book delta. Prints one JSON line: { sent, ok, elapsedMs }.
 *
 *   node --import tsx bench/load.ts URL TOKEN[,TOKEN...] SLUG RATE SECONDS
 */
const [url, token, slug, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText);
const total = rate * Number(secondsText);
// Several makers (comma-separated tokens): each may hold only so many open orders per market.
const tokens = token!.split(',');
const headersOf = (i: number) => ({ authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' });
const openIds: number[] = [];
let ok = 0;
const failures: Record<string, number> = {};
const fail = (what: string) => {
  failures[what] = (failures[what] ?? 0) + 1;
};
const inflight = new Set<Promise<void>>();
const start = performance.now();
let sent = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
  while (sent < due) {
    const i = sent++;
    // Three of four rest a bid at a varying price, the fourth cancels the oldest resting one.
    const job = (async () => {
      if (i % 4 !== 3 || openIds.length === 0) {
        const r = await fetch(`${url}/api/orders/${slug}`, { method: 'POST', headers: headersOf(i), body: JSON.stringify({ side: 'BUY', outcome: 'YES', price: 10 + (i % 40), quantity: 1 + (i % 7) }) });
        const body = (await r.json()) as { order?: { id: number } };
        if (r.status === 201 && body.order !== undefined) {
          openIds.push(i % tokens.length, body.order.id);
          ok++;
        } else fail(`place ${r.status} ${(body as { error?: { code?: string } }).error?.code ?? ''}`);
      } else {
        const owner = openIds.shift()!;
        const r = await fetch(`${url}/api/orders/${openIds.shift()!}`, { method: 'DELETE', headers: { authorization: headersOf(owner).authorization } });
        const text = await r.text();
        if (r.status === 200) ok++;
        else fail(`cancel ${r.status} ${/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? ''}`);
      }
    })().catch((e: unknown) => fail(`network ${(e as Error).message}`));
    inflight.add(job);
    void job.finally(() => inflight.delete(job));
  }
  await new Promise((r) => setTimeout(r, 2));
}
await Promise.all(inflight);
console.log(JSON.stringify({ sent, ok, failures, elapsedMs: Math.round(performance.now() - start) }));
export {};
