import { useState, type FormEvent } from 'react';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { IntentRow } from '../extension/records.ts';
import { sendMessage } from '../extension/send-message.ts';
import { useI18n } from './I18n.tsx';
import { errorText, intentErrorText } from './format.ts';

const DECIMAL = /^\d{1,12}([.,]\d{1,6})?$/;
/** A price the shopper typed ("12,50" or "12.50") as a decimal string, null when empty, undefined when invalid. */
export function parseMaxPrice(text: string): string | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = trimmed.replace(',', '.');
  return /[1-9]/.test(value) ? value : undefined;
}

/** Quantity and maximum price: the same two inputs when joining and when editing an intent. */
function IntentFields(props: {
  quantity: string;
  maxPrice: string;
  currency: string;
  onQuantity: (value: string) => void;
  onMaxPrice: (value: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t('quantityLabel')}
        <input name="quantity" type="number" min={1} max={10000} value={props.quantity} onChange={(e) => props.onQuantity(e.target.value)} />
      </label>
      <label>
        {t('maxPriceLabel', { currency: props.currency })}
        <input name="maxPrice" inputMode="decimal" value={props.maxPrice} onChange={(e) => props.onMaxPrice(e.target.value)} />
      </label>
    </>
  );
}

function useAction() {
  const { locale } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e, locale));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/**
 * "I want this": quantity and maximum price, prefilled from the page (its price, its currency), joined in one
 * click. The rule and the organiser's margin are stated before the button. The message names the tab and the
 * product shown; the background holds the snapshot.
 */
export function JoinForm({ tabId, snapshot, margin }: { tabId: number; snapshot: ProductSnapshot; margin: string | null }) {
  const { t } = useI18n();
  const [quantity, setQuantity] = useState('1');
  const [maxPrice, setMaxPrice] = useState(snapshot.price ?? '');
  const [currency, setCurrency] = useState(snapshot.currency ?? '');
  const { error, busy, run } = useAction();
  const parsedPrice = parseMaxPrice(maxPrice);
  const parsedQuantity = Number(quantity);
  const valid =
    Number.isInteger(parsedQuantity) && parsedQuantity >= 1 && parsedQuantity <= 10_000 && parsedPrice !== undefined && /^[A-Z]{3}$/.test(currency);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    void run(() => sendMessage({ type: 'join', tabId, productUrl: snapshot.url, quantity: parsedQuantity, maxPrice: parsedPrice, currency }));
  };

  return (
    <form className="join" data-testid="join-form" onSubmit={submit}>
      <h3>{t('joinTitle')}</h3>
      <p className="rule" data-testid="join-rule">
        {t('joinRule')} {margin ? t('marginKnown', { margin }) : t('marginUnknown')}
      </p>
      <div className="fields">
        <IntentFields quantity={quantity} maxPrice={maxPrice} currency={currency || '…'} onQuantity={setQuantity} onMaxPrice={setMaxPrice} />
        {!snapshot.currency && (
          <label>
            ISO 4217
            <input name="currency" maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />
          </label>
        )}
      </div>
      <button type="submit" data-testid="join" disabled={!valid || busy}>
        {t('joinButton')}
      </button>
      {error && <p className="error">{t('error', { message: error })}</p>}
    </form>
  );
}

const SYNC_KEYS = { pending: 'syncPending', sent: 'syncSent', failed: 'syncFailed' } as const;

/** The shopper's intent on this product: its delivery state, editable, withdrawable. */
export function IntentEditor({ intent }: { intent: IntentRow }) {
  const { t, locale } = useI18n();
  const [quantity, setQuantity] = useState(String(intent.quantity));
  const [maxPrice, setMaxPrice] = useState(intent.maxPrice ?? '');
  const { error, busy, run } = useAction();
  const parsedPrice = parseMaxPrice(maxPrice);
  const parsedQuantity = Number(quantity);
  const valid = Number.isInteger(parsedQuantity) && parsedQuantity >= 1 && parsedQuantity <= 10_000 && parsedPrice !== undefined;
  const changed = parsedQuantity !== intent.quantity || parsedPrice !== intent.maxPrice;

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!valid || parsedPrice === undefined) return;
    void run(() => sendMessage({ type: 'updateIntent', intentId: intent.id, quantity: parsedQuantity, maxPrice: parsedPrice }));
  };

  return (
    <form className="intent" data-testid="my-intent" data-intent-id={intent.id} onSubmit={save}>
      <h3>{t('myIntentTitle')}</h3>
      <p className={`sync sync-${intent.sync}`} data-testid="intent-sync" data-sync={intent.sync}>
        {t(SYNC_KEYS[intent.sync], { message: intentErrorText(intent, locale) })}
      </p>
      <div className="fields">
        <IntentFields quantity={quantity} maxPrice={maxPrice} currency={intent.currency} onQuantity={setQuantity} onMaxPrice={setMaxPrice} />
      </div>
      <div className="actions">
        <button type="submit" data-testid="save-intent" disabled={!valid || !changed || busy}>
          {t('saveButton')}
        </button>
        <button
          type="button"
          data-testid="withdraw"
          disabled={busy}
          onClick={() => void run(() => sendMessage({ type: 'withdrawIntent', intentId: intent.id }))}
        >
          {t('withdrawButton')}
        </button>
      </div>
      {error && <p className="error">{t('error', { message: error })}</p>}
    </form>
  );
}
