import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { LIMITS, TICK_SIZES } from '@prediction-markets/shared';
import { useSession } from '../api/session.tsx';
import { useMarkets } from '../api/queries.ts';
import { client, describeError, unwrapResult } from '../api/client.ts';
import { qk } from '../api/keys.ts';
import { MarketStatusActions } from '../components/AdminActions.tsx';
import { HouseMakerPanel } from '../components/HouseMakerPanel.tsx';
import { UserPicker, type PickedUser } from '../components/UserPicker.tsx';
import { formatDateTime, formatInt, formatPoints, parsePointsToCents } from '../lib/format.ts';

/** A datetime-local value `days` from now (the user's time zone). */
function localInputValue(msFromNow: number): string {
  const d = new Date(Date.now() + msFromNow);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function CreateMarketForm() {
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState('');
  const [question, setQuestion] = useState('');
  const [description, setDescription] = useState('');
  const [closes, setCloses] = useState(() => localInputValue(7 * 86_400_000));
  const [resolver, setResolver] = useState<PickedUser | null>(null);
  const [tick, setTick] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const m = unwrapResult(
        await client.createMarket({
          slug: slug.trim(),
          question: question.trim(),
          description,
          closesAt: new Date(closes).toISOString(),
          tickCents: tick as (typeof TICK_SIZES)[number],
          ...(resolver === null ? {} : { resolverId: resolver.id }),
        }),
      );
      toast.success(`Created ${m.slug} (draft)`);
      setSlug('');
      setQuestion('');
      setDescription('');
      setResolver(null);
      void queryClient.invalidateQueries({ queryKey: qk.markets });
      void queryClient.invalidateQueries({ queryKey: ['admin'] });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" aria-label="Create a market" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <div className="form-grid">
        <label>
          Slug
          <input required value={slug} onChange={(e) => setSlug(e.target.value.toLowerCase())} placeholder="btc-100k-2027" pattern="[a-z0-9][a-z0-9\-]{1,62}[a-z0-9]" />
        </label>
        <label>
          Closes at (your time)
          <input type="datetime-local" required value={closes} onChange={(e) => setCloses(e.target.value)} />
        </label>
        <label>
          Tick size (¢)
          <select value={tick} onChange={(e) => setTick(Number(e.target.value))}>
            {TICK_SIZES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <UserPicker label="Designated resolver (optional)" value={resolver} onChange={setResolver} />
      </div>
      <label>
        Question ({question.length}/{LIMITS.questionMaxLength})
        <input required maxLength={LIMITS.questionMaxLength} value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="Will …?" />
      </label>
      <label>
        Description (the rules)
        <textarea value={description} maxLength={LIMITS.descriptionMaxLength} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {error !== null ? <div className="error" role="alert">{error}</div> : null}
      <div>
        <button type="submit" className="primary" disabled={busy}>Create market</button>
      </div>
    </form>
  );
}

function GrantForm() {
  const [user, setUser] = useState<PickedUser | null>(null);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const submit = async () => {
    if (user === null) {
      toast.error('Choose a user from the list (or paste a user id)');
      return;
    }
    const cents = parsePointsToCents(amount);
    if (cents === null || cents <= 0) {
      toast.error('Enter an amount of points');
      return;
    }
    try {
      const b = unwrapResult(await client.grant({ userId: user.id, amountCents: cents, ...(reason === '' ? {} : { reason }) }));
      toast.success(`Granted to ${user.email ?? user.id}. Their available balance is now ${formatPoints(b.available)}`);
      setAmount('');
    } catch (e) {
      toast.error(describeError(e));
    }
  };
  return (
    <form className="form-grid" aria-label="Grant points" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <UserPicker label="User" value={user} onChange={setUser} required />
      <label>
        Points
        <input required value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" placeholder="100" />
      </label>
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
      </label>
      <div style={{ alignSelf: 'end' }}>
        <button type="submit" className="primary">Grant points</button>
      </div>
    </form>
  );
}

function AuditPanel() {
  const audit = useQuery({ queryKey: qk.audit, queryFn: async () => unwrapResult(await client.getAudit({ limit: 30 })) });
  const verify = useQuery({ queryKey: qk.auditVerify, queryFn: async () => unwrapResult(await client.verifyAudit()) });
  return (
    <section className="panel" aria-label="Audit log">
      <div className="panel-head">
        <h2>Audit log</h2>
        <span role="status">
          {verify.data === undefined ? 'verifying…' : verify.data.ok ? <span className="pos">Chain verified ({formatInt(verify.data.entries)} entries)</span> : <span className="neg">Broken at entry {verify.data.firstBroken?.id}: {verify.data.firstBroken?.reason}</span>}
        </span>
        <button type="button" className="small" onClick={() => { void audit.refetch(); void verify.refetch(); }}>Refresh</button>
      </div>
      <div className="table-wrap" style={{ maxHeight: 360, overflowY: 'auto' }}>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>Time</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {(audit.data?.entries ?? []).map((e) => (
              <tr key={e.id}>
                <td className="num">{e.id}</td>
                <td className="muted" style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt)}</td>
                <td>{e.action}</td>
                <td className="muted">{e.targetType} {e.targetId?.slice(0, 8)}</td>
                <td className="muted" style={{ fontFamily: 'var(--mono)', fontSize: 11, maxWidth: 360, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{JSON.stringify(e.payload)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ReconcilePanel() {
  const rec = useQuery({ queryKey: qk.reconcile, queryFn: async () => unwrapResult(await client.reconcile()), enabled: false });
  return (
    <section className="panel" aria-label="Reconciliation">
      <div className="panel-head">
        <h2>Reconciliation</h2>
        <button type="button" className="small" onClick={() => void rec.refetch()} disabled={rec.isFetching}>
          {rec.isFetching ? 'Checking…' : 'Run reconciliation'}
        </button>
      </div>
      {rec.isError ? <p className="error">{describeError(rec.error)}</p> : null}
      {rec.data === undefined ? <p className="muted">Checks the ledger and engine invariants against the database.</p> : (
        <>
          <p role="status"><b className={rec.data.ok ? 'pos' : 'neg'}>{rec.data.ok ? 'All checks passed' : 'Some checks failed'}</b> <span className="muted">at {formatDateTime(rec.data.checkedAt)}</span></p>
          <ul>
            {rec.data.checks.map((c) => (
              <li key={c.name}><span className={c.ok ? 'pos' : 'neg'}>{c.ok ? '✓' : '✗'}</span> {c.name} <span className="muted">— {c.detail}</span></li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export default function AdminPage() {
  const { user } = useSession();
  const markets = useMarkets();
  if (user === undefined) return <p className="muted">Loading…</p>;
  if (user === null || user.role !== 'ADMIN') {
    return (
      <div className="panel">
        <h1>Admins only</h1>
        <p>This console is for exchange administrators.</p>
      </div>
    );
  }
  return (
    <div className="grid">
      <h1>Admin console</h1>
      <section className="panel" aria-label="Create market">
        <h2>Create a market</h2>
        <CreateMarketForm />
      </section>
      <section className="panel" aria-label="Markets and status">
        <h2>Markets</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Market</th>
                <th>Status</th>
                <th>Closes</th>
                <th className="n">Open interest</th>
                <th>Change status</th>
              </tr>
            </thead>
            <tbody>
              {(markets.data?.markets ?? []).map((m) => (
                <tr key={m.id}>
                  <td><Link to={`/markets/${m.slug}`}>{m.slug}</Link><div className="muted" style={{ fontSize: 12 }}>{m.question}</div></td>
                  <td><span className={`badge ${m.status}`}>{m.status}</span>{m.outcome !== null ? <span className="badge">{m.outcome}</span> : null}</td>
                  <td className="muted">{formatDateTime(m.closesAt)}</td>
                  <td className="n">{formatInt(m.openInterest)}</td>
                  <td><MarketStatusActions market={m} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel" aria-label="Grant">
        <h2>Grant points</h2>
        <GrantForm />
      </section>
      <HouseMakerPanel />
      <ReconcilePanel />
      <AuditPanel />
    </div>
  );
}
