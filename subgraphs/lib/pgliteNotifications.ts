/**
 * LISTEN/NOTIFY for the connections of the embedded database's one shared
 * session (pgliteSessionServer.ts), as PostgreSQL gives them to separate
 * sessions: a notification goes to every connection that LISTENs on its
 * channel, and to no other.
 *
 * PGlite's one session receives a NotificationResponse for every NOTIFY
 * committed on a channel any connection LISTENs on, inside the output of the
 * exchange that committed it. That output belongs to the connection that
 * wrote; the router takes the NotificationResponses out of it and writes each
 * to the connections listening on its channel (PostgreSQL sends them between
 * other messages, so a connection may get one at any time).
 *
 * Which channels a connection listens on is read from its `LISTEN name`,
 * `UNLISTEN name` and `UNLISTEN *` statements sent as simple queries (as pg
 * sends any statement without parameters). A connection's channels are
 * forgotten when it closes; the session stays LISTENing, so later
 * notifications on such a channel are dropped here.
 *
 * Must never: deliver a notification to a connection that did not LISTEN on
 * its channel, or change any other message of the output.
 */
const NOTIFICATION_RESPONSE = 0x41; // 'A'
const QUERY = 0x51; // 'Q'
const LISTEN_STATEMENT = /^\s*(UN)?LISTEN\s+(?:"([^"]+)"|([A-Za-z_][\w$]*)|(\*))\s*;?\s*$/i;

export type Listener = { channels: Set<string>; write(message: Buffer): void };

/** What a frontend message does to its connection's channels; undefined when it is no LISTEN or UNLISTEN. */
export function listenChange(message: Buffer): { listen: boolean; channel: string } | undefined {
  if (message[0] !== QUERY || message.length > 200) return undefined;
  const match = LISTEN_STATEMENT.exec(message.subarray(5, message.length - 1).toString('utf8'));
  if (!match) return undefined;
  const channel = match[2] ?? match[3]?.toLowerCase() ?? '*';
  return { listen: !match[1], channel };
}

export function applyListenChange(listener: Listener, change: { listen: boolean; channel: string }) {
  if (change.listen) listener.channels.add(change.channel);
  else if (change.channel === '*') listener.channels.clear();
  else listener.channels.delete(change.channel);
}

/** Frames one exchange's output and takes its NotificationResponses out, across chunks. */
export class NotificationRouter {
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly listeners: () => Iterable<Listener>) {}

  /** The output without its notifications (which went to their listeners); bytes of an incomplete message wait for the next chunk. */
  route(chunk: Uint8Array): Buffer {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
    const kept: Buffer[] = [];
    let start = 0;
    let at = 0;
    while (at + 5 <= data.length) {
      const end = at + 1 + data.readInt32BE(at + 1);
      if (end > data.length) break;
      if (data[at] === NOTIFICATION_RESPONSE) {
        if (at > start) kept.push(data.subarray(start, at));
        this.deliver(Buffer.from(data.subarray(at, end)));
        start = end;
      }
      at = end;
    }
    if (at > start) kept.push(data.subarray(start, at));
    this.carry = Buffer.from(data.subarray(at));
    return kept.length === 1 ? kept[0] : Buffer.concat(kept);
  }

  private deliver(message: Buffer) {
    // Body: the notifying backend's pid (Int32), the channel, the payload (both NUL-terminated).
    const channelEnd = message.indexOf(0, 9);
    const channel = message.subarray(9, channelEnd).toString('utf8');
    for (const listener of this.listeners()) if (listener.channels.has(channel)) listener.write(message);
  }
}
