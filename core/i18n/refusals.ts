import { fill, type Locale } from './index.ts';

/**
 * Why the server refuses a call, in every language. The server answers with the key (and the English
 * sentence as the error's message, for logs and other clients) in the error's `data.refusal`; the
 * extension and the dashboard show the sentence in the user's language. A new refusal is added here, in
 * both languages, and thrown with `refuse()` (server/trpc/refusal.ts).
 */
export const REFUSALS = {
  tooManyRequests: { en: 'Too many requests: slow down and retry shortly.', fr: 'Trop de requêtes : ralentissez, puis réessayez dans un instant.' },
  signInFirst: {
    en: 'Sign in first: this needs {needs} (missing, unknown or expired).',
    fr: 'Identifiez-vous d’abord : l’identifiant nécessaire manque, est inconnu ou a expiré.',
  },
  notAllowed: { en: 'A {role} may not do this.', fr: 'Votre rôle ne permet pas de faire cela.' },
  invalidInput: { en: 'Invalid input: {details}', fr: 'Le serveur a refusé ces données comme non valides : {details}' },
  wrongPassword: { en: 'Wrong e-mail or password.', fr: 'E-mail ou mot de passe incorrect.' },
  organiserExists: { en: 'An organiser with this e-mail already exists.', fr: 'Un organisateur utilise déjà cet e-mail.' },
  noSuchProduct: { en: 'No such product.', fr: 'Ce produit est inconnu.' },
  noSuchPool: { en: 'No such pool.', fr: 'Ce groupe est inconnu.' },
  noSuchIntent: { en: 'No such intent.', fr: 'Cette demande est inconnue.' },
  noSuchCampaign: { en: 'No such campaign.', fr: 'Cette campagne est inconnue.' },
  noSuchDeal: { en: 'No such deal.', fr: 'Cette offre groupée est inconnue.' },
  noSuchDealOfYours: { en: 'No such deal among yours.', fr: 'Aucune de vos offres groupées ne correspond.' },
  noSuchBid: { en: 'No such bid in this campaign.', fr: 'Cette offre de fournisseur n’existe pas dans cette campagne.' },
  productOrSnapshot: { en: 'Give the product page (snapshot) or a product id.', fr: 'Indiquez la page du produit ou son identifiant.' },
  nothingToChange: { en: 'Nothing to change: give a quantity or a max price.', fr: 'Rien à modifier : indiquez une quantité ou un prix maximum.' },
  alreadyWanted: {
    en: 'You already want this product: change or withdraw your current intent instead.',
    fr: 'Vous voulez déjà ce produit : modifiez votre demande actuelle ou retirez-la.',
  },
  intentIdTaken: { en: 'This intent id is already used: generate a new one.', fr: 'Cet identifiant de demande est déjà pris : générez-en un autre.' },
  pageChanged: {
    en: 'This tab shows another product now: look at it again before joining.',
    fr: 'Cet onglet affiche maintenant un autre produit : regardez-le de nouveau avant de rejoindre le groupe.',
  },
  intentWithdrawn: { en: 'This intent was withdrawn: register a new one.', fr: 'Cette demande a été retirée : faites-en une nouvelle.' },
  noPriceToShare: { en: 'This page shows no price (or no currency) to share.', fr: 'Cette page n’affiche aucun prix (ou aucune devise) à partager.' },
  notADealMember: { en: 'You are not a member of this deal.', fr: 'Vous ne faites pas partie de cette offre groupée.' },
  confirmationClosed: {
    en: 'The confirmation window of this deal is closed: answers are no longer accepted.',
    fr: 'Le délai de confirmation de cette offre groupée est passé : les réponses ne sont plus acceptées.',
  },
  deadlineInPast: { en: 'The deadline must be in the future.', fr: 'L’échéance doit être dans le futur.' },
  campaignUnderWay: {
    en: 'This pool already has a campaign under way: follow that one.',
    fr: 'Ce groupe a déjà une campagne en cours : suivez celle-là.',
  },
  campaignState: { en: '{reason}', fr: 'Ce n’est pas possible dans l’état actuel de la campagne.' },
  invitesBeforeDeal: {
    en: 'Suppliers can be invited only before a deal forms (draft or open campaign).',
    fr: 'Les fournisseurs ne peuvent être invités qu’avant qu’une offre groupée se forme (campagne en préparation ou ouverte).',
  },
  acceptWhileOpen: {
    en: 'A bid can be accepted only while the campaign is open for bids.',
    fr: 'Une offre ne peut être acceptée que pendant que la campagne est ouverte aux offres.',
  },
  bidAlreadyAccepted: { en: 'Another bid was already accepted in this campaign.', fr: 'Une autre offre a déjà été acceptée dans cette campagne.' },
  bidExpired: { en: 'This bid has expired: ask the supplier to renew it.', fr: 'Cette offre a expiré : demandez au fournisseur de la renouveler.' },
  invalidTiers: { en: 'Invalid tiers: {problems}.', fr: 'Paliers non valides : {problems}.' },
  bidValidity: { en: 'A bid must be valid until a time in the future.', fr: 'Une offre doit rester valable jusqu’à une date future.' },
  notOpenForBids: { en: 'This campaign is not open for bids.', fr: 'Cette campagne n’est pas ouverte aux offres.' },
  bidFinal: { en: 'Your bid was accepted: it can no longer be revised.', fr: 'Votre offre a été acceptée : elle ne peut plus être modifiée.' },
  orderListAfterClose: { en: 'The order list exists once the deal is closed.', fr: 'La liste de commande existe une fois l’offre groupée clôturée.' },
} as const satisfies Record<string, Record<Locale, string>>;

export type RefusalKey = keyof typeof REFUSALS;

/** What the server puts in an error's `data.refusal`. */
export interface Refusal {
  key: RefusalKey;
  params: Record<string, string>;
}

export function refusalText(refusal: Refusal, locale: Locale): string {
  return fill(REFUSALS[refusal.key][locale], refusal.params);
}

/**
 * The refusal carried by an error from the server (a tRPC client error, or anything with the same `data`),
 * or null: an older server, or a failure that is not a refusal (the network, a crash).
 */
export function refusalOf(error: unknown): Refusal | null {
  const data = (error as { data?: { refusal?: unknown } } | null)?.data;
  const refusal = data?.refusal as Partial<Refusal> | null | undefined;
  if (!refusal || typeof refusal.key !== 'string' || !Object.hasOwn(REFUSALS, refusal.key)) return null;
  const params = refusal.params && typeof refusal.params === 'object' ? refusal.params : {};
  return { key: refusal.key, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) };
}
