/**
 * The companion's HTTP side (express): GET /health, job artifacts (token required, HTTP range requests for
 * the preview video), and the web UI bundle. Every request must name the companion itself in its Host header
 * (127.0.0.1:<port> or localhost:<port>), which defeats DNS-rebinding pages. Only files a finished job's
 * result lists are served: regular files with one link, opened with O_NOFOLLOW, whose real path is inside the
 * job's folder. Every response forbids framing (X-Frame-Options, CSP frame-ancestors).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { MontageError, toMontageError, type ErrorCode } from '../core/errors';
import { liveProcessCount } from '../media/process';
import { PROTOCOL_VERSION } from '../protocol/messages';
import { tokensEqual } from './config';
import type { JobManager } from './job-manager';
import type { JobStore } from './job-store';
import type { OpenedFile } from '../media/regular-file';
import type { GpuStatus } from './run-job';

export interface HttpAppOptions {
  readonly token: string;
  readonly manager: JobManager;
  readonly store: JobStore;
  readonly version: string;
  readonly uiDir: string;
  /** Host header values accepted (e.g. "127.0.0.1:7391"); read per request because port 0 is known late. */
  readonly allowedHosts: () => readonly string[];
  readonly gpu: () => GpuStatus;
  readonly connections: () => number;
  readonly startedAt: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.xml': 'application/xml; charset=utf-8',
  '.fcpxml': 'application/xml; charset=utf-8',
  '.edl': 'text/plain; charset=utf-8',
  '.otio': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.mp4': 'video/mp4',
  '.html': 'text/html; charset=utf-8',
};

const CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'";
/**
 * A job's HTML (report.html) opens sandboxed: an opaque origin, so its script cannot reach the companion's pages,
 * storage or token, and it may load nothing but its own inline styles, script and data: pictures.
 */
