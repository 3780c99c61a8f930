/** The reference admin store (`tenkey demo-store`): Japanese admin pages + JSON API over the payment stand-ins. */
export { startDemoStore, DEFAULT_STORE_HOST, DEFAULT_STORE_PORT } from './store-server.js';
export type { DemoStoreOptions, RunningDemoStore } from './store-server.js';
export { DEFAULT_STORE_SETTINGS, applySettingsChange, StoreSettingsError } from './store-settings.js';
export type { StoreSettings } from './store-settings.js';
