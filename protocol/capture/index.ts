/** Captures: the tenkey capture format, hex-dump import, pcapng export, frame listing and frame comparison. (Tap and replay run programs: they live in cli/capture/.) */
export * from './capture-format.js';
export * from './capture-error.js';
export * from './capture-codec.js';
export * from './capture-reader.js';
export * from './capture-writer.js';
export * from './capture-frames.js';
export * from './frame-listing.js';
export * from './hex-import.js';
export * from './load-capture.js';
export * from './raw-import.js';
export * from './pcapng-writer.js';
export * from './frame-compare.js';
