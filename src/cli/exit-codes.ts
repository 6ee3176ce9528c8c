/** Exit codes scripts can rely on. */
export const exitCodes = {
  ok: 0,
  /** A failure: bad input, missing file, unreadable workspace. */
  error: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** Reserved: a provisioning job is quarantined (provlog status). */
  quarantined: 3,
  /** The import finished but rejected rows (see the rejects file); --allow-rejects makes it 0. */
  rejects: 4,
} as const;

export interface Outcome {
  code: number;
}
