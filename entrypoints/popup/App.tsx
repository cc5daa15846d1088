import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import type { TabProduct } from '../../extension/messages.ts';
import { loadTabProduct } from '../../extension/tab-products.ts';
import { useI18n } from '../../components/I18n.tsx';
import { ProductCard } from '../../components/ProductCard.tsx';
import { NoProduct } from '../../components/NoProduct.tsx';
import { Message } from '../../components/Message.tsx';
import { GroupPanel } from '../../components/GroupPanel.tsx';
import { ComparePanel } from '../../components/ComparePanel.tsx';
import { MyGroups } from '../../components/MyGroups.tsx';

type State =
  | { kind: 'loading' }
  | { kind: 'no-tab' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; tabProduct: TabProduct | null };

/**
 * The tab to describe: `?tab=ID` when given, else the active tab of the current window (what the toolbar
 * button means). The parameter exists because the browser tests open popup.html in a tab of its own, where
 * the "active tab" would be the popup itself.
 */
async function targetTabId(): Promise<number | undefined> {
  const requested = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(requested) && requested > 0) return requested;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

export function App() {
  const { t } = useI18n();
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const tabId = await targetTabId();
        const next: State =
          tabId === undefined
            ? { kind: 'no-tab' }
            : // Straight from session storage (the background's record of the tab): no round trip to a service
              // worker that may be asleep when the toolbar button is clicked.
              { kind: 'ready', tabProduct: await loadTabProduct(tabId) };
        // Session storage changes with every tab's detection: keep the same state (and so the same snapshot
        // object, which the group panel asks the server about) unless this tab's product changed.
        if (!cancelled) setState((previous) => (JSON.stringify(previous) === JSON.stringify(next) ? previous : next));
      } catch (error) {
        if (!cancelled) setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    };
    void load();
    // Detection may finish, or the shop may navigate in-page, while the popup is open: ask again then.
    const onChanged = (_changes: unknown, area: string) => {
      if (area === 'session') void load();
    };
    browser.storage.onChanged.addListener(onChanged);
    return () => {
      cancelled = true;
      browser.storage.onChanged.removeListener(onChanged);
    };
  }, []);

  const snapshot = state.kind === 'ready' ? (state.tabProduct?.snapshot ?? null) : null;
  return (
    <>
      {state.kind === 'loading' && <Message testId="loading" text={t('loading')} />}
      {state.kind === 'no-tab' && <Message testId="no-tab" text={t('noTab')} />}
      {state.kind === 'error' && <Message testId="error" text={t('error', { message: state.message })} />}
      {state.kind === 'ready' && !snapshot && <NoProduct />}
      {snapshot && (
        <>
          <ProductCard snapshot={snapshot} />
          <GroupPanel snapshot={snapshot} />
          <ComparePanel snapshot={snapshot} />
        </>
      )}
      <MyGroups />
      <footer>
        <button type="button" className="link" data-testid="settings" onClick={() => void browser.runtime.openOptionsPage()}>
          {t('settingsLink')}
        </button>
      </footer>
    </>
  );
}
