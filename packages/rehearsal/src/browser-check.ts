// The report as a reader sees it: index.html opened in Debian's headless Chromium, its DOM read back
// once the page's scripts have run (every mermaid diagram an SVG, every timeline drawn), and a
// screenshot kept for whoever looks at the CI run.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BrowserCheck {
  /** pre.mermaid elements on the page. */
  diagrams: number;
  /** Those mermaid replaced with an SVG. */
  rendered: number;
  /** Elements with class timeline-chart (one SVG per environment). */
  timelineCharts: number;
  errors: string[];
}

const TIMEOUT_MS = 60_000;
/** Virtual time lets the page's scripts finish without the run waiting for it in real time. */
const VIRTUAL_TIME_BUDGET_MS = 20_000;

function chromiumBinary(explicit: string | undefined): string {
  const binary = explicit ?? process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(binary))
    throw new Error(`no Chromium at ${binary}: install Debian's (apt-get install chromium) or set CHROMIUM`);
  return binary;
}

/**
 * One headless Chromium run with a profile of its own (removed afterwards), its stdout returned. A
 * run that hangs is killed (SIGKILL: a wedged browser ignores SIGTERM); its helper processes exit
 * when the browser's IPC channel closes.
 */
async function runChromium(binary: string, args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(tmpdir(), 'rehearsal-chromium-'));
  const argv = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--virtual-time-budget=${VIRTUAL_TIME_BUDGET_MS}`,
    ...args,
  ];
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        binary,
        argv,
        { timeout: TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const tail = stderr.trim().split('\n').slice(-10).join('\n');
          const why = error.killed ? `killed after ${TIMEOUT_MS / 1000} s` : error.message.split('\n')[0];
          reject(new Error(`${binary} ${args.join(' ')}: ${why}${tail ? `\n${tail}` : ''}`));
        },
      );
    });
  } finally {
    await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** An attribute of the first tag matching `tag` in the serialised DOM (Chromium quotes with "). */
function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

function hasClass(tag: string, name: string): boolean {
  return (attribute(tag, 'class') ?? '').split(/\s+/).includes(name);
}

/** What the dumped DOM says about the page: counted with regular expressions over Chromium's own serialisation. */
export function inspectDom(dumped: string): BrowserCheck {
  // The page's own inline script mentions what it looks for; only the document itself counts.
  const dom = dumped.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
  const errors: string[] = [];
  let diagrams = 0;
  let rendered = 0;
  for (const match of dom.matchAll(/(<pre\b[^>]*>)([\s\S]*?)<\/pre>/gi)) {
    if (!hasClass(match[1] ?? '', 'mermaid')) continue;
    diagrams += 1;
    // mermaid draws its error picture where the diagram would have been: that is not a rendering.
    const content = match[2] ?? '';
    if (/<svg\b/i.test(content) && !/aria-roledescription="error"/i.test(content)) rendered += 1;
  }
  const timelineCharts = [...dom.matchAll(/<[a-z][\w-]*\b[^>]*>/gi)].filter((tag) =>
    hasClass(tag[0], 'timeline-chart'),
  ).length;

  const body = /<body\b[^>]*>/i.exec(dom)?.[0];
  if (!body) errors.push('the dumped DOM has no <body>');
  else {
    const state = attribute(body, 'data-mermaid');
    if (state !== 'done') errors.push(`mermaid did not finish (body data-mermaid=${state ?? 'unset'})`);
    const failed = Number(attribute(body, 'data-mermaid-errors') ?? '0');
    if (failed > 0 || Number.isNaN(failed)) {
      const message = attribute(body, 'data-mermaid-error');
      const why = message ? `: ${message.replace(/\s+/g, ' ').slice(0, 300)}` : '';
      errors.push(`${failed} mermaid diagram(s) failed to render${why}`);
    }
  }
  const syntaxErrors = dom.match(/<text\b[^>]*>Syntax error in text<\/text>/g)?.length ?? 0;
  if (syntaxErrors > 0) errors.push(`${syntaxErrors} mermaid "Syntax error in text" diagram(s) on the page`);
  return { diagrams, rendered, timelineCharts, errors };
}

export async function checkReportInBrowser(
  indexHtml: string,
  options: { screenshot: string; chromium?: string },
): Promise<BrowserCheck> {
  const binary = chromiumBinary(options.chromium);
  const url = pathToFileURL(path.resolve(indexHtml)).href;
  const check = inspectDom(await runChromium(binary, ['--dump-dom', url]));
  const screenshot = path.resolve(options.screenshot);
  await runChromium(binary, [`--screenshot=${screenshot}`, '--window-size=1280,4000', url]);
  if (!existsSync(screenshot) || statSync(screenshot).size === 0)
    check.errors.push(`Chromium wrote no screenshot at ${screenshot}`);
  return check;
}
