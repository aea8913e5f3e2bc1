// The floor under socket fan-out on this machine (a script, not a test): one process opens
// N loopback TCP connections to itself and times one 120-byte write to each of them, five
// times. Socket.IO's broadcast does at least this per subscriber, so N x (time per write) is
// the least any broadcast to N sockets can take here.
//   node --import tsx bench/socket-write-floor.ts [N=2000]
// Loopback only; bounded: N <= 9000 (two descriptors per connection in one process).
import net from 'node:net';

const N = Math.min(9000, Number(process.argv[2] ?? 2000));
const serverSide: net.Socket[] = [];
const server = net.createServer((s) => serverSide.push(s));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as net.AddressInfo;
const clients: net.Socket[] = [];
for (let i = 0; i < N; i++) {
  const c = net.connect(port, '127.0.0.1');
  c.on('data', () => undefined);
  clients.push(c);
  if (i % 500 === 499) await new Promise((r) => setTimeout(r, 20));
}
const deadline = Date.now() + 30_000;
while (serverSide.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const payload = Buffer.alloc(120, 97);
for (let round = 0; round < 5; round++) {
  const t0 = process.hrtime.bigint();
  for (const s of serverSide) s.write(payload);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(`write to ${serverSide.length} sockets: ${ms.toFixed(1)} ms (${((ms * 1000) / serverSide.length).toFixed(2)} us per write)\n`);
  await new Promise((r) => setTimeout(r, 300));
}
for (const c of clients) c.destroy();
server.close();
process.exit(0);
