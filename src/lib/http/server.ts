/**
 * The fastify server every berth process uses: request bodies are kept raw so
 * that each API decodes and reports errors the Mesos way, and errors never
 * reach a client as a stack trace.
 */
import Fastify, { type FastifyInstance } from 'fastify';

/** Largest request body: an ACCEPT with many tasks fits; anything bigger is refused with 413. */
export const requestBodyBytesMax = 16 * 1024 * 1024;

export function createHttpServer(): FastifyInstance {
  const app = Fastify({ bodyLimit: requestBodyBytesMax, logger: false, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      void reply.code(415).type('text/plain').send("Expecting 'Content-Type' of application/json");
      return;
    }
    void reply
      .code(status)
      .type('text/plain')
      .send(status >= 500 ? 'Internal error' : error.message);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type('text/plain').send(`No such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });
  return app;
}

/** The body as text (empty when absent). */
export function bodyText(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : '';
}
