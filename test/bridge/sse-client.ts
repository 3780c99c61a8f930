/** A minimal text/event-stream reader for tests: the events and every byte received, until the server ends the stream. */

export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: any; // each test asserts the shape it expects
}

export interface EventStreamRead {
  status: number;
  contentType: string | null;
  events: ReceivedEvent[];
  /** Comment lines (`: keepalive`), without the colon. */
  comments: string[];
  /** Everything the server sent, as text. */
  raw: string;
}

export interface ReadOptions {
  headers?: Record<string, string>;
  /** Called for each event as it arrives. */
  onEvent?: (event: ReceivedEvent) => void;
  /** Called for each comment line as it arrives. */
  onComment?: (comment: string) => void;
  /** Aborting drops the connection (as a flaky network would); what was read so far is returned. */
  signal?: AbortSignal;
}

/** Opens the stream and resolves when the server ends it (a stream that never ends fails the test by its timeout). */
export async function readEventStream(url: string, options: ReadOptions = {}): Promise<EventStreamRead> {
  const { headers = {}, onEvent, onComment, signal } = options;
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, ...(signal ? { signal } : {}) });
  const read: EventStreamRead = { status: response.status, contentType: response.headers.get('content-type'), events: [], comments: [], raw: '' };
  if (!response.body) return read;
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const chunk of response.body) {
      const text = decoder.decode(chunk, { stream: true });
      read.raw += text;
      pending += text;
      let end: number;
      while ((end = pending.indexOf('\n\n')) >= 0) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const before = read.comments.length;
        const event = parseBlock(block, read.comments);
        for (const comment of read.comments.slice(before)) onComment?.(comment);
        if (event) {
          read.events.push(event);
          onEvent?.(event);
        }
      }
    }
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  return read;
}

function parseBlock(block: string, comments: string[]): ReceivedEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length === 0) return undefined;
  return { id, event, data: JSON.parse(data.join('\n')) };
}
