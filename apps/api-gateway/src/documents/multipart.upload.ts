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

/**
 * Reads `POST /v1/documents`: exactly one file part named `file` (buffered, at most
 * `maxBytes`) and the `collection` field, in any order. The type comes from the bytes.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<NewUpload> {
  if (!request.isMultipart()) throw DocumentsException.multipartRequired();
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) throw DocumentsException.fileTooLarge(maxBytes);

  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; filename: string } | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 8, fieldSize: 1_024, parts: 10 } })) {
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
        throw error;
      default:
        throw DocumentsException.invalidUpload(`The multipart body could not be read: ${(error as Error).message}.`);
    }
  }
  const { collection }: UploadFields = FIELDS.transform(fields);
  if (!file) throw DocumentsException.invalidUpload("No file: send the document as the 'file' part.", 'file');
  if (file.bytes.length === 0) throw DocumentsException.emptyFile();
  const sniffed = sniffMediaType(file.bytes);
  if (!sniffed.ok) throw DocumentsException.unsupportedMediaType(sniffed.reason);
  return { collection, filename: file.filename, mediaType: sniffed.mediaType, bytes: file.bytes };
}
