import { useState, type FormEvent } from 'react';
import { makeClient, problemOf, type Problem, type Session } from '../api.ts';
import { ProblemBox } from '../components/ProblemBox.tsx';
import { useLocale } from '../i18n/index.tsx';

/** Organisers sign in (or create their account) with e-mail and password. */
export function SignIn({ onSignedIn, expired }: { onSignedIn: (session: Session) => void; expired: boolean }) {
  const { t } = useLocale();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const client = makeClient(null);
    try {
      const result =
        mode === 'signIn'
          ? await client.identity.organiserSignIn.mutate({ email, password })
          : await client.identity.organiserSignUp.mutate({ email, password, displayName });
      onSignedIn({ token: result.token, expiresAt: result.expiresAt, displayName: result.organiser.displayName, email: result.organiser.email });
    } catch (error) {
      const p = problemOf(error);
      // A wrong password is a refusal of this form, not an expired session.
      setProblem(p.kind === 'unauthorized' ? { kind: 'refused', message: p.message } : p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="narrow" aria-labelledby="signin-heading">
      <h1 id="signin-heading">{t(mode === 'signIn' ? 'signIn.heading' : 'signUp.heading')}</h1>
      {expired && (
        <p className="notice" role="status" data-testid="session-expired">
          {t('error.session')}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={problem ? 'signin-problem' : undefined}>
        {mode === 'signUp' && (
          <p>
            <label htmlFor="displayName">{t('signUp.displayName')}</label>
            <input id="displayName" name="displayName" required maxLength={100} value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" />
          </p>
        )}
        <p>
          <label htmlFor="email">{t('signIn.email')}</label>
          <input id="email" name="email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        </p>
        <p>
          <label htmlFor="password">{t('signIn.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            required
            minLength={mode === 'signUp' ? 10 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
            aria-describedby={mode === 'signUp' ? 'password-hint' : undefined}
          />
          {mode === 'signUp' && <small id="password-hint">{t('signUp.passwordHint')}</small>}
        </p>
        <div id="signin-problem">{problem && <ProblemBox problem={problem} />}</div>
        <p>
          <button type="submit" disabled={busy}>
            {t(mode === 'signIn' ? 'signIn.submit' : 'signUp.submit')}
          </button>
        </p>
      </form>
      <p>
        <button type="button" className="link" onClick={() => { setMode(mode === 'signIn' ? 'signUp' : 'signIn'); setProblem(null); }}>
          {t(mode === 'signIn' ? 'signIn.toSignUp' : 'signUp.toSignIn')}
        </button>
      </p>
    </section>
  );
}
