// The report in Debian's headless Chromium, as CI checks a rehearsal's: every mermaid diagram drawn,
// every timeline there, no error, and a screenshot kept.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { checkReportInBrowser } from '../src/browser-check.js';
import { writeReport } from '../src/report/write-report.js';
import { sampleReport } from '../__fixtures__/sample-report.js';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(chromium);
if (!available) console.warn(`browser check skipped: no Chromium at ${chromium} (apt-get install chromium)`);
const describeWithChromium = available ? describe : describe.skip;

const dir = mkdtempSync(path.join(tmpdir(), 'rehearsal-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithChromium('checkReportInBrowser (needs Chromium)', () => {
  it('finds every mermaid diagram rendered and every timeline drawn, and keeps a screenshot', async () => {
    const { indexHtml } = await writeReport(dir, sampleReport);
    const screenshot = path.join(dir, 'screenshot.png');
    const check = await checkReportInBrowser(indexHtml, { screenshot, chromium });
    expect(check.errors).toEqual([]);
    expect(check.diagrams).toBeGreaterThanOrEqual(1);
    expect(check.rendered).toBe(check.diagrams);
    expect(check.timelineCharts).toBe(2);
    expect(statSync(screenshot).size).toBeGreaterThan(0);
  }, 180_000);

  it('reports a diagram mermaid cannot draw', async () => {
    const broken = path.join(dir, 'broken');
    const { indexHtml } = await writeReport(broken, {
      ...sampleReport,
      steps: [{ ...sampleReport.steps[0]!, summary: '```mermaid\nflowchart LR\n  a --> --> b((\n```\n' }],
    });
    const check = await checkReportInBrowser(indexHtml, {
      screenshot: path.join(broken, 'screenshot.png'),
      chromium,
    });
    expect(check.diagrams).toBe(1);
    expect(check.rendered).toBe(0);
    expect(check.errors.join('\n')).toMatch(/1 mermaid diagram\(s\) failed to render/);
  }, 180_000);
});

describe('checkReportInBrowser without Chromium', () => {
  it('says how to install it', async () => {
    await expect(
      checkReportInBrowser(path.join(dir, 'index.html'), {
        screenshot: path.join(dir, 'none.png'),
        chromium: '/nonexistent/chromium',
      }),
    ).rejects.toThrow('apt-get install chromium');
  });
});
