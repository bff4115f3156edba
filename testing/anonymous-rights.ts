/**
 * Anonymous rights for tests and benches whose twins connect without credentials and send
 * commands anonymously: every topic, retained messages too, as anonymous clients had before the
 * safe default (broker/src/security/rights.ts DEFAULT_ANONYMOUS_RIGHTS). Never a real central's.
 */
export const OPEN_ANONYMOUS_RIGHTS = {
  publish: { allow: ['#'], deny: [] },
  subscribe: { allow: ['#', '$SYS/#'], deny: [] },
  retain: true,
};

/** `security` for a test central with anonymous access on and every right (see above). */
export const OPEN_ANONYMOUS = { allowAnonymous: true, anonymous: OPEN_ANONYMOUS_RIGHTS };
