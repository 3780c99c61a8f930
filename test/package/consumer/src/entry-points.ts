// Every public entry point, as a store backend imports it: the type-checks compile this against the installed package.
import * as driver from 'tenkey';
import * as protocol from 'tenkey/protocol';
import * as deviceSim from 'tenkey/device-sim';
import * as capture from 'tenkey/capture';
import * as bridge from 'tenkey/bridge';
import * as testing from 'tenkey/testing';
import * as replay from 'tenkey/replay';
import type { CardReadResult, OpenTenkeyOptions } from 'tenkey';

export const entryPoints = { driver, protocol, deviceSim, capture, bridge, testing, replay };

export const options: OpenTenkeyOptions = { device: 'tcp://127.0.0.1:7780' };

/** What a store may keep of a card: the masked view and the ciphertext. */
export function keptOf(card: CardReadResult): { brand: string; last: string; keySerialNumber: string } {
  return { brand: card.brand, last: card.last, keySerialNumber: card.keySerialNumber };
}
