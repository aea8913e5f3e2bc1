import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { toast } from 'sonner';
import { useSession } from '../api/session.tsx';
import { describeError } from '../api/client.ts';

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
  const { signIn, signUp } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signin') await signIn(email, password);
      else await signUp(email, password);
      toast.success(mode === 'signin' ? 'Signed in' : 'Account created');
      void navigate(next);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const title = mode === 'signin' ? 'Sign in' : 'Create an account';
  return (
    <div className="panel auth">
      <h1>{title}</h1>
      <form
        className="form"
        aria-label={title}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Email
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete={mode === 'signin' ? 'current-password' : 'new-password'} required minLength={mode === 'signup' ? 8 : 1} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {mode === 'signup' ? <p className="muted" style={{ margin: 0 }}>At least 8 characters. New accounts start with play-money points.</p> : null}
        {error !== null ? <div className="error" role="alert">{error}</div> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Please wait…' : title}
        </button>
      </form>
      <p className="muted">
        {mode === 'signin' ? (
          <>No account? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Sign up</Link></>
        ) : (
          <>Have an account? <Link to={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link></>
        )}
      </p>
    </div>
  );
}

export function SignInPage() {
  return <AuthForm mode="signin" />;
}

export function SignUpPage() {
  return <AuthForm mode="signup" />;
}
