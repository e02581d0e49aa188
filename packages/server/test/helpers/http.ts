/** A small HTTP client for tests: JSON in, JSON out, with the status and headers kept. */
export interface TestResponse {
  status: number;
  headers: Headers;
  // Tests assert on arbitrary JSON shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is (not JSON-encoded), e.g. malformed JSON or bytes that are not UTF-8. */
  rawBody?: string | Uint8Array;
  token?: string;
  headers?: Record<string, string>;
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  // Raw bytes are a valid body; the DOM typings (the widget's typecheck) only take ArrayBuffer-backed views.
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body as RequestInit['body'] });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Binds `request` to one server. */
export function client(baseUrl: string) {
  const call = (method: string) => (path: string, options?: RequestOptions) =>
    request(baseUrl, method, path, options);
  return {
    get: call('GET'),
    post: call('POST'),
    patch: call('PATCH'),
    put: call('PUT'),
    delete: call('DELETE'),
  };
}
