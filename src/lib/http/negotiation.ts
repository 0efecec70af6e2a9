/**
 * Content negotiation as the Mesos HTTP APIs do it. berth speaks JSON only:
 * a protobuf body is refused with 415 and a message that says so, and a
 * client that accepts nothing but protobuf gets 406.
 */

export const APPLICATION_JSON = 'application/json';
export const APPLICATION_PROTOBUF = 'application/x-protobuf';

export type BodyCheck = { ok: true } | { ok: false; status: 400 | 415; message: string };

/** The request's Content-Type must be JSON (parameters such as charset are allowed). */
export function checkJsonContentType(contentType: string | undefined): BodyCheck {
  if (contentType === undefined) return { ok: false, status: 400, message: "Expecting 'Content-Type' to be present" };
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === APPLICATION_JSON) return { ok: true };
  if (mediaType === APPLICATION_PROTOBUF) {
    return {
      ok: false,
      status: 415,
      message: `berth speaks JSON only: 'Content-Type: ${APPLICATION_PROTOBUF}' is not supported; send '${APPLICATION_JSON}'`,
    };
  }
  return { ok: false, status: 415, message: `Expecting 'Content-Type' of ${APPLICATION_JSON}` };
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly quality: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim());
    if (range === undefined || range === '') continue;
    const [type, subtype] = range.toLowerCase().split('/');
    if (type === undefined || subtype === undefined) continue;
    let quality = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key === 'q' && value !== undefined) quality = Number(value);
    }
    if (Number.isFinite(quality)) ranges.push({ type, subtype, quality });
  }
  return ranges;
}

/** True when the Accept header (absent: anything) allows `mediaType` with a quality above zero. */
export function acceptsMediaType(acceptHeader: string | undefined, mediaType: string): boolean {
  if (acceptHeader === undefined || acceptHeader.trim() === '') return true;
  const [type, subtype] = mediaType.split('/');
  let best: MediaRange | undefined;
  let bestSpecificity = -1;
  for (const range of parseAccept(acceptHeader)) {
    const matches = (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype);
    if (!matches) continue;
    const specificity = (range.type === '*' ? 0 : 1) + (range.subtype === '*' ? 0 : 1);
    if (specificity > bestSpecificity) {
      best = range;
      bestSpecificity = specificity;
    }
  }
  return best !== undefined && best.quality > 0;
}

export type AcceptCheck = { ok: true } | { ok: false; status: 406; message: string };

/** For responses with a body: JSON must be acceptable. */
export function checkAcceptsJson(acceptHeader: string | undefined): AcceptCheck {
  if (acceptsMediaType(acceptHeader, APPLICATION_JSON)) return { ok: true };
  if (acceptsMediaType(acceptHeader, APPLICATION_PROTOBUF)) {
    return { ok: false, status: 406, message: `berth answers in '${APPLICATION_JSON}' only; '${APPLICATION_PROTOBUF}' is not supported` };
  }
  return { ok: false, status: 406, message: `Expecting 'Accept' to allow '${APPLICATION_PROTOBUF}' or '${APPLICATION_JSON}'` };
}
