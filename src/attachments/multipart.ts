/**
 * Receiving one file from a multipart/form-data request with busboy, as a stream: the bytes go
 * on to storage as they arrive (multer's memory storage would hold the whole file). Express's
 * body parsers only read JSON and urlencoded bodies, so the request stream is still unread here.
 */
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BadUserInputError, PayloadTooLargeError } from '../common/errors/domain-error.js';

export interface IncomingFile {
  stream: Readable;
  /** As the client sent it (busboy already drops path parts); to be sanitised. */
  fileName: string | undefined;
}

export interface ReceiveOptions {
  fieldName: string;
  maxBytes: number;
}

/** Room for the multipart boundaries and part headers around the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

/**
 * Parses the request and hands the file field's stream to `consume` (which should only store it);
 * resolves with its result once the whole form has been read. A body over the limit fails with
 * PayloadTooLargeError (the file stream is destroyed with it, so whatever `consume` was writing
 * fails too); a request without the file, or a malformed one, with BadUserInputError; a client
 * that goes away mid-upload fails the stream. On any failure the rest of the request is read and
 * discarded, so that the client can still get the answer.
 */
export function receiveFile<T>(
  req: IncomingMessage,
  options: ReceiveOptions,
  consume: (file: IncomingFile) => Promise<T>,
): Promise<T> {
  const tooLarge = () =>
    new PayloadTooLargeError(`A file may have at most ${options.maxBytes} bytes`);
  const declaredLength = Number(req.headers['content-length']);
  if (declaredLength > options.maxBytes + ENVELOPE_BYTES) return Promise.reject(tooLarge());

  const notMultipart = () =>
    new BadUserInputError(`Expected a multipart/form-data body with a "${options.fieldName}" file`);
  // busboy also reads urlencoded forms, which cannot carry a file (and a body parser may have
  // consumed them already).
  if (!/^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '')) {
    return Promise.reject(notMultipart());
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // Names are UTF-8 in every current browser; busboy's default would read them as Latin-1.
      defParamCharset: 'utf8',
      // One byte more than allowed: busboy signals 'limit' on reaching it, even at the very end.
      limits: {
        files: 1,
        fileSize: options.maxBytes + 1,
        fields: 20,
        fieldSize: 8 * 1024,
        parts: 25,
      },
    });
  } catch {
    return Promise.reject(notMultipart()); // no boundary, for one
  }

  return new Promise<T>((resolve, reject) => {
    let file: Readable | undefined;
    let consuming: Promise<T> | undefined;
    let consumed: { value: T } | undefined;
    let parsed = false;
    let settled = false;
    // Done only when the whole form was read without error and `consume` is through.
    const finish = () => {
      if (settled || !parsed || !consumed) return;
      settled = true;
      resolve(consumed.value);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      file?.destroy(error);
      req.unpipe(parser);
      req.resume();
      // Reject only once `consume` has let go of the stream and whatever it wrote, so that the
      // caller's clean-up comes after it.
      const done = () => reject(error);
      void (consuming ?? Promise.resolve()).then(done, done);
    };

    parser.on('file', (name, stream, info) => {
      // busboy destroys a part's stream with an error when the form breaks off: never unhandled
      // (for ours, `consume` sees the error through its own pipeline).
      stream.on('error', () => undefined);
      if (name !== options.fieldName || file) {
        stream.resume(); // not ours: skip its bytes
        return;
      }
      file = stream;
      stream.once('limit', () => stream.destroy(tooLarge()));
      consuming = consume({ stream, fileName: info.filename });
      consuming.then(
        (value) => {
          consumed = { value };
          finish();
        },
        (error: Error) => fail(error),
      );
    });
    parser.on('error', () => fail(new BadUserInputError('Malformed multipart/form-data body')));
    parser.once('close', () => {
      if (!file)
        return fail(new BadUserInputError(`No "${options.fieldName}" file in the request`));
      parsed = true;
      finish();
    });
    // The client went away before sending everything.
    req.once('close', () => {
      if (!req.complete) fail(new BadUserInputError('The upload was interrupted'));
    });
    req.pipe(parser);
  });
}
