import type { EventEmitter } from 'node:events';

/** Events of a byte transport: bytes in, and one 'close' when it is gone (with the error that ended it, if any). */
export interface ByteTransportEvents {
  data: [bytes: Buffer];
  close: [error: Error | undefined];
}

/**
 * An open byte pipe to a keypad (serial port or TCP socket). The link layer sits on top; a transport
 * knows nothing of frames. After 'close' it is spent: reconnecting opens a new one.
 */
export interface ByteTransport extends EventEmitter<ByteTransportEvents> {
  /** Human-readable endpoint for logs and errors: the serial path or tcp://host:port. */
  readonly description: string;
  /** Queues bytes for the device. Writing after close is a no-op (the loss was already reported). */
  write(bytes: Buffer): void;
  /**
   * Bytes write() took that the OS has not taken yet (the stream's own buffer): it grows while the keypad does not
   * read. The connection drops a keypad that lets it pass MAX_UNWRITTEN_BYTES. Absent: the transport buffers nothing.
   */
  readonly writableLength?: number;
  /** Releases the port or socket. Safe to call twice; resolves once the handle is gone. */
  close(): Promise<void>;
}
