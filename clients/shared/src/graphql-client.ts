/**
 * Typed GraphQL over HTTP. Production builds send the persisted form
 * `{ documentId: "sha256:…", variables, operationName }` (the server runs only documents from the
 * apps' manifests); development sends the query text. Tokens go in the Authorization header only.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'VALIDATION'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'NETWORK';

export const ERROR_CODES: ErrorCode[] = [
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'FORBIDDEN',
  'VALIDATION',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL',
  'NETWORK',
];

/** A document from codegen (client preset, string mode) with its sha256 in `__meta__.hash`. */
export type Doc<R, V> = DocumentTypeDecoration<R, V> & { toString(): string; __meta__?: Record<string, unknown> };

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly missingVitals?: string[];
  readonly errorId?: string;
  constructor(code: ErrorCode, message: string, ext: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (typeof ext.field === 'string') this.field = ext.field;
    if (Array.isArray(ext.missingVitals)) this.missingVitals = ext.missingVitals as string[];
    if (typeof ext.errorId === 'string') this.errorId = ext.errorId;
  }
}

/** No answer from the server (offline, DNS, connection reset): the request may be retried. */
export class NetworkError extends ApiError {
  constructor(message = 'Network unavailable') {
    super('NETWORK', message);
    this.name = 'NetworkError';
  }
}

export const isNetworkError = (e: unknown): e is NetworkError => e instanceof ApiError && e.code === 'NETWORK';

/** Whether a failure may succeed if the same request is sent again later. */
export const isTransient = (e: unknown): boolean =>
  !(e instanceof ApiError) || e.code === 'NETWORK' || e.code === 'RATE_LIMITED' || e.code === 'INTERNAL';

interface GraphQLErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

export function operationName(doc: Doc<unknown, unknown>): string | undefined {
  return /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(doc.toString())?.[1];
}

export function documentId(doc: Doc<unknown, unknown>): string | undefined {
  const hash = doc.__meta__?.hash;
  return typeof hash === 'string' ? `sha256:${hash}` : undefined;
}

/** The JSON body of a request: persisted (`documentId`) or with the query text. */
export function requestBody(doc: Doc<unknown, unknown>, variables: unknown, persisted: boolean) {
  const name = operationName(doc);
  const id = documentId(doc);
  if (persisted && id) return { documentId: id, operationName: name, variables: variables ?? {} };
  return { query: doc.toString(), operationName: name, variables: variables ?? {} };
}

export function errorFromJson(errors: GraphQLErrorJson[]): ApiError {
  const first = errors[0] ?? { message: 'Unknown error' };
  const ext = first.extensions ?? {};
  const code = (typeof ext.code === 'string' ? ext.code : 'INTERNAL') as ErrorCode;
  return new ApiError(ERROR_CODES.includes(code) ? code : 'INTERNAL', first.message, ext);
}

export interface TransportOptions {
  endpoint: string;
  persisted: boolean;
  fetch?: typeof fetch;
}

export interface Result<R> {
  data: R | null;
  errors: ApiError[];
}

/** One POST; never throws for GraphQL errors (see `errors`), throws NetworkError without an answer. */
export async function post<R, V>(
  opts: TransportOptions,
  doc: Doc<R, V>,
  variables: V | undefined,
  token: string | null,
): Promise<Result<R>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await (opts.fetch ?? fetch)(opts.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(requestBody(doc as Doc<unknown, unknown>, variables, opts.persisted)),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError();
  }
  let json: { data?: R | null; errors?: GraphQLErrorJson[] };
  try {
    json = await response.json();
  } catch {
    if (response.status === 401) return { data: null, errors: [new ApiError('UNAUTHENTICATED', 'Unauthenticated')] };
    if (response.status === 429 || response.status === 503) {
      return { data: null, errors: [new ApiError('RATE_LIMITED', `HTTP ${response.status}`)] };
    }
    // A proxy or captive portal answered: treat like no network.
    throw new NetworkError(`HTTP ${response.status}`);
  }
  const errors = (json.errors ?? []).map((e) => errorFromJson([e]));
  if (!errors.length && response.status === 401) errors.push(new ApiError('UNAUTHENTICATED', 'Unauthenticated'));
  return { data: json.data ?? null, errors };
}
