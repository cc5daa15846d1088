import { describe, expect, it } from 'vitest';
import { authenticate, hashToken } from '../../server/auth/tokens.ts';
import { revokeSupplierInvitation } from '../../server/domain/suppliers.ts';
import { codeOf, ENGINES, uniqueSuffix, useHarness, useTestDatabase } from './helpers.ts';

describe.each(ENGINES)('identity on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);

  it('creates an anonymous shopper with a 256-bit token stored only as a hash', async () => {
    const { shopperId, token } = await h.caller().identity.createShopper();
    expect(token).toMatch(/^shp_[A-Za-z0-9_-]{43}$/);
    const row = await t.handle.db.selectFrom('shopper').selectAll().where('id', '=', shopperId).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    expect(await authenticate(t.handle.db, token)).toEqual({ role: 'shopper', shopperId });
    // One character off: nobody.
    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await authenticate(t.handle.db, wrong)).toEqual({ role: 'anonymous' });
    expect(await authenticate(t.handle.db, 'Bearer nonsense')).toEqual({ role: 'anonymous' });
  });

  it('signs organisers up and in with scrypt, and out again', async () => {
    const email = `Alice-${uniqueSuffix()}@Example.org`;
    const signUp = await h.caller().identity.organiserSignUp({ email, password: 'a long enough secret', displayName: 'Alice' });
    expect(signUp.organiser.email).toBe(email.toLowerCase());
    const stored = await t.handle.db.selectFrom('organiser').select('password_hash').where('id', '=', signUp.organiser.id).executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.password_hash).not.toContain('a long enough secret');

    expect(await codeOf(h.caller().identity.organiserSignUp({ email, password: 'another secret!', displayName: 'Eve' }))).toBe('CONFLICT');
    expect(await codeOf(h.caller().identity.organiserSignIn({ email, password: 'wrong password' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(h.caller().identity.organiserSignIn({ email: `nobody-${uniqueSuffix()}@example.org`, password: 'x' }))).toBe('UNAUTHORIZED');

    const signIn = await h.caller().identity.organiserSignIn({ email: email.toUpperCase(), password: 'a long enough secret' });
    const actor = await authenticate(t.handle.db, signIn.token);
    expect(actor).toMatchObject({ role: 'organiser', organiserId: signUp.organiser.id });
    await h.caller(actor).identity.organiserSignOut();
    expect(await authenticate(t.handle.db, signIn.token)).toEqual({ role: 'anonymous' });
    // The sign-up session is another session: still valid.
    expect((await authenticate(t.handle.db, signUp.token)).role).toBe('organiser');
  });

  it('refuses expired organiser sessions', async () => {
    const org = await h.organiser();
    await t.handle.db
      .updateTable('organiser_session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', hashToken(org.token))
      .execute();
    expect(await authenticate(t.handle.db, org.token)).toEqual({ role: 'anonymous' });
  });

  it('rejects weak or malformed sign-up input with a clear message', async () => {
    const error = await h
      .caller()
      .identity.organiserSignUp({ email: 'not-an-email', password: 'short', displayName: '' })
      .then(() => ({ code: 'OK', message: '' }))
      .catch((e: unknown) => e as { code: string; message: string });
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/e-mail/);
    expect(error.message).toMatch(/at least 10 characters/);
  });

  it('scopes a supplier invitation to its campaign, and stops honouring it once revoked', async () => {
    const sup = await h.supplier();
    expect(await authenticate(t.handle.db, sup.token)).toEqual({ role: 'supplier', invitationId: sup.invitationId, campaignId: sup.campaignId });
    expect(await sup.caller.identity.me()).toEqual({ role: 'supplier', id: sup.invitationId, campaignId: sup.campaignId });
    await revokeSupplierInvitation(t.handle.db, sup.invitationId);
    expect(await authenticate(t.handle.db, sup.token)).toEqual({ role: 'anonymous' });
  });
});
