export * from './entry-machine.js';
export * from './entry-input.js';
export * from './keys.js';
export * from './brand.js';
export * from './card-rules.js';
export * from './protocol-names.js';
export * from './stop-entry.js';
