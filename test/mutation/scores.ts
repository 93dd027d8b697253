/** Mutation score per folder from a Stryker JSON report (mutation-testing-report-schema). */

export interface MutationReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

export interface FolderScore {
  folder: string;
  killed: number;
  survived: number;
  noCoverage: number;
  /** Killed or timed out, over every mutant that ran or had no coverage (compile errors excluded). */
  score: number;
}

/** The folders the issue measures: reconciler/<sub>/, machines/, controllers/runtime/queue/, controllers/<kind>/. */
export function folderOf(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/');
  if (parts[0] === 'reconciler') return parts.length > 2 ? `reconciler/${parts[1]}/` : 'reconciler/';
  if (parts[0] === 'controllers') return `${parts.slice(0, -1).join('/')}/`;
  return `${parts[0]}/`;
}

/** One report of the files of several (each file's mutants from the report that has it). */
export function mergeReports(reports: MutationReport[]): MutationReport {
  return { files: Object.assign({}, ...reports.map((r) => r.files)) as MutationReport['files'] };
}

export function scoresByFolder(report: MutationReport): FolderScore[] {
  const by = new Map<string, { killed: number; survived: number; noCoverage: number }>();
  for (const [path, file] of Object.entries(report.files)) {
    const f = folderOf(path);
    const s = by.get(f) ?? { killed: 0, survived: 0, noCoverage: 0 };
    for (const m of file.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') s.killed++;
      else if (m.status === 'Survived') s.survived++;
      else if (m.status === 'NoCoverage') s.noCoverage++;
    }
    by.set(f, s);
  }
  return [...by]
    .map(([folder, s]) => {
      const total = s.killed + s.survived + s.noCoverage;
      return { folder, ...s, score: total === 0 ? 100 : (100 * s.killed) / total };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

export function formatScores(scores: FolderScore[]): string {
  const rows = scores.map(
    (s) => `| \`${s.folder}\` | ${s.score.toFixed(1)}% | ${s.killed} | ${s.survived} | ${s.noCoverage} |`,
  );
  return ['| folder | score | killed | survived | no coverage |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
