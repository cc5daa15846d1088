import { useState, type FormEvent } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { LOCALES } from '../core/i18n/index.ts';
import { sendMessage } from '../extension/send-message.ts';
import { normaliseServerUrl, readSettings, writeSettings, type InterestKind, type Settings } from '../extension/settings.ts';
import { pageDb } from './db.ts';
import { rememberLocale } from './locale-setting.ts';
import { formatDate } from './format.ts';
import { useI18n } from './I18n.tsx';

const LANGUAGE_NAMES = { en: 'English', fr: 'Français' } as const;
const MAX_INTERESTS = 50;

async function save(changes: Partial<Settings>): Promise<void> {
  await writeSettings(pageDb(), changes);
  await sendMessage({ type: 'settingsChanged' });
}

/** Server address, identity, privacy, interests and language. Every change is saved at once. */
export function OptionsPage() {
  const { t } = useI18n();
  const settings = useLiveQuery(() => readSettings(pageDb()), []);
  if (!settings) return null;
  return (
    <main className="options" data-testid="options">
      <h1>{t('optionsTitle')}</h1>
      <ServerSection settings={settings} />
      <section data-testid="identity">
        <h2>{t('identityTitle')}</h2>
        <p>
          {settings.identity
            ? t('identityIs', { id: settings.identity.shopperId, date: formatDate(settings.identity.createdAt, navigator.language) })
            : t('identityNone')}
        </p>
      </section>
      <PrivacySection settings={settings} />
      <InterestsSection settings={settings} />
      <section>
        <h2>{t('languageTitle')}</h2>
        <select
          data-testid="language"
          value={settings.locale}
          onChange={(e) => {
            const value = e.target.value;
            const locale = value === 'en' || value === 'fr' ? value : 'auto';
            rememberLocale(locale);
            void save({ locale }).then(() => location.reload());
          }}
        >
          <option value="auto">{t('languageAuto')}</option>
          {LOCALES.map((locale) => (
            <option key={locale} value={locale}>
              {LANGUAGE_NAMES[locale]}
            </option>
          ))}
        </select>
      </section>
    </main>
  );
}

function ServerSection({ settings }: { settings: Settings }) {
  const { t } = useI18n();
  const [address, setAddress] = useState(settings.serverUrl);
  const [status, setStatus] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const serverUrl = normaliseServerUrl(address);
    if (!serverUrl) return setStatus(t('serverInvalid'));
    void save({ serverUrl }).then(() => setStatus(t('saved')));
  };
  return (
    <section>
      <h2>{t('serverTitle')}</h2>
      <form onSubmit={submit}>
        <label>
          {t('serverLabel')} <input data-testid="server-url" value={address} onChange={(e) => setAddress(e.target.value)} />
        </label>{' '}
        <button type="submit" data-testid="save-server">
          {t('saveButton')}
        </button>
        {status && <p role="status">{status}</p>}
      </form>
    </section>
  );
}

function PrivacySection({ settings }: { settings: Settings }) {
  const { t } = useI18n();
  const [cleared, setCleared] = useState(false);
  return (
    <section>
      <h2>{t('privacyTitle')}</h2>
      <label>
        <input
          type="checkbox"
          data-testid="share-prices"
          checked={settings.sharePrices}
          onChange={(e) => void save({ sharePrices: e.target.checked })}
        />{' '}
        {t('sharePricesLabel')}
      </label>
      <p className="message">{t('sharePricesHint')}</p>
      <button
        type="button"
        data-testid="clear-history"
        onClick={() => void sendMessage({ type: 'clearHistory' }).then(() => setCleared(true))}
      >
        {t('clearHistory')}
      </button>
      {cleared && <p role="status">{t('historyCleared')}</p>}
    </section>
  );
}

function InterestsSection({ settings }: { settings: Settings }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<InterestKind>('keyword');
  const [value, setValue] = useState('');
  const update = (interests: Settings['interests']) => void save({ interests, interestsSynced: false });
  const add = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = value.trim().slice(0, 100);
    if (!trimmed || settings.interests.length >= MAX_INTERESTS) return;
    if (settings.interests.some((i) => i.kind === kind && i.value.toLowerCase() === trimmed.toLowerCase())) return;
    update([...settings.interests, { kind, value: trimmed }]);
    setValue('');
  };
  return (
    <section data-testid="interests">
      <h2>{t('interestsTitle')}</h2>
      {settings.interests.length === 0 && <p className="message">{t('interestsNone')}</p>}
      <ul>
        {settings.interests.map((interest, index) => (
          <li key={`${interest.kind}:${interest.value}`}>
            {t(interest.kind === 'category' ? 'interestCategory' : 'interestKeyword')}: {interest.value}{' '}
            <button type="button" onClick={() => update(settings.interests.filter((_, i) => i !== index))}>
              {t('interestRemove')}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <label>
          {t('interestKind')}{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value === 'category' ? 'category' : 'keyword')}>
            <option value="keyword">{t('interestKeyword')}</option>
            <option value="category">{t('interestCategory')}</option>
          </select>
        </label>{' '}
        <label>
          {t('interestValue')} <input data-testid="interest-value" value={value} maxLength={100} onChange={(e) => setValue(e.target.value)} />
        </label>{' '}
        <button type="submit" data-testid="add-interest">
          {t('interestAdd')}
        </button>
      </form>
    </section>
  );
}
