/** Captures: the tenkey capture format, hex-dump import, pcapng export, frame listing, tap and replay. */
export * from './capture-format.js';
export * from './capture-error.js';
export * from './capture-codec.js';
export * from './capture-reader.js';
export * from './capture-writer.js';
export * from './capture-frames.js';
export * from './frame-listing.js';
export * from './hex-import.js';
export * from './load-capture.js';
export * from './pcapng-writer.js';
export * from './frame-compare.js';
export * from './stepping-clock.js';
export * from './replay-timebase.js';
export * from './replay-report.js';
export * from './replay.js';
export * from './tap.js';
export * from './test-cards.js';