const ARTIFACT_HTML_POLICY = "sandbox allow-scripts; default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const STATUS: Partial<Record<ErrorCode, number>> = {
  AM_ERR_UNAUTHORIZED: 401,
  AM_ERR_FORBIDDEN_ORIGIN: 403,
  AM_ERR_PATH_FORBIDDEN: 403,
  AM_ERR_JOB_NOT_FOUND: 404,
  AM_ERR_FILE_NOT_FOUND: 404,
  AM_ERR_CACHE_CORRUPT: 500,
  AM_ERR_INTERNAL: 500,
  AM_ERR_URL_MALFORMED: 400,
};

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((request: Request, response: Response, next: NextFunction) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    // No page may frame the UI (clickjacking). Only framing, plugins and <base> are restricted, so the UI's
    // own scripts, inline styles, media and WebSocket keep working.
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (!options.allowedHosts().includes(String(request.headers.host ?? '').toLowerCase())) {
      return next(new MontageError('AM_ERR_FORBIDDEN_ORIGIN', `Requests must be addressed to the companion (${options.allowedHosts().join(' or ')}), not ${JSON.stringify(request.headers.host ?? '')}.`));
    }
    next();
  });

  app.get('/health', (_request, response) => {
    response.setHeader('Cache-Control', 'no-store');
    response.json({
      ok: true,
      name: 'auto-montage',
      version: options.version,
      protocol: PROTOCOL_VERSION,
      uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000),
      gpu: options.gpu(),
      queue: options.manager.stats(),
      connections: options.connections(),
      liveProcesses: liveProcessCount(),
    });
  });

  const requireToken = (request: Request, _response: Response, next: NextFunction) => {
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const query = typeof request.query.token === 'string' ? request.query.token : undefined;
    if (!tokensEqual(bearer ?? query, options.token)) {
      return next(new MontageError('AM_ERR_UNAUTHORIZED', 'A valid token is required: add ?token=… or an "Authorization: Bearer …" header.'));
    }
    next();
  };

  app.get('/jobs/:jobId/files/:name', requireToken, async (request: Request, response: Response, next: NextFunction) => {
    try {
      const jobId = String(request.params.jobId);
      const name = String(request.params.name);
      const info = await options.manager.info(jobId);
      if (!info || info.status !== 'done' || !info.result) {
        throw new MontageError('AM_ERR_JOB_NOT_FOUND', `No finished job ${JSON.stringify(jobId)}.`, { where: { field: 'jobId' } });
      }
      const opened = await options.store.openArtifact(jobId, name, info.result.montage?.files ?? []);
      response.setHeader('Content-Type', CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream');
      if (extname(name).toLowerCase() === '.html') response.setHeader('Content-Security-Policy', ARTIFACT_HTML_POLICY);
      response.setHeader('Cache-Control', 'private, no-cache');
      if (request.query.download !== undefined) response.attachment(name);
      sendOpenedFile(request, response, opened);
    } catch (error) {
      next(error);
    }
  });

  // Anything else under /jobs: refused the same way, so probing reveals nothing.
  app.use('/jobs', requireToken, (request: Request, _response: Response, next: NextFunction) => {
    next(new MontageError('AM_ERR_PATH_FORBIDDEN', `Not an artifact path: ${request.originalUrl.split('?')[0]}`));
  });

  if (existsSync(join(options.uiDir, 'index.html'))) {
    app.use(express.static(options.uiDir, { index: 'index.html', dotfiles: 'ignore', fallthrough: true, etag: false }));
  } else {
    app.get('/', (_request, response) => {
      response
        .type('html')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Auto-Montage companion</title>' +
            '<p>The Auto-Montage companion is running. The web UI is not built: run <code>npm run build</code>.</p>',
        );
    });
  }

  app.use((request: Request, _response: Response, next: NextFunction) => {
    next(new MontageError('AM_ERR_FILE_NOT_FOUND', `Nothing at ${request.method} ${request.path}.`));
  });

  // express needs the four-argument signature to recognise an error handler.
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    const montageError =
      error instanceof MontageError
        ? error
        : error instanceof URIError
          ? new MontageError('AM_ERR_URL_MALFORMED', 'The request path has malformed percent-encoding.')
          : status === 404
          ? new MontageError('AM_ERR_FILE_NOT_FOUND', 'Not found.')
          : status === 416
            ? new MontageError('AM_ERR_INVALID_ARGUMENT', 'The requested range is not satisfiable.')
            : toMontageError(error);
    const code = error instanceof MontageError || error instanceof URIError ? (STATUS[montageError.code] ?? 400) : status && status >= 400 && status < 600 ? status : 500;
    if (response.headersSent) return;
    response.status(code).setHeader('Cache-Control', 'no-store');
    response.json({ code: montageError.code, message: montageError.message });
  });

  return app;
}

/**
 * Sends an opened artifact from its handle (never reopening the path): conditional GET on Last-Modified, and
 * one byte range (206, or 416 when unsatisfiable). Several ranges, or an If-Range that does not match, get
 * the whole file, as RFC 9110 allows.
 */
function sendOpenedFile(request: Request, response: Response, { handle, info }: OpenedFile): void {
  const close = () => void handle.close().catch(() => {});
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
  response.setHeader('Last-Modified', lastModified);
  response.setHeader('Accept-Ranges', 'bytes');
  if (request.fresh) {
    close();
    response.status(304).end();
    return;
  }
  const ifRange = request.headers['if-range'];
  const ranges = ifRange === undefined || ifRange === lastModified ? request.range(info.size, { combine: true }) : undefined;
  let start = 0;
  let end = info.size - 1;
  if (ranges === -1) {
    close();
    response.status(416).setHeader('Content-Range', `bytes */${info.size}`);
    response.json({ code: 'AM_ERR_INVALID_ARGUMENT', message: 'The requested range is not satisfiable.' });
    return;
  }
  if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) {
    start = ranges[0]!.start;
    end = ranges[0]!.end;
    response.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${info.size}`);
  }
  response.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
  if (request.method === 'HEAD' || info.size === 0) {
    close();
    response.end();
    return;
  }
  const stream = handle.createReadStream({ start, end, autoClose: true });
  stream.on('error', () => response.destroy());
  response.on('close', () => stream.destroy());
  stream.pipe(response);
}
