/** Every refusal of the broker's access policy, by reason: counted for /metrics and logged with this text. */
export const refusalReasons = {
  'identifier-rejected': 'CONNACK 0x02: zero-length client id with CleanSession=0 [MQTT-3.1.3-8]',
  'client-id-mismatch': "CONNACK 0x02: a gateway's client id is not its username",
  'person-client-id': "CONNACK 0x02: a person's client used a gateway's client id (gw:…)",
  'bad-credentials': 'CONNACK 0x04: unknown username, wrong or revoked secret, wrong password or token, disabled account',
  anonymous: 'CONNACK 0x05: no credentials and allowAnonymous is off',
  'gateway-id-taken': "CONNACK 0x05: an anonymous client used the client id of a gateway that has credentials",
  'connect-rate': 'connection closed before CONNACK: too many CONNECTs from one address',
  'login-limit': 'CONNACK 0x04 without checking the password: too many failed log-ins from this address (for this username, or any)',
  'login-abandoned': 'connection closed before its password was checked: no hash computed for it',
  'login-busy': 'CONNACK 0x03: the queue of password checks is full of better-placed attempts; the client retries later',
  'protocol-violation': 'connection closed: a malformed packet the parser accepts (see the cited clause in the log)',
  'packet-too-large': 'connection closed: a packet larger than maxPacketBytes',
  'publish-rate': 'connection closed: the client published faster than its rate',
  'publish-foreign': "publish dropped: a gateway published under another gateway's topics",
  'publish-not-allowed': "publish dropped: a topic outside the client's rights (a gateway's own contract topics, a person's unit's commands, the anonymous rights), or a reserved topic",
  'retain-not-allowed': "publish delivered but not retained: an anonymous client whose rights (security.anonymous.retain) do not allow retained messages",
  quota: "publish dropped: over one of the gateway's quotas (security/quotas.ts; the hit is counted in stemlab_quota_hits_total)",
  'subscribe-not-allowed': 'SUBACK 0x80: a subscription the client may not have',
  'will-not-allowed': 'CONNACK 0x05: a will on a topic the client may not publish to',
  'will-orphan-refused': 'will dropped: published without its client (after a restart, or for a dead cluster node) on a topic the identity it was stored with may not publish to',
} as const;
export type RefusalReason = keyof typeof refusalReasons;

/** A zeroed counter per reason. */
export function refusalCounters(): Record<RefusalReason, number> {
  return Object.fromEntries(Object.keys(refusalReasons).map((k) => [k, 0])) as Record<RefusalReason, number>;
}
