/**
 * Public surface of captures (`tenkey/capture`): the tenkey capture format, reading and writing it, hex-dump and
 * raw-byte import, frame listing and pcapng export. Named on purpose (api/capture.api.md is the record); line
 * codecs, splitters and import heuristics stay internal. Tap and replay run programs: they live elsewhere.
 */
export { CAPTURE_FORMAT, CAPTURE_FORMAT_VERSION, isChunkRecord } from './capture-format.js';
export type {
  Direction, LinkSide, CaptureOrigin, CaptureScenario, CaptureOutcome, CaptureHeader, ChunkRecord, LinkEventRecord,
  CaptureRecord, Capture,
} from './capture-format.js';
export { CaptureError, CaptureErrorCode, isCaptureError, type CaptureErrorCodeName } from './capture-error.js';
export { parseCapture, readCaptureStream, readCaptureFile } from './capture-reader.js';
export { CaptureWriter, formatCapture, type CaptureWriterOptions } from './capture-writer.js';
export {
  isCapturedFrame, timelineOfRecords, framesOfRecords, framesOfCapture, type CapturedFrame, type TimelineItem,
} from './capture-frames.js';
export {
  crcVerdict, formatFrameLine, formatLinkEventLine, frameToJson, linkEventToJson, type CrcVerdict,
} from './frame-listing.js';
export { importHexDump, importJpnevulator, importPlainHex, type HexImportOptions } from './hex-import.js';
export { importRawBytes } from './raw-import.js';
export {
  loadCapture, parseCaptureInput, CAPTURE_INPUT_FORMATS, type CaptureInputFormat, type LoadCaptureOptions,
} from './load-capture.js';
export { captureToPcapng, LINKTYPE_USER0, type PcapngOptions } from './pcapng-writer.js';
