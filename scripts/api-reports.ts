/**
 * The public API reports (api/<entry>.api.md): @microsoft/api-extractor run over the built `.d.ts` of every entry
 * point that package.json "exports" lists, so a new entry point gets its report from `npm run api` alone.
 * `npm run api` writes them (local build); test/api/api-reports.test.ts runs the same analysis without writing and
 * fails when the public surface differs from the committed reports.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, type ExtractorMessage, type IConfigFile,
} from '@microsoft/api-extractor';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const API_REPORT_FOLDER = join(PACKAGE_ROOT, 'api');

/** One entry point: its report name, the export paths that lead to it, and its built declaration file. */
export interface ApiEntryPoint {
  /** `tenkey` for ".", else the subpath without "./" (e.g. `protocol`). */
  readonly name: string;
  /** The "exports" keys that resolve to this file (".", "./host-driver" share one). */
  readonly subpaths: readonly string[];
  readonly dtsPath: string;
}

export interface ApiReportResult {
  readonly entry: ApiEntryPoint;
  readonly succeeded: boolean;
  /** True when the analysed surface differs from api/<name>.api.md (or that file is missing). */
  readonly changed: boolean;
  readonly messages: readonly string[];
}

type PackageJson = { name: string; version: string; exports: Record<string, string> };

function readPackageJson(): PackageJson {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** The entry points in package.json "exports", one per distinct target file, named after its first subpath. */
export function apiEntryPoints(packageJson: PackageJson = readPackageJson()): ApiEntryPoint[] {
  const byTarget = new Map<string, { name: string; subpaths: string[] }>();
  for (const [subpath, target] of Object.entries(packageJson.exports)) {
    if (!target.endsWith('.js')) throw new Error(`exports["${subpath}"]: expected a .js file, got ${target}`);
    const known = byTarget.get(target);
    if (known) known.subpaths.push(subpath);
    else byTarget.set(target, { name: subpath === '.' ? packageJson.name : subpath.replace(/^\.\//, ''), subpaths: [subpath] });
  }
  return [...byTarget].map(([target, { name, subpaths }]) => ({
    name, subpaths, dtsPath: join(PACKAGE_ROOT, target.replace(/\.js$/, '.d.ts')),
  }));
}

/**
 * Message settings. Release tags (@public/@beta) are not used here: what an entry point exports is public.
 * ae-forgotten-export (a public signature names a type the entry point does not export) stays visible as a
 * warning line inside the report. TSDoc syntax checks are off: the comments are written for readers, not TSDoc.
 */
const MESSAGES: IConfigFile['messages'] = {
  compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
  extractorMessageReporting: {
    default: { logLevel: ExtractorLogLevel.Warning },
    'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
    'ae-incompatible-release-tags': { logLevel: ExtractorLogLevel.None },
    'ae-internal-missing-underscore': { logLevel: ExtractorLogLevel.None },
    'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
    'ae-unresolved-link': { logLevel: ExtractorLogLevel.None },
    'ae-undocumented': { logLevel: ExtractorLogLevel.None },
  },
  tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
};

function configOf(entry: ApiEntryPoint, reportTempFolder: string): ExtractorConfig {
  const configObject: IConfigFile = {
    projectFolder: PACKAGE_ROOT,
    mainEntryPointFilePath: entry.dtsPath,
    // Third-party packages stay imports in the report; their declarations are theirs (no bundling, no lib check).
    bundledPackages: [],
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
          strict: true, skipLibCheck: true,
        },
        files: [entry.dtsPath],
      },
    },
    apiReport: { enabled: true, reportFolder: API_REPORT_FOLDER, reportTempFolder, reportFileName: entry.name },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: MESSAGES,
  };
  return ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: undefined,
    packageJsonFullPath: join(PACKAGE_ROOT, 'package.json'),
  });
}

/**
 * Analyses every entry point in one TypeScript program. `local: true` writes changed reports into api/;
 * `local: false` only compares (the temporary output goes to a directory removed afterwards).
 */
export function runApiReports({ local }: { local: boolean }): ApiReportResult[] {
  const packageJson = readPackageJson();
  const entries = apiEntryPoints(packageJson);
  const missing = entries.filter((e) => !existsSync(e.dtsPath)).map((e) => e.dtsPath);
  if (missing.length > 0) throw new Error(`build first (tsc -p tsconfig.build.json): missing ${missing.join(', ')}`);
  const tempFolder = mkdtempSync(join(tmpdir(), 'tenkey-api-'));
  try {
    const configs = entries.map((entry) => configOf(entry, tempFolder));
    const compilerState = CompilerState.create(configs[0]!, { additionalEntryPoints: entries.map((e) => e.dtsPath) });
    return entries.map((entry, i) => {
      const messages: string[] = [];
      const result = Extractor.invoke(configs[i]!, {
        localBuild: local,
        compilerState,
        messageCallback: (message: ExtractorMessage) => {
          if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
            messages.push(message.formatMessageWithLocation(PACKAGE_ROOT));
          }
          message.handled = true;
        },
      });
      return { entry, succeeded: result.succeeded, changed: result.apiReportChanged, messages };
    });
  } finally {
    rmSync(tempFolder, { recursive: true, force: true });
  }
}
