/** Why the lab refused a request: a stable code, and what to do about it in English and Vietnamese. */
export const labErrorCodes = {
  EXPERIMENT_INVALID: 400,
  SENSOR_UNKNOWN: 400,
  EXPERIMENT_UNKNOWN: 404,
  KIT_BUSY: 409,
  KIT_NOT_CONNECTED: 409,
  EXPERIMENT_FINISHED: 409,
} as const;

export type LabErrorCode = keyof typeof labErrorCodes;

export class LabError extends Error {
  readonly status: number;
  constructor(
    readonly code: LabErrorCode,
    message: string,
    /** The same, for the page's Vietnamese readers. */
    readonly messageVi: string,
  ) {
    super(message);
    this.name = 'LabError';
    this.status = labErrorCodes[code];
  }
}
