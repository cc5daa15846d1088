import { refusalText } from '../../core/i18n/refusals.ts';
import type { Problem } from '../api.ts';
import { useLocale } from '../i18n/index.tsx';

/** A failure said plainly: the server down, a session or invitation refused, or the server's own reason. */
export function ProblemBox({ problem, onRetry, context = 'organiser' }: { problem: Problem; onRetry?: () => void; context?: 'organiser' | 'supplier' }) {
  const { t, locale } = useLocale();
  // The server's reason in the organiser's language; its English sentence from a server that sends no key.
  const reason = problem.refusal ? refusalText(problem.refusal, locale) : problem.message;
  const headline =
    problem.kind === 'unreachable'
      ? t('error.unreachable')
      : problem.kind === 'unauthorized'
        ? t(context === 'supplier' ? 'error.invitation' : 'error.session')
        : problem.kind === 'not-found'
          ? t('error.notFound')
          : t('error.refused');
  return (
    <div className="problem" role="alert" data-testid="problem" data-kind={problem.kind}>
      <p>
        <strong>{headline}</strong>
      </p>
      {reason && problem.kind !== 'unreachable' && <p className="server-message">{reason}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('action.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useLocale();
  return (
    <p className="loading" role="status">
      {t('status.loading')}
    </p>
  );
}
