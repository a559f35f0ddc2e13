import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { ZodPipe } from '@conduit/runtime';
import { sniffMediaType } from './media-type.sniffer';
import { displayFilename, UploadFields, uploadFieldsSchema } from './documents.dto';
import { DocumentsException } from './documents.exception';
import type { NewUpload } from './documents.service';

const FIELDS = new ZodPipe(uploadFieldsSchema);
/** Room for multipart boundaries and the small fields on top of the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

function multipartCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('FST_') ? code : undefined;
}

/** The `boundary` parameter of a multipart content type (RFC 2046: 1 to 70 characters), if any. */
function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;]*))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  return boundary && boundary.length <= 70 ? boundary : undefined;
}

/**
 * Reads `POST /v1/documents`: exactly one file part named `file` (buffered, at most
 * `maxBytes`) and the `collection` field, in any order. The type comes from the bytes.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<NewUpload> {
  if (!request.isMultipart()) throw DocumentsException.multipartRequired();
  if (!boundaryOf(request.headers['content-type'])) {
    throw DocumentsException.invalidUpload('The multipart/form-data content type needs a boundary parameter (1 to 70 characters).');
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) throw DocumentsException.fileTooLarge(maxBytes);

  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; filename: string } | undefined;
  let parts = 0;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 8, fieldSize: 1_024, parts: 10 } })) {
      parts += 1;
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw DocumentsException.invalidUpload(`Unexpected file part '${part.fieldname}': send the document as the 'file' part.`, part.fieldname);
        }
        file = { bytes: await part.toBuffer(), filename: displayFilename(part.filename) };
      } else {
        fields[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value);
      }
    }
  } catch (error) {
    switch (multipartCode(error)) {
      case 'FST_REQ_FILE_TOO_LARGE':
        throw DocumentsException.fileTooLarge(maxBytes);
      case 'FST_FILES_LIMIT':
        throw DocumentsException.invalidUpload('Send exactly one file per request.', 'file');
      case 'FST_PARTS_LIMIT':
      case 'FST_FIELDS_LIMIT':
      case 'FST_PROTO_VIOLATION':
        throw DocumentsException.invalidUpload('Too many or malformed form fields: send only `file` and `collection`.');
      case undefined:
        if (error instanceof DocumentsException) throw error;
        // Only the request body is read here: any other failure is the parser refusing it
        // (a body cut short, no closing boundary, malformed part headers).
        throw DocumentsException.invalidUpload(
          'The multipart body could not be read: it is malformed or ends before its closing boundary.',
        );
      default:
        throw DocumentsException.invalidUpload(`The multipart body could not be read: ${(error as Error).message}.`);
    }
  }
  if (parts === 0) {
    throw DocumentsException.invalidUpload("The multipart body holds no parts (is the boundary the one the body uses?): send a 'file' part and a 'collection' field.");
  }
  const { collection }: UploadFields = FIELDS.transform(fields);
  if (!file) throw DocumentsException.invalidUpload("No file: send the document as the 'file' part.", 'file');
  if (file.bytes.length === 0) throw DocumentsException.emptyFile();
  const sniffed = sniffMediaType(file.bytes);
  if (!sniffed.ok) throw DocumentsException.unsupportedMediaType(sniffed.reason);
  return { collection, filename: file.filename, mediaType: sniffed.mediaType, bytes: file.bytes };
}
