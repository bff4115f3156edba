import { RouteError } from '../api/http.ts';

/** Why the club console refused a request: a stable code and its HTTP status. */
export const clubErrorCodes = {
  SESSION_INVALID: 400,
  LESSON_UNKNOWN: 400,
  KIT_UNKNOWN: 400,
  SESSION_UNKNOWN: 404,
  SESSION_RUNNING: 409,
  SESSION_ENDED: 409,
  NODERED_OFF: 409,
  CONFIRM_MOTORS: 409,
  NOT_YOUR_TEAM: 403,
} as const;

export type ClubErrorCode = keyof typeof clubErrorCodes;

/**
 * A refusal with what to do about it in English and Vietnamese (the console shows the reader's
 * language), answered as `{status: 'error', code, message, messageVi}`.
 */
export class ClubError extends RouteError {
  constructor(code: ClubErrorCode, message: string, messageVi: string) {
    super(clubErrorCodes[code], code, message, { messageVi });
    this.name = 'ClubError';
  }
}
