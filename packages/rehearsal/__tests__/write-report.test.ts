import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderSummaryMarkdown } from '../src/report/markdown.js';
import { writeReport } from '../src/report/write-report.js';
import { sampleReport } from '../__fixtures__/sample-report.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rehearsal-report-'));
let html = '';

beforeAll(async () => {
  const { indexHtml } = await writeReport(dir, sampleReport);
  expect(indexHtml).toBe(path.join(dir, 'index.html'));
  html = readFileSync(indexHtml, 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The elements of the page matching a start tag, with everything up to their end tag. */
function elements(tag: string, attribute: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*${attribute}[^>]*>[\\s\\S]*?</${tag}>`, 'g'))].map(
    (match) => match[0],
  );
}

describe('writeReport', () => {
  it('writes the page, the mermaid script it loads and the data behind it', () => {
    expect(statSync(path.join(dir, 'assets', 'mermaid.min.js')).size).toBeGreaterThan(100_000);
    expect(JSON.parse(readFileSync(path.join(dir, 'calls.json'), 'utf8'))).toEqual(sampleReport.calls);
    expect(JSON.parse(readFileSync(path.join(dir, 'timeline.json'), 'utf8'))).toEqual({
      series: sampleReport.series,
      markers: sampleReport.markers,
    });
    expect(html).toContain('<script src="assets/mermaid.min.js"></script>');
    expect(html).toContain("mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' })");
    expect(html).toContain("mermaid.run({ querySelector: 'pre.mermaid' })");
  });

  it('needs no network: no address outside the run directory', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
  });

  it('has a header with the run, its mode, outcome, simulated span and rate', () => {
    const header = /<header>[\s\S]*<\/header>/.exec(html)?.[0] ?? '';
    expect(header).toContain('<h1>ecs-ship rehearsal</h1>');
    for (const text of [
      '20250106-090000',
      'process',
      'status-success',
      'The change reached prod after a healthy canary.',
      '2025-01-06T09:00:00Z',
      '2025-01-06T09:30:00Z',
      '60×',
    ])
      expect(header).toContain(text);
  });

  it('shows HTML from the summaries as text, except <details>/<summary>', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<img\b/);
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('<details><summary>x</summary>y</details>');
    // The GFM table is a table.
    expect(html).toMatch(/<table>\s*<thead>\s*<tr>\s*<th>Environment<\/th>/);
    expect(html).toContain('<td>canary 10%</td>');
  });

  it('hands mermaid blocks to mermaid, their source escaped', () => {
    const diagrams = elements('pre', 'class="mermaid"');
    expect(diagrams).toHaveLength(1);
    expect(diagrams[0]).toContain('flowchart LR');
    expect(diagrams[0]).toContain(
      'dev[&quot;dev &amp; &lt;b&gt;test&lt;/b&gt;&quot;] --&gt; staging --&gt; prod',
    );
    expect(diagrams[0]).not.toContain('<b>');
  });

  it('draws one timeline per environment, an empty one where no traffic was recorded', () => {
    const charts = elements('svg', 'class="timeline-chart"');
    expect(charts.map((chart) => /data-environment="([^"]*)"/.exec(chart)?.[1])).toEqual(['prod', 'dev']);
    const [prod, dev] = charts;
    expect(prod?.match(/<path\b[^>]*class="series"/g)).toHaveLength(2);
    expect(prod).toContain('<title>api-prod:2</title>');
    expect(prod).toMatch(/class="marker marker-approval"[\s\S]*approved by rehearsal/);
    expect(prod).toMatch(/class="marker marker-decision"[\s\S]*gate: promote/);
    expect(dev).toContain('no traffic recorded in dev');
    expect(dev).toMatch(/class="marker marker-rollback"[\s\S]*rollback &lt;dev&gt;/);
    // The legend names each revision and its target group.
    expect(html).toMatch(/api-prod:1 <span class="muted">api · api-prod-blue<\/span>/);
  });

  it('renders the steps in order, then traffic and calls', () => {
    const steps = elements('section', 'class="step"');
    expect(steps).toHaveLength(2);
    expect(steps[0]).toContain('1. deploy / plan / github-delivery');
    expect(steps[1]).toContain('2. deploy / prod / canary-gate');
    expect(steps[1]).toContain('09:10:00</time> – <time datetime="2025-01-06T09:25:00Z">09:25:00</time>');
    expect(steps[1]).toContain('<strong>0.0%</strong>');
    const order = ['id="timeline"', 'id="steps"', 'id="traffic"', 'id="calls"'].map((id) => html.indexOf(id));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).toContain(
      '<td>09:12:00</td><td>api-prod-green</td><td class="number">60</td><td class="number">1</td><td class="number">14.0</td>',
    );
    expect(html).toContain(
      '<td>ecs</td><td>DescribeServices</td><td class="number">200</td><td class="number">2</td>',
    );
    expect(html).toContain('<a href="calls.json">calls.json</a>');
    expect(html).toContain('InvalidParameterException');
  });
});

describe('renderSummaryMarkdown', () => {
  it('keeps <details open> and closes what a summary left open', () => {
    expect(
      renderSummaryMarkdown('<details open>\n<summary>Periods</summary>\n\n| a |\n| - |\n| 1 |\n'),
    ).toMatch(/^<details open>\n<summary>Periods<\/summary>[\s\S]*<\/table>\n<\/details>$/);
    expect(renderSummaryMarkdown('</details>\n\ntext\n')).toBe('<p>text</p>\n');
  });

  it('escapes fold tags with attributes, drops comments and unsafe links', () => {
    expect(renderSummaryMarkdown('<details onclick="x()">\n')).toContain(
      '&lt;details onclick=&quot;x()&quot;&gt;',
    );
    expect(renderSummaryMarkdown('<!-- marker -->\n\nshown\n')).toBe('<p>shown</p>\n');
    expect(renderSummaryMarkdown('[run](javascript:alert(1))')).toBe('<p>run</p>\n');
    expect(renderSummaryMarkdown('[step](steps/01-plan.md)')).toBe(
      '<p><a href="steps/01-plan.md">step</a></p>\n',
    );
  });

  it('leaves entities the actions already escaped alone', () => {
    expect(renderSummaryMarkdown('<summary>a &lt; b &amp; c</summary>\n')).toContain(
      '<summary>a &lt; b &amp; c</summary>',
    );
  });
});
