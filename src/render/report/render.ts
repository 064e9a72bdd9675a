import { renderReportHtml } from './html.js';
import { renderReportJunit } from './junit.js';
import { renderReportMarkdown } from './markdown.js';
import type { Report } from './types.js';

/** The report formats: one self-contained HTML page, versioned JSON, a Markdown summary, JUnit XML. */
export type ReportFormat = 'html' | 'json' | 'md' | 'junit';

/** Every format, for `--format` choices. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'json', 'md', 'junit'];

const BY_EXTENSION: Record<string, ReportFormat> = {
  html: 'html',
  htm: 'html',
  json: 'json',
  md: 'md',
  markdown: 'md',
  xml: 'junit',
};

/** The format a file name asks for by its extension (`.html`, `.json`, `.md`, `.xml`), or null. */
export function formatOfPath(file: string): ReportFormat | null {
  const ext = /\.([A-Za-z]+)$/.exec(file)?.[1]?.toLowerCase();
  return ext ? (BY_EXTENSION[ext] ?? null) : null;
}

/** Renders a report in one format. */
export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'html':
      return renderReportHtml(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'md':
      return renderReportMarkdown(report);
    case 'junit':
      return renderReportJunit(report);
  }
}
