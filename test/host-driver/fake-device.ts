/**
 * A scripted device for the cases the simulator will not play (a keypad that misbehaves): a real TCP
 * listener, the real FrameDecoder and a device-role LinkEndpoint, and a handler that decides the answers.
 * Stopped after each test.
 */
import { afterEach } from 'vitest';
import type { HostMessage } from '../../protocol/index.js';
import { serveFakeDevice, type FakeDevice, type FakeDeviceConnection } from './fake-device-server.js';

export { INFO, say, type FakeDevice, type FakeDeviceConnection } from './fake-device-server.js';

const running: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

export async function fakeDevice(
  handler: (message: HostMessage, connection: FakeDeviceConnection) => void,
  onConnect?: (connection: FakeDeviceConnection) => void,
): Promise<FakeDevice> {
  const { close, ...device } = await serveFakeDevice(handler, onConnect);
  running.push(close);
  return device;
}
