/** Device-side card crypto. The decrypt side (card-block-decrypt, used by payment-sim/) is imported by path, on purpose. */
export * from './aes-dukpt.js';
export * from './card-block.js';
export * from './card-block-layout.js';
export * from './errors.js';
export * from './test-keys.js';
