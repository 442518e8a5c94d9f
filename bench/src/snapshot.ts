import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { useWorkerScript } from './generator/load-generator';
import { REPO, useScripts } from './servers';

/**
 * Copies the builds a run executes (backend/dist, bench/dist) aside and
 * runs every server and worker from the copy: a run takes minutes, others
 * may rebuild (`rm -rf …/dist`) meanwhile, and every figure of
 * one run should come from one build. The copy sits under
 * node_modules/.cache so that its imports still resolve to the repository's
 * node_modules. Returns the cleanup.
 */
export function snapshotBuilds(): () => void {
  const root = join(REPO, 'node_modules', '.cache', 'chatstream-bench', String(process.pid));
  cpSync(join(REPO, 'backend', 'dist'), join(root, 'backend', 'dist'), { recursive: true });
  cpSync(join(REPO, 'bench', 'dist'), join(root, 'bench', 'dist'), { recursive: true });
  useScripts({ chatstreamMain: join(root, 'backend', 'dist', 'main.js'), baselines: join(root, 'bench', 'dist', 'baselines') });
  useWorkerScript(join(root, 'bench', 'dist', 'generator', 'worker.js'));
  return () => rmSync(root, { recursive: true, force: true });
}
