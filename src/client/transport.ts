/** The seam between the client and HTTP: send one request, get status, headers and body text. */

export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  bodyText: string;
}

export interface Transport {
  /**
   * Sends one request. Failures below HTTP are thrown as `NetworkError` (with the phase: nothing sent,
   * or maybe sent) or `TimeoutError`; an abort rethrows the signal's reason. `label` names the call
   * in those errors (the method), never the URL, which may carry a secret.
   */
  send(request: TransportRequest, label: string): Promise<TransportResponse>;
  close(): Promise<void>;
}
