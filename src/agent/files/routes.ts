/**
 * GET /files/browse, /files/read, /files/download and /files/debug (Mesos'
 * "files" process; spec/core.md 6.4). Arguments come in the query: `path`,
 * `offset`, `length`, and `jsonp` for the JSON answers. Errors are text/plain
 * with Mesos' messages: 400 bad arguments (`..` included) or the wrong kind of
 * file, 403 outside the attached roots, 404 not found.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stringifyAscii } from '../../lib/json-ascii.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { Files } from './files.js';
import type { FilesError } from './resolve.js';

type Query = Record<string, string | string[] | undefined>;

/** A repeated parameter counts once: its first value. */
function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Query)[name];
  return Array.isArray(value) ? value[0] : value;
}

const jsonpCallbackPattern = /^[A-Za-z_$][\w$.]*$/;

export function registerFilesRoutes(app: FastifyInstance, files: Files): void {
  app.get('/files/browse', async (request, reply) => {
    const path = pathArgument(request);
    if (!path.ok) return sendError(reply, path.error);
    const listing = await files.browse(path.value);
    if (!listing.ok) return sendError(reply, listing.error);
    return sendJson(request, reply, listing.value);
  });

  app.get('/files/read', async (request, reply) => {
    const args = readArguments(queryValue(request, 'path'), queryValue(request, 'offset'), queryValue(request, 'length'));
    if (!args.ok) return sendError(reply, args.error);
    const chunk = await files.read(args.value.path, args.value.offset, args.value.length);
    if (!chunk.ok) return sendError(reply, chunk.error);
    return sendJson(request, reply, chunk.value);
  });

  app.get('/files/download', async (request, reply) => {
    const path = pathArgument(request);
    if (!path.ok) return sendError(reply, path.error);
    const download = await files.download(path.value);
    if (!download.ok) return sendError(reply, download.error);
    return reply
      .code(200)
      .header('content-type', download.value.contentType)
      .header('content-disposition', `attachment; filename=${headerSafe(download.value.fileName)}`)
      .send(download.value.stream);
  });

  app.get('/files/debug', (request, reply) => sendJson(request, reply, files.debug()));
}

function pathArgument(request: FastifyRequest): Result<string, FilesError> {
  const path = queryValue(request, 'path');
  if (path === undefined || path === '') return err({ status: 400, message: "Expecting 'path=value' in query.\n" });
  return ok(path);
}

export interface ReadArguments {
  readonly path: string;
  /** -1: answer the size only. */
  readonly offset: number;
  /** -1: to the end (capped). */
  readonly length: number;
}

/** /files/read's query, checked in Mesos' order and with its messages. */
export function readArguments(path: string | undefined, offset: string | undefined, length: string | undefined): Result<ReadArguments, FilesError> {
  if (path === undefined || path === '') return err({ status: 400, message: "Expecting 'path=value' in query.\n" });
  const offsetValue = offset === undefined ? -1 : parseInteger(offset);
  if (offsetValue === undefined) return err({ status: 400, message: `Failed to parse offset: Failed to convert '${offset ?? ''}' to number.\n` });
  if (offsetValue < -1) return err({ status: 400, message: `Negative offset provided: ${offsetValue}.\n` });
  const lengthValue = length === undefined ? -1 : parseInteger(length);
  if (lengthValue === undefined) return err({ status: 400, message: `Failed to parse length: Failed to convert '${length ?? ''}' to number.\n` });
  if (lengthValue < -1) return err({ status: 400, message: `Negative length provided: ${lengthValue}.\n` });
  return ok({ path, offset: offsetValue, length: lengthValue });
}

function parseInteger(text: string): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function sendError(reply: FastifyReply, error: FilesError): FastifyReply {
  return reply.code(error.status).type('text/plain; charset=utf-8').send(error.message);
}

function sendJson(request: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  const json = stringifyAscii(body);
  const jsonp = queryValue(request, 'jsonp');
  if (jsonp !== undefined) {
    if (!jsonpCallbackPattern.test(jsonp)) return reply.code(400).type('text/plain').send("Invalid 'jsonp' callback name");
    return reply.code(200).type('text/javascript').send(`${jsonp}(${json});`);
  }
  return reply.code(200).type('application/json').send(json);
}

/** A file name inside a header: printable ASCII only (a task names its files as it likes). */
function headerSafe(name: string): string {
  return name.replace(/[^\x20-\x7e]|[";\\]/g, '_');
}
