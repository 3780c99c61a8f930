/**
 * `npm run api`: regenerates api/<entry>.api.md, the public API reports, from the built declarations of every entry
 * point in package.json "exports" (see scripts/api-reports.ts). Commit the changed reports with the change.
 */
import { relative } from 'node:path';
import { API_REPORT_FOLDER, PACKAGE_ROOT, runApiReports } from './api-reports.js';

let failed = false;
for (const { entry, succeeded, changed, messages } of runApiReports({ local: true })) {
  for (const message of messages) process.stderr.write(`${entry.name}: ${message}\n`);
  const report = relative(PACKAGE_ROOT, `${API_REPORT_FOLDER}/${entry.name}.api.md`);
  process.stderr.write(`${report}: ${changed ? 'updated' : 'unchanged'}${succeeded ? '' : ' (with errors)'}\n`);
  failed ||= !succeeded;
}
process.exitCode = failed ? 1 : 0;
