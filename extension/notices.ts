import { browser } from 'wxt/browser';
import { formatPrice } from '../core/i18n/format.ts';
import { t, type Locale, type MessageKey } from '../core/i18n/index.ts';
import { compareDecimal } from '../core/pricing.ts';
import type { ExtensionDB } from './db.ts';
import type { NoticeType, ShopperNotice } from '../core/shopper-deal.ts';
import type { DealRow, NotificationRow } from './records.ts';

/**
 * What the shopper is told, and when. Facts come from two roads (the live subscription and the scheduled
 * refresh of `deals.mine`); each fact has one key, so whichever arrives first is told and the other is not.
 */

/** Within this of the deadline, a deal still unanswered gets a "confirm soon" notice. */
export const WINDOW_CLOSING_MS = 60 * 60_000;

export type Notice = Omit<NotificationRow, 'id' | 'read' | 'createdAt'>;

export function noticeKey(type: NoticeType, id: string, unitPrice?: string | null): string {
  return type === 'deal.tier-dropped' ? `${type}:${id}:${unitPrice ?? ''}` : `${type}:${id}`;
}

const notice = (type: NoticeType, deal: DealRow): Notice => ({
  key: noticeKey(type, deal.dealId, deal.unitPrice),
  type,
  dealId: deal.dealId,
  campaignId: deal.campaignId,
  productName: deal.productName,
  unitPrice: deal.unitPrice,
  currency: deal.currency,
  confirmBy: deal.confirmBy,
});

/** The notices a refresh of the shopper's deals calls for (pure, so it is tested without a browser). */
export function dealNotices(before: ReadonlyMap<string, DealRow>, after: readonly DealRow[], now: number): Notice[] {
  const notices: Notice[] = [];
  for (const deal of after) {
    const previous = before.get(deal.dealId);
    if (deal.state === 'confirming') {
      if (!previous) notices.push(notice('deal.formed', deal));
      else if (compareDecimal(deal.unitPrice, previous.unitPrice) < 0) notices.push(notice('deal.tier-dropped', deal));
      const left = Date.parse(deal.confirmBy) - now;
      if (deal.myCommitment === null && left > 0 && left <= WINDOW_CLOSING_MS) notices.push(notice('deal.window-closing', deal));
    } else if (previous?.state === 'confirming' && deal.state === 'closed') {
      notices.push(notice('deal.closed', deal));
    }
  }
  return notices;
}

export function eventNotice(event: ShopperNotice): Notice {
  const id = event.dealId ?? event.campaignId;
  return {
    key: noticeKey(event.type, id, event.unitPrice),
    type: event.type,
    dealId: event.dealId ?? null,
    campaignId: event.campaignId,
    productName: event.productName,
    unitPrice: event.unitPrice ?? null,
    currency: event.currency ?? null,
    confirmBy: event.confirmBy ?? null,
  };
}

const TEXTS: Record<NoticeType, [MessageKey, MessageKey]> = {
  'deal.formed': ['noticeDealFormedTitle', 'noticeDealFormed'],
  'deal.tier-dropped': ['noticeTierDroppedTitle', 'noticeTierDropped'],
  'deal.window-closing': ['noticeWindowClosingTitle', 'noticeWindowClosing'],
  'deal.closed': ['noticeDealClosedTitle', 'noticeDealClosed'],
  'campaign.opened': ['noticeCampaignOpenedTitle', 'noticeCampaignOpened'],
};

export function noticeText(n: Notice, locale: Locale, languageTag: string): { title: string; message: string } {
  const [title, message] = TEXTS[n.type];
  const price = n.unitPrice ? formatPrice(n.unitPrice, n.currency, languageTag) : '';
  const date = n.confirmBy ? new Date(n.confirmBy).toLocaleString(languageTag, { dateStyle: 'medium', timeStyle: 'short' }) : '';
  return { title: t(locale, title), message: t(locale, message, { product: n.productName, price, date }) };
}

/** Deals that wait for the shopper's answer (the badge's number). */
export function awaitingAnswer(deals: readonly DealRow[], now: number): DealRow[] {
  return deals.filter((d) => d.state === 'confirming' && d.myCommitment === null && Date.parse(d.confirmBy) > now);
}

/** Notification ids carry the row's id, so a click finds what it was about. */
export const notificationId = (rowId: number) => `notice:${rowId}`;
export const rowIdOf = (notificationId: string) => {
  const match = /^notice:(\d+)$/.exec(notificationId);
  return match ? Number(match[1]) : null;
};

/** The confirmation view's address for a notice or a deal. */
export function confirmationUrl(target: { dealId?: string | null; noticeId?: number }): string {
  const params = new URLSearchParams();
  if (target.dealId) params.set('deal', target.dealId);
  if (target.noticeId !== undefined) params.set('notice', String(target.noticeId));
  return browser.runtime.getURL(`/confirm.html?${params.toString()}` as '/confirm.html');
}

export class Notifier {
  constructor(
    private readonly db: ExtensionDB,
    private readonly locale: () => Locale,
    private readonly languageTag: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Tells the shopper once per fact: the unique key refuses a second row, and then nothing is shown. */
  async tell(n: Notice): Promise<boolean> {
    let id: number;
    try {
      id = await this.db.notifications.add({ ...n, createdAt: this.now(), read: false });
    } catch (error) {
      if ((error as { name?: string }).name === 'ConstraintError') return false;
      throw error;
    }
    const { title, message } = noticeText(n, this.locale(), this.languageTag());
    await browser.notifications.create(notificationId(id), {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon-128.png'),
      title,
      message,
    });
    return true;
  }

  async onDeals(before: ReadonlyMap<string, DealRow>, after: readonly DealRow[]): Promise<void> {
    for (const n of dealNotices(before, after, this.now())) await this.tell(n);
    await this.updateBadge();
  }

  /** The badge counts the deals that await an answer (on every tab; a product tab's mark gives way). */
  async updateBadge(): Promise<number> {
    const count = awaitingAnswer(await this.db.deals.toArray(), this.now()).length;
    const button = browser.action ?? browser.browserAction;
    await button.setBadgeText({ text: count > 0 ? String(count) : '' });
    if (count > 0) {
      await button.setBadgeBackgroundColor({ color: '#b35900' });
      await button.setTitle({ title: t(this.locale(), 'badgeTitleAwaiting', { count }) });
    }
    return count;
  }

  /** A click on a notification opens the confirmation view for what it was about. */
  async onClicked(notificationIdValue: string): Promise<void> {
    const rowId = rowIdOf(notificationIdValue);
    if (rowId === null) return;
    const row = await this.db.notifications.get(rowId);
    await this.db.notifications.update(rowId, { read: true });
    await browser.tabs.create({ url: confirmationUrl({ dealId: row?.dealId ?? null, noticeId: rowId }) });
    await browser.notifications.clear(notificationIdValue);
  }
}
