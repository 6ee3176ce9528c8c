import { defaultWorkspaceDir } from '../store/workspace.js';

export const workspaceOption = {
  type: 'string',
  describe: 'Workspace directory (default: $PROVLOG_WORKSPACE, else the user data directory)',
} as const;

export function resolveWorkspaceDir(option: string | undefined): string {
  return option ?? defaultWorkspaceDir();
}
