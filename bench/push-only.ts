/**
 * The floor under any object-mode stream decoder: a Transform that finds each 0x00 with indexOf and pushes
 * one constant object for it, decoding nothing. What FrameDecoder costs above this is decoding.
 */
import { Transform, type TransformCallback } from 'node:stream';

const NOTHING = Object.freeze({});

export class PushOnlyTransform extends Transform {
  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let at = chunk.indexOf(0); at !== -1; at = chunk.indexOf(0, at + 1)) this.push(NOTHING);
    callback();
  }
}
