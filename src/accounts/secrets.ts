/**
 * Secrets handed to users (session cookies, API tokens, invite links) are 256 random bits;
 * the database keeps only their SHA-256, so a leaked database opens no session. A fast hash is
 * right here: the secrets are random, not guessable passwords.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
