/** Envelope message types (Apache's TMessageType). */
export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;

export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** Returns the name of a message type (`CALL`…), or `unknown message type N`. */
export function messageTypeName(code: number): string {
  for (const [k, v] of Object.entries(MessageType)) if (v === code) return k;
  return `unknown message type ${code}`;
}
