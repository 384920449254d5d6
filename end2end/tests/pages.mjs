// Every page of OneRing, as the phone, keyboard and accessibility checks visit them
// (every-page.test.mjs). A new page is added here the day it is built.
//
// `world` (made by `makeWorld`) holds the people and things the pages show: `{draft}`,
// `{code}`, `{slug}`, `{handle}`, `{user}` and `{event}` in a path are replaced from it.
// `as` says who looks: `out` (signed out), `owner` (a draft's owner, also an admin),
// `invitee` (someone an invite link is for).
import { execFileSync } from 'node:child_process';
import { BIN, PASSWORD, uniqueHandle } from './helpers.mjs';

export const PAGES = [
  { path: '/', as: 'out', name: 'landing' },
  { path: '/signup', as: 'out', name: 'sign up' },
  { path: '/signin', as: 'out', name: 'sign in' },
  { path: '/pricing', as: 'out', name: 'pricing' },
  { path: '/u/{handle}', as: 'out', name: 'profile' },
  { path: '/c/{slug}', as: 'out', name: 'public card' },
  { path: '/refer/{code}', as: 'out', name: 'invite (signed out)' },
  { path: '/refer/NoSuchInviteCode0000000', as: 'out', name: 'invite unavailable' },
  { path: '/no/such/page', as: 'out', name: '404' },
  { path: '/admin', as: 'out', name: 'admin (signed out)' },
  { path: '/', as: 'owner', name: 'home' },
  { path: '/today', as: 'owner', name: 'today' },
  { path: '/drafts', as: 'owner', name: 'drafts' },
  { path: '/drafts?new=1', as: 'owner', name: 'create dialog' },
  { path: '/drafts/{draft}', as: 'owner', name: 'draft' },
  { path: '/drafts/{draft}', as: 'owner', name: 'share card dialog', open: '#open-share-card' },
  { path: '/drafts/{draft}/insights', as: 'owner', name: 'draft insights' },
  { path: '/insights', as: 'owner', name: 'insights' },
  { path: '/account', as: 'owner', name: 'account' },
  { path: '/account/plan', as: 'owner', name: 'plan' },
  { path: '/pricing', as: 'owner', name: 'pricing (signed in)' },
  { path: '/u/{handle}', as: 'owner', name: 'own profile' },
  { path: '/refer/{code}', as: 'invitee', name: 'invite' },
  { path: '/account/connections', as: 'owner', name: 'connected accounts' },
  { path: '/scheduled', as: 'owner', name: 'scheduled threads' },
  { path: '/admin', as: 'owner', name: 'admin overview' },
  { path: '/admin/users', as: 'owner', name: 'admin people' },
  { path: '/admin/users/{user}', as: 'owner', name: 'admin person' },
  { path: '/admin/billing', as: 'owner', name: 'admin billing events' },
  { path: '/admin/reconcile', as: 'owner', name: 'admin reconcile' },
  { path: '/admin/audit', as: 'owner', name: 'admin audit log' },
];

/** Fills `path`'s placeholders from `world`. */
export function fill(path, world) {
  return path.replace(/\{(\w+)\}/g, (_, key) => world[key] ?? `{${key}}`);
}

async function post(request, endpoint, form) {
  const reply = await request.post(`/api/${endpoint}`, { form: { ...form, idempotency_key: crypto.randomUUID() } });
  if (reply.status() !== 200) throw new Error(`${endpoint}: ${reply.status()} ${await reply.text()}`);
  return reply.json();
}

async function signUp(context) {
  const handle = uniqueHandle('pg');
  await post(context.request, 'auth/sign_up', { handle, email: `${handle}@example.com`, password: PASSWORD });
  return handle;
}

/**
 * Signs up an owner (made an admin), a co-writer and an invitee, each in a browser context
 * of their own; the owner writes a draft with the co-writer, shares its card and makes an
 * invite link for the invitee.
 */
export async function makeWorld(browser, contextOptions) {
  const owner = await browser.newContext(contextOptions);
  const cowriter = await browser.newContext(contextOptions);
  const invitee = await browser.newContext(contextOptions);
  const handle = await signUp(owner);
  const other = await signUp(cowriter);
  await signUp(invitee);
  const otherId = (await (await cowriter.request.post('/api/auth/me')).json()).user.id;
  const draft = (await post(owner.request, 'drafts/create', {
    title: 'Launch week thread', platform: 'bluesky',
    first_segment: 'We shipped OneRing today. Here is the story of how five of us wrote it together.',
  })).id;
  await post(owner.request, 'drafts/add_collaborator', { draft_id: draft, handle: other, role: 'editor' });
  await post(owner.request, 'drafts/append', { draft_id: draft, content: 'It started with one ring and a shared doc nobody could agree on. https://example.com/a-very-long-link-that-should-wrap-and-never-push-the-page-wider-than-the-phone' });
  await post(owner.request, 'drafts/pass_ring', { draft_id: draft, to_user_id: otherId });
  await post(cowriter.request, 'drafts/append', { draft_id: draft, content: 'Then we took turns. Whoever held the ring wrote the next post.' });
  const sharing = await post(owner.request, 'sharecards/set_sharing', { draft_id: draft, enabled: 'true', show_thread: 'true' });
  const slug = sharing.public_link.split('/c/')[1];
  const invite = await post(owner.request, 'invites/create', { draft_id: draft, role: 'editor' });
  const code = invite.link.split('/refer/')[1];
  execFileSync(BIN, ['admin', 'grant', handle], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
  });
  return {
    contexts: { owner, invitee },
    draft, code, slug, handle, user: otherId,
  };
}
