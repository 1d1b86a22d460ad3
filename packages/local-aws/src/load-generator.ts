// Steady traffic for the local load balancer: a fixed number of requests per real second, spread
// evenly, with at most `concurrency` in flight (requests over that are counted as skipped, so the
// generator never piles up behind a slow target).
import { Agent, request } from 'node:http';

export interface GeneratedRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadGeneratorOptions {
  /** The load balancer's listener URL. */
  url: string;
  requestsPerSecond: number;
  /** What to send, in turn (default GET /). */
  requests?: GeneratedRequest[];
  /** GET these paths in turn (when `requests` is not given). */
  paths?: string[];
  /** Headers for every request. */
  headers?: Record<string, string>;
  /** Requests in flight at most (default 64). */
  concurrency?: number;
}

export interface LoadGenerator {
  sent(): number;
  /** Answers by status code ('error' for no answer, 'skipped' for requests not sent: too many in flight). */
  answered(): Record<string, number>;
  stop(): Promise<void>;
}

const TICK_MS = 50;

export function startLoadGenerator(options: LoadGeneratorOptions): LoadGenerator {
  const plan: GeneratedRequest[] =
    options.requests ?? (options.paths ?? ['/']).map((path) => ({ method: 'GET', path }));
  if (plan.length === 0) throw new Error('startLoadGenerator: no requests to send');
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 64 });
  const target = new URL(options.url);
  const answered: Record<string, number> = {};
  const count = (key: string) => (answered[key] = (answered[key] ?? 0) + 1);
  let sent = 0;
  let inFlight = 0;
  let owed = 0;
  let turn = 0;
  const pending = new Set<Promise<void>>();

  const send = (): void => {
    if (inFlight >= (options.concurrency ?? 64)) {
      count('skipped');
      return;
    }
    const spec = plan[turn++ % plan.length] as GeneratedRequest;
    inFlight += 1;
    sent += 1;
    const done = new Promise<void>((resolve) => {
      const finish = (key: string) => {
        inFlight -= 1;
        count(key);
        resolve();
      };
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: spec.method ?? 'GET',
          path: spec.path,
          headers: { ...options.headers, ...spec.headers },
          agent,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.once('end', () => finish(String(res.statusCode ?? 0)));
          res.once('error', () => finish('error'));
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', () => finish('error'));
      req.end(spec.body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  const timer = setInterval(() => {
    owed += (options.requestsPerSecond * TICK_MS) / 1000;
    while (owed >= 1) {
      owed -= 1;
      send();
    }
  }, TICK_MS);
  timer.unref();

  return {
    sent: () => sent,
    answered: () => ({ ...answered }),
    async stop() {
      clearInterval(timer);
      await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 2_000))]);
      agent.destroy();
    },
  };
}
