/**
 * Every error the HTTP API answers with, declared once: a stable code, its HTTP status and what it
 * means. Every error reply has the one envelope `{ status: 'error', code, message }`; the message
 * says what to do, the code is what clients branch on (and never changes once shipped).
 */
export const apiErrorCodes = {
  UNAUTHENTICATED: { status: 401, doc: 'No valid session: log in at POST /api/v1/login and send `Authorization: Bearer TOKEN`.' },
  FORBIDDEN: { status: 403, doc: "The session's role (or unit) does not allow this request." },
  BAD_REQUEST: { status: 400, doc: 'The query or body is invalid; the message names the field and what is wrong.' },
  NOT_FOUND: { status: 404, doc: 'No such route or resource.' },
  CONFLICT: { status: 409, doc: 'The change clashes with what exists (an account or unit id already taken, the last admin).' },
  TOO_MANY_REQUESTS: { status: 429, doc: 'Too many failed log-ins; wait the `Retry-After` seconds before trying again.' },
  PAYLOAD_TOO_LARGE: { status: 413, doc: 'The request body is larger than the API accepts.' },
  UNAVAILABLE: { status: 503, doc: 'The central is too busy checking other log-ins; try again after the `Retry-After` seconds.' },
  INTERNAL: { status: 500, doc: 'A fault of the central; the log has the details.' },
} as const;

export type ApiErrorCode = keyof typeof apiErrorCodes;

export interface ErrorEnvelope {
  status: 'error';
  code: ApiErrorCode;
  message: string;
}

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = apiErrorCodes[code].status;
  }

  toJSON(): ErrorEnvelope {
    return { status: 'error', code: this.code, message: this.message };
  }
}
