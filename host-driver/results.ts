/** What the driver hands back: everything a store backend may keep, nothing it must not. */
import type { Brand } from '../protocol/index.js';

/** The keypad as INFO described it at the last (re)connect. */
export interface DeviceInfo {
  /** Where it was reached: serial path or tcp://host:port. */
  address: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  /** DUKPT initial key id (BDK id + derivation id), 16 lowercase hex digits: tells the service which key to use. */
  keySetId: string;
  /** Protocol version agreed in HELLO. */
  protocolVersion: number;
  /** Brands the keypad is configured to accept. */
  acceptedBrands: Brand[];
}

/** One card, read and encrypted on the keypad. Only the masked view and ciphertext ever reach the host. */
export interface CardReadResult {
  /** credit-card-type id: 'visa', 'mastercard', 'jcb', 'american-express', 'diners-club', 'discover', 'unionpay', … */
  brand: Brand;
  /** The last PAN digits the readCard `reveal` allowed (0–4 ASCII digits; default 3). */
  last: string;
  /** DUKPT key serial number, 24 lowercase hex digits: the card service derives the decryption key from it. */
  keySerialNumber: string;
  /** IV + ciphertext of PAN and expiry (PROTOCOL.md §7), lowercase hex. */
  encryptedBlock: string;
  /** The session id the driver chose for this entry (u32). */
  sessionId: number;
  device: DeviceInfo;
}
