import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { useI18n } from '../../components/I18n.tsx';
import { ProductCard } from '../../components/ProductCard.tsx';
import { NoProduct } from '../../components/NoProduct.tsx';
import { Message } from '../../components/Message.tsx';
import { PoolPanel } from '../../components/PoolPanel.tsx';
import { ComparePanel } from '../../components/ComparePanel.tsx';
import { MyIntents } from '../../components/MyIntents.tsx';
import { readTabState, type PopupStart, type TabState } from '../../components/popup-start.ts';

/**
 * The popup: the tab's product, its group, other shops, and "My groups". `start` is what was read before
 * the first render (components/popup-start.ts); the panels' live queries keep it current.
 */
export function App({ start }: { start: PopupStart }) {
  const { t } = useI18n();
  const [state, setState] = useState<TabState>(start.tab);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const next = await readTabState();
      // Session storage changes with every tab's detection: keep the same state (and so the same snapshot
      // object, which the group panel asks the server about) unless this tab's product changed.
      if (!cancelled) setState((previous) => (JSON.stringify(previous) === JSON.stringify(next) ? previous : next));
    };
    // Detection may finish, or the shop may navigate in-page, while the popup is open: ask again then.
    const onChanged = (_changes: unknown, area: string) => {
      if (area === 'session') void load();
    };
    browser.storage.onChanged.addListener(onChanged);
    // A change between the first read and this listener would be missed: read once more.
    void load();
    return () => {
      cancelled = true;
      browser.storage.onChanged.removeListener(onChanged);
    };
  }, []);

  const snapshot = state.kind === 'ready' ? (state.tabProduct?.snapshot ?? null) : null;
  return (
    <>
      {state.kind === 'no-tab' && <Message testId="no-tab" text={t('noTab')} />}
      {state.kind === 'error' && <Message testId="error" text={t('error', { message: state.message })} />}
      {state.kind === 'ready' && !snapshot && <NoProduct />}
      {state.kind === 'ready' && snapshot && (
        <>
          <ProductCard snapshot={snapshot} />
          <PoolPanel tabId={state.tabId} snapshot={snapshot} initial={start.pagePool} />
          <ComparePanel snapshot={snapshot} initial={start.retailerPrices} />
        </>
      )}
      <MyIntents initial={start.myIntents} />
      <footer>
        <button type="button" className="link" data-testid="settings" onClick={() => void browser.runtime.openOptionsPage()}>
          {t('settingsLink')}
        </button>
      </footer>
    </>
  );
}
