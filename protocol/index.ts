/** Public surface of the tenkey wire protocol. Everything else imports from here. */
export * from './constants.js';
export * from './messages.js';
export * from './errors.js';
export * from './frame-types.js';
export * from './clock.js';
export * from './cobs.js';
export * from './crc16.js';
export * from './brands.js';
export * from './code-tables.js';
export * from './field-rules.js';
export * from './body-parsers.js';
export * from './encoders.js';
export * from './frame.js';
export * from './frame-decoder.js';
export * from './describe.js';
export * from './link.js';
export * from './card-services.js';
